package models

import (
	"math"
	"strings"
)

// A domain is Odoo's search condition: a list in prefix (Polish) notation
// of the operators '&', '|', '!' and leaves [left, operator, right], with
// '&' implied between consecutive terms. ParseDomain turns the wire value
// into an Expr tree the way Odoo's normalize_domain and distribute_not do;
// domain_sql.go turns a tree into SQL after checking it against a model.

// Limits that make huge or hostile domains fail cleanly.
const (
	maxDomainTerms = 10000 // tokens in a domain, sub-domains of any included
	maxDomainDepth = 100   // nesting of alternating operators after flattening
	maxAnyDepth    = 16    // nesting of 'any' sub-domains
)

// Expr is a parsed domain.
type Expr interface{ exprNode() }

// Const is the TRUE leaf [1, '=', 1] (true) or the FALSE leaf [0, '=', 1].
type Const bool

// BoolOp is an n-ary AND ("&") or OR ("|"); nested operators of the same
// kind are flattened.
type BoolOp struct {
	Op   string
	Args []Expr
}

// Not negates its argument. After parsing it only wraps leaves whose
// operator has no negation (=?, =like, =ilike, child_of, parent_of).
type Not struct{ Arg Expr }

// Leaf is one condition. Op is normalised: lower-cased, '<>' as '!=', '='
// or '!=' with a list right side as 'in'/'not in', 'in'/'not in' with a
// boolean as '='/'!='. Sub is the parsed right side of 'any'/'not any'.
type Leaf struct {
	Left  string
	Op    string
	Right any
	Sub   Expr
}

func (Const) exprNode()   {}
func (*BoolOp) exprNode() {}
func (*Not) exprNode()    {}
func (*Leaf) exprNode()   {}

// String formats the leaf as Odoo's messages show it: a Python tuple.
func (l *Leaf) String() string { return reprTuple(l.Left, l.Op, l.Right) }

// termOperators are Odoo 17's TERM_OPERATORS.
var termOperators = map[string]bool{
	"=": true, "!=": true, "<=": true, "<": true, ">": true, ">=": true, "=?": true,
	"=like": true, "=ilike": true, "like": true, "not like": true, "ilike": true,
	"not ilike": true, "in": true, "not in": true, "child_of": true, "parent_of": true,
	"any": true, "not any": true,
}

// negativeOperators are Odoo's NEGATIVE_TERM_OPERATORS.
var negativeOperators = map[string]bool{"!=": true, "not like": true, "not ilike": true, "not in": true}

// negation is Odoo's TERM_OPERATORS_NEGATION, used to push '!' into leaves.
var negation = map[string]string{
	"<": ">=", ">": "<=", "<=": ">", ">=": "<", "=": "!=", "!=": "=",
	"in": "not in", "like": "not like", "ilike": "not ilike",
	"not in": "in", "not like": "like", "not ilike": "ilike",
	"any": "not any", "not any": "any",
}

// ParseDomain parses a domain as a client sends it ([]any of operators and
// 3-element leaves). nil and False mean the empty domain (TRUE). Errors are
// Odoo's ValueErrors: "Domain ... is syntactically not correct." and
// "Invalid leaf ...".
func ParseDomain(v any) (Expr, error) {
	budget := maxDomainTerms
	return parseDomain(v, &budget, 0)
}

func parseDomain(v any, budget *int, anyDepth int) (Expr, error) {
	if v == nil || v == false {
		return Const(true), nil
	}
	list, ok := v.([]any)
	if !ok {
		return nil, ValueErrorf("Domains to normalize must have a 'domain' form: a list or tuple of domain components")
	}
	if len(list) == 0 {
		return Const(true), nil
	}
	*budget -= len(list)
	if *budget < 0 {
		return nil, ValueErrorf("Domain is too long: more than %d terms.", maxDomainTerms)
	}
	// The arity count of normalize_domain: it decides where the implicit
	// '&' go and whether the domain is complete.
	expected, implicit := 1, 0
	for _, tok := range list {
		if expected == 0 {
			implicit++
			expected = 1
		}
		switch tok {
		case "!":
		case "&", "|":
			expected++
		default:
			expected--
		}
	}
	if expected != 0 {
		return nil, ValueErrorf("Domain %s is syntactically not correct.", reprPy(list))
	}
	// Build the tree from the end, as a stack machine over prefix notation;
	// the implicit '&' sit in front of the whole list.
	stack := make([]Expr, 0, 8)
	for i := len(list) - 1; i >= -implicit; i-- {
		var tok any = "&"
		if i >= 0 {
			tok = list[i]
		}
		switch tok {
		case "!":
			if len(stack) < 1 {
				return nil, ValueErrorf("Domain %s is syntactically not correct.", reprPy(list))
			}
			stack[len(stack)-1] = negateExpr(stack[len(stack)-1])
		case "&", "|":
			if len(stack) < 2 {
				return nil, ValueErrorf("Domain %s is syntactically not correct.", reprPy(list))
			}
			a, b := stack[len(stack)-1], stack[len(stack)-2]
			stack = stack[:len(stack)-2]
			stack = append(stack, &BoolOp{Op: tok.(string), Args: []Expr{a, b}})
		default:
			e, err := parseLeaf(tok, budget, anyDepth)
			if err != nil {
				return nil, err
			}
			stack = append(stack, e)
		}
	}
	if len(stack) != 1 {
		return nil, ValueErrorf("Domain %s is syntactically not correct.", reprPy(list))
	}
	e := flattenExpr(stack[0])
	if exprDepth(e, 0) > maxDomainDepth {
		return nil, ValueErrorf("Domain is too deeply nested: more than %d levels.", maxDomainDepth)
	}
	return e, nil
}

