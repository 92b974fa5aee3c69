package rules

import (
	"fmt"
	"time"
)

// Terms are a program's conditions of use (loyalty.program fields and the
// seed's tier and per-customer limits).
type Terms struct {
	ID                  int64
	Active              bool
	PosOK, SaleOK       bool      // available on the channel (pos_ok / sale_ok)
	DateFrom, DateTo    time.Time // first and last valid day, inclusive; zero: open
	LimitUsage          bool      // limit_usage
	MaxUsage            int64     // max_usage: the program stops once Usage reaches it
	LimitPerCustomer    bool      // limit_per_customer
	MaxUsagePerCustomer int64     // max_usage_per_customer
	Nominative          bool      // is_nominative: needs a customer
	MembershipProduct   int64     // membership_product_id: the tier the program is for; 0: everyone
}

// Context is what applicability is decided against.
type Context struct {
	Channel       Channel
	Date          time.Time      // the order's date
	Location      *time.Location // the company time zone the days are counted in (nil: UTC)
	Partner       int64          // 0: anonymous
	Tier          int64          // the order's tier snapshot (membership product; 0: none)
	Usage         int64          // orders that used the program (total_order_count)
	CustomerUsage int64          // orders of this customer that used the program
}

// Reasons Applicable gives (Odoo's wording where Odoo has one).
const (
	ReasonInactive      = "The program is not available for this order."
	ReasonChannel       = "The program is not available for this order."
	ReasonTier          = "The program is not available for this membership level."
	ReasonNotYetValid   = "This program is not yet valid (%s)."
	ReasonExpired       = "This program is expired (%s)."
	ReasonUsage         = "This program has reached its usage limit."
	ReasonCustomerUsage = "This program has reached its usage limit for this customer."
	ReasonPublic        = "This program is not available for public users."
)

// Applicable reports whether a program applies to an order and, when it
// does not, why:
//
//   - the program is active and available on the order's channel;
//   - a program with a membership product applies only to orders whose
//     tier snapshot is that product; one without applies to everyone;
//   - date_from <= the order's local day <= date_to (both inclusive, days
//     counted in ctx.Location);
//   - limit_usage: Usage < max_usage; limit_per_customer: CustomerUsage <
//     max_usage_per_customer (an anonymous order has no customer count);
//   - a nominative program needs a customer.
func Applicable(t Terms, ctx Context) (bool, string) {
	if !t.Active {
		return false, ReasonInactive
	}
	if ctx.Channel == Sale && !t.SaleOK || ctx.Channel != Sale && !t.PosOK {
		return false, ReasonChannel
	}
	if t.MembershipProduct != 0 && t.MembershipProduct != ctx.Tier {
		return false, ReasonTier
	}
	day := LocalDay(ctx.Date, ctx.Location)
	if !t.DateFrom.IsZero() && day.Before(civil(t.DateFrom)) {
		return false, fmt.Sprintf(ReasonNotYetValid, civil(t.DateFrom).Format(time.DateOnly))
	}
	if !t.DateTo.IsZero() && day.After(civil(t.DateTo)) {
		return false, fmt.Sprintf(ReasonExpired, civil(t.DateTo).Format(time.DateOnly))
	}
	if t.LimitUsage && ctx.Usage >= t.MaxUsage {
		return false, ReasonUsage
	}
	if t.Nominative && ctx.Partner == 0 {
		return false, ReasonPublic
	}
	if t.LimitPerCustomer && ctx.Partner != 0 && ctx.CustomerUsage >= t.MaxUsagePerCustomer {
		return false, ReasonCustomerUsage
	}
	return true, ""
}

// LocalDay is the calendar day of at in loc (nil: UTC), as a UTC midnight.
func LocalDay(at time.Time, loc *time.Location) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	y, m, d := at.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// civil is the calendar day a date field holds (its own year, month, day),
// as a UTC midnight.
func civil(d time.Time) time.Time {
	y, m, dd := d.Date()
	return time.Date(y, m, dd, 0, 0, 0, 0, time.UTC)
}
