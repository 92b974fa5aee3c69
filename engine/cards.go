package engine

import (
	"context"
	"fmt"
	"time"

	"github.com/shopspring/decimal"
	"github.com/uptrace/bun"

	"github.com/odoo-loyalty/loyaltyd/models"
)

// CardSpec is a new card, as the id authority creates it.
type CardSpec struct {
	Program        int64
	Partner        int64 // 0: none
	Company        int64 // 0: none
	Code           string
	Points         decimal.Decimal // the card's points at creation (the engine books its points later: usually 0)
	Expiration     time.Time       // zero: none
	SourcePosOrder int64           // 0: none
}

// CardIDs allocates the ids of new cards: with an upstream Odoo, it creates
// the card there (Odoo is the id authority of cards) and answers Odoo's id.
// A failure must leave no card upstream that a retry would duplicate; it
// is returned to the caller as it is (a *models.Error).
type CardIDs interface {
	NewCard(ctx context.Context, spec CardSpec) (int64, error)
}

// SetCardIDs makes ids the authority of new card ids (nil: the local
// sequence, standalone). Call it before serving.
func (s *Service) SetCardIDs(ids CardIDs) { s.side.cardIDs = ids }

// NewUpstreamCard creates a card through the card id authority: upstream
// first, then the local row with the upstream id as id and odoo_card_id,
// in tx. ok is false, and nothing is done, when no authority is set (the
// caller inserts the card itself). spec.Code empty: a generated one.
func (s *Service) NewUpstreamCard(ctx context.Context, tx bun.IDB, spec CardSpec) (id int64, ok bool, err error) {
	if s.side.cardIDs == nil {
		return 0, false, nil
	}
	if spec.Code == "" {
		spec.Code = models.NewCardCode()
	}
	spec.Points = spec.Points.Round(2)
	var taken int
	if err := s.queryRow(ctx, tx, `SELECT COUNT(*) FROM loyalty_cards WHERE code = ?`, []any{spec.Code}, &taken); err != nil {
		return 0, true, fmt.Errorf("engine: card code: %w", err)
	}
	if taken > 0 {
		return 0, true, models.ValidationErrorf("A coupon/loyalty card must have a unique code.")
	}
	id, err = s.side.cardIDs.NewCard(ctx, spec)
	if err != nil {
		return 0, true, err
	}
	if id <= 0 {
		return 0, true, models.Internal(fmt.Errorf("engine: card id authority gave id %d", id))
	}
	company := spec.Company
	if company == 0 {
		company = 1 // as the local insert's default
	}
	lite := isLite(tx)
	now := timeArg(lite, s.now())
	var exp any
	if !spec.Expiration.IsZero() {
		exp = spec.Expiration.Format(models.DateLayout)
	}
	if _, err := s.exec(ctx, tx, `INSERT INTO loyalty_cards (id, odoo_card_id, program_id, partner_id, code, points,
			company_id, expiration_date, source_pos_order_id, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		id, id, spec.Program, idArg(spec.Partner), spec.Code, decArg(lite, spec.Points), company, exp,
		idArg(spec.SourcePosOrder), now, now); err != nil {
		if models.IsUniqueViolation(err) {
			return 0, true, models.ValidationErrorf("The card %d made in Odoo (code %s) collides with a card of this "+
				"server: its card ids were not all allocated by Odoo.", id, spec.Code)
		}
		return 0, true, fmt.Errorf("engine: insert card %d: %w", id, err)
	}
	return id, true, nil
}
