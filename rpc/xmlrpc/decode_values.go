package xmlrpc

import (
	"encoding/xml"
)

// params reads <params>: any number of <param>.
func (d *decoder) params(start xml.StartElement) ([]any, error) {
	out := make([]any, 0, 8)
	for {
		tok, err := d.next()
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Local != "param" {
				return nil, unknownTag(t)
			}
			v, err := d.param(t)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		case xml.EndElement:
			return out, d.closes(t, start)
		}
	}
}

// param reads <param>: exactly one <value>.
func (d *decoder) param(start xml.StartElement) (any, error) {
	var v any
	have := false
	for {
		tok, err := d.next()
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Local != "value" || have {
				return nil, unknownTag(t)
			}
			if v, err = d.value(t); err != nil {
				return nil, err
			}
			have = true
		case xml.EndElement:
			if err := d.closes(t, start); err != nil {
				return nil, err
			}
			if !have {
				return nil, responseError("param without value")
			}
			return v, nil
		}
	}
}

// value reads <value>: one typed element, or text only (a string). As in
// Python, text around a typed element is ignored.
func (d *decoder) value(start xml.StartElement) (any, error) {
	d.count++
	if d.count > d.lim.MaxElements {
		return nil, d.tooMany()
	}
	d.text = d.text[:0]
	var v any
	typed := false
	for {
		tok, err := d.next()
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.CharData:
			if !typed {
				d.text = append(d.text, t...)
			}
		case xml.StartElement:
			if typed {
				return nil, unknownTag(t)
			}
			typed = true
			if v, err = d.typed(t); err != nil {
				return nil, err
			}
		case xml.EndElement:
			if err := d.closes(t, start); err != nil {
				return nil, err
			}
			if !typed {
				return string(d.text), nil
			}
			return v, nil
		}
	}
}

// typed reads the element inside a <value>.
func (d *decoder) typed(t xml.StartElement) (any, error) {
	switch t.Name.Local {
	case "array":
		return d.array(t)
	case "struct":
		return d.structure(t)
	}
	text, err := d.leafText(t)
	if err != nil {
		return nil, err
	}
	switch t.Name.Local {
	case "string":
		return string(text), nil
	case "int", "i4", "i8", "i1", "i2", "biginteger":
		return parseInt(text)
	case "boolean":
		return parseBool(text)
	case "double", "float":
		return parseFloat(text)
	case "nil":
		return nil, nil
	case "bigdecimal":
		return parseDecimal(text)
	case "base64":
		return parseBase64(text)
	case "dateTime.iso8601":
		return parseDateTime(text)
	}
	return nil, unknownTag(t)
}

// array reads <array>: at most one <data> holding the values.
func (d *decoder) array(start xml.StartElement) (any, error) {
	if d.depth >= d.lim.MaxDepth {
		return nil, d.tooDeep()
	}
	d.depth++
	out := []any{}
	haveData := false
	for {
		tok, err := d.next()
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Local != "data" || haveData {
				return nil, unknownTag(t)
			}
			haveData = true
			if out, err = d.data(t, out); err != nil {
				return nil, err
			}
		case xml.EndElement:
			d.depth--
			return out, d.closes(t, start)
		}
	}
}

// data reads <data>: any number of <value>.
func (d *decoder) data(start xml.StartElement, out []any) ([]any, error) {
	for {
		tok, err := d.next()
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Local != "value" {
				return nil, unknownTag(t)
			}
			v, err := d.value(t)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		case xml.EndElement:
			return out, d.closes(t, start)
		}
	}
}

// structure reads <struct>: any number of <member>.
func (d *decoder) structure(start xml.StartElement) (any, error) {
	if d.depth >= d.lim.MaxDepth {
		return nil, d.tooDeep()
	}
	d.depth++
	out := make(map[string]any)
	for {
		tok, err := d.next()
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Local != "member" {
				return nil, unknownTag(t)
			}
			k, v, err := d.member(t)
			if err != nil {
				return nil, err
			}
			out[k] = v
		case xml.EndElement:
			d.depth--
			return out, d.closes(t, start)
		}
	}
}

// member reads <member>: a <name>, then a <value>.
func (d *decoder) member(start xml.StartElement) (string, any, error) {
	var name string
	var v any
	haveName, haveValue := false, false
	for {
		tok, err := d.next()
		if err != nil {
			return "", nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch {
			case t.Name.Local == "name" && !haveName:
				text, err := d.leafText(t)
				if err != nil {
					return "", nil, err
				}
				name, haveName = string(text), true
			case t.Name.Local == "value" && haveName && !haveValue:
				if v, err = d.value(t); err != nil {
					return "", nil, err
				}
				haveValue = true
			case t.Name.Local == "value" && !haveName:
				return "", nil, responseError("struct member without name")
			default:
				return "", nil, unknownTag(t)
			}
		case xml.EndElement:
			if err := d.closes(t, start); err != nil {
				return "", nil, err
			}
			if !haveName {
				return "", nil, responseError("struct member without name")
			}
			if !haveValue {
				return "", nil, responseError("struct member without value")
			}
			return name, v, nil
		}
	}
}
