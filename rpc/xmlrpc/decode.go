package xmlrpc

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Default limits, used for the zero (or a negative) field of Limits.
const (
	DefaultMaxDepth    = 64
	DefaultMaxElements = 1_000_000
)

// Limits bound what a request may contain. A zero or negative field means
// its default.
type Limits struct {
	// MaxDepth bounds the nesting of arrays and structs: a scalar param
	// is at depth 0, a value inside a top-level array at depth 1
	// (default 64).
	MaxDepth int
	// MaxElements bounds the total number of <value> elements
	// (default 1_000_000).
	MaxElements int
}

func (l Limits) withDefaults() Limits {
	if l.MaxDepth <= 0 {
		l.MaxDepth = DefaultMaxDepth
	}
	if l.MaxElements <= 0 {
		l.MaxElements = DefaultMaxElements
	}
	return l
}

// DecodeCall reads a <methodCall> document the way Odoo 17 does (Python's
// xmlrpc.client.loads) and returns the method name and the params.
//
// Values decode to: string (<string>, and an untyped <value> whose text,
// whitespace included, is the string), int64 (<int>, <i1>, <i2>, <i4>,
// <i8>, <biginteger>), float64 (<double>, <float>), bool (<boolean>, only
// "0" or "1"), decimal.Decimal (<bigdecimal>), nil (<nil/>), []any
// (<array>), map[string]any (<struct>, the last duplicate key wins),
// []byte (<base64>) and time.Time in UTC (<dateTime.iso8601>). Text is
// read with Python's rules: int(), float() and Decimal() strip
// whitespace and allow underscores between digits.
//
// Any problem is a *DecodeError: malformed XML, a DOCTYPE, a tag out of
// place, a bad scalar, an integer outside int64, or lim exceeded. An error
// of r itself is returned wrapped, not as a *DecodeError. DecodeCall never
// panics and its memory use is bounded by the input size and lim.
func DecodeCall(r io.Reader, lim Limits) (method string, params []any, err error) {
	d := newDecoder(r, lim)
	return d.call()
}

// decoder walks the raw token stream with a recursive descent that
// checks the XML-RPC structure and element matching itself.
type decoder struct {
	x       *xml.Decoder
	src     *errReader
	lim     Limits
	depth   int
	count   int
	started bool // a token has been read
	line    int  // where the last token started
	col     int
	text    []byte // scratch for the text of the element being read
}

func newDecoder(r io.Reader, lim Limits) *decoder {
	d := &decoder{lim: lim.withDefaults(), src: &errReader{}}
	var in io.Reader
	switch m := r.(type) {
	case *bytes.Reader:
		skipBOM(m)
		in = m // in memory: buffered already, fails only with io.EOF
	case *strings.Reader:
		skipBOM(m)
		in = m
	default:
		d.src.r = bufio.NewReader(r)
		if b, err := d.src.r.Peek(3); err == nil && string(b) == "\ufeff" {
			_, _ = d.src.r.Discard(3)
		}
		in = d.src
	}
	d.x = xml.NewDecoder(in)
	d.x.Strict = true
	d.x.CharsetReader = charsetReader
	return d
}

// next returns the next raw token, refusing declarations (<!DOCTYPE ...>,
// <!ENTITY ...>) and a misplaced XML declaration.
func (d *decoder) next() (xml.Token, error) {
	d.line, d.col = d.x.InputPos()
	tok, err := d.x.RawToken()
	if err != nil {
		return nil, d.tokenError(err)
	}
	first := !d.started
	d.started = true
	switch t := tok.(type) {
	case xml.Directive:
		return nil, d.expatAtToken("document type declarations are not allowed", 0)
	case xml.ProcInst:
		if t.Target == "xml" && !first {
			return nil, d.expatAtToken("XML or text declaration not at start of entity", 0)
		}
	}
	return tok, nil
}

func (d *decoder) tokenError(err error) error {
	if d.src.err != nil {
		return fmt.Errorf("xmlrpc: read request: %w", d.src.err)
	}
	if errors.Is(err, io.EOF) {
		return d.expat("no element found")
	}
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		_, col := d.x.InputPos()
		return expatError(expatMessage(se.Msg), se.Line, col-1)
	}
	if strings.Contains(err.Error(), "charset") {
		return d.expat("unknown encoding")
	}
	return d.expat("not well-formed (invalid token)")
}

