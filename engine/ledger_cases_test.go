package engine_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/odoo-loyalty/loyaltyd/engine"
	"github.com/odoo-loyalty/loyaltyd/models"
	"github.com/odoo-loyalty/loyaltyd/models/dbtest"
)

// lgEndOfDay is 23:59:59 UTC of a day of 2026.
func lgEndOfDay(m time.Month, dd int) *time.Time {
	t := time.Date(2026, m, dd, 23, 59, 59, 0, time.UTC)
	return &t
}

// TestLedgerWorkedExample is the FIFO example of the domain spec (§5.3)
// under rule A: a refund gives points back to the lots they came from, and
// a lot past its expiry gets them and expires them again at once.
func TestLedgerWorkedExample(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		t.Parallel()
		f := lgSetup(t, db, nil)
		card := f.card(f.program(0, "", 0), f.partner(0))
		type step struct {
			name    string
			at      time.Time
			run     func() error
			balance string
			lots    []lotRow
		}
		mar31 := "2026-03-31 23:59:59"
		steps := []step{
			{"L1 100 exp 31 Mar", lgDay(2026, 1, 1, 10, 0), func() error {
				_, err := f.earn(engine.Movement{Card: card, Points: lgD("100"), Key: "L1", Expiry: lgEndOfDay(3, 31)})
				return err
			}, "100", []lotRow{{"100", "active", mar31}}},
			{"L2 50 exp 31 Mar", lgDay(2026, 2, 10, 10, 0), func() error {
				_, err := f.earn(engine.Movement{Card: card, Points: lgD("50"), Key: "L2", Expiry: lgEndOfDay(3, 31)})
				return err
			}, "150", []lotRow{{"100", "active", mar31}, {"50", "active", mar31}}},
			{"L3 80 lifetime", lgDay(2026, 3, 1, 10, 0), func() error {
				_, err := f.earn(engine.Movement{Card: card, Points: lgD("80"), Key: "L3"})
				return err
			}, "230", []lotRow{{"100", "active", mar31}, {"50", "active", mar31}, {"80", "active", ""}}},
			{"redeem 120 on 15 Mar", lgDay(2026, 3, 15, 12, 0), func() error {
				r, err := f.redeem(engine.Movement{Card: card, Points: lgD("120"), Key: "order-1"})
				if err == nil && len(r.Entries) != 2 {
					err = fmt.Errorf("%d rows, want one per lot", len(r.Entries))
				}
				return err
			}, "110", []lotRow{{"0", "depleted", mar31}, {"30", "active", mar31}, {"80", "active", ""}}},
			{"expiry on 1 Apr", lgDay(2026, 4, 1, 0, 5), func() error {
				st, err := f.svc.Expire(f.ctx, f.now)
				if err == nil && (st.Lots != 1 || st.Cards != 1 || st.Points.String() != "30") {
					err = fmt.Errorf("stats %+v", st)
				}
				return err
			}, "80", []lotRow{{"0", "depleted", mar31}, {"0", "expired", mar31}, {"80", "active", ""}}},
			{"refund on 2 Apr", lgDay(2026, 4, 2, 9, 0), func() error {
				_, err := f.reverse("order-1", engine.Movement{Key: "refund-1", Origin: "Shop/0001 refund"})
				return err
			}, "80", []lotRow{{"0", "depleted", mar31}, {"0", "expired", mar31}, {"80", "active", ""}}},
		}
		for _, s := range steps {
			f.now = s.at
			require.NoError(t, s.run(), s.name)
			require.Equal(t, s.balance, f.state(card).Points.String(), s.name)
			require.Equal(t, s.lots, f.lots(card), s.name)
			f.check(card)
		}
		require.Equal(t, []string{
			"1 earn 100 100 100", "2 earn 50 150 50", "3 earn 80 230 80",
			"4 redeem -100 130 -100", "5 redeem -20 110 -20",
			"6 expire -30 80 -30",
			"7 reverse_redeem 100 180 100", "8 expire -100 80 -100",
			"9 reverse_redeem 20 100 20", "10 expire -20 80 -20",
		}, f.journal(card))
	})
}

