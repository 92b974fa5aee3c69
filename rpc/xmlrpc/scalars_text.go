package xmlrpc

import (
	"strconv"
	"time"
	"unicode/utf8"
)

// The scalars that are not numbers: <base64> and <dateTime.iso8601>.

// parseBase64 follows base64.decodebytes(text.encode("ascii")): non-ASCII
// text is a UnicodeEncodeError, characters outside the alphabet are
// skipped, and a complete padding ends the data (binascii.a2b_base64 in
// its non-strict mode).
func parseBase64(text []byte) ([]byte, error) {
	for i, r := range string(text) {
		if r >= utf8.RuneSelf {
			pos := utf8.RuneCount(text[:i])
			return nil, &DecodeError{PyType: "UnicodeEncodeError", Msg: "'ascii' codec can't encode character " +
				pyCharEscape(r) + " in position " + strconv.Itoa(pos) + ": ordinal not in range(128)"}
		}
	}
	out := make([]byte, 0, len(text)*3/4)
	var quad, pads int
	var left byte
	for _, c := range text {
		if c == '=' {
			if quad >= 2 {
				pads++
				if quad+pads >= 4 {
					return out, nil
				}
			}
			continue
		}
		v := b64Value(c)
		if v < 0 {
			continue
		}
		pads = 0
		switch quad {
		case 0:
			left = byte(v)
		case 1:
			out = append(out, left<<2|byte(v)>>4)
			left = byte(v) & 0x0f
		case 2:
			out = append(out, left<<4|byte(v)>>2)
			left = byte(v) & 0x03
		case 3:
			out = append(out, left<<6|byte(v))
		}
		quad = (quad + 1) % 4
	}
	switch quad {
	case 0:
		return out, nil
	case 1:
		n := len(out)/3*4 + 1
		return nil, &DecodeError{PyType: "binascii.Error", Msg: "Invalid base64-encoded string: number of data characters (" +
			strconv.Itoa(n) + ") cannot be 1 more than a multiple of 4"}
	}
	return nil, &DecodeError{PyType: "binascii.Error", Msg: "Incorrect padding"}
}

func b64Value(c byte) int {
	switch {
	case c >= 'A' && c <= 'Z':
		return int(c - 'A')
	case c >= 'a' && c <= 'z':
		return int(c-'a') + 26
	case c >= '0' && c <= '9':
		return int(c-'0') + 52
	case c == '+':
		return 62
	case c == '/':
		return 63
	}
	return -1
}

// pyCharEscape renders a non-ASCII rune as Python's codec errors do.
func pyCharEscape(r rune) string {
	switch {
	case r < 0x100:
		return `'\x` + hex2(uint32(r), 2) + `'`
	case r < 0x10000:
		return `'\u` + hex2(uint32(r), 4) + `'`
	}
	return `'\U` + hex2(uint32(r), 8) + `'`
}

// parseDateTime reads a dateTime.iso8601 value: YYYYMMDDTHH:MM:SS as
// Python writes it, or with dashes (YYYY-MM-DD), or without colons
// (HHMMSS), each with optional fractional seconds and an optional "Z" or
// ±HH:MM / ±HHMM offset. The result is in UTC; no offset means UTC.
func parseDateTime(text []byte) (time.Time, error) {
	s := trimPySpace(text)
	p := dtParser{s: s}
	year := p.num(4)
	dash := p.opt('-')
	month := p.num(2)
	if dash {
		p.must('-')
	}
	day := p.num(2)
	p.must('T')
	hour := p.num(2)
	colon := p.opt(':')
	minute := p.num(2)
	if colon {
		p.must(':')
	}
	sec := p.num(2)
	nsec := 0
	if p.opt('.') || p.opt(',') {
		scale, n := 100_000_000, 0
		for p.i < len(p.s) && isDigit(p.s[p.i]) {
			nsec += int(p.s[p.i]-'0') * scale
			scale /= 10
			p.i++
			n++
		}
		if n == 0 {
			p.bad = true
		}
	}
	offset := 0
	switch {
	case p.opt('Z') || p.opt('z'):
	case p.i < len(p.s) && (p.s[p.i] == '+' || p.s[p.i] == '-'):
		neg := p.s[p.i] == '-'
		p.i++
		oh := p.num(2)
		p.opt(':')
		om := p.num(2)
		if oh > 23 || om > 59 {
			p.bad = true
		}
		offset = (oh*60 + om) * 60
		if neg {
			offset = -offset
		}
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, nsec, time.UTC)
	if p.bad || p.i != len(p.s) || t.Month() != time.Month(month) || t.Day() != day ||
		t.Hour() != hour || t.Minute() != minute || t.Second() != sec {
		return time.Time{}, &DecodeError{PyType: "ValueError",
			Msg: "time data " + pyRepr(string(s)) + " does not match format '%Y%m%dT%H:%M:%S'"}
	}
	return t.Add(-time.Duration(offset) * time.Second), nil
}

// dtParser reads fixed-width fields; any mismatch sets bad.
type dtParser struct {
	s   []byte
	i   int
	bad bool
}

func (p *dtParser) num(width int) int {
	n := 0
	for k := 0; k < width; k++ {
		if p.i >= len(p.s) || !isDigit(p.s[p.i]) {
			p.bad = true
			return 0
		}
		n = n*10 + int(p.s[p.i]-'0')
		p.i++
	}
	return n
}

func (p *dtParser) opt(c byte) bool {
	if p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		return true
	}
	return false
}

func (p *dtParser) must(c byte) {
	if !p.opt(c) {
		p.bad = true
	}
}
