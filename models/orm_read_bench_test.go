package models_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/odoo-loyalty/loyaltyd/models"
	"github.com/odoo-loyalty/loyaltyd/models/dbtest"
)

// The read path of the load benchmark (cmd/loyaltyd-bench): loyalty.card
// search_read by partner, five fields, limit 10, on a store of partners
// with ten cards each.

const (
	benchPartners = 50
	benchCards    = 10
)

// benchFields are the fields the load benchmark reads.
var benchFields = []any{"code", "points", "partner_id", "program_id", "expiration_date"}

// benchSeed creates one program, benchPartners partners and benchCards
// cards for each; it returns the registry and the partner ids.
func benchSeed(b *testing.B, db *models.DB) (*models.Registry, *models.Env, []int64) {
	b.Helper()
	reg := models.NewRegistry(db, nil)
	require.NoError(b, reg.Register(models.Builtin()...))
	env := &models.Env{UID: 2, Version: 17, Groups: map[string]bool{
		"base.group_user": true, "base.group_system": true,
		"point_of_sale.group_pos_user": true, "point_of_sale.group_pos_manager": true,
	}}
	ctx := context.Background()
	exec := func(model, method string, args ...any) any {
		out, err := reg.Execute(ctx, env, model, method, args, nil)
		require.NoError(b, err, "%s.%s", model, method)
		return out
	}
	program := exec("loyalty.program", "create", map[string]any{"name": "Bench Loyalty", "program_type": "loyalty"}).(int64)
	vals := make([]any, benchPartners)
	for i := range vals {
		vals[i] = map[string]any{"name": fmt.Sprintf("Bench Partner %05d", i+1)}
	}
	partners := exec("res.partner", "create", vals).([]int64)
	cards := make([]any, 0, benchPartners*benchCards)
	for i, p := range partners {
		for j := range benchCards {
			cards = append(cards, map[string]any{"program_id": program, "partner_id": p,
				"code": fmt.Sprintf("B%05d-%02d", i, j), "points": float64(j) + 0.5, "expiration_date": "2030-01-31"})
		}
	}
	exec("loyalty.card", "create", cards)
	return reg, env, partners
}

func benchSearchRead(b *testing.B, db *models.DB) {
	reg, env, partners := benchSeed(b, db)
	ctx := context.Background()
	kw := map[string]any{"fields": benchFields, "limit": int64(10)}
	call := func(i int) {
		domain := []any{[]any{"partner_id", "=", partners[i%len(partners)]}}
		out, err := reg.Execute(ctx, env, "loyalty.card", "search_read", []any{domain}, kw)
		if err != nil {
			b.Fatal(err)
		}
		if n := len(out.([]any)); n != benchCards {
			b.Fatalf("search_read: %d records, want %d", n, benchCards)
		}
	}
	b.Run("serial", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			call(i)
			i++
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.SetParallelism(4)
		b.RunParallel(func(pb *testing.PB) {
			i := 0
			for pb.Next() {
				call(i)
				i++
			}
		})
	})
}

// BenchmarkSearchRead is loyalty.card search_read by partner on SQLite.
func BenchmarkSearchRead(b *testing.B) {
	benchSearchRead(b, dbtest.SQLite(b))
}

// BenchmarkSearchReadPostgres is BenchmarkSearchRead on PostgreSQL
// (skipped without TEST_DATABASE_URL).
func BenchmarkSearchReadPostgres(b *testing.B) {
	benchSearchRead(b, dbtest.Postgres(b))
}
