package odootest

import (
	"cmp"
	"container/heap"
	"slices"
)

// pageRows orders rows by keys (then id) and returns rows[off:off+lim]
// (lim 0: to the end). A small page of many matches (the pull's 100,000
// partners, 2,000 a page) is selected with a bounded heap, O(n log k), not
// by sorting every match.
func pageRows(rows []map[string]any, keys []orderKey, off, lim int) []map[string]any {
	compare := func(a, b map[string]any) int {
		for _, k := range keys {
			c := orderCompare(a[k.field], b[k.field])
			if k.desc {
				c = -c
			}
			if c != 0 {
				return c
			}
		}
		return cmp.Compare(a["id"].(int64), b["id"].(int64))
	}
	off = max(off, 0)
	if lim <= 0 || off+lim >= len(rows)/4 {
		sortRows(rows, keys)
		rows = rows[min(off, len(rows)):]
		if lim > 0 && lim < len(rows) {
			rows = rows[:lim]
		}
		return rows
	}
	k := off + lim
	h := &rowHeap{cmp: compare}
	for _, r := range rows {
		if len(h.rows) < k {
			heap.Push(h, r)
		} else if compare(r, h.rows[0]) < 0 {
			h.rows[0] = r
			heap.Fix(h, 0)
		}
	}
	out := h.rows
	slices.SortFunc(out, compare)
	return out[min(off, len(out)):]
}

// rowHeap is a max-heap of rows under cmp: the root is the greatest kept.
type rowHeap struct {
	rows []map[string]any
	cmp  func(a, b map[string]any) int
}

func (h *rowHeap) Len() int           { return len(h.rows) }
func (h *rowHeap) Less(i, j int) bool { return h.cmp(h.rows[i], h.rows[j]) > 0 }
func (h *rowHeap) Swap(i, j int)      { h.rows[i], h.rows[j] = h.rows[j], h.rows[i] }
func (h *rowHeap) Push(x any)         { h.rows = append(h.rows, x.(map[string]any)) }
func (h *rowHeap) Pop() any {
	last := h.rows[len(h.rows)-1]
	h.rows = h.rows[:len(h.rows)-1]
	return last
}
