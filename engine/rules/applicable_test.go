package rules

import (
	"testing"
	"time"
)

func TestApplicable(t *testing.T) {
	jakarta := time.FixedZone("WIB", 7*3600)
	day := func(s string) time.Time { v, _ := time.Parse(time.DateOnly, s); return v }
	at := func(s string) time.Time { v, _ := time.Parse(time.DateTime, s); return v }
	base := Terms{ID: 1, Active: true, PosOK: true, SaleOK: true}
	with := func(mod func(*Terms)) Terms { t := base; mod(&t); return t }
	ctx := Context{Channel: POS, Date: at("2026-03-15 10:00:00"), Partner: 7}
	withCtx := func(mod func(*Context)) Context { c := ctx; mod(&c); return c }
	tests := []struct {
		name   string
		terms  Terms
		ctx    Context
		reason string
	}{
		{"plain program", base, ctx, ""},
		{"archived", with(func(t *Terms) { t.Active = false }), ctx, ReasonInactive},
		{"not on the POS", with(func(t *Terms) { t.PosOK = false }), ctx, ReasonChannel},
		{"not on sales", with(func(t *Terms) { t.SaleOK = false }), withCtx(func(c *Context) { c.Channel = Sale }), ReasonChannel},
		{"tier program, same tier", with(func(t *Terms) { t.MembershipProduct = 50 }), withCtx(func(c *Context) { c.Tier = 50 }), ""},
		{"tier program, other tier", with(func(t *Terms) { t.MembershipProduct = 50 }), withCtx(func(c *Context) { c.Tier = 51 }), ReasonTier},
		{"tier program, no tier", with(func(t *Terms) { t.MembershipProduct = 50 }), ctx, ReasonTier},
		{"program without tier, customer with one", base, withCtx(func(c *Context) { c.Tier = 51 }), ""},
		{"first day inclusive", with(func(t *Terms) { t.DateFrom = day("2026-03-15") }), ctx, ""},
		{"before the first day", with(func(t *Terms) { t.DateFrom = day("2026-03-16") }), ctx,
			"This program is not yet valid (2026-03-16)."},
		{"last day inclusive", with(func(t *Terms) { t.DateTo = day("2026-03-15") }),
			withCtx(func(c *Context) { c.Date = at("2026-03-15 23:59:59") }), ""},
		{"after the last day", with(func(t *Terms) { t.DateTo = day("2026-03-14") }), ctx,
			"This program is expired (2026-03-14)."},
		{"local day: 20:00 UTC is the next day in Jakarta", with(func(t *Terms) { t.DateTo = day("2026-03-15") }),
			withCtx(func(c *Context) { c.Date = at("2026-03-15 20:00:00"); c.Location = jakarta }),
			"This program is expired (2026-03-15)."},
		{"local day: starts in Jakarta before it starts in UTC", with(func(t *Terms) { t.DateFrom = day("2026-03-16") }),
			withCtx(func(c *Context) { c.Date = at("2026-03-15 20:00:00"); c.Location = jakarta }), ""},
		{"usage under the limit", with(func(t *Terms) { t.LimitUsage = true; t.MaxUsage = 3 }),
			withCtx(func(c *Context) { c.Usage = 2 }), ""},
		{"usage at the limit", with(func(t *Terms) { t.LimitUsage = true; t.MaxUsage = 3 }),
			withCtx(func(c *Context) { c.Usage = 3 }), ReasonUsage},
		{"usage counted only with limit_usage", with(func(t *Terms) { t.MaxUsage = 3 }),
			withCtx(func(c *Context) { c.Usage = 30 }), ""},
		{"customer under the limit", with(func(t *Terms) { t.LimitPerCustomer = true; t.MaxUsagePerCustomer = 1 }), ctx, ""},
		{"customer at the limit", with(func(t *Terms) { t.LimitPerCustomer = true; t.MaxUsagePerCustomer = 1 }),
			withCtx(func(c *Context) { c.CustomerUsage = 1 }), ReasonCustomerUsage},
		{"nominative without customer", with(func(t *Terms) { t.Nominative = true }),
			withCtx(func(c *Context) { c.Partner = 0 }), ReasonPublic},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, reason := Applicable(tt.terms, tt.ctx)
			if ok != (tt.reason == "") || reason != tt.reason {
				t.Errorf("Applicable = %v %q, want reason %q", ok, reason, tt.reason)
			}
		})
	}
}
