package main

// appParts holds what the issue-5 parts hang on the app; each part owns
// its fields (sync.go, pull.go, upstream.go, cache.go, cards.go).
type appParts struct {
	syncPart
	pullPart
	upstreamPart
	cardsPart
}
