package engine

import (
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/odoo-loyalty/loyaltyd/engine/rules"
)

// orderProgram is a promotion_programs row with its rules, as
// ProcessOrder evaluates it.
type orderProgram struct {
	rules.Program
	terms        rules.Terms
	trigger      string
	company      int64
	freeProducts map[int64]bool // reward_product_id of its product rewards
}

// orderCatalog is what ProcessOrder loads for the rules: every program
// (in sequence order), and the products and categories of the order.
type orderCatalog struct {
	ids      []int64
	programs map[int64]*orderProgram
	catalog  *rules.Catalog
}

// nominative is Odoo 17's is_nominative, with 18's loyalty + future.
func nominative(programType, appliesOn string) bool {
	return appliesOn == "both" || appliesOn == "future" && (programType == rules.TypeEWallet || programType == rules.TypeLoyalty)
}

// loadCatalog reads the programs (all of them: inactive ones are refused
// by rules.Applicable, and reward lines may name them), the active rules
// with their products, the product rewards, and the products and
// categories of the order.
func (p *orderRun) loadCatalog() (*orderCatalog, error) {
	ctx, tx, lite, s := p.ctx, p.tx, p.lite, p.s
	cat := &orderCatalog{programs: map[int64]*orderProgram{}, catalog: &rules.Catalog{
		Products: map[int64]rules.Product{}, Categories: map[int64]int64{}}}
	err := s.query(ctx, tx, `SELECT id, program_type, applies_on, "trigger", active, pos_ok, sale_ok,
		date_from, date_to, limit_usage, max_usage, limit_per_customer, max_usage_per_customer,
		membership_product_id, company_id
		FROM promotion_programs ORDER BY sequence, id`, nil, func(rows *sql.Rows) error {
		pr := &orderProgram{freeProducts: map[int64]bool{}}
		var active, posOK, saleOK, limit, limitCust sql.NullBool
		var maxUsage, maxCust sql.NullInt64
		err := rows.Scan(&pr.ID, &pr.Type, &pr.AppliesOn, &pr.trigger, &active, &posOK, &saleOK,
			dateCol{&pr.terms.DateFrom}, dateCol{&pr.terms.DateTo}, &limit, &maxUsage, &limitCust, &maxCust,
			nullID{&pr.terms.MembershipProduct}, nullID{&pr.company})
		if err != nil {
			return err
		}
		pr.terms.ID = pr.ID
		pr.terms.Active = !active.Valid || active.Bool
		pr.terms.PosOK = !posOK.Valid || posOK.Bool
		pr.terms.SaleOK = !saleOK.Valid || saleOK.Bool
		pr.terms.LimitUsage, pr.terms.MaxUsage = limit.Bool, maxUsage.Int64
		pr.terms.LimitPerCustomer, pr.terms.MaxUsagePerCustomer = limitCust.Bool, maxCust.Int64
		pr.terms.Nominative = nominative(pr.Type, pr.AppliesOn)
		cat.ids = append(cat.ids, pr.ID)
		cat.programs[pr.ID] = pr
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("engine: programs: %w", err)
	}
	if len(cat.ids) == 0 {
		return cat, nil
	}

	ruleAt := map[int64]int{} // rule id -> position in its program's Rules
	ruleProg := map[int64]int64{}
	err = s.query(ctx, tx, `SELECT id, program_id, mode, code, reward_point_mode, reward_point_amount,
		reward_point_split, minimum_qty, minimum_amount, minimum_amount_tax_mode, product_category_id,
		product_tag_id, product_domain
		FROM promotion_rules WHERE active ORDER BY program_id, id`, nil, func(rows *sql.Rows) error {
		var r rules.Rule
		var prog int64
		var mode, code, pmode, taxMode, domain sql.NullString
		var split sql.NullBool
		var minQty sql.NullInt64
		err := rows.Scan(&r.ID, &prog, &mode, &code, &pmode, decCol{lite, &r.PointAmount}, &split, &minQty,
			decCol{lite, &r.MinAmount}, &taxMode, nullID{&r.Category}, nullID{&r.Tag}, &domain)
		if err != nil {
			return err
		}
		r.Mode, r.Code, r.PointMode = mode.String, code.String, pmode.String
		if r.Mode == "" {
			r.Mode = "auto"
		}
		if r.PointMode == "" {
			r.PointMode = rules.PerOrder
		}
		r.Split, r.TaxExcl, r.ProductDomain = split.Bool, taxMode.String == "excl", domain.String
		r.MinQty = decimal.NewFromInt(1)
		if minQty.Valid {
			r.MinQty = decimal.NewFromInt(minQty.Int64)
		}
		pr := cat.programs[prog]
		if pr == nil {
			return nil
		}
		ruleAt[r.ID] = len(pr.Rules)
		ruleProg[r.ID] = prog
		pr.Rules = append(pr.Rules, r)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("engine: rules: %w", err)
	}
	if len(ruleAt) > 0 {
		err = s.query(ctx, tx, `SELECT rule_id, product_id FROM promotion_rule_product_rel ORDER BY rule_id, product_id`, nil,
			func(rows *sql.Rows) error {
				var rule, product int64
				if err := rows.Scan(&rule, &product); err != nil {
					return err
				}
				if at, ok := ruleAt[rule]; ok {
					r := &cat.programs[ruleProg[rule]].Rules[at]
					r.Products = append(r.Products, product)
				}
				return nil
			})
		if err != nil {
			return nil, fmt.Errorf("engine: rule products: %w", err)
		}
	}

	err = s.query(ctx, tx, `SELECT program_id, reward_product_id FROM promotion_rewards
		WHERE reward_type = 'product' AND reward_product_id IS NOT NULL`, nil, func(rows *sql.Rows) error {
		var prog, product int64
		if err := rows.Scan(&prog, &product); err != nil {
			return err
		}
		if pr := cat.programs[prog]; pr != nil {
			pr.freeProducts[product] = true
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("engine: rewards: %w", err)
	}

	var products []int64
	for _, l := range p.o.Lines {
		for _, id := range []int64{l.Product, l.RewardProduct} {
			if id != 0 {
				products = append(products, id)
			}
		}
	}
	if len(products) > 0 {
		err = s.query(ctx, tx, "SELECT id, categ_id FROM product_product WHERE "+idsIn(lite, "id"),
			[]any{idsArg(lite, products)}, func(rows *sql.Rows) error {
				var pr rules.Product
				if err := rows.Scan(&pr.ID, nullID{&pr.Category}); err != nil {
					return err
				}
				cat.catalog.Products[pr.ID] = pr
				return nil
			})
		if err != nil {
			return nil, fmt.Errorf("engine: products: %w", err)
		}
	}
	needTree := false
	for _, pr := range cat.programs {
		for _, r := range pr.Rules {
			needTree = needTree || r.Category != 0
		}
	}
	if !needTree {
		return cat, nil
	}
	err = s.query(ctx, tx, "SELECT id, parent_id FROM product_category", nil, func(rows *sql.Rows) error {
		var id, parent int64
		if err := rows.Scan(&id, nullID{&parent}); err != nil {
			return err
		}
		cat.catalog.Categories[id] = parent
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("engine: categories: %w", err)
	}
	return cat, nil
}

// dateCol scans a nullable date column (DATE on PostgreSQL, 'YYYY-MM-DD'
// TEXT on SQLite) as its calendar day at UTC midnight; NULL is zero.
type dateCol struct{ t *time.Time }

func (c dateCol) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		*c.t = time.Time{}
	case time.Time:
		*c.t = time.Date(x.Year(), x.Month(), x.Day(), 0, 0, 0, 0, time.UTC)
	case []byte:
		return c.Scan(string(x))
	case string:
		s := strings.TrimSpace(x)
		if len(s) > 10 {
			s = s[:10]
		}
		t, err := time.Parse(time.DateOnly, s)
		if err != nil {
			return fmt.Errorf("engine: date column %q", x)
		}
		*c.t = t
	default:
		return fmt.Errorf("engine: date column of type %T", v)
	}
	return nil
}
