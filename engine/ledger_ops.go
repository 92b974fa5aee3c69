package engine

import (
	"database/sql"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/odoo-loyalty/loyaltyd/models"
)

// expiry is the expiry of a lot gained now on c: given (stored as given,
// in UTC to the second) or by the program's rule.
func (o *ledgerOp) expiry(c *cardRow, given *time.Time) *time.Time {
	if given != nil {
		t := given.UTC().Truncate(time.Second)
		return &t
	}
	return o.expiryFor(c, o.at)
}

// pastRow is a journal row of an earlier operation.
type pastRow struct {
	kind      Kind
	lot       int64
	amount    decimal.Decimal
	lotAmount decimal.Decimal
}

// reverseOp books the reversal of the operation under key original on the
// (locked) card of this operation.
func (o *ledgerOp) reverseOp(original string) error {
	orig, err := o.s.loadOp(o.ctx, o.tx, original)
	if err != nil {
		return err
	}
	if orig.reversedBy != 0 {
		return models.UserErrorf("The operation %q was already reversed.", original)
	}
	if orig.kind != opEarn && orig.kind != opRedeem && orig.kind != opAdjust {
		return models.ValidationErrorf("A %s cannot be reversed.", orig.kind)
	}
	o.reverse = orig.id
	var past []pastRow
	total := decimal.Zero
	err = o.s.query(o.ctx, o.tx, `SELECT kind, point_move_id, points_amount, lot_amount FROM point_history
		WHERE operation_id = ? AND loyalty_card_id = ? ORDER BY seq`, []any{orig.id, orig.card}, func(rows *sql.Rows) error {
		var r pastRow
		var kind string
		if err := rows.Scan(&kind, nullID{&r.lot}, decCol{o.lite, &r.amount}, decCol{o.lite, &r.lotAmount}); err != nil {
			return err
		}
		r.kind = Kind(kind)
		total = total.Add(r.amount)
		past = append(past, r)
		return nil
	})
	if err != nil {
		return fmt.Errorf("engine: reverse %q: %w", original, err)
	}
	c := o.card(orig.card)
	if total.IsPositive() {
		return o.reverseEarn(c, past)
	}
	return o.reverseRedeem(c, past)
}

// reverseEarn takes an earn's points back: from its lot as far as it
// still has them, then first-expiring-first, the rest as debt.
func (o *ledgerOp) reverseEarn(c *cardRow, past []pastRow) error {
	var lotID int64
	points := decimal.Zero
	for _, r := range past {
		if r.lot != 0 && r.amount.IsPositive() {
			lotID = r.lot
			points = points.Add(r.amount)
		}
	}
	rest := points
	if lotID != 0 {
		lots, err := o.loadLots("SELECT "+lotColumns+" FROM point_moves WHERE id = ?", lotID)
		if err != nil {
			return err
		}
		if len(lots) == 1 && lots[0].state == stateActive && lots[0].remaining.IsPositive() {
			l := lots[0]
			x := decimal.Min(rest, l.remaining)
			o.take(l, x)
			rest = rest.Sub(x)
			o.journal(c, KindReverseEarn, x.Neg(), l, x.Neg(), l.tier)
		}
	}
	if !rest.IsPositive() {
		return nil
	}
	short, err := o.spend(c, KindReverseEarn, rest, 0, lotID)
	if err != nil || !short.IsPositive() {
		return err
	}
	c.debt = c.debt.Add(short)
	o.journal(c, KindReverseEarn, short.Neg(), nil, decimal.Zero, c.progTier)
	return nil
}

