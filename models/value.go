package models

import (
	"bytes"
	"encoding/json"
)

// Dict is an ordered dictionary: Odoo answers are Python dicts whose key
// order clients see (read() puts "id" first, then the fields asked for), so
// results that are dicts are Dicts, and both codecs keep the order.
type Dict struct {
	keys []string
	vals map[string]any
}

// NewDict returns an empty Dict with room for n keys.
func NewDict(n int) *Dict { return &Dict{keys: make([]string, 0, n), vals: make(map[string]any, n)} }

// D builds a Dict from alternating keys and values: D("id", 1, "name", "x").
func D(kv ...any) *Dict {
	d := NewDict(len(kv) / 2)
	for i := 0; i+1 < len(kv); i += 2 {
		d.Set(kv[i].(string), kv[i+1])
	}
	return d
}

// Set sets key to v, appending key if it is new.
func (d *Dict) Set(key string, v any) {
	if _, ok := d.vals[key]; !ok {
		d.keys = append(d.keys, key)
	}
	d.vals[key] = v
}

// Get returns the value of key.
func (d *Dict) Get(key string) (any, bool) { v, ok := d.vals[key]; return v, ok }

// Delete removes key.
func (d *Dict) Delete(key string) {
	if _, ok := d.vals[key]; !ok {
		return
	}
	delete(d.vals, key)
	for i, k := range d.keys {
		if k == key {
			d.keys = append(d.keys[:i], d.keys[i+1:]...)
			break
		}
	}
}

// Keys returns the keys in insertion order.
func (d *Dict) Keys() []string { return d.keys }

// Len is the number of keys.
func (d *Dict) Len() int { return len(d.keys) }

// MarshalJSON writes the keys in order.
func (d *Dict) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range d.keys {
		if i > 0 {
			b.WriteString(", ")
		}
		kb, err := json.Marshal(k)
		if err != nil {
			return nil, err
		}
		b.Write(kb)
		b.WriteString(": ")
		vb, err := json.Marshal(d.vals[k])
		if err != nil {
			return nil, err
		}
		b.Write(vb)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}
