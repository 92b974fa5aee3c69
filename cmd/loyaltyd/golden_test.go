package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun"

	"github.com/odoo-loyalty/loyaltyd/engine"
	"github.com/odoo-loyalty/loyaltyd/models"
	"github.com/odoo-loyalty/loyaltyd/rpc/xmlrpc"
)

// notServedYet lists the captures of calls that later issues implement;
// every other capture in testdata/captures must pass.
var notServedYet = map[string]string{
	"41_pos_config_open_ui":          "pos.config.open_ui: session loading, pass-through to Odoo (sync issue)",
	"42_pos_session_set_cashbox_pos": "pos.session: session loading, pass-through to Odoo (sync issue)",
	"43_pos_session_load_pos_data":   "pos.session: session loading, pass-through to Odoo (sync issue)",
}

// exactValues are captures whose whole answer our fixture reproduces
// value for value; the others are compared by shape (types, keys) plus
// fault codes and messages, as ids and dates belong to Odoo's database.
var exactValues = map[string]bool{
	"01_xmlrpc_common_version": true, "03_xmlrpc_authenticate_badpw": true, "09_xmlrpc_fault_unknown_model": true,
	"09b_xmlrpc_legacy_path_fault_unknown_model": true, "10_xmlrpc_fault_access_error": true,
	"11_xmlrpc_name_search_program": true, "15_xmlrpc_fault_bad_password_execute": true,
	"17_xmlrpc_fault_private_method": true, "18_xmlrpc_read_missing_id_returns_empty": true,
	"19_xmlrpc_fault_bad_many2one_create": true, "21_xmlrpc_db_list": true, "23_jsonrpc_common_version": true,
	"06_xmlrpc_create_card": true, "07_xmlrpc_write_card": true, "08_xmlrpc_unlink_card": true,
	"08c_xmlrpc_create_partner_for_unlink": true, "08d_xmlrpc_unlink_partner_ok": true,
	"08e_xmlrpc_write_deleted_record_fault": true, "02_xmlrpc_authenticate_ok": true, "24_jsonrpc_authenticate": true,
	"22_xmlrpc_search_ids": true, "44b_pos_loyalty_card_search_read_partner_no_card": true,
}

// notOurs removes, from Odoo's answer, what comes from modules this server
// does not stand in for: mail.thread's fields on loyalty.card, and the
// session_info keys that mail, web_tour, iap and the like add.
var notOurs = map[string]func(v any){
	"12_xmlrpc_fields_get_card_attrs": dropMailFields,
	"12b_xmlrpc_fields_get_card_full": dropMailFields,
	"40_pos_session_authenticate":     dropSessionExtras,
}

func dropMailFields(v any) {
	m := v.(map[string]any)
	for k := range m {
		if strings.HasPrefix(k, "message_") || k == "website_message_ids" || k == "has_message" {
			delete(m, k)
		}
	}
}

func dropSessionExtras(v any) {
	r := v.(map[string]any)["result"].(map[string]any)
	for _, k := range []string{"user_settings", "web_tours", "tour_disable", "notification_type", "odoobot_initialized",
		"iap_company_enrich", "is_quick_edit_mode_enabled", "max_time_between_keys_in_ms"} {
		delete(r, k)
	}
	// The recorded database has a second company; ours has one.
	uc := r["user_companies"].(map[string]any)["allowed_companies"].(map[string]any)
	delete(uc, "2")
}

