package models

import (
	"fmt"
	"strings"
)

// The SQL compiler: an Expr checked against a model becomes a condition
// with "?" placeholders (bun formats the arguments with the dialect's
// escaping). Every identifier in the SQL comes from a model descriptor:
// field names from a request only select descriptors, so none reaches
// the SQL. Differences between PostgreSQL and SQLite are confined to
// compiler.like (case-(in)sensitive matching), the values ToColumn gives
// and the NULLS clauses of orders.

// rootAlias is the alias of the searched table in compiled conditions.
const rootAlias = "t0"

// maxPathDepth bounds the rewrites of one leaf (dotted paths, related
// fields, display_name), so a cycle of related fields cannot loop.
const maxPathDepth = 16

// compiler holds the state of one compilation: arguments in placeholder
// order and the alias counter.
type compiler struct {
	reg     *Registry
	env     *Env
	dialect string
	args    []any
	nalias  int
	depth   int
}

func newCompiler(reg *Registry, env *Env, dialect string) *compiler {
	if env == nil {
		env = &Env{}
	}
	return &compiler{reg: reg, env: env, dialect: dialect, nalias: 1}
}

// Where compiles a domain as a client sends it into a SQL condition on m's
// table aliased "t0", with its arguments. Like Odoo's search it adds
// ('active', '=', True) when env.ActiveTest(), the model has an active
// field and the domain does not mention it. Errors are Odoo's ValueErrors
// (unknown fields, bad leaves).
func (r *Registry) Where(env *Env, m *Model, dialect string, domain any) (string, []any, error) {
	e, err := ParseDomain(domain)
	if err != nil {
		return "", nil, err
	}
	c := newCompiler(r, env, dialect)
	return c.where(m, e, true)
}

// where compiles e on m under rootAlias, with the active filter if asked.
func (c *compiler) where(m *Model, e Expr, activeTest bool) (string, []any, error) {
	if activeTest {
		e = c.withActive(m, e)
	}
	s, err := c.expr(m, rootAlias, e)
	if err != nil {
		return "", nil, err
	}
	return s, c.args, nil
}

// withActive adds Odoo's implicit ('active', '=', True) in front of e.
func (c *compiler) withActive(m *Model, e Expr) Expr {
	if !c.env.ActiveTest() || !m.HasActive() || exprMentions(e, "active") {
		return e
	}
	return andExpr(&Leaf{Left: "active", Op: "=", Right: true}, e)
}

func (c *compiler) newAlias() string {
	a := fmt.Sprintf("t%d", c.nalias)
	c.nalias++
	return a
}

func (c *compiler) arg(v any) string {
	c.args = append(c.args, v)
	return "?"
}

// qi quotes an identifier taken from a descriptor.
func qi(name string) string { return `"` + strings.ReplaceAll(name, `"`, `""`) + `"` }

// qcol is alias."column".
func qcol(alias, column string) string { return qi(alias) + "." + qi(column) }

func (c *compiler) expr(m *Model, alias string, e Expr) (string, error) {
	switch x := e.(type) {
	case Const:
		if x {
			return "TRUE", nil
		}
		return "FALSE", nil
	case *BoolOp:
		sep := " AND "
		if x.Op == "|" {
			sep = " OR "
		}
		parts := make([]string, len(x.Args))
		for i, a := range x.Args {
			s, err := c.expr(m, alias, a)
			if err != nil {
				return "", err
			}
			parts[i] = s
		}
		return "(" + strings.Join(parts, sep) + ")", nil
	case *Not:
		s, err := c.expr(m, alias, x.Arg)
		if err != nil {
			return "", err
		}
		return "(NOT " + s + ")", nil
	case *Leaf:
		return c.leaf(m, alias, x)
	}
	return "", Internal(fmt.Errorf("domain: unknown node %T", e))
}

func invalidFieldLeaf(m *Model, name string, l *Leaf) error {
	return ValueErrorf("Invalid field %s.%s in leaf %s", m.Name, name, l)
}

