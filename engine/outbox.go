package engine

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/uptrace/bun"
)

// The outbox (sync_log): with an upstream Odoo every ledger operation
// writes, in its own transaction (the same statement on PostgreSQL), one
// event per card it touched: action "points", lane "realtime", the
// card's partition (id % SyncParts), the journal seq range it wrote
// (seq_from..seq_to), the balance and sync_version at commit. The expiry
// writes one per card of a batch, set-based. A tier change writes a
// "tier" event for the partner. On PostgreSQL the writing transaction
// also fires NOTIFY SyncChannel, so that the delivery workers wake up.
// Standalone (EnableOutbox never called) nothing is written.

// Outbox vocabulary (sync_log columns).
const (
	SyncEntityCard    = "loyalty.card"
	SyncEntityPartner = "res.partner"

	SyncActionPoints   = "points"   // a card's balance and journal rows
	SyncActionTier     = "tier"     // a partner's membership level
	SyncActionCard     = "card"     // card fields changed by an RPC write
	SyncActionConflict = "conflict" // a resolved conflict (log only)

	SyncLaneRealtime = "realtime"
	SyncLaneBatch    = "batch"

	SyncPending  = "pending"
	SyncSynced   = "synced"
	SyncFailed   = "failed"
	SyncResolved = "resolved"

	// SyncParts is the number of partitions (entity_id % SyncParts).
	SyncParts = 64
	// SyncChannel is the LISTEN/NOTIFY channel of the outbox.
	SyncChannel = "loyaltyd_sync"
)

// EnableOutbox makes the operations write sync events (call it before
// the service is used).
func (s *Service) EnableOutbox() { s.outbox = true }

// OutboxEnabled reports whether EnableOutbox was called.
func (s *Service) OutboxEnabled() bool { return s.outbox }

// queuePointsSQL writes the points event of one card after its update
// (the SQLite write path, and PostgreSQL's for large operations).
const queuePointsSQL = `INSERT INTO sync_log (entity_type, entity_id, part, action, status, lane, seq_from, seq_to, points,
	sync_version) SELECT 'loyalty.card', id, id % 64, 'points', 'pending', 'realtime', CAST(? AS BIGINT), history_seq, points,
	sync_version FROM loyalty_cards WHERE id = CAST(? AS BIGINT)`

// notifySQL wakes the delivery workers when the transaction commits.
const notifySQL = "SELECT pg_notify('" + SyncChannel + "', '')"

// queuePoints writes the points events of the cards of a written
// operation (not writePG, which does it in its statement).
func (o *ledgerOp) queuePoints() error {
	for _, id := range o.sortedCards() {
		c := o.cards[id]
		from := c.seq + 1
		for _, e := range o.entries {
			if e.Card == id && e.Seq < from {
				from = e.Seq
			}
		}
		if _, err := o.s.exec(o.ctx, o.tx, queuePointsSQL, from, id); err != nil {
			return fmt.Errorf("engine: sync event: %w", err)
		}
	}
	return o.s.notify(o.ctx, o.tx)
}

// notify fires NOTIFY on PostgreSQL.
func (s *Service) notify(ctx context.Context, tx bun.IDB) error {
	if isLite(tx) {
		return nil
	}
	if _, err := s.exec(ctx, tx, notifySQL); err != nil {
		return fmt.Errorf("engine: notify: %w", err)
	}
	return nil
}

// queueTier writes the tier event of a partner whose membership level
// became tier (0: none).
func (s *Service) queueTier(ctx context.Context, tx bun.IDB, partner, tier int64) error {
	if !s.outbox {
		return nil
	}
	var level any = false
	if tier != 0 {
		level = tier
	}
	js, err := json.Marshal(map[string]any{"membership_product_id": level})
	if err != nil {
		return err
	}
	if _, err := s.exec(ctx, tx, `INSERT INTO sync_log (entity_type, entity_id, part, action, status, lane, payload)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, SyncEntityPartner, partner, partner%SyncParts, SyncActionTier, SyncPending,
		SyncLaneRealtime, string(js)); err != nil {
		return fmt.Errorf("engine: sync event: %w", err)
	}
	return s.notify(ctx, tx)
}