// TestGoldenCaptures replays every recorded request of a real Odoo 17
// against the server, in file order, and compares the answers.
func TestGoldenCaptures(t *testing.T) {
	a := newTestApp(t, "peer", "17.0-20240709")
	seedCaptureDB(t, a)
	srv := httptest.NewServer(a.handler)
	t.Cleanup(srv.Close)

	files, err := filepath.Glob("../../testdata/captures/*.txt")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	session := ""
	ran := 0
	for _, f := range files {
		c := loadCapture(t, f)
		if why, skip := notServedYet[c.name]; skip {
			t.Logf("%s: not served by this server yet: %s", c.name, why)
			continue
		}
		ran++
		if step := captureSteps[c.name]; step != nil {
			step(t, a)
		}
		if step := posCaptureSteps[c.name]; step != nil {
			step(t, a)
		}
		t.Run(c.name, func(t *testing.T) {
			req, err := http.NewRequest(c.method, srv.URL+c.path, bytes.NewReader(c.reqBody))
			require.NoError(t, err)
			req.Header.Set("Content-Type", c.reqHeader.Get("Content-Type"))
			if strings.Contains(c.reqHeader.Get("Cookie"), "session_id") {
				req.Header.Set("Cookie", "session_id="+session)
			}
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			require.NoError(t, err)
			require.Equal(t, c.status, resp.StatusCode, "status; body %s", body)
			require.Equal(t, c.respHeader.Get("Content-Type"), resp.Header.Get("Content-Type"))
			if sc := c.respHeader.Get("Set-Cookie"); sc != "" {
				got := resp.Header.Get("Set-Cookie")
				require.Contains(t, got, "session_id=")
				require.Contains(t, got, "Max-Age=604800")
				require.Contains(t, got, "HttpOnly")
				require.Contains(t, got, "Path=/")
				for _, ck := range resp.Cookies() {
					if ck.Name == "session_id" {
						session = ck.Value
					}
				}
			}
			want, wantFault := decodeAnswer(t, c.respHeader.Get("Content-Type"), c.respBody)
			got, gotFault := decodeAnswer(t, resp.Header.Get("Content-Type"), body)
			if drop := notOurs[c.name]; drop != nil {
				drop(want)
			}
			require.Equal(t, wantFault, gotFault, "fault or not; got %s", body)
			var diffs []string
			if exactValues[c.name] {
				diffs = diffExact("", want, got)
			} else {
				diffs = diffShape("", want, got)
			}
			require.Empty(t, diffs, "answer differs from Odoo 17's\nwant %s\ngot  %s", c.respBody, body)
			if check := posCaptureChecks[c.name]; check != nil {
				check(t, a, body)
			}
		})
	}
	require.Greater(t, ran, 30)
}