// leaf resolves the left side against m and dispatches on the field type.
func (c *compiler) leaf(m *Model, alias string, l *Leaf) (string, error) {
	c.depth++
	defer func() { c.depth-- }()
	if c.depth > maxPathDepth {
		return "", ValueErrorf("Invalid leaf %s", l)
	}
	if c.env.Version == 16 && (l.Op == "any" || l.Op == "not any") {
		return "", ValueErrorf("Invalid leaf %s", l)
	}
	name, rest, dotted := strings.Cut(l.Left, ".")
	f := m.Field(name)
	if f == nil {
		return "", invalidFieldLeaf(m, name, l)
	}
	switch {
	case name == "display_name" && !f.Stored():
		// Searched as the rec name, like Odoo's _search_display_name.
		if dotted || m.RecName == "" || m.RecName == "display_name" {
			return "", invalidFieldLeaf(m, name, l)
		}
		return c.leaf(m, alias, &Leaf{Left: m.RecName, Op: l.Op, Right: l.Right, Sub: l.Sub})
	case f.Related != "" && !f.Stored():
		left := f.Related
		if dotted {
			left += "." + rest
		}
		return c.leaf(m, alias, &Leaf{Left: left, Op: l.Op, Right: l.Right, Sub: l.Sub})
	case !f.Stored() && f.Type != One2many && f.Type != Many2many:
		return "", ValueErrorf("Non-stored field %s.%s cannot be searched.", m.Name, f.Name)
	}
	var cm *Model
	if f.Relational() {
		cm = c.reg.Model(f.Relation)
	}
	if dotted {
		// Odoo 17 rewrites a path as ('first', 'any', [('rest', op, right)]).
		if cm == nil {
			return "", invalidFieldLeaf(m, name, l)
		}
		sub := &Leaf{Left: rest, Op: l.Op, Right: l.Right, Sub: l.Sub}
		return c.anyOf(alias, f, cm, sub, false)
	}
	switch l.Op {
	case "any", "not any":
		if cm == nil {
			return "", invalidFieldLeaf(m, name, l)
		}
		return c.anyOf(alias, f, cm, l.Sub, l.Op == "not any")
	case "child_of", "parent_of":
		return c.hierarchy(m, alias, f, cm, l)
	}
	switch f.Type {
	case Many2one:
		return c.many2one(alias, f, cm, l)
	case One2many, Many2many:
		if cm == nil {
			return "", invalidFieldLeaf(m, name, l)
		}
		return c.x2many(alias, f, cm, l)
	}
	return c.plain(alias, f, l)
}

// anyOf is ('f', 'any', sub): the related records match sub. Many2one
// targets are searched without the active filter (as Odoo does), x2many
// targets with it.
func (c *compiler) anyOf(alias string, f *Field, cm *Model, sub Expr, negative bool) (string, error) {
	a := c.newAlias()
	switch f.Type {
	case Many2one:
		col := qcol(alias, f.Column)
		in := " IN "
		if negative {
			in = " NOT IN "
		}
		head := col + in + "(SELECT " + qcol(a, "id") + " FROM " + qi(cm.Table) + " AS " + qi(a) + " WHERE "
		cond, err := c.expr(cm, a, sub)
		if err != nil {
			return "", err
		}
		s := head + cond + ")"
		if negative {
			s = "(" + s + " OR " + col + " IS NULL)"
		}
		return s, nil
	case One2many:
		return c.existsO2M(alias, f, cm, a, negative, func() (string, error) {
			return c.expr(cm, a, c.withActive(cm, sub))
		})
	default:
		return c.existsM2M(alias, f, cm, negative, func(r string) (string, error) {
			head := qcol(r, f.RelColumn2) + " IN (SELECT " + qcol(a, "id") + " FROM " + qi(cm.Table) + " AS " + qi(a) + " WHERE "
			cond, err := c.expr(cm, a, c.withActive(cm, sub))
			return head + cond + ")", err
		})
	}
}

// existsO2M is [NOT] EXISTS (a comodel row pointing at the record and
// matching cond).
func (c *compiler) existsO2M(alias string, f *Field, cm *Model, a string, negative bool, cond func() (string, error)) (string, error) {
	inv := cm.Field(f.RelationField)
	if inv == nil || !inv.Stored() {
		return "", Internal(fmt.Errorf("domain: %s.%s: inverse %s is not stored", cm.Name, f.Name, f.RelationField))
	}
	exists := "EXISTS"
	if negative {
		exists = "NOT EXISTS"
	}
	s := exists + " (SELECT 1 FROM " + qi(cm.Table) + " AS " + qi(a) + " WHERE " +
		qcol(a, inv.Column) + " = " + qcol(alias, "id")
	if cond != nil {
		x, err := cond()
		if err != nil {
			return "", err
		}
		s += " AND " + x
	}
	return s + ")", nil
}

// existsM2M is [NOT] EXISTS (a link row of the record matching cond(r)).
func (c *compiler) existsM2M(alias string, f *Field, cm *Model, negative bool, cond func(r string) (string, error)) (string, error) {
	r := c.newAlias()
	exists := "EXISTS"
	if negative {
		exists = "NOT EXISTS"
	}
	s := exists + " (SELECT 1 FROM " + qi(f.RelTable) + " AS " + qi(r) + " WHERE " +
		qcol(r, f.RelColumn1) + " = " + qcol(alias, "id")
	if cond != nil {
		x, err := cond(r)
		if err != nil {
			return "", err
		}
		s += " AND " + x
	}
	return s + ")", nil
}
