package models_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/odoo-loyalty/loyaltyd/models"
	"github.com/odoo-loyalty/loyaltyd/models/dbtest"
)

// groupCase is one read_group (or web_read_group) call and the JSON of
// its answer.
type groupCase struct {
	name   string
	model  string // loyalty.card when empty
	method string // read_group when empty
	args   []any
	kw     map[string]any
	want   string
}

func (b *ormT) runGroupCases(env *models.Env, cases []groupCase) {
	b.t.Helper()
	for _, tc := range cases {
		model, method := tc.model, tc.method
		if model == "" {
			model = "loyalty.card"
		}
		if method == "" {
			method = "read_group"
		}
		got, err := b.call(env, model, method, tc.args, tc.kw)
		require.NoError(b.t, err, tc.name)
		require.Equal(b.t, tc.want, groupJSON(b.t, got), tc.name)
	}
}

// groupJSON is ormJSON without the HTML escapes of "&", "<" and ">".
func groupJSON(t testing.TB, v any) string {
	t.Helper()
	return strings.NewReplacer(`\u0026`, "&", `\u003c`, "<", `\u003e`, ">").Replace(ormJSON(t, v))
}

// setCardDates sets the cards' create_date (UTC) behind the ORM's back.
func (b *ormT) setCardDates(dates map[int64]string) {
	b.t.Helper()
	f := b.reg.Model("loyalty.card").Field("create_date")
	for id, s := range dates {
		v, err := models.ToColumn(b.db.DialectName(), f, s)
		require.NoError(b.t, err)
		_, err = b.db.ExecContext(context.Background(), "UPDATE loyalty_cards SET created_at = ? WHERE id = ?", v, id)
		require.NoError(b.t, err)
	}
}

// Program groups of the fixture, in the programs' order (sequence, id).
const (
	grpGift    = `{"program_id":[3,"Gift Cards"],"program_id_count":1,"points":50,"__domain":[["program_id","=",3]]}`
	grpLoyalty = `{"program_id":[1,"Loyalty Program"],"program_id_count":2,"points":112.5,"__domain":[["program_id","=",1]]}`
	grpCoupons = `{"program_id":[2,"10% Discount Coupons"],"program_id_count":2,"points":1,"__domain":[["program_id","=",2]]}`
)