// decodeAnswer turns an XML-RPC or JSON-RPC answer into plain values with
// faults normalised: a fault-1 traceback is reduced to its last line, the
// JSON debug member is dropped.
func decodeAnswer(t *testing.T, ctype string, body []byte) (any, bool) {
	t.Helper()
	if strings.HasPrefix(ctype, "text/xml") {
		s := string(body)
		fault := strings.Contains(s, "<fault>")
		s = strings.Replace(s, "<methodResponse>", "<methodCall><methodName>r</methodName>", 1)
		s = strings.Replace(s, "</methodResponse>", "</methodCall>", 1)
		s = strings.Replace(s, "<fault>", "<params><param>", 1)
		s = strings.Replace(s, "</fault>", "</param></params>", 1)
		_, params, err := xmlrpc.DecodeCall(strings.NewReader(s), xmlrpc.Limits{})
		require.NoError(t, err, "decode %s", body)
		require.Len(t, params, 1)
		v := params[0]
		if fault {
			m := v.(map[string]any)
			if fs, ok := m["faultString"].(string); ok && m["faultCode"] == int64(1) {
				m["faultString"] = lastLine(fs)
			}
		}
		return v, fault
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v map[string]any
	require.NoError(t, dec.Decode(&v), "decode %s", body)
	delete(v, "id")
	if e, ok := v["error"].(map[string]any); ok {
		if d, ok := e["data"].(map[string]any); ok {
			delete(d, "debug")
		}
		return v, true
	}
	return v, false
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return lines[len(lines)-1]
}

// kindOf classifies a decoded value for shape comparison.
func kindOf(v any) string {
	switch x := v.(type) {
	case json.Number:
		if strings.ContainsAny(string(x), ".eE") {
			return "float"
		}
		return "int"
	case int64:
		return "int"
	case float64:
		return "float"
	case nil:
		return "null"
	}
	return reflect.TypeOf(v).Kind().String()
}

// diffShape compares types and dict keys; list elements are compared
// pairwise for as many as both have.
func diffShape(path string, want, got any) []string {
	if kindOf(want) != kindOf(got) {
		// Odoo's False stands for an empty value: data, not shape.
		if want == false || got == false {
			return nil
		}
		return []string{fmt.Sprintf("%s: want %s %v, got %s %v", path, kindOf(want), want, kindOf(got), got)}
	}
	switch w := want.(type) {
	case map[string]any:
		g := got.(map[string]any)
		var out []string
		if !sameKeys(w, g) {
			return []string{fmt.Sprintf("%s: keys want %v, got %v", path, keys(w), keys(g))}
		}
		for _, k := range keys(w) {
			if path == "" && k == "error" || strings.HasSuffix(path, "error") {
				out = append(out, diffExact(path+"."+k, w[k], g[k])...)
				continue
			}
			out = append(out, diffShape(path+"."+k, w[k], g[k])...)
		}
		if fc, ok := w["faultCode"]; ok {
			out = append(out, diffExact(path+".faultCode", fc, g["faultCode"])...)
			out = append(out, diffExact(path+".faultString", w["faultString"], g["faultString"])...)
		}
		return out
	case []any:
		g := got.([]any)
		var out []string
		for i := 0; i < len(w) && i < len(g); i++ {
			out = append(out, diffShape(fmt.Sprintf("%s[%d]", path, i), w[i], g[i])...)
		}
		return out
	}
	return nil
}

// diffExact compares values, numbers by value.
func diffExact(path string, want, got any) []string {
	if kindOf(want) != kindOf(got) {
		return []string{fmt.Sprintf("%s: want %s %v, got %s %v", path, kindOf(want), want, kindOf(got), got)}
	}
	switch w := want.(type) {
	case map[string]any:
		g := got.(map[string]any)
		if !sameKeys(w, g) {
			return []string{fmt.Sprintf("%s: keys want %v, got %v", path, keys(w), keys(g))}
		}
		var out []string
		for _, k := range keys(w) {
			out = append(out, diffExact(path+"."+k, w[k], g[k])...)
		}
		return out
	case []any:
		g := got.([]any)
		if len(w) != len(g) {
			return []string{fmt.Sprintf("%s: want %d items %v, got %d %v", path, len(w), w, len(g), g)}
		}
		var out []string
		for i := range w {
			out = append(out, diffExact(fmt.Sprintf("%s[%d]", path, i), w[i], g[i])...)
		}
		return out
	}
	if fmt.Sprint(want) != fmt.Sprint(got) {
		return []string{fmt.Sprintf("%s: want %q, got %q", path, fmt.Sprint(want), fmt.Sprint(got))}
	}
	return nil
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func sameKeys(a, b map[string]any) bool {
	return reflect.DeepEqual(keys(a), keys(b))
}

// posCaptureSteps make, before the POS captures (44-53), what the Odoo
// database held: the rewards of programs 4 and 6, card 138 of partner 12
// with 100 points booked through the engine, the expired coupon 139, and
// pos.order ids starting at 5. Card 140 and order 5 are made by replaying
// 48 and 49 themselves.
var posCaptureSteps = map[string]func(t *testing.T, a *app){
	"44_pos_loyalty_card_search_read_partner": func(t *testing.T, a *app) {
		ctx := context.Background()
		exec := func(q string, args ...any) {
			t.Helper()
			_, err := a.db.ExecContext(ctx, q, args...)
			require.NoError(t, err, q)
		}
		exec(`INSERT INTO promotion_rewards (id, program_id, description, reward_type, required_points) VALUES
			(4, 4, '10% on your order', 'discount', ?), (6, 6, 'Free Product - Simple Pen', 'product', ?)`,
			hundredths(a.db, 1), hundredths(a.db, 5))
		// In the recorded database program 6 is the demo "Loyalty Program".
		exec(`UPDATE promotion_programs SET name = 'Loyalty Program', program_type = 'loyalty', applies_on = 'both' WHERE id = 6`)
		// ... and the shop's loyalty programs are 6 and 51 only (53).
		exec(`UPDATE promotion_programs SET pos_ok = ? WHERE id = 5`, false)
		exec(`INSERT INTO loyalty_cards (id, program_id, partner_id, code, points) VALUES (138, 6, 12, 'POS40-LOYALTY-READYMAT', 0)`)
		require.NoError(t, a.engine.InTx(ctx, func(ctx context.Context, tx bun.IDB) error {
			_, err := a.engine.Earn(ctx, tx, engine.Movement{Card: 138, Points: decimal.NewFromInt(100),
				Key: "capture/138/opening", Origin: "opening balance"})
			return err
		}))
		exec(`INSERT INTO loyalty_cards (id, program_id, code, points, expiration_date) VALUES (139, 4, 'POS40-EXPIRED-COUPON', ?, '2024-01-01')`,
			hundredths(a.db, 1))
	},
	"48_pos_order_create_from_ui": func(t *testing.T, a *app) {
		ctx := context.Background()
		// Odoo's order is id 5, which 49-52 name: move the sequence past 4.
		_, err := a.db.ExecContext(ctx, `INSERT INTO pos_order (id, name, date_order) VALUES (4, 'seq', '2026-11-24 00:00:00')`)
		require.NoError(t, err)
		_, err = a.db.ExecContext(ctx, `DELETE FROM pos_order WHERE id = 4`)
		require.NoError(t, err)
	},
}

// posConfirmed is capture 49's answer as this server gave it.
var posConfirmed map[string]any

// posCaptureChecks assert, after a POS capture's answer matched Odoo's,
// what this server did to the points.
var posCaptureChecks = map[string]func(t *testing.T, a *app, body []byte){
	"49_pos_order_confirm_coupon_programs": func(t *testing.T, a *app, body []byte) {
		posConfirmed = jsonResult(t, body)
		requirePoints(t, a, 138, "900")
		requirePoints(t, a, 140, "1")
	},
	// DELIBERATE DEVIATION from capture 50: Odoo 17 credits a re-sent
	// confirmation twice (card 138 goes to 1700, card 140 to 2). Issue 4
	// demands idempotency: this server books nothing the second time and
	// answers exactly what it answered the first time (old_id -1 included,
	// where Odoo re-keys it to 140).
	"50_pos_order_confirm_coupon_programs_resend": func(t *testing.T, a *app, body []byte) {
		require.NotNil(t, posConfirmed, "49 ran first")
		require.Equal(t, posConfirmed, jsonResult(t, body), "a re-sent confirmation answers the first answer")
		requirePoints(t, a, 138, "900")
		requirePoints(t, a, 140, "1")
	},
	"52_pos_order_confirm_coupon_programs_missing_order": func(t *testing.T, a *app, body []byte) {
		var n int
		require.NoError(t, a.db.QueryRowContext(context.Background(),
			`SELECT count(*) FROM loyalty_cards WHERE source_pos_order_id = 999999`).Scan(&n))
		require.Zero(t, n, "nothing made for a missing order")
	},
}

// jsonResult is the result member of a JSON-RPC answer.
func jsonResult(t *testing.T, body []byte) map[string]any {
	t.Helper()
	var v map[string]any
	require.NoError(t, json.Unmarshal(body, &v))
	r, ok := v["result"].(map[string]any)
	require.True(t, ok, "result of %s", body)
	return r
}

// requirePoints checks a card's balance in the engine and on the card.
func requirePoints(t *testing.T, a *app, card int64, want string) {
	t.Helper()
	ctx := context.Background()
	cs, err := a.engine.Card(ctx, a.db, card)
	require.NoError(t, err)
	require.Equal(t, want, cs.Points.String(), "card %d in the engine", card)
	var raw any
	require.NoError(t, a.db.QueryRowContext(ctx, `SELECT points FROM loyalty_cards WHERE id = ?`, card).Scan(&raw))
	v, err := models.FromColumn(a.db.DialectName(), &models.Field{Name: "points", Type: models.Float, Decimal: true}, raw)
	require.NoError(t, err)
	require.Equal(t, want, v.(decimal.Decimal).String(), "card %d points", card)
}