func TestLedgerReverse(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		t.Parallel()
		f := lgSetup(t, db, nil)
		card := f.card(f.program(0, "", 0), f.partner(0))
		earn := func(key, p string) {
			t.Helper()
			f.now = f.now.Add(time.Hour)
			_, err := f.earn(engine.Movement{Card: card, Points: lgD(p), Key: key})
			require.NoError(t, err)
		}
		earn("a", "100")
		earn("b", "50")
		_, err := f.redeem(engine.Movement{Card: card, Points: lgD("120"), Key: "r"})
		require.NoError(t, err)
		// Earn b (50) reversed: its lot has 30 left, 20 more come from
		// lot a... which is empty: 20 become debt.
		r, err := f.reverse("b", engine.Movement{Key: "rev-b"})
		require.NoError(t, err)
		require.Equal(t, "-20", r.Balance.String())
		require.Equal(t, "20", r.Debt.String())
		require.Equal(t, []string{"5 reverse_earn -30 0 -30", "6 reverse_earn -20 -20 0"}, f.journal(card)[4:])
		f.check(card)
		// Same key: replay; new key: refused.
		again, err := f.reverse("b", engine.Movement{Key: "rev-b"})
		require.NoError(t, err)
		require.True(t, again.Replayed)
		_, err = f.reverse("b", engine.Movement{Key: "rev-b-2"})
		require.ErrorContains(t, err, "already reversed")
		_, err = f.reverse("rev-b", engine.Movement{Key: "rev-rev"})
		require.Error(t, err)
		_, err = f.reverse("nope", engine.Movement{Key: "rev-nope"})
		require.Error(t, err)

		// The redeem r (120: 100 from a, 20 from b) reversed: both lots
		// get exactly what was taken, then pay the debt of 20 left by
		// reversing b (first expiring first: lot a).
		r, err = f.reverse("r", engine.Movement{Key: "rev-r"})
		require.NoError(t, err)
		require.Equal(t, "100", r.Balance.String())
		require.True(t, r.Debt.IsZero())
		require.Equal(t, []lotRow{{"80", "active", ""}, {"20", "active", ""}}, f.lots(card))
		f.check(card)

		// A redeem into debt, the debt paid by a later earn, then the
		// redeem reversed: the lots get theirs back, the paid debt comes
		// back as a new lot.
		card2 := f.card(f.program(0, "", 0), f.partner(0))
		_, err = f.earn(engine.Movement{Card: card2, Points: lgD("10"), Key: "c2-e1"})
		require.NoError(t, err)
		_, err = f.redeem(engine.Movement{Card: card2, Points: lgD("25"), Key: "c2-r", AllowDebt: true})
		require.NoError(t, err)
		_, err = f.earn(engine.Movement{Card: card2, Points: lgD("40"), Key: "c2-e2"})
		require.NoError(t, err)
		require.Equal(t, "25", f.state(card2).Points.String())
		r, err = f.reverse("c2-r", engine.Movement{Card: card2, Key: "c2-rev"})
		require.NoError(t, err)
		require.Equal(t, "50", r.Balance.String())
		require.True(t, r.Debt.IsZero())
		require.Equal(t, []lotRow{{"10", "active", ""}, {"25", "active", ""}, {"15", "active", ""}}, f.lots(card2))
		f.check(card2)
		_, err = f.reverse("c2-e2", engine.Movement{Card: card, Key: "wrong-card"})
		require.Error(t, err)

		// A redeem given back while the card owes for another one: the
		// lots pay the debt first, nothing can be spent twice (I8).
		card3 := f.card(f.program(0, "", 0), f.partner(0))
		_, err = f.earn(engine.Movement{Card: card3, Points: lgD("100"), Key: "c3-e"})
		require.NoError(t, err)
		_, err = f.redeem(engine.Movement{Card: card3, Points: lgD("100"), Key: "c3-r1"})
		require.NoError(t, err)
		_, err = f.redeem(engine.Movement{Card: card3, Points: lgD("50"), Key: "c3-r2", AllowDebt: true})
		require.NoError(t, err)
		r, err = f.reverse("c3-r1", engine.Movement{Key: "c3-rev"})
		require.NoError(t, err)
		require.Equal(t, "50", r.Balance.String())
		require.True(t, r.Debt.IsZero())
		require.Equal(t, []string{"4 reverse_redeem 100 50 100", "5 settle 0 50 -50"}, f.journal(card3)[3:])
		_, err = f.redeem(engine.Movement{Card: card3, Points: lgD("60"), Key: "c3-r3"})
		require.ErrorIs(t, err, engine.ErrInsufficientPoints)
		f.check(card3)

		// Earn then its reversal restores every lot (I10).
		before := f.lots(card2)
		_, err = f.earn(engine.Movement{Card: card2, Points: lgD("7.5"), Key: "c2-e3"})
		require.NoError(t, err)
		_, err = f.reverse("c2-e3", engine.Movement{Key: "c2-e3-rev"})
		require.NoError(t, err)
		require.Equal(t, append(before, lotRow{"0", "depleted", ""}), f.lots(card2))
		f.check(card, card2)
	})
}