func TestReadGroup(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		t.Parallel()
		b := ormSetup(t, db)
		// An empty table: no groups, but one row without groupby.
		b.runGroupCases(b.admin, []groupCase{
			{name: "empty table", args: L(L(), L("points"), L("program_id")), want: `[]`},
			{name: "empty table, no groupby", args: L(L(), L("points"), L()),
				want: `[{"__count":0,"points":false,"__domain":[]}]`},
			{name: "empty table, web", method: "web_read_group", args: L(L(), L("points"), L("program_id")),
				want: `{"groups":[],"length":0}`},
		})
		b.fixture()
		b.create("loyalty.rule", K("program_id", int64(2)))
		b.setCardDates(map[int64]string{1: "2024-01-05 10:00:00", 2: "2024-01-31 23:30:00", 3: "2024-02-10 08:00:00",
			4: "2023-12-31 12:00:00", 5: "2024-04-01 00:15:00"})
		b.runGroupCases(b.admin, []groupCase{
			{name: "many2one in the comodel's order", args: L(L(), L("points"), L("program_id")),
				want: `[` + grpGift + `,` + grpLoyalty + `,` + grpCoupons + `]`},
			{name: "keywords, string groupby", kw: K("domain", L(), "fields", L("points", "code", "__count"), "groupby", "program_id"),
				want: `[` + grpGift + `,` + grpLoyalty + `,` + grpCoupons + `]`},
			{name: "domain first in __domain", args: L(L(L("points", ">", int64(0))), L("points"), L("program_id")),
				want: `[{"program_id":[3,"Gift Cards"],"program_id_count":1,"points":50,"__domain":["&",["points",">",0],["program_id","=",3]]},` +
					`{"program_id":[1,"Loyalty Program"],"program_id_count":2,"points":112.5,"__domain":["&",["points",">",0],["program_id","=",1]]},` +
					`{"program_id":[2,"10% Discount Coupons"],"program_id_count":1,"points":1,"__domain":["&",["points",">",0],["program_id","=",2]]}]`},
			{name: "implicit and normalised", args: L(L(L("points", ">", int64(0)), L("partner_id", "!=", false)), L(), L("program_id")),
				want: `[{"program_id":[3,"Gift Cards"],"program_id_count":1,"__domain":["&","&",["points",">",0],["partner_id","!=",false],["program_id","=",3]]},` +
					`{"program_id":[1,"Loyalty Program"],"program_id_count":2,"__domain":["&","&",["points",">",0],["partner_id","!=",false],["program_id","=",1]]}]`},
			{name: "lazy with a second groupby", args: L(L(), L("points"), L("partner_id", "program_id")),
				want: `[{"partner_id":[2,"Azure Interior"],"partner_id_count":2,"points":62.5,"__domain":[["partner_id","=",2]],"__context":{"group_by":["program_id"]}},` +
					`{"partner_id":[1,"Ready Mat"],"partner_id_count":1,"points":100,"__domain":[["partner_id","=",1]],"__context":{"group_by":["program_id"]}},` +
					`{"partner_id":false,"partner_id_count":2,"points":1,"__domain":[["partner_id","=",false]],"__context":{"group_by":["program_id"]}}]`},
			{name: "eager", args: L(L(), L("points:sum"), L("partner_id", "program_id")), kw: K("lazy", false),
				want: `[{"partner_id":[2,"Azure Interior"],"program_id":[3,"Gift Cards"],"__count":1,"points":50,"__domain":["&",["partner_id","=",2],["program_id","=",3]]},` +
					`{"partner_id":[2,"Azure Interior"],"program_id":[1,"Loyalty Program"],"__count":1,"points":12.5,"__domain":["&",["partner_id","=",2],["program_id","=",1]]},` +
					`{"partner_id":[1,"Ready Mat"],"program_id":[1,"Loyalty Program"],"__count":1,"points":100,"__domain":["&",["partner_id","=",1],["program_id","=",1]]},` +
					`{"partner_id":false,"program_id":[2,"10% Discount Coupons"],"__count":2,"points":1,"__domain":["&",["partner_id","=",false],["program_id","=",2]]}]`},
			{name: "aggregates", args: L(L(), L("points:sum", "points_min:min(points)", "points_max:max(points)", "avg:avg(points)",
				"n:count(points)", "d:count_distinct(partner_id)", "first:min(create_date)", "exp:max(expiration_date)"), L("program_id")),
				want: `[{"program_id":[3,"Gift Cards"],"program_id_count":1,"points":50,"points_min":50,"points_max":50,"avg":50,"n":1,"d":1,"first":"2023-12-31 12:00:00","exp":"2020-01-01","__domain":[["program_id","=",3]]},` +
					`{"program_id":[1,"Loyalty Program"],"program_id_count":2,"points":112.5,"points_min":12.5,"points_max":100,"avg":56.25,"n":2,"d":2,"first":"2024-02-10 08:00:00","exp":false,"__domain":[["program_id","=",1]]},` +
					`{"program_id":[2,"10% Discount Coupons"],"program_id_count":2,"points":1,"points_min":0,"points_max":1,"avg":0.5,"n":2,"d":0,"first":"2024-01-05 10:00:00","exp":false,"__domain":[["program_id","=",2]]}]`},
			{name: "array_agg by id", args: L(L(L("program_id", "=", int64(2))), L("codes:array_agg(code)", "pts:array_agg(points)", "p:array_agg(partner_id)"), L("program_id")),
				want: `[{"program_id":[2,"10% Discount Coupons"],"program_id_count":2,"codes":["0444-1299-4c24","0440-d898-4a96"],"pts":[1,0],"p":[false,false],"__domain":["&",["program_id","=",2],["program_id","=",2]]}]`},
			{name: "order on an aggregate", args: L(L(), L("points"), L("program_id")), kw: K("orderby", "points desc"),
				want: `[` + grpLoyalty + `,` + grpGift + `,` + grpCoupons + `]`},
			{name: "order on the count", args: L(L(), L("points"), L("program_id")), kw: K("orderby", "__count desc"),
				want: `[` + grpLoyalty + `,` + grpCoupons + `,` + grpGift + `]`},
			{name: "order on the count key then the group", args: L(L(), L("points"), L("program_id")), kw: K("orderby", "program_id_count desc, program_id desc"),
				want: `[` + grpCoupons + `,` + grpLoyalty + `,` + grpGift + `]`},
			{name: "many2one descending", args: L(L(), L("points"), L("program_id"), int64(0), false, "program_id DESC"),
				want: `[` + grpCoupons + `,` + grpLoyalty + `,` + grpGift + `]`},
			{name: "order on an aggregate not asked", args: L(L(), L(), L("program_id")), kw: K("orderby", "points:min"),
				want: `[{"program_id":[2,"10% Discount Coupons"],"program_id_count":2,"__domain":[["program_id","=",2]]},` +
					`{"program_id":[1,"Loyalty Program"],"program_id_count":2,"__domain":[["program_id","=",1]]},` +
					`{"program_id":[3,"Gift Cards"],"program_id_count":1,"__domain":[["program_id","=",3]]}]`},
			{name: "limit", args: L(L(), L("points"), L("program_id"), int64(0), int64(2)), want: `[` + grpGift + `,` + grpLoyalty + `]`},
			{name: "offset and limit", args: L(L(), L("points"), L("program_id")), kw: K("offset", int64(1), "limit", int64(1)), want: `[` + grpLoyalty + `]`},
			{name: "offset alone", args: L(L(), L("points"), L("program_id"), int64(2)), want: `[` + grpCoupons + `]`},
			{name: "no groupby", args: L(L(L("program_id", "=", int64(1))), L("points", "points_max:max(points)"), L()),
				want: `[{"__count":2,"points":112.5,"points_max":100,"__domain":[["program_id","=",1]]}]`},
			{name: "no match", args: L(L(L("id", "=", int64(0))), L("points"), L("program_id")), want: `[]`},
			{name: "no match, no groupby", args: L(L(L("id", "=", int64(0))), L("points", "n:count(id)"), L()),
				want: `[{"__count":0,"points":false,"n":0,"__domain":[["id","=",0]]}]`},
			{name: "group by id", args: L(L(L("id", "<", int64(3))), L(), L("id")),
				want: `[{"id":[1,"10% Discount Coupons: 0444-1299-4c24"],"id_count":1,"__domain":["&",["id","<",3],["id","=",1]]},` +
					`{"id":[2,"10% Discount Coupons: 0440-d898-4a96"],"id_count":1,"__domain":["&",["id","<",3],["id","=",2]]}]`},
			{name: "a decimal group", args: L(L(L("program_id", "=", int64(1))), L("points"), L("points")),
				want: `[{"points":12.5,"points_count":1,"__domain":["&",["program_id","=",1],["points","=",12.5]]},` +
					`{"points":100,"points_count":1,"__domain":["&",["program_id","=",1],["points","=",100]]}]`},
			{name: "date field, month by default", args: L(L(), L(), L("expiration_date")),
				want: `[{"expiration_date":"January 2020","expiration_date_count":1,"__domain":["&",["expiration_date",">=","2020-01-01"],["expiration_date","<","2020-02-01"]],"__range":{"expiration_date":{"from":"2020-01-01","to":"2020-02-01"}}},` +
					`{"expiration_date":false,"expiration_date_count":4,"__domain":[["expiration_date","=",false]],"__range":{"expiration_date":false}}]`},
			{name: "datetime by month", args: L(L(), L("points"), L("create_date:month")),
				want: `[{"create_date:month":"December 2023","create_date_count":1,"points":50,"__domain":["&",["create_date",">=","2023-12-01 00:00:00"],["create_date","<","2024-01-01 00:00:00"]],"__range":{"create_date:month":{"from":"2023-12-01 00:00:00","to":"2024-01-01 00:00:00"}}},` +
					`{"create_date:month":"January 2024","create_date_count":2,"points":1,"__domain":["&",["create_date",">=","2024-01-01 00:00:00"],["create_date","<","2024-02-01 00:00:00"]],"__range":{"create_date:month":{"from":"2024-01-01 00:00:00","to":"2024-02-01 00:00:00"}}},` +
					`{"create_date:month":"February 2024","create_date_count":1,"points":100,"__domain":["&",["create_date",">=","2024-02-01 00:00:00"],["create_date","<","2024-03-01 00:00:00"]],"__range":{"create_date:month":{"from":"2024-02-01 00:00:00","to":"2024-03-01 00:00:00"}}},` +
					`{"create_date:month":"April 2024","create_date_count":1,"points":12.5,"__domain":["&",["create_date",">=","2024-04-01 00:00:00"],["create_date","<","2024-05-01 00:00:00"]],"__range":{"create_date:month":{"from":"2024-04-01 00:00:00","to":"2024-05-01 00:00:00"}}}]`},
			{name: "datetime by day, descending", args: L(L(L("program_id", "=", int64(2))), L(), L("create_date:day")), kw: K("orderby", "create_date desc"),
				want: `[{"create_date:day":"31 Jan 2024","create_date_count":1,"__domain":["&",["program_id","=",2],"&",["create_date",">=","2024-01-31 00:00:00"],["create_date","<","2024-02-01 00:00:00"]],"__range":{"create_date:day":{"from":"2024-01-31 00:00:00","to":"2024-02-01 00:00:00"}}},` +
					`{"create_date:day":"05 Jan 2024","create_date_count":1,"__domain":["&",["program_id","=",2],"&",["create_date",">=","2024-01-05 00:00:00"],["create_date","<","2024-01-06 00:00:00"]],"__range":{"create_date:day":{"from":"2024-01-05 00:00:00","to":"2024-01-06 00:00:00"}}}]`},
			{name: "datetime by year", args: L(L(), L("__count"), L("create_date:year")),
				want: `[{"create_date:year":"2023","create_date_count":1,"__domain":["&",["create_date",">=","2023-01-01 00:00:00"],["create_date","<","2024-01-01 00:00:00"]],"__range":{"create_date:year":{"from":"2023-01-01 00:00:00","to":"2024-01-01 00:00:00"}}},` +
					`{"create_date:year":"2024","create_date_count":4,"__domain":["&",["create_date",">=","2024-01-01 00:00:00"],["create_date","<","2025-01-01 00:00:00"]],"__range":{"create_date:year":{"from":"2024-01-01 00:00:00","to":"2025-01-01 00:00:00"}}}]`},
			{name: "selection", model: "loyalty.program", args: L(L(), L(), L("program_type")),
				want: `[{"program_type":"coupons","program_type_count":1,"__domain":[["program_type","=","coupons"]]},` +
					`{"program_type":"gift_card","program_type_count":1,"__domain":[["program_type","=","gift_card"]]},` +
					`{"program_type":"loyalty","program_type_count":1,"__domain":[["program_type","=","loyalty"]]}]`},
			{name: "active_test off, boolean group", model: "loyalty.program", args: L(L(), L("sequence", "any:bool_or(limit_usage)"), L("active")),
				kw: K("context", K("active_test", false)),
				want: `[{"active":false,"active_count":1,"sequence":10,"any":false,"__domain":[["active","=",false]]},` +
					`{"active":true,"active_count":3,"sequence":16,"any":false,"__domain":[["active","=",true]]}]`},
			{name: "many2many", model: "loyalty.rule", args: L(L(), L(), L("product_ids")),
				want: `[{"product_ids":[1,"[D1] Desk"],"product_ids_count":1,"__domain":[["product_ids","=",1]]},` +
					`{"product_ids":false,"product_ids_count":1,"__domain":[["product_ids","not in",[1]]]}]`},
			{name: "web_read_group, cut by the limit", method: "web_read_group", args: L(L(), L("points"), L("program_id"), int64(2)),
				want: `{"groups":[` + grpGift + `,` + grpLoyalty + `],"length":3}`},
			{name: "web_read_group, last page", method: "web_read_group", args: L(L(), L("points"), L("program_id")),
				kw: K("limit", int64(2), "offset", int64(2)), want: `{"groups":[` + grpCoupons + `],"length":3}`},
			{name: "web_read_group, past the end", method: "web_read_group", args: L(L(), L("points"), L("program_id")),
				kw: K("offset", int64(5)), want: `{"groups":[],"length":0}`},
			{name: "web_read_group, dates", method: "web_read_group", args: L(L(), L(), L("create_date:quarter"), int64(1)),
				want: `{"groups":[{"create_date:quarter":"Q4 2023","create_date_count":1,"__domain":["&",["create_date",">=","2023-10-01 00:00:00"],["create_date","<","2024-01-01 00:00:00"]],"__range":{"create_date:quarter":{"from":"2023-10-01 00:00:00","to":"2024-01-01 00:00:00"}}}],"length":3}`},
			{name: "web_read_group, no groupby", method: "web_read_group", args: L(L(), L("points"), L()), kw: K("limit", int64(1)),
				want: `{"groups":[{"__count":5,"points":163.5,"__domain":[]}],"length":1}`},
		})
		// Weeks start on Sunday and count from the week of January 1st.
		weeks, err := b.call(b.admin, "loyalty.card", "read_group", L(L(), L(), L("create_date:week")), nil)
		require.NoError(t, err)
		var labels []string
		for _, g := range weeks.([]any) {
			d := g.(*models.Dict)
			v, _ := d.Get("create_date:week")
			n, _ := d.Get("create_date_count")
			r, _ := d.Get("__range")
			labels = append(labels, ormJSON(t, L(v, n, r)))
		}
		require.Equal(t, []string{
			`["W1 2024",2,{"create_date:week":{"from":"2023-12-31 00:00:00","to":"2024-01-07 00:00:00"}}]`,
			`["W5 2024",1,{"create_date:week":{"from":"2024-01-28 00:00:00","to":"2024-02-04 00:00:00"}}]`,
			`["W6 2024",1,{"create_date:week":{"from":"2024-02-04 00:00:00","to":"2024-02-11 00:00:00"}}]`,
			`["W14 2024",1,{"create_date:week":{"from":"2024-03-31 00:00:00","to":"2024-04-07 00:00:00"}}]`,
		}, labels)
	})
}

