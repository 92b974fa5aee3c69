package engine

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"github.com/uptrace/bun"

	"github.com/odoo-loyalty/loyaltyd/models"
)

// ProductMatcher decides the product_domain of loyalty rules: which of
// products a domain (a Python or JSON literal, as Odoo stores
// loyalty.rule.product_domain) selects. ProcessOrder asks it once per
// distinct non-trivial domain of the programs it evaluates, inside the
// order's transaction db.
type ProductMatcher interface {
	Match(ctx context.Context, db bun.IDB, domain string, products []int64) (map[int64]bool, error)
}

// RegistryProducts is the ProductMatcher of a served registry: it runs
// product.product's search with the domain AND ('id', 'in', products), as
// the superuser, in the caller's transaction.
type RegistryProducts struct {
	Registry *models.Registry
}

// Match implements ProductMatcher.
func (r RegistryProducts) Match(ctx context.Context, db bun.IDB, domain string, products []int64) (map[int64]bool, error) {
	out := make(map[int64]bool, len(products))
	if len(products) == 0 {
		return out, nil
	}
	parsed, err := ParseDomainLiteral(domain)
	if err != nil {
		return nil, err
	}
	m := r.Registry.Model("product.product")
	if m == nil {
		return nil, models.Internal(fmt.Errorf("engine: product.product is not registered"))
	}
	ids := make([]any, len(products))
	for i, id := range products {
		ids[i] = id
	}
	dom := append(parsed, []any{"id", "in", ids})
	env := &models.Env{Superuser: true, Context: map[string]any{}}
	call := &models.Call{Env: env, Model: m, Method: "search", Args: []any{dom}, Kwargs: map[string]any{},
		DB: db, Registry: r.Registry}
	res, err := models.GenericMethod("search")(models.WithEnv(ctx, env), call)
	if err != nil {
		return nil, err
	}
	found, ok := res.([]int64)
	if !ok {
		if list, isList := res.([]any); isList {
			for _, v := range list {
				if id, isID := v.(int64); isID {
					found = append(found, id)
				}
			}
		} else {
			return nil, models.Internal(fmt.Errorf("engine: product search returned %T", res))
		}
	}
	for _, id := range found {
		out[id] = true
	}
	return out, nil
}

// ParseDomainLiteral reads a domain as Odoo stores it in a Char field: a
// Python literal ("[('categ_id', 'child_of', 3), '|', ...]") or JSON. It
// gives lists for lists and tuples, strings, int64, float64, bool and nil
// (None, null). Anything else (a name such as uid, a call) is a ValueError.
func ParseDomainLiteral(s string) ([]any, error) {
	p := &pyLit{s: s}
	v, err := p.value(0)
	if err != nil {
		return nil, err
	}
	p.space()
	if p.i != len(p.s) {
		return nil, p.fail()
	}
	switch x := v.(type) {
	case []any:
		return x, nil
	case nil:
		return nil, nil
	}
	return nil, models.ValueErrorf("Invalid domain: %s", s)
}

// pyLit is a tiny reader of Python literals.
type pyLit struct {
	s string
	i int
}

const maxLiteralDepth = 32

func (p *pyLit) fail() error { return models.ValueErrorf("Invalid domain: %s", p.s) }

func (p *pyLit) space() {
	for p.i < len(p.s) && strings.ContainsRune(" \t\r\n", rune(p.s[p.i])) {
		p.i++
	}
}

func (p *pyLit) value(depth int) (any, error) {
	if depth > maxLiteralDepth {
		return nil, p.fail()
	}
	p.space()
	if p.i >= len(p.s) {
		return nil, p.fail()
	}
	switch c := p.s[p.i]; {
	case c == '[' || c == '(':
		closing := byte(']')
		if c == '(' {
			closing = ')'
		}
		p.i++
		list := []any{}
		for {
			p.space()
			if p.i < len(p.s) && p.s[p.i] == closing {
				p.i++
				return list, nil
			}
			v, err := p.value(depth + 1)
			if err != nil {
				return nil, err
			}
			list = append(list, v)
			p.space()
			if p.i < len(p.s) && p.s[p.i] == ',' {
				p.i++
				continue
			}
			if p.i < len(p.s) && p.s[p.i] == closing {
				p.i++
				return list, nil
			}
			return nil, p.fail()
		}
	case c == '\'' || c == '"':
		return p.str(c)
	case c == '-' || c == '+' || c == '.' || c >= '0' && c <= '9':
		j := p.i
		for j < len(p.s) && strings.IndexByte("+-.0123456789eE_", p.s[j]) >= 0 {
			j++
		}
		tok := strings.ReplaceAll(p.s[p.i:j], "_", "")
		p.i = j
		if n, err := strconv.ParseInt(tok, 10, 64); err == nil {
			return n, nil
		}
		if f, err := strconv.ParseFloat(tok, 64); err == nil {
			return f, nil
		}
		return nil, p.fail()
	default:
		j := p.i
		for j < len(p.s) && (p.s[j] == '_' || unicode.IsLetter(rune(p.s[j])) || unicode.IsDigit(rune(p.s[j]))) {
			j++
		}
		word := p.s[p.i:j]
		p.i = j
		switch word {
		case "True", "true":
			return true, nil
		case "False", "false":
			return false, nil
		case "None", "null":
			return nil, nil
		}
		return nil, p.fail()
	}
}

func (p *pyLit) str(quote byte) (any, error) {
	p.i++
	var b strings.Builder
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == quote:
			p.i++
			return b.String(), nil
		case c == '\\' && p.i+1 < len(p.s):
			p.i++
			switch e := p.s[p.i]; e {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'r':
				b.WriteByte('\r')
			case 'u':
				if p.i+4 < len(p.s) {
					if r, err := strconv.ParseUint(p.s[p.i+1:p.i+5], 16, 32); err == nil {
						b.WriteRune(rune(r))
						p.i += 4
						break
					}
				}
				return nil, p.fail()
			default:
				b.WriteByte(e)
			}
			p.i++
		default:
			b.WriteByte(c)
			p.i++
		}
	}
	return nil, p.fail()
}
