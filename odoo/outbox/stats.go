package outbox

import (
	"context"
	"database/sql/driver"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/stdlib"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"

	"github.com/odoo-loyalty/loyaltyd/engine"
	"github.com/odoo-loyalty/loyaltyd/models"
)

// listen holds a connection of the pool LISTENing on engine.SyncChannel
// and wakes every worker on each notification; it reconnects after an
// error (the workers poll meanwhile).
func (d *Deliverer) listen(ctx context.Context, wakes []chan struct{}) {
	for ctx.Err() == nil {
		err := d.listenOnce(ctx, wakes)
		if ctx.Err() != nil {
			return
		}
		d.log.WarnContext(ctx, "sync listener stopped, reconnecting", slog.Any("err", err))
		t := time.NewTimer(time.Second)
		select {
		case <-ctx.Done():
		case <-t.C:
		}
		t.Stop()
	}
}

func (d *Deliverer) listenOnce(ctx context.Context, wakes []chan struct{}) error {
	conn, err := d.db.DB.DB.Conn(ctx)
	if err != nil {
		return err
	}
	// A connection left LISTENing must not go back to the pool: ErrBadConn
	// makes database/sql close it.
	defer func() { _ = conn.Raw(func(any) error { return driver.ErrBadConn }); _ = conn.Close() }()
	return conn.Raw(func(dc any) error {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("outbox: listen: not a pgx connection (%T)", dc)
		}
		pc := sc.Conn()
		if _, err := pc.Exec(ctx, "LISTEN "+engine.SyncChannel); err != nil {
			return err
		}
		for {
			if _, err := pc.WaitForNotification(ctx); err != nil {
				return err
			}
			for _, w := range wakes {
				select {
				case w <- struct{}{}:
				default:
				}
			}
		}
	})
}

// Stats are the outbox's figures, as the seed's get_sync_stats.
type Stats struct {
	Pending       int64   `json:"pending"`
	Failed        int64   `json:"failed"`
	SyncedToday   int64   `json:"synced_today"`
	RatePerMinute float64 `json:"sync_rate"`          // synced per minute over the last hour
	OldestPending float64 `json:"oldest_pending_age"` // seconds (0: none)
}

// Map is s as an RPC answer.
func (s Stats) Map() map[string]any {
	return map[string]any{"pending": s.Pending, "failed": s.Failed, "synced_today": s.SyncedToday,
		"sync_rate": s.RatePerMinute, "oldest_pending_age": s.OldestPending}
}

// Stats reads the outbox's figures.
func (d *Deliverer) Stats(ctx context.Context) (Stats, error) {
	return ReadStats(ctx, d.db, d.opt.Now())
}

// ReadStats reads the outbox's figures of db at now.
func ReadStats(ctx context.Context, db *models.DB, now time.Time) (Stats, error) {
	var st Stats
	now = now.UTC()
	day := now.Truncate(24 * time.Hour).Format(models.DatetimeLayout)
	hour := now.Add(-time.Hour).Format(models.DatetimeLayout)
	var oldest any
	var lastHour int64
	err := db.QueryRowContext(ctx, `SELECT
		(SELECT COUNT(*) FROM sync_log WHERE status = 'pending'),
		(SELECT COUNT(*) FROM sync_log WHERE status = 'failed'),
		(SELECT COUNT(*) FROM sync_log WHERE status = 'synced' AND synced_at >= ?),
		(SELECT COUNT(*) FROM sync_log WHERE status = 'synced' AND synced_at >= ?),
		(SELECT MIN(created_at) FROM sync_log WHERE status = 'pending')`, day, hour).Scan(
		&st.Pending, &st.Failed, &st.SyncedToday, &lastHour, &oldest)
	if err != nil {
		return st, fmt.Errorf("outbox: stats: %w", err)
	}
	st.RatePerMinute = float64(lastHour) / 60
	if s := timeText(oldest); s != "" {
		if t, err := time.Parse(models.DatetimeLayout, s); err == nil {
			st.OldestPending = max(0, now.Sub(t).Seconds())
		}
	}
	return st, nil
}

// Retry puts failed events back to pending with their attempts reset;
// nil ids: every failed event. It returns how many it changed.
func (d *Deliverer) Retry(ctx context.Context, ids []int64) (int64, error) {
	var n int64
	err := d.db.WriteTx(ctx, func(ctx context.Context, tx *models.Tx) error {
		var err error
		n, err = RetryFailed(ctx, tx, ids)
		return err
	})
	return n, err
}

// RetryFailed is Retry in tx (NOTIFY included on PostgreSQL).
func RetryFailed(ctx context.Context, tx bun.IDB, ids []int64) (int64, error) {
	q := `UPDATE sync_log SET status = 'pending', attempts = 0, next_attempt_at = NULL, error_message = NULL
		WHERE status = 'failed'`
	args := []any{}
	if ids != nil {
		if len(ids) == 0 {
			return 0, nil
		}
		q += " AND id IN (?)"
		args = append(args, bun.In(ids))
	}
	res, err := tx.ExecContext(ctx, q, args...)
	if err != nil {
		return 0, fmt.Errorf("outbox: retry: %w", err)
	}
	n, _ := res.RowsAffected()
	if n > 0 && tx.Dialect().Name() == dialect.PG {
		if _, err := tx.ExecContext(ctx, "SELECT pg_notify('"+engine.SyncChannel+"', '')"); err != nil {
			return 0, err
		}
	}
	return n, nil
}
