package odootest

import "maps"

// InsertMany adds records directly under one lock (fast enough for the
// 100,000-partner import benchmark), bypassing counters and faults, all with
// the clock's write_date; it returns the first id and the last.
func (s *Server) InsertMany(model string, vals []map[string]any) (first, last int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.tables[model]
	if t == nil {
		panic("odootest: model not installed: " + model)
	}
	now := s.now()
	for i, v := range vals {
		v, _ = normalize(v).(map[string]any)
		id := s.insert(t, v, now)
		if i == 0 {
			first = id
		}
		last = id
	}
	return first, last
}

// Write changes a record directly (as another Odoo user would), with the
// clock's write_date, bypassing counters and faults; it reports whether the
// record exists.
func (s *Server) Write(model string, id int64, vals map[string]any) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.tables[model]
	if t == nil || t.rows[id] == nil {
		return false
	}
	v, _ := normalize(vals).(map[string]any)
	r := t.rows[id]
	maps.Copy(r, v)
	r["id"] = id
	r["write_date"] = s.now()
	return true
}

// Delete removes records directly (an unlink by another user).
func (s *Server) Delete(model string, ids ...int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t := s.tables[model]; t != nil {
		for _, id := range ids {
			delete(t.rows, id)
		}
	}
}
