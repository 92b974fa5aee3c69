package engine

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
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
	s.log.Info("points expired", slog.Time("as_of", asOf), slog.Int("lots", stats.Lots), slog.Int("cards", stats.Cards),
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
	for {
		var (
			b    ExpireStats
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
		stats.Cards += b.Cards
		stats.Points = stats.Points.Add(b.Points)
		if next == nil {
			return stats, nil
		}
		after = next
	}
}

// isDeadlock reports a PostgreSQL deadlock or serialization failure.
func isDeadlock(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40P01" || pe.Code == "40001")
}

// expireBatch expires the lots after the key after (nil: from the start),
// up to batch of them; next is the last key when more may follow.
func (s *Service) expireBatch(ctx context.Context, tx bun.IDB, asOf time.Time, after *lotKey, batch int, share cardRange) (ExpireStats, *lotKey, error) {
	lite := isLite(tx)
	// Active lots have points (I3): no filter on remaining_point, so the
	// active-lots index answers alone.
	where := "state = 'active' AND expiration_date < ?"
	args := []any{timeArg(lite, asOf)}
	if share.hi != 0 {
		where += " AND loyalty_card_id BETWEEN ? AND ?"
		args = append(args, share.lo, share.hi)
	}
	if after != nil {
		where += " AND (loyalty_card_id, expiration_date, id) > (?, ?, ?)"
		args = append(args, after.card, timeArg(lite, after.exp), after.id)
	}
	// The batch's last key: the last lot of a full batch, or none (the rest).
	var next *lotKey
	var k lotKey
	err := tx.QueryRowContext(ctx, "SELECT loyalty_card_id, expiration_date, id FROM point_moves WHERE "+where+
		" ORDER BY loyalty_card_id, expiration_date, id LIMIT 1 OFFSET ?", append(args, batch-1)...).Scan(
		&k.card, timeCol{&k.exp, nil}, &k.id)
	switch {
	case err == nil:
		next = &k
		where += " AND (loyalty_card_id, expiration_date, id) <= (?, ?, ?)"
		args = append(args, k.card, timeArg(lite, k.exp), k.id)
	case errors.Is(err, sql.ErrNoRows):
	default:
		return ExpireStats{}, nil, err
	}
	now := timeArg(lite, s.now())
	stats := ExpireStats{Points: decimal.Zero}
	if !lite {
		// Lock the batch's cards in id order: a redemption holding one
		// finishes first, and the statement below sees its result.
		if _, err := tx.ExecContext(ctx, "SELECT id FROM loyalty_cards WHERE id IN (SELECT loyalty_card_id FROM point_moves WHERE "+
			where+") ORDER BY id FOR UPDATE", args...); err != nil {
			return stats, nil, err
		}
		q := `WITH lots AS (
			SELECT id, loyalty_card_id, remaining_point, membership_product_id, expiration_date, origin
			FROM point_moves WHERE ` + where + `
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
				membership_product_id, status, ? FROM numbered
		), moves AS (
			UPDATE point_moves SET remaining_point = 0, state = 'expired' WHERE ` + where + `
		), agg AS (
			SELECT loyalty_card_id, SUM(remaining_point) AS total, COUNT(*) AS n FROM lots GROUP BY loyalty_card_id
		), cards AS (
			UPDATE loyalty_cards c SET points = c.points - agg.total, history_seq = c.history_seq + agg.n,
				sync_version = COALESCE(c.sync_version, 0) + 1, updated_at = ?
			FROM agg WHERE c.id = agg.loyalty_card_id RETURNING c.id
		)
		SELECT (SELECT COUNT(*) FROM lots), (SELECT COALESCE(SUM(remaining_point), 0) FROM lots), (SELECT COUNT(*) FROM cards)`
		// Every sub-statement sees the snapshot the statement started with:
		// the UPDATE of the lots matches the rows of lots.
		all := append(append(append(append([]any{}, args...), now), args...), now)
		if err := tx.QueryRowContext(ctx, q, all...).Scan(&stats.Lots, decCol{lite, &stats.Points}, &stats.Cards); err != nil {
			return stats, nil, err
		}
		return stats, next, nil
	}
	// SQLite (one writer at a time): the same in three statements, the
	// lots last, as the first two read them.
	if err := tx.QueryRowContext(ctx, "SELECT COUNT(*), COALESCE(SUM(remaining_point), 0), COUNT(DISTINCT loyalty_card_id)"+
		" FROM point_moves WHERE "+where, args...).Scan(&stats.Lots, decCol{lite, &stats.Points}, &stats.Cards); err != nil {
		return stats, nil, err
	}
	if stats.Lots == 0 {
		return stats, next, nil
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO point_history (loyalty_card_id, seq, kind, point_move_id, points_amount,
			points_balance, lot_amount, transaction_time, origin, membership_product_id, status_membership_product_id, created_at)
		SELECT l.loyalty_card_id,
			c.history_seq + ROW_NUMBER() OVER (PARTITION BY l.loyalty_card_id ORDER BY l.expiration_date, l.id),
			'expire', l.id, -l.remaining_point,
			c.points - SUM(l.remaining_point) OVER (PARTITION BY l.loyalty_card_id ORDER BY l.expiration_date, l.id
				ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW),
			-l.remaining_point, l.expiration_date, l.origin, l.membership_product_id, rp.membership_product_id, ?
		FROM (SELECT * FROM point_moves WHERE `+where+`) l
		JOIN loyalty_cards c ON c.id = l.loyalty_card_id LEFT JOIN res_partner rp ON rp.id = c.partner_id`,
		append([]any{now}, args...)...); err != nil {
		return stats, nil, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE loyalty_cards SET points = points - agg.total, history_seq = history_seq + agg.n,
			sync_version = COALESCE(sync_version, 0) + 1, updated_at = ?
		FROM (SELECT loyalty_card_id, SUM(remaining_point) AS total, COUNT(*) AS n FROM point_moves WHERE `+where+`
			GROUP BY loyalty_card_id) agg
		WHERE loyalty_cards.id = agg.loyalty_card_id`, append([]any{now}, args...)...); err != nil {
		return stats, nil, err
	}
	if _, err := tx.ExecContext(ctx, "UPDATE point_moves SET remaining_point = 0, state = 'expired' WHERE "+where, args...); err != nil {
		return stats, nil, err
	}
	return stats, next, nil
}