// reverseRedeem gives a redemption's points back to the lots it took them
// from (a lot past its expiry gets them and expires them at once: a
// reverse_redeem row and an expire row, net zero), and
// takes back the debt it created: what later earnings already paid of
// that debt comes back as a new lot (program expiry from now).
func (o *ledgerOp) reverseRedeem(c *cardRow, past []pastRow) error {
	debt := decimal.Zero
	for _, r := range past {
		switch {
		case r.lot == 0 && r.amount.IsNegative():
			debt = debt.Add(r.amount.Neg())
		case r.lot != 0 && r.lotAmount.IsNegative():
			lots, err := o.loadLots("SELECT "+lotColumns+" FROM point_moves WHERE id = ?", r.lot)
			if err != nil {
				return err
			}
			if len(lots) != 1 {
				return fmt.Errorf("engine: reverse: lot %d not found", r.lot)
			}
			l, x := lots[0], r.lotAmount.Neg()
			if l.state == stateExpired || (l.exp != nil && l.exp.Before(o.at)) {
				// Past its expiry: the points come back and expire at
				// once (net zero); the lot is left as it is.
				o.journal(c, KindReverseRedeem, x, l, x, l.tier)
				o.journal(c, KindExpire, x.Neg(), l, x.Neg(), l.tier)
				continue
			}
			o.give(l, x)
			o.journal(c, KindReverseRedeem, x, l, x, l.tier)
		}
	}
	if debt.IsPositive() {
		r := decimal.Min(debt, c.debt)
		if r.IsPositive() {
			c.debt = c.debt.Sub(r)
			o.journal(c, KindReverseRedeem, r, nil, decimal.Zero, c.progTier)
		}
		if rest := debt.Sub(r); rest.IsPositive() {
			o.newLot(c, KindReverseRedeem, rest, 0, o.at, o.expiryFor(c, o.at))
		}
	}
	// Debt of other operations is paid from the lots given back.
	return o.settleDebt(c)
}

// transfer moves from's active lots to to (see Service.Transfer).
func (o *ledgerOp) transfer(from, to *cardRow, tier int64) error {
	if tier == 0 {
		tier = to.progTier
	}
	// 1. from's debt is paid from its own spendable lots.
	if err := o.settleDebt(from); err != nil {
		return err
	}
	// 2. every active lot moves.
	lots, err := o.loadLots("SELECT "+lotColumns+" FROM point_moves WHERE loyalty_card_id = ? AND state = 'active'"+
		" AND remaining_point > 0 ORDER BY "+fefoOrder, from.id)
	if err != nil {
		return err
	}
	for _, l := range lots {
		if l.state != stateActive || !l.remaining.IsPositive() {
			continue
		}
		x := l.remaining
		o.take(l, x)
		o.journal(from, KindTransferOut, x.Neg(), l, x.Neg(), l.tier)
		nl := &lot{id: -int64(len(o.newLots) + 1), card: to.id, tier: tier, program: to.program, gain: l.gain, exp: l.exp,
			initial: x, remaining: x, state: stateActive, origin: o.origin}
		o.newLots = append(o.newLots, nl)
		o.lots[nl.id] = nl
		o.journal(to, KindTransferIn, x, nl, x, tier)
	}
	// 3. what is left of from's debt moves to to.
	if d := from.debt; d.IsPositive() {
		from.debt = decimal.Zero
		o.journal(from, KindSettle, d, nil, decimal.Zero, from.progTier)
		to.debt = to.debt.Add(d)
		o.journal(to, KindDebt, d.Neg(), nil, decimal.Zero, tier)
	}
	// 4. to's debt is paid from its lots, the new ones included.
	if err := o.settleDebt(to); err != nil {
		return err
	}
	// Both cards are written, even when nothing moved.
	from.touched, to.touched = true, true
	return nil
}

// settleDebt pays c's debt from its spendable lots, first expiring first.
func (o *ledgerOp) settleDebt(c *cardRow) error {
	if !c.debt.IsPositive() {
		return nil
	}
	lots, err := o.spendable(c, 0, c.debt)
	if err != nil {
		return err
	}
	for _, l := range lots {
		if !c.debt.IsPositive() {
			break
		}
		o.settleFrom(c, l)
	}
	return nil
}
