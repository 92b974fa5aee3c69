package models

import (
	"context"
	"fmt"
	"maps"
)

// x2many write commands (protocol section 7): [0, 0, vals] create,
// [1, id, vals] update, [2, id, 0] delete, [3, id, 0] unlink, [4, id, 0]
// link, [5, 0, 0] clear, [6, 0, ids] set; a plain list of ids is SET,
// False/None is CLEAR, and inside a list a dict is CREATE and an id LINK.
// Records created, updated or deleted through commands are checked
// against the comodel's access rights.

type x2cmd struct {
	code int64
	id   int64
	vals map[string]any
	ids  []int64
}

// parseCommands normalises an x2many value into commands.
func parseCommands(m *Model, f *Field, v any) ([]x2cmd, error) {
	wrong := ValueErrorf("Wrong value for %s.%s: %s", m.Name, f.Name, reprPy(v))
	switch x := v.(type) {
	case nil, bool:
		if x == true {
			return nil, wrong
		}
		return []x2cmd{{code: 5}}, nil
	case []int64:
		return []x2cmd{{code: 6, ids: x}}, nil
	case []any:
		allIDs := len(x) > 0
		for _, e := range x {
			if _, ok := asID(e); !ok {
				allIDs = false
			}
		}
		if allIDs {
			ids, _ := parseIDs(x)
			return []x2cmd{{code: 6, ids: ids}}, nil
		}
		out := make([]x2cmd, 0, len(x))
		for _, e := range x {
			cmd, err := parseCommand(e)
			if err != nil {
				return nil, wrong
			}
			out = append(out, cmd)
		}
		return out, nil
	}
	return nil, wrong
}

func parseCommand(e any) (x2cmd, error) {
	bad := fmt.Errorf("bad command")
	switch x := e.(type) {
	case map[string]any:
		return x2cmd{code: 0, vals: x}, nil
	case []any:
		if len(x) == 0 {
			return x2cmd{}, bad
		}
		code, ok := asID(x[0])
		if !ok || code < 0 || code > 6 {
			return x2cmd{}, bad
		}
		cmd := x2cmd{code: code}
		at := func(i int) any {
			if i < len(x) {
				return x[i]
			}
			return nil
		}
		switch code {
		case 0, 1:
			vals, ok := at(2).(map[string]any)
			if !ok && at(2) != nil && at(2) != false {
				return x2cmd{}, bad
			}
			cmd.vals = vals
		case 6:
			ids, err := parseIDs(at(2))
			if err != nil {
				return x2cmd{}, bad
			}
			cmd.ids = ids
		}
		if code >= 1 && code <= 4 {
			if cmd.id, ok = asID(at(1)); !ok {
				return x2cmd{}, bad
			}
		}
		return cmd, nil
	}
	if id, ok := asID(e); ok {
		return x2cmd{code: 4, id: id}, nil
	}
	return x2cmd{}, bad
}

// applyX2many runs the commands of value v of field f for record id of m.
func (o *orm) applyX2many(ctx context.Context, m *Model, id int64, f *Field, v any) error {
	cmds, err := parseCommands(m, f, v)
	if err != nil {
		return err
	}
	cm := o.reg.modelOrNil(f.Relation)
	if cm == nil {
		return ValueErrorf("Wrong value for %s.%s: model %s is not available", m.Name, f.Name, f.Relation)
	}
	for _, cmd := range cmds {
		if err := o.runCommand(ctx, m, id, f, cm, cmd); err != nil {
			return err
		}
	}
	return nil
}