// expatMessage turns a syntax error of encoding/xml into expat's words.
func expatMessage(msg string) string {
	switch {
	case strings.Contains(msg, "unexpected EOF"):
		return "unclosed token"
	case strings.Contains(msg, "invalid character entity &#"):
		return "reference to invalid character number"
	case strings.Contains(msg, "invalid character entity"):
		return "undefined entity"
	}
	return "not well-formed (invalid token)"
}

// expat reports msg at the current position.
func (d *decoder) expat(msg string) *DecodeError {
	line, col := d.x.InputPos()
	return expatError(msg, line, col-1)
}

// expatAtToken reports msg at the start of the last token, plus shift.
func (d *decoder) expatAtToken(msg string, shift int) *DecodeError {
	return expatError(msg, d.line, d.col-1+shift)
}

// call reads the whole document.
func (d *decoder) call() (string, []any, error) {
	root, err := d.prolog()
	if err != nil {
		return "", nil, err
	}
	if root.Name.Local != "methodCall" {
		return "", nil, responseError("unknown tag " + pyRepr(root.Name.Local) + ", expected 'methodCall'")
	}
	var method string
	haveMethod, params := false, []any(nil)
	for {
		tok, err := d.next()
		if err != nil {
			return "", nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch {
			case t.Name.Local == "methodName" && !haveMethod:
				text, err := d.leafText(t)
				if err != nil {
					return "", nil, err
				}
				method, haveMethod = string(text), true
			case t.Name.Local == "params" && params == nil:
				if params, err = d.params(t); err != nil {
					return "", nil, err
				}
			default:
				return "", nil, unknownTag(t)
			}
		case xml.EndElement:
			if err := d.closes(t, root); err != nil {
				return "", nil, err
			}
			if !haveMethod {
				return "", nil, responseError("methodCall without methodName")
			}
			if err := d.epilog(); err != nil {
				return "", nil, err
			}
			if params == nil {
				params = []any{}
			}
			return method, params, nil
		}
	}
}

// prolog skips what may precede the root element and returns it.
func (d *decoder) prolog() (xml.StartElement, error) {
	for {
		tok, err := d.next()
		if err != nil {
			return xml.StartElement{}, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			return t, nil
		case xml.CharData:
			if !isXMLSpace(t) {
				return xml.StartElement{}, d.expat("syntax error")
			}
		case xml.EndElement:
			return xml.StartElement{}, d.expat("syntax error")
		}
	}
}

// epilog checks that only whitespace, comments and processing
// instructions follow the root element.
func (d *decoder) epilog() error {
	for {
		d.line, d.col = d.x.InputPos()
		tok, err := d.x.RawToken()
		if errors.Is(err, io.EOF) && d.src.err == nil {
			return nil
		}
		if err != nil {
			return d.tokenError(err)
		}
		switch t := tok.(type) {
		case xml.Comment:
		case xml.ProcInst:
			if t.Target == "xml" {
				return d.expatAtToken("XML or text declaration not at start of entity", 0)
			}
		case xml.CharData:
			if !isXMLSpace(t) {
				return d.expatAtToken("junk after document element", 0)
			}
		default:
			return d.expatAtToken("junk after document element", 0)
		}
	}
}

func isXMLSpace(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			return false
		}
	}
	return true
}

// closes checks that end closes start, as expat does.
func (d *decoder) closes(end xml.EndElement, start xml.StartElement) error {
	if end.Name != start.Name {
		return d.expatAtToken("mismatched tag", 2)
	}
	return nil
}

func unknownTag(t xml.StartElement) *DecodeError {
	return responseError("unknown tag " + pyRepr(t.Name.Local))
}

// leafText returns the text of an element that must hold text only. The
// slice is valid until the next call.
func (d *decoder) leafText(start xml.StartElement) ([]byte, error) {
	d.text = d.text[:0]
	for {
		tok, err := d.next()
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.CharData:
			d.text = append(d.text, t...)
		case xml.StartElement:
			return nil, unknownTag(t)
		case xml.EndElement:
			return d.text, d.closes(t, start)
		}
	}
}

// tooMany is the error for a request over MaxElements.
func (d *decoder) tooMany() *DecodeError {
	return responseError("too many values: more than " + strconv.Itoa(d.lim.MaxElements))
}

// tooDeep is the error for a request over MaxDepth.
func (d *decoder) tooDeep() *DecodeError {
	return responseError("values nested deeper than " + strconv.Itoa(d.lim.MaxDepth))
}
