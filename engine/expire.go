package engine

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/shopspring/decimal"
	"github.com/uptrace/bun"

	"github.com/odoo-loyalty/loyaltyd/models"
)

// defaultExpireBatch is how many lots one expiry transaction handles.
const defaultExpireBatch = 20000

// lotKey is a position in the expiry job's order of lots: by card, then
// expiry, then id. Taking a card's expiring lots together makes one card
// update per card (not per lot), whatever their expiry dates.
type lotKey struct {
	card int64
	exp  time.Time
	id   int64
}

// cardRange is a share of the cards for one worker: ids lo..hi (0, 0:
// all).
type cardRange struct{ lo, hi int64 }

// Expire expires every active lot whose expiry is before asOf, in batches
// of its own transactions; running it again changes nothing.
//
// On PostgreSQL defaultExpireWorkers transactions run at once, each on its
// own range of card ids.
// Each batch takes the next batch of lots in (card, expiration_date, id)
// order, locks their cards (in id order on PostgreSQL), and then, set-based,
// appends one expire row per lot to its card's journal (seq and balance by
// window functions, in (expiration_date, id) order per card), zeroes the
// lots (state expired) and lowers the cards' points. An expire row is dated
// at the lot's expiry, so running the job daily or once after several days
// leaves the same journal (I9).
func (s *Service) Expire(ctx context.Context, asOf time.Time) (ExpireStats, error) {
	workers := 1
	if s.db.DialectName() == models.DialectPG {
		workers = defaultExpireWorkers
	}
	return s.expire(ctx, asOf, defaultExpireBatch, workers)
}

// defaultExpireWorkers is how many transactions expire lots at once on
// PostgreSQL, each on its own range of card ids, so they never wait on
// each other's locks. SQLite has one writer at a time: one worker.
const defaultExpireWorkers = 4