func (o *orm) runCommand(ctx context.Context, m *Model, id int64, f *Field, cm *Model, cmd x2cmd) error {
	switch cmd.code {
	case 0:
		if err := o.checkAccess(ctx, cm, OpCreate); err != nil {
			return err
		}
		vals := maps.Clone(cmd.vals)
		if vals == nil {
			vals = map[string]any{}
		}
		if f.Type == One2many {
			vals[f.RelationField] = id
		}
		nid, err := o.create(ctx, cm, vals)
		if err != nil || f.Type == One2many {
			return err
		}
		return o.link(ctx, m, f, cm, id, []int64{nid})
	case 1:
		if err := o.checkAccess(ctx, cm, OpWrite); err != nil {
			return err
		}
		return o.write(ctx, cm, []int64{cmd.id}, cmd.vals)
	case 2:
		if err := o.checkAccess(ctx, cm, OpUnlink); err != nil {
			return err
		}
		return o.unlink(ctx, cm, []int64{cmd.id})
	case 3:
		if f.Type == One2many {
			return o.detach(ctx, f, cm, []int64{cmd.id})
		}
		return o.execIDs(ctx, m, "DELETE FROM "+qi(f.RelTable)+" WHERE "+qi(f.RelColumn1)+" = "+fmt.Sprint(id)+
			" AND "+qi(f.RelColumn2), []int64{cmd.id})
	case 4:
		return o.link(ctx, m, f, cm, id, []int64{cmd.id})
	case 5, 6:
		if f.Type == Many2many {
			if err := o.execIDs(ctx, m, "DELETE FROM "+qi(f.RelTable)+" WHERE "+qi(f.RelColumn1), []int64{id}); err != nil {
				return err
			}
			if cmd.code == 6 {
				return o.link(ctx, m, f, cm, id, cmd.ids)
			}
			return nil
		}
		linked, err := o.referencing(ctx, cm, cm.Field(f.RelationField), []int64{id})
		if err != nil {
			return err
		}
		keep := map[int64]bool{}
		for _, k := range cmd.ids {
			keep[k] = true
		}
		var drop []int64
		for _, l := range linked {
			if !keep[l] {
				drop = append(drop, l)
			}
		}
		if err := o.detach(ctx, f, cm, drop); err != nil {
			return err
		}
		if cmd.code == 6 {
			return o.link(ctx, m, f, cm, id, cmd.ids)
		}
	}
	return nil
}

// link attaches targets to record id: the inverse many2one for a
// one2many, link rows for a many2many (missing targets are refused as a
// foreign key would).
func (o *orm) link(ctx context.Context, m *Model, f *Field, cm *Model, id int64, targets []int64) error {
	targets = uniqueIDs(targets)
	if len(targets) == 0 {
		return nil
	}
	if f.Type == One2many {
		if err := o.checkAccess(ctx, cm, OpWrite); err != nil {
			return err
		}
		return o.write(ctx, cm, targets, map[string]any{f.RelationField: id})
	}
	ex, err := o.existing(ctx, cm, targets)
	if err != nil {
		return err
	}
	if len(ex) != len(targets) {
		return fkError(m, f.RelTable+"_"+f.RelColumn2+"_fkey")
	}
	for _, t := range targets {
		q := "INSERT INTO " + qi(f.RelTable) + " (" + qi(f.RelColumn1) + ", " + qi(f.RelColumn2) +
			") VALUES (?, ?) ON CONFLICT DO NOTHING"
		if _, err := o.db.ExecContext(ctx, q, id, t); err != nil {
			return o.dbError(m, err)
		}
	}
	return nil
}

// detach removes one2many records from their parent: deleted when the
// inverse is ondelete cascade, their inverse emptied otherwise.
func (o *orm) detach(ctx context.Context, f *Field, cm *Model, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	inv := cm.Field(f.RelationField)
	if inv != nil && inv.OnDelete == "cascade" {
		if err := o.checkAccess(ctx, cm, OpUnlink); err != nil {
			return err
		}
		return o.unlink(ctx, cm, ids)
	}
	if err := o.checkAccess(ctx, cm, OpWrite); err != nil {
		return err
	}
	return o.write(ctx, cm, ids, map[string]any{f.RelationField: false})
}