func TestReadGroupZonesAndVersions(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		t.Parallel()
		b := ormSetup(t, db)
		b.fixture()
		b.setCardDates(map[int64]string{1: "2024-01-05 10:00:00", 2: "2024-01-31 23:30:00", 3: "2024-02-10 08:00:00",
			4: "2023-12-31 12:00:00", 5: "2024-04-01 00:15:00"})
		b.create("loyalty.card", K("program_id", int64(3), "code", "dec-a", "points", 0.1))
		b.create("loyalty.card", K("program_id", int64(3), "code", "dec-b", "points", 0.2))
		month := func(label, from, to string, n int) string {
			return `{"create_date":"` + label + `","create_date_count":` + string(rune('0'+n)) +
				`,"__domain":["&",["code","not like","dec-"],"&",["create_date",">=","` + from + `"],["create_date","<","` + to + `"]],"__range":{"create_date":{"from":"` + from + `","to":"` + to + `"}}}`
		}
		old := L(L("code", "not like", "dec-"))
		b.runGroupCases(b.admin, []groupCase{
			{name: "exact decimals", args: L(L(L("code", "in", L("dec-a", "dec-b"))), L("points", "a:avg(points)", "m:max(points)"), L()),
				want: `[{"__count":2,"points":0.3,"a":0.15,"m":0.2,"__domain":[["code","in",["dec-a","dec-b"]]]}]`},
			{name: "month edges in the context's tz", args: L(old, L(), L("create_date")), kw: K("context", K("tz", "Europe/Brussels")),
				want: `[` + month("December 2023", "2023-11-30 23:00:00", "2023-12-31 23:00:00", 1) + `,` +
					month("January 2024", "2023-12-31 23:00:00", "2024-01-31 23:00:00", 1) + `,` +
					month("February 2024", "2024-01-31 23:00:00", "2024-02-29 23:00:00", 2) + `,` +
					month("April 2024", "2024-03-31 22:00:00", "2024-04-30 22:00:00", 1) + `]`},
			{name: "unknown tz is UTC", args: L(old, L(), L("create_date")), kw: K("context", K("tz", "Mars/Olympus")),
				want: `[` + month("December 2023", "2023-12-01 00:00:00", "2024-01-01 00:00:00", 1) + `,` +
					month("January 2024", "2024-01-01 00:00:00", "2024-02-01 00:00:00", 2) + `,` +
					month("February 2024", "2024-02-01 00:00:00", "2024-03-01 00:00:00", 1) + `,` +
					month("April 2024", "2024-04-01 00:00:00", "2024-05-01 00:00:00", 1) + `]`},
			{name: "hours across DST", args: L(L(L("id", "=", int64(5))), L(), L("create_date:hour")), kw: K("context", K("tz", "Europe/Brussels")),
				want: `[{"create_date:hour":"02:00 01 Apr","create_date_count":1,"__domain":["&",["id","=",5],"&",["create_date",">=","2024-04-01 00:00:00"],["create_date","<","2024-04-01 01:00:00"]],"__range":{"create_date:hour":{"from":"2024-04-01 00:00:00","to":"2024-04-01 01:00:00"}}}]`},
			{name: "days west of UTC", args: L(L(L("id", "in", I(2, 5))), L(), L("create_date:day")), kw: K("context", K("tz", "America/New_York")),
				want: `[{"create_date:day":"31 Jan 2024","create_date_count":1,"__domain":["&",["id","in",[2,5]],"&",["create_date",">=","2024-01-31 05:00:00"],["create_date","<","2024-02-01 05:00:00"]],"__range":{"create_date:day":{"from":"2024-01-31 05:00:00","to":"2024-02-01 05:00:00"}}},` +
					`{"create_date:day":"31 Mar 2024","create_date_count":1,"__domain":["&",["id","in",[2,5]],"&",["create_date",">=","2024-03-31 04:00:00"],["create_date","<","2024-04-01 04:00:00"]],"__range":{"create_date:day":{"from":"2024-03-31 04:00:00","to":"2024-04-01 04:00:00"}}}]`},
			{name: "a fixed offset zone", args: L(L(L("id", "=", int64(2))), L(), L("create_date:day")), kw: K("context", K("tz", "Asia/Kolkata")),
				want: `[{"create_date:day":"01 Feb 2024","create_date_count":1,"__domain":["&",["id","=",2],"&",["create_date",">=","2024-01-31 18:30:00"],["create_date","<","2024-02-01 18:30:00"]],"__range":{"create_date:day":{"from":"2024-01-31 18:30:00","to":"2024-02-01 18:30:00"}}}]`},
		})
		v16 := *b.admin
		v16.Version = 16
		b.runGroupCases(&v16, []groupCase{
			{name: "16: count, aggregates, groups; group terms first", args: L(L(L("points", ">", int64(0)), L("program_id", "=", int64(2))), L("points"), L("program_id")),
				want: `[{"program_id_count":1,"points":1,"program_id":[2,"10% Discount Coupons"],"__domain":["&",["program_id","=",2],"&",["points",">",0],["program_id","=",2]]}]`},
			{name: "16: dates", args: L(L(L("id", "=", int64(4))), L(), L("create_date:year", "program_id")),
				want: `[{"create_date_count":1,"create_date:year":"2023","__range":{"create_date:year":{"from":"2023-01-01 00:00:00","to":"2024-01-01 00:00:00"}},"__domain":["&","&",["create_date",">=","2023-01-01 00:00:00"],["create_date","<","2024-01-01 00:00:00"],["id","=",4]],"__context":{"group_by":["program_id"]}}]`},
			{name: "16: web_read_group takes expand", method: "web_read_group", args: L(L(L("id", "=", int64(4))), L(), L("program_id")), kw: K("expand", false),
				want: `{"groups":[{"program_id_count":1,"program_id":[3,"Gift Cards"],"__domain":["&",["program_id","=",3],["id","=",4]]}],"length":1}`},
		})
		e := b.fault(&v16, "loyalty.card", "read_group", L(L(), L("points:foo"), L("program_id")), nil)
		require.Equal(t, models.KindUser, e.Kind)
		require.Equal(t, "Invalid aggregation function 'foo'.", e.Message)
		e = b.fault(b.admin, "loyalty.card", "web_read_group", L(L(), L(), L("program_id")), K("expand", true))
		require.Equal(t, models.KindType, e.Kind)
	})
}