// parseLeaf checks and normalises one leaf (Odoo's check_leaf and
// normalize_leaf).
func parseLeaf(tok any, budget *int, anyDepth int) (Expr, error) {
	elems, ok := tok.([]any)
	if !ok || len(elems) != 3 {
		if ok {
			return nil, ValueErrorf("Invalid leaf %s", reprTuple(elems...))
		}
		return nil, ValueErrorf("Invalid leaf %s", strPy(tok))
	}
	op, _ := elems[1].(string)
	op = strings.ToLower(op)
	if op == "<>" {
		op = "!="
	}
	if c, ok := constLeaf(elems); ok {
		return Const(c), nil
	}
	left, _ := elems[0].(string)
	if left == "" || !termOperators[op] {
		return nil, ValueErrorf("Invalid leaf %s", reprTuple(elems...))
	}
	right := elems[2]
	switch {
	case (op == "in" || op == "not in") && isBoolValue(right):
		op = map[string]string{"in": "=", "not in": "!="}[op]
	case (op == "=" || op == "!=") && isListValue(right):
		op = map[string]string{"=": "in", "!=": "not in"}[op]
	}
	l := &Leaf{Left: left, Op: op, Right: right}
	if op == "any" || op == "not any" {
		if anyDepth >= maxAnyDepth {
			return nil, ValueErrorf("Domain is too deeply nested: more than %d levels of 'any'.", maxAnyDepth)
		}
		if !isListValue(right) && right != nil && right != false {
			return nil, ValueErrorf("Invalid leaf %s", l)
		}
		sub, err := parseDomain(right, budget, anyDepth+1)
		if err != nil {
			return nil, err
		}
		l.Sub = sub
	}
	return l, nil
}

// constLeaf recognises (1, '=', 1) and (0, '=', 1); Python compares True
// equal to 1, so booleans and floats count too.
func constLeaf(elems []any) (value, ok bool) {
	op, _ := elems[1].(string)
	if op != "=" {
		return false, false
	}
	l, ok1 := constNumber(elems[0])
	r, ok2 := constNumber(elems[2])
	if !ok1 || !ok2 || r != 1 || (l != 0 && l != 1) {
		return false, false
	}
	return l == 1, true
}

func constNumber(v any) (float64, bool) {
	switch x := v.(type) {
	case bool:
		if x {
			return 1, true
		}
		return 0, true
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case float64:
		return x, !math.IsNaN(x)
	}
	return 0, false
}

func isBoolValue(v any) bool { _, ok := v.(bool); return ok }

func isListValue(v any) bool {
	switch v.(type) {
	case []any, []int64, []string:
		return true
	}
	return false
}

// combineExpr joins a and b under op, flattening same-operator children.
func combineExpr(op string, a, b Expr) Expr {
	out := &BoolOp{Op: op}
	for _, e := range []Expr{a, b} {
		if bo, ok := e.(*BoolOp); ok && bo.Op == op {
			out.Args = append(out.Args, bo.Args...)
		} else {
			out.Args = append(out.Args, e)
		}
	}
	return out
}

// flattenExpr merges nested operators of the same kind in one pass:
// &(&(a, b), c) becomes &(a, b, c).
func flattenExpr(e Expr) Expr {
	switch x := e.(type) {
	case *BoolOp:
		var args []Expr
		var walk func(Expr)
		walk = func(n Expr) {
			if b, ok := n.(*BoolOp); ok && b.Op == x.Op {
				for _, a := range b.Args {
					walk(a)
				}
				return
			}
			args = append(args, flattenExpr(n))
		}
		walk(x)
		return &BoolOp{Op: x.Op, Args: args}
	case *Not:
		return &Not{Arg: flattenExpr(x.Arg)}
	}
	return e
}

// negateExpr pushes a negation down as Odoo's distribute_not does: De Morgan
// on operators, negated operators on leaves, '!' kept only where a leaf's
// operator has no negation.
func negateExpr(e Expr) Expr {
	switch x := e.(type) {
	case Const:
		return !x
	case *Not:
		return x.Arg
	case *BoolOp:
		op := "|"
		if x.Op == "|" {
			op = "&"
		}
		out := &BoolOp{Op: op, Args: make([]Expr, len(x.Args))}
		for i, a := range x.Args {
			out.Args[i] = negateExpr(a)
		}
		return out
	case *Leaf:
		if n, ok := negation[x.Op]; ok {
			return &Leaf{Left: x.Left, Op: n, Right: x.Right, Sub: x.Sub}
		}
		return &Not{Arg: x}
	}
	return &Not{Arg: e}
}

// exprDepth is the operator nesting depth of e.
func exprDepth(e Expr, d int) int {
	switch x := e.(type) {
	case *BoolOp:
		best := d + 1
		for _, a := range x.Args {
			if n := exprDepth(a, d+1); n > best {
				best = n
			}
			if best > maxDomainDepth {
				return best
			}
		}
		return best
	case *Not:
		return exprDepth(x.Arg, d+1)
	}
	return d
}

// exprMentions reports whether a leaf of e (not inside an 'any' sub-domain)
// has left side name: Odoo's check before adding the active filter.
func exprMentions(e Expr, name string) bool {
	switch x := e.(type) {
	case *BoolOp:
		for _, a := range x.Args {
			if exprMentions(a, name) {
				return true
			}
		}
	case *Not:
		return exprMentions(x.Arg, name)
	case *Leaf:
		return x.Left == name
	}
	return false
}

// andExpr returns the conjunction of the non-TRUE expressions.
func andExpr(es ...Expr) Expr {
	var out Expr
	for _, e := range es {
		if c, ok := e.(Const); ok && bool(c) {
			continue
		}
		if out == nil {
			out = e
		} else {
			out = combineExpr("&", out, e)
		}
	}
	if out == nil {
		return Const(true)
	}
	return out
}
