//go:build race

package auth

// raceEnabled is true under -race, where pbkdf2 runs ~10x slower.
const raceEnabled = true
