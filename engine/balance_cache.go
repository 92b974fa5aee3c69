package engine

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"github.com/uptrace/bun"

	"github.com/odoo-loyalty/loyaltyd/models"
	"github.com/odoo-loyalty/loyaltyd/models/cache"
)

// sideState is what the upstream parts of issue 5 hang on the Service:
// the hot balance cache (this file) and the card id authority (cards.go).
type sideState struct {
	balances *balanceCache
	cardIDs  CardIDs
}

// Hot balances: card summaries read only to be shown (card_balance) are
// served from a cache. They are never used for a decision: operations
// lock and read the card row itself.
//
// Invalidation is by generation. Each card has a generation token
// ("balgen:<card>") and its cached summary ("bal:<card>") is stored with
// the token that was current before the summary was read from the
// database; it is served only while that token is still the card's
// generation. Every operation that touches a card (earn, redeem, adjust,
// reverse, transfer, order, expiry) sets a fresh token after its commit
// (models.AfterCommit), so a summary read before the commit, even one
// stored after it, is never served again. With Redis the token is shared
// by every instance; with the in-process cache each instance only sees its
// own writes, so the entries live a short time (see SetBalanceCache). A
// lost invalidation (Redis unreachable at that moment) is bounded by the
// entry's time to live.
type balanceCache struct {
	c   cache.Cache
	ttl time.Duration
}

// SetBalanceCache makes card summaries read for display (CardBalance)
// come from c, each kept for ttl at most (0: one minute). Use a short ttl
// with a per-instance cache when several instances share the database:
// another instance's writes reach it only when the entry expires. nil c
// turns the cache off. Call it before serving.
func (s *Service) SetBalanceCache(c cache.Cache, ttl time.Duration) {
	if c == nil {
		s.side.balances = nil
		return
	}
	if ttl <= 0 {
		ttl = time.Minute
	}
	s.side.balances = &balanceCache{c: c, ttl: ttl}
}

// CardBalance is Card for display: from the balance cache when one is
// set, else (and on a miss) from db. Never base a decision on it.
func (s *Service) CardBalance(ctx context.Context, db bun.IDB, card int64) (CardState, error) {
	b := s.side.balances
	if b == nil {
		return s.Card(ctx, db, card)
	}
	gen, ok := b.c.Get(ctx, genKey(card))
	if ok {
		if raw, ok := b.c.Get(ctx, balKey(card)); ok {
			if st, ok := decodeBalance(raw, string(gen)); ok {
				return st, nil
			}
		}
	} else {
		gen = []byte(newToken())
		b.c.Set(ctx, genKey(card), gen, 2*b.ttl)
	}
	st, err := s.Card(ctx, db, card)
	if err != nil {
		return st, err
	}
	b.c.Set(ctx, balKey(card), encodeBalance(st, string(gen)), b.ttl)
	return st, nil
}

// CardsChanged invalidates the cached summaries of cards changed outside
// the engine's operations (an RPC write of loyalty.card), after the
// commit of ctx's transaction.
func (s *Service) CardsChanged(ctx context.Context, cards ...int64) { s.touched(ctx, cards...) }

// touched invalidates the cached summaries of cards once the transaction
// of ctx commits (at once when ctx is not in a models.DB.WriteTx).
func (s *Service) touched(ctx context.Context, cards ...int64) {
	b := s.side.balances
	if b == nil || len(cards) == 0 {
		return
	}
	ids := append([]int64(nil), cards...)
	if !models.AfterCommit(ctx, func(ctx context.Context) { b.invalidate(ctx, ids) }) {
		b.invalidate(ctx, ids)
	}
}

func (b *balanceCache) invalidate(ctx context.Context, cards []int64) {
	for _, id := range cards {
		b.c.Set(ctx, genKey(id), []byte(newToken()), 2*b.ttl)
	}
}

func genKey(card int64) string { return "balgen:" + strconv.FormatInt(card, 10) }
func balKey(card int64) string { return "bal:" + strconv.FormatInt(card, 10) }

func newToken() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// cachedBalance is a CardState as stored, with its generation.
type cachedBalance struct {
	Gen     string          `json:"g"`
	Card    int64           `json:"c"`
	Program int64           `json:"pr,omitempty"`
	Partner int64           `json:"pa,omitempty"`
	Tier    int64           `json:"t,omitempty"`
	Points  decimal.Decimal `json:"p"`
	Debt    decimal.Decimal `json:"d"`
	Seq     int64           `json:"s"`
}

func encodeBalance(st CardState, gen string) []byte {
	raw, _ := json.Marshal(cachedBalance{Gen: gen, Card: st.Card, Program: st.Program, Partner: st.Partner,
		Tier: st.Tier, Points: st.Points, Debt: st.Debt, Seq: st.Seq})
	return raw
}

// decodeBalance reads a stored summary, valid only under generation gen.
func decodeBalance(raw []byte, gen string) (CardState, bool) {
	var c cachedBalance
	if err := json.Unmarshal(raw, &c); err != nil || c.Gen != gen || strings.TrimSpace(gen) == "" {
		return CardState{}, false
	}
	return CardState{Card: c.Card, Program: c.Program, Partner: c.Partner, Tier: c.Tier, Points: c.Points,
		Debt: c.Debt, Seq: c.Seq}, true
}