func TestLedgerAdjust(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		t.Parallel()
		f := lgSetup(t, db, nil)
		card := f.card(f.program(1, "years", 0), f.partner(0))
		_, err := f.adjust(engine.Movement{Card: card, Points: lgD("10"), Key: "a0"})
		require.ErrorIs(t, err, engine.ErrReasonRequired)
		var e *models.Error
		require.ErrorAs(t, err, &e)
		require.Equal(t, models.KindValidation, e.Kind)
		_, err = f.adjust(engine.Movement{Card: card, Points: lgD("0"), Key: "a0", Reason: "x"})
		require.Error(t, err)

		r, err := f.adjust(engine.Movement{Card: card, Points: lgD("10"), Key: "a1", Reason: "goodwill"})
		require.NoError(t, err)
		require.Equal(t, engine.KindAdjust, r.Entries[0].Kind)
		require.Equal(t, []lotRow{{"10", "active", "2027-01-01 23:59:59"}}, f.lots(card))
		_, err = f.adjust(engine.Movement{Card: card, Points: lgD("-15"), Key: "a2", Reason: "typo"})
		require.ErrorIs(t, err, engine.ErrInsufficientPoints)
		r, err = f.adjust(engine.Movement{Card: card, Points: lgD("-4"), Key: "a2", Reason: "typo"})
		require.NoError(t, err)
		require.Equal(t, "6", r.Balance.String())
		var reason string
		require.NoError(t, db.QueryRowContext(f.ctx, "SELECT reason FROM point_history WHERE id = ?", r.Entries[0].ID).Scan(&reason))
		require.Equal(t, "typo", reason)
		// Reversed by sign: the negative one like a redeem, the positive
		// one like an earn.
		r, err = f.reverse("a2", engine.Movement{Key: "a2-rev"})
		require.NoError(t, err)
		require.Equal(t, "10", r.Balance.String())
		require.Equal(t, engine.KindReverseRedeem, r.Entries[0].Kind)
		r, err = f.reverse("a1", engine.Movement{Key: "a1-rev"})
		require.NoError(t, err)
		require.Equal(t, "0", r.Balance.String())
		require.Equal(t, engine.KindReverseEarn, r.Entries[0].Kind)
		f.check(card)
	})
}

