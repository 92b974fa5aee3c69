package cards_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/odoo-loyalty/loyaltyd/engine"
	"github.com/odoo-loyalty/loyaltyd/models"
	"github.com/odoo-loyalty/loyaltyd/models/dbtest"
	"github.com/odoo-loyalty/loyaltyd/odoo"
	"github.com/odoo-loyalty/loyaltyd/odoo/cards"
	"github.com/odoo-loyalty/loyaltyd/odoo/odootest"
)

// loseAnswers serves fake behind a front that, for the next n calls of
// loyalty.card.create, lets the fake run the call and then cuts the
// connection instead of answering: the card exists in Odoo, the caller
// does not know it.
type loseAnswers struct {
	fake *odootest.Server
	n    atomic.Int32
}

func (l *loseAnswers) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	rec := httptest.NewRecorder()
	l.fake.ServeHTTP(rec, r)
	if bytes.Contains(body, []byte("<string>loyalty.card</string>")) && bytes.Contains(body, []byte("<string>create</string>")) &&
		l.n.Add(-1) >= 0 {
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			_ = conn.Close()
		}
		return
	}
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
}

func setup(t *testing.T, lost int32) (*odootest.Server, *cards.Authority) {
	t.Helper()
	fake := odootest.New(t, odootest.Options{Models: append(append([]string{}, odootest.DefaultModels...), "pos.order",
		"pos.order.line")})
	front := &loseAnswers{fake: fake}
	front.n.Store(lost)
	srv := httptest.NewServer(front)
	t.Cleanup(srv.Close)
	c, err := odoo.New(odoo.Config{URL: srv.URL, DB: fake.DB(), Login: fake.Login(), APIKey: fake.Password(),
		MaxAttempts: 1, Timeout: 10 * time.Second}, dbtest.Logger(t))
	require.NoError(t, err)
	t.Cleanup(c.Close)
	return fake, cards.New(c, cards.Options{WaitMin: time.Millisecond, WaitMax: 5 * time.Millisecond}, dbtest.Logger(t))
}

func cardsWithCode(fake *odootest.Server, code string) []map[string]any {
	var out []map[string]any
	for _, r := range fake.Records("loyalty.card") {
		if r["code"] == code {
			out = append(out, r)
		}
	}
	return out
}

func TestNewCard(t *testing.T) {
	exp := time.Date(2027, 1, 31, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		name    string
		lost    int32 // answers of create lost
		fault   bool  // create faults
		down    bool  // Odoo drops every connection
		http500 int   // the next calls answered with HTTP 500 (not run)
		search  int   // searches by code executed (after each unknown outcome)
		wantErr string
		creates int // create calls executed by the fake
	}{
		{name: "created", creates: 1},
		{name: "answer lost", lost: 1, creates: 1, search: 1},
		{name: "HTTP 500 then answer lost", http500: 1, lost: 1, creates: 1, search: 2},
		{name: "fault", fault: true, wantErr: "Odoo refused: The program is archived."},
		{name: "down", down: true, wantErr: "The upstream Odoo is not available"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fake, auth := setup(t, tc.lost)
			for range 7 { // Odoo's ids run ahead of any local sequence
				fake.Insert("loyalty.card", map[string]any{"code": "OTHER", "program_id": int64(1)})
			}
			if tc.fault {
				fake.Fault("loyalty.card", "create", 2, "odoo.exceptions.ValidationError", "The program is archived.")
			}
			if tc.down {
				fake.Down()
			}
			fake.HTTP500(tc.http500)
			spec := engine.CardSpec{Program: 3, Partner: 9, Code: "044-TEST-" + tc.name, Expiration: exp, SourcePosOrder: 12,
				Points: decimal.Zero}
			id, err := auth.NewCard(context.Background(), spec)
			if tc.wantErr != "" {
				require.Error(t, err)
				require.Contains(t, models.MessageOf(err), tc.wantErr)
				require.Empty(t, cardsWithCode(fake, spec.Code))
				return
			}
			require.NoError(t, err)
			got := cardsWithCode(fake, spec.Code)
			require.Len(t, got, 1, "one card in Odoo")
			require.Equal(t, id, got[0]["id"])
			require.Greater(t, id, int64(7))
			require.Equal(t, int64(3), got[0]["program_id"])
			require.Equal(t, int64(9), got[0]["partner_id"])
			require.Equal(t, "2027-01-31", got[0]["expiration_date"])
			require.Equal(t, int64(12), got[0]["source_pos_order_id"])
			require.Equal(t, tc.creates, fake.Executed("loyalty.card", "create"))
			require.Equal(t, tc.search, fake.Executed("loyalty.card", "search"), "a search after each unknown outcome")
		})
	}
}

func TestCardIDSource(t *testing.T) {
	fake, auth := setup(t, 0)
	id, err := auth.CardIDSource(context.Background(), map[string]any{"program_id": int64(4), "partner_id": nil,
		"code": "044-SRC", "points": decimal.RequireFromString("2.5"), "expiration_date": nil})
	require.NoError(t, err)
	got := cardsWithCode(fake, "044-SRC")
	require.Len(t, got, 1)
	require.Equal(t, id, got[0]["id"])
	require.Equal(t, 2.5, got[0]["points"])
	_, hasPartner := got[0]["partner_id"]
	require.False(t, hasPartner)
}

func TestReadOrder(t *testing.T) {
	fake, auth := setup(t, 0)
	l1 := fake.Insert("pos.order.line", map[string]any{"qty": 1.0, "price_subtotal_incl": 80.5, "product_id": int64(5)})
	l2 := fake.Insert("pos.order.line", map[string]any{"is_reward_line": true, "reward_id": int64(3),
		"reward_identifier_code": "abc"})
	id := fake.Insert("pos.order", map[string]any{"name": "Shop/0007", "pos_reference": "Order 00001-001-0007",
		"partner_id": int64(9), "amount_total": 80.5, "date_order": "2026-11-24 17:50:12", "lines": []any{l1, l2},
		"state": "paid"})
	order, found, err := auth.ReadOrder(context.Background(), id)
	require.NoError(t, err)
	require.True(t, found)
	require.Equal(t, "Shop/0007", order["name"])
	lines, _ := order["lines"].([]any)
	require.Len(t, lines, 2)
	require.Equal(t, "abc", lines[1].(map[string]any)["reward_identifier_code"])

	_, found, err = auth.ReadOrder(context.Background(), id+100)
	require.NoError(t, err)
	require.False(t, found)

	fake.Down()
	_, _, err = auth.ReadOrder(context.Background(), id)
	require.Error(t, err)
	require.Contains(t, models.MessageOf(err), "The upstream Odoo is not available")
}
