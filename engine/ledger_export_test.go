package engine

import (
	"context"
	"time"
)

// ExpireForTest is Expire with batches of batch lots and workers workers
// (0: Expire's default).
func (s *Service) ExpireForTest(ctx context.Context, asOf time.Time, batch, workers int) (ExpireStats, error) {
	if workers == 0 {
		workers = 1
		if !isLite(s.db) {
			workers = defaultExpireWorkers
		}
	}
	return s.expire(ctx, asOf, batch, workers)
}