// expire is Expire with batches of batch lots and workers workers.
func (s *Service) expire(ctx context.Context, asOf time.Time, batch, workers int) (ExpireStats, error) {
	asOf = asOf.UTC().Truncate(time.Second)
	start := time.Now()
	stats := ExpireStats{Points: decimal.Zero}
	shares, err := s.cardShares(ctx, workers)
	if err != nil {
		return stats, fmt.Errorf("engine: expire: %w", err)
	}
	var (
		mu   sync.Mutex
		wg   sync.WaitGroup
		errs = make([]error, len(shares))
	)
	for w, share := range shares {
		wg.Go(func() {
			st, err := s.expireShare(ctx, asOf, batch, share)
			mu.Lock()
			defer mu.Unlock()
			stats.Lots += st.Lots
			stats.Cards += st.Cards
			stats.Points = stats.Points.Add(st.Points)
			errs[w] = err
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return stats, fmt.Errorf("engine: expire: %w", err)
	}
	level := slog.LevelInfo
	if stats.Lots == 0 {
		level = slog.LevelDebug // the hourly job finding nothing is not news
	}
	s.log.Log(ctx, level, "points expired", slog.Time("as_of", asOf), slog.Int("lots", stats.Lots), slog.Int("cards", stats.Cards),
		slog.String("points", stats.Points.StringFixed(2)), slog.Duration("took", time.Since(start)))
	return stats, nil
}

// cardShares splits the card ids into workers contiguous ranges.
func (s *Service) cardShares(ctx context.Context, workers int) ([]cardRange, error) {
	if workers <= 1 {
		return []cardRange{{}}, nil
	}
	var lo, hi sql.NullInt64
	if err := s.db.QueryRowContext(ctx, "SELECT MIN(id), MAX(id) FROM loyalty_cards").Scan(&lo, &hi); err != nil {
		return nil, err
	}
	if !lo.Valid {
		return nil, nil
	}
	size := (hi.Int64-lo.Int64)/int64(workers) + 1
	var out []cardRange
	for from := lo.Int64; from <= hi.Int64; from += size {
		out = append(out, cardRange{from, min(from+size-1, hi.Int64)})
	}
	return out, nil
}

// expireShare expires the lots of the cards of share, batch by batch.
func (s *Service) expireShare(ctx context.Context, asOf time.Time, batch int, share cardRange) (ExpireStats, error) {
	stats := ExpireStats{Points: decimal.Zero}
	var after *lotKey
	var lastCard int64 // the last card touched by the previous batches
	for {
		var (
			b    batchStats
			next *lotKey
			err  error
		)
		for try := 1; ; try++ {
			err = s.db.WriteTx(ctx, func(ctx context.Context, tx *models.Tx) error {
				var err error
				b, next, err = s.expireBatch(ctx, tx, asOf, after, batch, share)
				return err
			})
			// A deadlock with an operation locking several cards out of
			// id order (PostgreSQL chose this batch), or a journal seq
			// taken by an operation on a card this batch did not lock (a
			// lot already past its expiry booked while the batch started):
			// the batch is run again.
			if err == nil || try == 5 || !(isDeadlock(err) || models.IsUniqueViolation(err)) {
				break
			}
			s.log.Warn("expiry batch retried", slog.Int("try", try), slog.Any("error", err))
		}
		if err != nil {
			return stats, err
		}
		stats.Lots += b.Lots
		stats.Points = stats.Points.Add(b.Points)
		if b.Cards > 0 {
			// Batches go up the cards: only the last card of a batch can
			// have lots in the next one.
			stats.Cards += b.Cards
			if b.minCard == lastCard {
				stats.Cards--
			}
			lastCard = b.maxCard
		}
		if next == nil {
			return stats, nil
		}
		after = next
	}
}

// batchStats is what one batch expired, with its lowest and highest card.
type batchStats struct {
	ExpireStats
	minCard, maxCard int64
}

// isDeadlock reports a PostgreSQL deadlock or serialization failure.
func isDeadlock(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40P01" || pe.Code == "40001")
}

// expireBatchSQL selects the next lots to expire: active, expired at
// asOf, of the cards lo..hi, after a key, in key order.
const expireBatchSQL = `SELECT id, loyalty_card_id, expiration_date FROM point_moves
	WHERE state = 'active' AND expiration_date < ? AND loyalty_card_id BETWEEN ? AND ?
	AND (loyalty_card_id, expiration_date, id) > (?, ?, ?)
	ORDER BY loyalty_card_id, expiration_date, id LIMIT ?`

// expireBatch expires the lots after the key after (nil: from the start),
// up to batch of them; next is the last key when more may follow.
//
// The batch's lots are selected first (by the active-lots index), and
// every later statement names them by id (primary key), re-checking that
// they are still active and expired: an operation that changed one of
// them between the selection and the card locks has committed by then,
// and the statements see its result.
func (s *Service) expireBatch(ctx context.Context, tx bun.IDB, asOf time.Time, after *lotKey, batch int, share cardRange) (batchStats, *lotKey, error) {
	lite := isLite(tx)
	stats := batchStats{ExpireStats: ExpireStats{Points: decimal.Zero}}
	lo, hi := share.lo, share.hi
	if hi == 0 {
		lo, hi = math.MinInt64, math.MaxInt64
	}
	from := lotKey{card: math.MinInt64, exp: time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)}
	if after != nil {
		from = *after
	}
	var ids, cards []int64
	var last lotKey
	err := s.query(ctx, tx, expireBatchSQL, []any{timeArg(lite, asOf), lo, hi, from.card, timeArg(lite, from.exp), from.id, batch},
		func(r *sql.Rows) error {
			if err := r.Scan(&last.id, &last.card, timeCol{&last.exp, nil}); err != nil {
				return err
			}
			ids = append(ids, last.id)
			if len(cards) == 0 || cards[len(cards)-1] != last.card {
				cards = append(cards, last.card)
			}
			return nil
		})
	if err != nil || len(ids) == 0 {
		return stats, nil, err
	}
	s.touched(ctx, cards...) // the balance cache, after the commit (balance_cache.go)
	var next *lotKey
	if len(ids) == batch {
		next = &last
	}
	slices.Sort(ids)
	lotIDs := idsArg(lite, ids)
	now := timeArg(lite, s.now())
	at := timeArg(lite, asOf)
	if !lite {
		// Lock the batch's cards in id order: a redemption holding one
		// finishes first, and the statement below sees its result.
		if _, err := s.exec(ctx, tx, "SELECT id FROM loyalty_cards WHERE id = ANY(CAST(? AS BIGINT[])) ORDER BY id FOR UPDATE",
			idsArg(lite, cards)); err != nil {
			return stats, nil, err
		}
		// Every sub-statement sees the snapshot the statement started with:
		// the UPDATE of the lots matches the rows of lots.
		var minCard, maxCard sql.NullInt64
		err := s.queryRow(ctx, tx, `WITH lots AS (
			SELECT id, loyalty_card_id, remaining_point, membership_product_id, expiration_date, origin
			FROM point_moves WHERE id = ANY(CAST(? AS BIGINT[])) AND state = 'active' AND expiration_date < CAST(? AS TIMESTAMP)
		), numbered AS (
			SELECT l.*, c.history_seq + ROW_NUMBER() OVER (PARTITION BY l.loyalty_card_id ORDER BY l.expiration_date, l.id) AS seq,
				c.points - SUM(l.remaining_point) OVER (PARTITION BY l.loyalty_card_id ORDER BY l.expiration_date, l.id
					ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS balance,
				rp.membership_product_id AS status
			FROM lots l JOIN loyalty_cards c ON c.id = l.loyalty_card_id LEFT JOIN res_partner rp ON rp.id = c.partner_id
		), hist AS (
			INSERT INTO point_history (loyalty_card_id, seq, kind, point_move_id, points_amount, points_balance, lot_amount,
				transaction_time, origin, membership_product_id, status_membership_product_id, created_at)
			SELECT loyalty_card_id, seq, 'expire', id, -remaining_point, balance, -remaining_point, expiration_date, origin,
				membership_product_id, status, CAST(? AS TIMESTAMP) FROM numbered
		), moves AS (
			UPDATE point_moves SET remaining_point = 0, state = 'expired'
			WHERE id = ANY(CAST(? AS BIGINT[])) AND state = 'active' AND expiration_date < CAST(? AS TIMESTAMP)
		), agg AS (
			SELECT loyalty_card_id, SUM(remaining_point) AS total, COUNT(*) AS n FROM lots GROUP BY loyalty_card_id
		), cards AS (
			UPDATE loyalty_cards c SET points = c.points - agg.total, history_seq = c.history_seq + agg.n,
				sync_version = COALESCE(c.sync_version, 0) + 1, updated_at = CAST(? AS TIMESTAMP)
			FROM agg WHERE c.id = agg.loyalty_card_id RETURNING c.id, c.points, c.history_seq, c.sync_version, agg.n
		), ev AS (
			INSERT INTO sync_log (entity_type, entity_id, part, action, status, lane, seq_from, seq_to, points, sync_version)
			SELECT 'loyalty.card', id, id % 64, 'points', 'pending', 'realtime', history_seq - n + 1, history_seq, points,
				sync_version FROM cards WHERE CAST(? AS BOOLEAN) ORDER BY id RETURNING id
		), nt AS (SELECT pg_notify('`+SyncChannel+`', '') FROM (SELECT 1 FROM ev LIMIT 1) x)
		SELECT (SELECT COUNT(*) FROM lots), (SELECT COALESCE(SUM(remaining_point), 0) FROM lots),
			(SELECT COUNT(*) FROM cards), (SELECT MIN(id) FROM cards), (SELECT MAX(id) FROM cards), (SELECT COUNT(*) FROM nt)`,
			[]any{lotIDs, at, now, lotIDs, at, now, s.outbox},
			&stats.Lots, decCol{lite, &stats.Points}, &stats.Cards, &minCard, &maxCard, new(int64))
		stats.minCard, stats.maxCard = minCard.Int64, maxCard.Int64
		return stats, next, err
	}
	// SQLite (one writer at a time): the same in four statements, the
	// lots last, as the others read them.
	lots := "SELECT * FROM point_moves WHERE id IN (SELECT value FROM json_each(?)) AND state = 'active' AND expiration_date < ?"
	var minCard, maxCard sql.NullInt64
	if err := s.queryRow(ctx, tx, "SELECT COUNT(*), COALESCE(SUM(remaining_point), 0), COUNT(DISTINCT loyalty_card_id),"+
		" MIN(loyalty_card_id), MAX(loyalty_card_id) FROM ("+lots+")", []any{lotIDs, at},
		&stats.Lots, decCol{lite, &stats.Points}, &stats.Cards, &minCard, &maxCard); err != nil {
		return stats, nil, err
	}
	stats.minCard, stats.maxCard = minCard.Int64, maxCard.Int64
	if stats.Lots == 0 {
		return stats, next, nil
	}
	if _, err := s.exec(ctx, tx, `INSERT INTO point_history (loyalty_card_id, seq, kind, point_move_id, points_amount,
			points_balance, lot_amount, transaction_time, origin, membership_product_id, status_membership_product_id, created_at)
		SELECT l.loyalty_card_id,
			c.history_seq + ROW_NUMBER() OVER (PARTITION BY l.loyalty_card_id ORDER BY l.expiration_date, l.id),
			'expire', l.id, -l.remaining_point,
			c.points - SUM(l.remaining_point) OVER (PARTITION BY l.loyalty_card_id ORDER BY l.expiration_date, l.id
				ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW),
			-l.remaining_point, l.expiration_date, l.origin, l.membership_product_id, rp.membership_product_id, ?
		FROM (`+lots+`) l
		JOIN loyalty_cards c ON c.id = l.loyalty_card_id LEFT JOIN res_partner rp ON rp.id = c.partner_id`,
		now, lotIDs, at); err != nil {
		return stats, nil, err
	}
	if _, err := s.exec(ctx, tx, `UPDATE loyalty_cards SET points = points - agg.total, history_seq = history_seq + agg.n,
			sync_version = COALESCE(sync_version, 0) + 1, updated_at = ?
		FROM (SELECT loyalty_card_id, SUM(remaining_point) AS total, COUNT(*) AS n FROM (`+lots+`)
			GROUP BY loyalty_card_id) agg
		WHERE loyalty_cards.id = agg.loyalty_card_id`, now, lotIDs, at); err != nil {
		return stats, nil, err
	}
	if s.outbox {
		// One sync event per card (outbox.go), before the lots change.
		if _, err := s.exec(ctx, tx, `INSERT INTO sync_log (entity_type, entity_id, part, action, status, lane, seq_from,
				seq_to, points, sync_version)
			SELECT 'loyalty.card', c.id, c.id % 64, 'points', 'pending', 'realtime', c.history_seq - agg.n + 1, c.history_seq,
				c.points, c.sync_version
			FROM loyalty_cards c JOIN (SELECT loyalty_card_id, COUNT(*) AS n FROM (`+lots+`) GROUP BY loyalty_card_id) agg
				ON agg.loyalty_card_id = c.id`, lotIDs, at); err != nil {
			return stats, nil, err
		}
	}
	if _, err := s.exec(ctx, tx, "UPDATE point_moves SET remaining_point = 0, state = 'expired'"+
		" WHERE id IN (SELECT value FROM json_each(?)) AND state = 'active' AND expiration_date < ?", lotIDs, at); err != nil {
		return stats, nil, err
	}
	return stats, next, nil
}