func TestLedgerTransfer(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		t.Parallel()
		f := lgSetup(t, db, nil)
		partner := f.partner(5)
		silver := f.card(f.program(0, "", 4), partner)
		gold := f.card(f.program(0, "", 5), partner)
		_, err := f.earn(engine.Movement{Card: silver, Points: lgD("40"), Key: "s1", Expiry: lgEndOfDay(6, 30)})
		require.NoError(t, err)
		f.now = f.now.Add(time.Hour)
		_, err = f.earn(engine.Movement{Card: silver, Points: lgD("60"), Key: "s2"})
		require.NoError(t, err)
		_, err = f.redeem(engine.Movement{Card: silver, Points: lgD("30"), Key: "s3"})
		require.NoError(t, err)
		_, err = f.earn(engine.Movement{Card: gold, Points: lgD("5"), Key: "g1"})
		require.NoError(t, err)

		out, in, err := f.transfer(silver, gold, 0, "move-1")
		require.NoError(t, err)
		require.Equal(t, "0", out.Balance.String())
		require.Equal(t, "75", in.Balance.String())
		require.Equal(t, out.Operation, in.Operation)
		require.Equal(t, []lotRow{{"0", "depleted", "2026-06-30 23:59:59"}, {"0", "depleted", ""}}, f.lots(silver))
		require.Equal(t, []lotRow{{"5", "active", ""}, {"10", "active", "2026-06-30 23:59:59"}, {"60", "active", ""}}, f.lots(gold))
		for _, e := range in.Entries {
			require.Equal(t, engine.KindTransferIn, e.Kind)
			require.EqualValues(t, 5, e.Tier)
		}
		f.check(silver, gold)
		// Replay.
		out2, in2, err := f.transfer(silver, gold, 0, "move-1")
		require.NoError(t, err)
		require.True(t, out2.Replayed && in2.Replayed)
		require.Equal(t, fmt.Sprint(in.Entries), fmt.Sprint(in2.Entries))

		// Debt moves too: silver in debt 20 with 0 lots; gold pays it.
		_, err = f.redeem(engine.Movement{Card: silver, Points: lgD("20"), Key: "s4", AllowDebt: true})
		require.NoError(t, err)
		out, in, err = f.transfer(silver, gold, 0, "move-2")
		require.NoError(t, err)
		require.Equal(t, "0", out.Balance.String())
		require.True(t, out.Debt.IsZero())
		require.Equal(t, "55", in.Balance.String())
		require.True(t, in.Debt.IsZero())
		require.Equal(t, []string{"7 settle 20 0 0"}, f.journal(silver)[6:])
		// Settled first expiring first: the June lot, then the lifetime
		// ones by gain date and id.
		require.Equal(t, []string{"4 debt -20 55 0", "5 settle 0 55 -10", "6 settle 0 55 -5", "7 settle 0 55 -5"}, f.journal(gold)[3:])
		require.Equal(t, []lotRow{{"0", "depleted", ""}, {"0", "depleted", "2026-06-30 23:59:59"}, {"55", "active", ""}}, f.lots(gold))
		f.check(silver, gold)
		_, _, err = f.transfer(silver, silver, 0, "move-3")
		require.Error(t, err)
	})
}

// TestLedgerExpiryEndOfDay: a lot is valid through the end of its last
// day in the company's time zone.
func TestLedgerExpiryEndOfDay(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		t.Parallel()
		f := lgSetup(t, db, time.FixedZone("WIB", 7*3600))
		card := f.card(f.program(10, "days", 0), f.partner(0))
		// 1 Jan 20:00 UTC is 2 Jan 03:00 in UTC+7: valid through 12 Jan
		// 23:59:59 local = 16:59:59 UTC.
		f.now = lgDay(2026, 1, 1, 20, 0)
		_, err := f.earn(engine.Movement{Card: card, Points: lgD("10"), Key: "e"})
		require.NoError(t, err)
		require.Equal(t, []lotRow{{"10", "active", "2026-01-12 16:59:59"}}, f.lots(card))

		lastSecond := time.Date(2026, 1, 12, 16, 59, 59, 0, time.UTC)
		st, err := f.svc.Expire(f.ctx, lastSecond)
		require.NoError(t, err)
		require.Zero(t, st.Lots)
		f.now = lastSecond
		_, err = f.redeem(engine.Movement{Card: card, Points: lgD("1"), Key: "r1"})
		require.NoError(t, err)
		f.now = lastSecond.Add(time.Second)
		_, err = f.redeem(engine.Movement{Card: card, Points: lgD("1"), Key: "r2"})
		require.ErrorIs(t, err, engine.ErrInsufficientPoints, "a lot past its expiry is never spent")
		st, err = f.svc.Expire(f.ctx, f.now)
		require.NoError(t, err)
		require.Equal(t, 1, st.Lots)
		require.Equal(t, []lotRow{{"0", "expired", "2026-01-12 16:59:59"}}, f.lots(card))
		require.Equal(t, "0", f.state(card).Points.String())
		f.check(card)

		// Months clamp to the month's end (31 Jan + 1 month = 28 Feb).
		card2 := f.card(f.program(1, "months", 0), f.partner(0))
		f.now = lgDay(2026, 1, 31, 12, 0)
		_, err = f.earn(engine.Movement{Card: card2, Points: lgD("1"), Key: "m"})
		require.NoError(t, err)
		require.Equal(t, []lotRow{{"1", "active", "2026-02-28 16:59:59"}}, f.lots(card2))
	})
}
