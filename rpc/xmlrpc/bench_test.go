package xmlrpc

import (
	"bytes"
	"io"
	"testing"
	"time"

	"github.com/odoo-loyalty/loyaltyd/models"
)

// benchCall is a search_read as Python's xmlrpc.client sends it.
const benchCall = `<?xml version='1.0'?>
<methodCall>
<methodName>execute_kw</methodName>
<params>
<param>
<value><string>peer</string></value>
</param>
<param>
<value><int>2</int></value>
</param>
<param>
<value><string>admin</string></value>
</param>
<param>
<value><string>loyalty.card</string></value>
</param>
<param>
<value><string>search_read</string></value>
</param>
<param>
<value><array><data>
<value><array><data>
<value><array><data>
<value><string>points</string></value>
<value><string>&gt;</string></value>
<value><int>0</int></value>
</data></array></value>
<value><array><data>
<value><string>program_id.active</string></value>
<value><string>=</string></value>
<value><boolean>1</boolean></value>
</data></array></value>
</data></array></value>
</data></array></value>
</param>
<param>
<value><struct>
<member>
<name>fields</name>
<value><array><data>
<value><string>code</string></value>
<value><string>points</string></value>
<value><string>partner_id</string></value>
<value><string>expiration_date</string></value>
</data></array></value>
</member>
<member>
<name>limit</name>
<value><int>10</int></value>
</member>
<member>
<name>order</name>
<value><string>id desc</string></value>
</member>
<member>
<name>context</name>
<value><struct>
<member>
<name>lang</name>
<value><string>en_US</string></value>
</member>
<member>
<name>tz</name>
<value><string>Europe/Brussels</string></value>
</member>
</struct></value>
</member>
</struct></value>
</param>
</params>
</methodCall>
`

func BenchmarkDecodeCall(b *testing.B) {
	doc := []byte(benchCall)
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := DecodeCall(bytes.NewReader(doc), Limits{}); err != nil {
			b.Fatal(err)
		}
	}
}

// searchReadRows is a 10-row, 5-field search_read answer.
func searchReadRows() []*models.Dict {
	rows := make([]*models.Dict, 10)
	for i := range rows {
		rows[i] = models.D(
			"id", int64(100+i),
			"code", "0444-1299-4c2"+string(rune('0'+i)),
			"points", dec("1234.50"),
			"partner_id", []any{int64(26), "Azure Interior, Brandon Freeman"},
			"expiration_date", time.Date(2030, 12, 31, 0, 0, 0, 0, time.UTC).Format(time.DateOnly),
		)
	}
	return rows
}

func BenchmarkEncodeResponse(b *testing.B) {
	rows := searchReadRows()
	var buf bytes.Buffer
	if err := EncodeResponse(&buf, rows); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(buf.Len()))
	b.ReportAllocs()
	for b.Loop() {
		if err := EncodeResponse(io.Discard, rows); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEncodeResponseMaps is the same answer as plain maps, whose keys
// must be sorted.
func BenchmarkEncodeResponseMaps(b *testing.B) {
	rows := make([]any, 0, 10)
	for _, r := range searchReadRows() {
		m := map[string]any{}
		for _, k := range r.Keys() {
			m[k], _ = r.Get(k)
		}
		rows = append(rows, m)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := EncodeResponse(io.Discard, rows); err != nil {
			b.Fatal(err)
		}
	}
}