func TestReadGroupErrors(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		t.Parallel()
		b := ormSetup(t, db)
		b.fixture()
		cases := []struct {
			name  string
			model string
			args  []any
			kw    map[string]any
			kind  models.Kind
			msg   string
		}{
			{"unknown field", "", L(L(), L("x"), L("program_id")), nil, models.KindValue, "Invalid field 'x' on model 'loyalty.card'"},
			{"unknown aggregated field", "", L(L(), L("x:sum"), L("program_id")), nil, models.KindValue, "Invalid field 'x' on model 'loyalty.card' for 'x:sum'."},
			{"unknown aggregate", "", L(L(), L("points:foo"), L("program_id")), nil, models.KindValue, "Invalid aggregate method 'foo' for 'points:foo'."},
			{"bad field spec", "", L(L(), L(":sum"), L("program_id")), nil, models.KindValue, "Invalid field specification ':sum'."},
			{"non-stored aggregate", "", L(L(), L("use_count:sum"), L("program_id")), nil, models.KindValue, "Cannot convert field loyalty.card.use_count to SQL"},
			{"sum of text", "", L(L(), L("code:sum"), L("program_id")), nil, models.KindException, "function sum(character varying) does not exist"},
			{"recordset", "", L(L(), L("points:recordset"), L()), nil, models.KindValue, "Aggregate method 'recordset' can be only used on relational field (or id) (for 'points:recordset')."},
			{"unknown groupby", "", L(L(), L(), L("nope")), nil, models.KindValue, "Invalid field 'nope' on model 'loyalty.card'"},
			{"granularity on a many2one", "", L(L(), L(), L("program_id:month")), nil, models.KindValue, "Granularity set on a no-datetime field or property: 'program_id:month'"},
			{"bad granularity", "", L(L(), L(), L("create_date:decade")), nil, models.KindValue, "Granularity specification isn't correct: 'decade'"},
			{"non-stored groupby", "", L(L(), L(), L("display_name")), nil, models.KindValue, "Cannot convert field loyalty.card.display_name to SQL"},
			{"one2many groupby", "loyalty.program", L(L(), L(), L("coupon_ids")), nil, models.KindValue, "Cannot convert field loyalty.program.coupon_ids to SQL"},
			{"property path", "", L(L(), L(), L("partner_id.name")), nil, models.KindValue, "Property name 'name' has to be used on a property field."},
			{"order on a plain field", "", L(L(), L(), L("program_id")), K("orderby", "code"), models.KindValue, "Order term 'code' is not a valid aggregate nor valid groupby"},
			{"order on an unknown field", "", L(L(), L(), L("program_id")), K("orderby", "nope desc"), models.KindValue, "Order term 'nope desc' is not a valid aggregate nor valid groupby"},
			{"groupby None", "", L(L(), L(), nil), nil, models.KindType, "'NoneType' object is not subscriptable"},
			{"fields None", "", L(L(), nil, L("program_id")), nil, models.KindType, "'NoneType' object is not iterable"},
			{"bad domain", "", L(L(L("nope", "=", int64(1))), L(), L("program_id")), nil, models.KindValue, "Invalid field loyalty.card.nope in leaf ('nope', '=', 1)"},
			{"missing groupby", "", L(L(), L()), nil, models.KindType, "BaseModel.read_group() missing 1 required positional argument: 'groupby'"},
			// Injection attempts never reach the SQL: refused by the grammar.
			{"groupby injection", "", L(L(), L(), L(`program_id; DROP TABLE loyalty_cards`)), nil, models.KindValue,
				"Invalid aggregate/groupby specification 'program_id; DROP TABLE loyalty_cards'.\n- Valid aggregate specification looks like \"<field_name>:<agg>\" example: \"quantity:sum\".\n" +
					"- Valid groupby specification looks like \"<no_datish_field_name>\" or \"<datish_field_name>:<granularity>\" example: \"date:month\" or \"<properties_field_name>.<property>:<granularity>\"."},
			{"orderby injection", "", L(L(), L(), L("program_id")), K("orderby", `program_id; DROP TABLE loyalty_cards`), models.KindValue,
				"Invalid order 'program_id; DROP TABLE loyalty_cards' for _read_group()"},
			{"quoted orderby injection", "", L(L(), L(), L("program_id")), K("orderby", `"program_id"" desc`), models.KindValue,
				`Invalid order '"program_id"" desc' for _read_group()`},
			{"granularity injection", "", L(L(), L(), L(`create_date:month') --`)), nil, models.KindValue,
				"Invalid aggregate/groupby specification \"create_date:month') --\".\n- Valid aggregate specification looks like \"<field_name>:<agg>\" example: \"quantity:sum\".\n" +
					"- Valid groupby specification looks like \"<no_datish_field_name>\" or \"<datish_field_name>:<granularity>\" example: \"date:month\" or \"<properties_field_name>.<property>:<granularity>\"."},
		}
		for _, tc := range cases {
			model := tc.model
			if model == "" {
				model = "loyalty.card"
			}
			e := b.fault(b.admin, model, "read_group", tc.args, tc.kw)
			require.Equal(t, tc.kind, e.Kind, tc.name)
			require.Equal(t, tc.msg, e.Message, tc.name)
		}
		// Like Odoo, an aggregate entry only reads its leading name: the
		// rest is ignored, never executed.
		got := b.must("loyalty.card", "read_group", L(L(), L(`points) FROM x; DROP TABLE loyalty_cards --`), L("program_id")), nil)
		require.Equal(t, `[`+grpGift+`,`+grpLoyalty+`,`+grpCoupons+`]`, ormJSON(t, got))
		// Access rights: read on the model, then the fields' groups.
		nobody := &models.Env{UID: 9, Version: 17, Groups: map[string]bool{}}
		e := b.fault(nobody, "loyalty.card", "read_group", L(L(), L("points"), L("program_id")), nil)
		require.Equal(t, models.KindAccessError, e.Kind)
		require.True(t, strings.HasPrefix(e.Message, "You are not allowed to access 'Loyalty Coupon' (loyalty.card) records."), e.Message)
		e = b.fault(nobody, "loyalty.card", "web_read_group", L(L(), L("points"), L("program_id")), nil)
		require.Equal(t, models.KindAccessError, e.Kind)
		// The demo user reads cards.
		out, err := b.call(b.demo, "loyalty.card", "read_group", L(L(), L("points"), L("program_id")), nil)
		require.NoError(t, err)
		require.Equal(t, `[`+grpGift+`,`+grpLoyalty+`,`+grpCoupons+`]`, ormJSON(t, out))
	})
}
