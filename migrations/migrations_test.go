package migrations

import (
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestEveryMigrationHasFourFiles(t *testing.T) {
	t.Parallel()
	ms := Migrations.Sorted()
	require.NotEmpty(t, ms)
	for _, m := range ms {
		for _, d := range []string{"pg", "sqlite"} {
			for _, dir := range []string{"up", "down"} {
				name := m.Name + "_" + m.Comment + "." + d + "." + dir + ".sql"
				b, err := sqlFiles.ReadFile(name)
				require.NoError(t, err, name)
				require.NotEmpty(t, statements(string(b)), name)
			}
		}
	}
}

var (
	createTableRE = regexp.MustCompile(`(?s)^CREATE TABLE (\w+) \((.*)\)`)
	addColumnRE   = regexp.MustCompile(`^ALTER TABLE (\w+) ADD COLUMN (\w+)`)
	renameTableRE = regexp.MustCompile(`^ALTER TABLE (\w+) RENAME TO (\w+)`)
	createIndexRE = regexp.MustCompile(`^CREATE (?:UNIQUE )?INDEX (\w+) ON (\w+) \(([^)]*)\)`)
)

// schemaOf lists, per table, its columns and per index its table and
// columns, as written in an up script.
func schemaOf(t *testing.T, script string) map[string]string {
	t.Helper()
	out := map[string]string{}
	// A table the script renames is the new copy of the SQLite table
	// rebuild procedure (create, copy, drop, rename): not a new table.
	rebuilt := map[string]bool{}
	for _, stmt := range statements(script) {
		if g := renameTableRE.FindStringSubmatch(stmt); g != nil {
			rebuilt[g[1]] = true
		}
	}
	for _, stmt := range statements(script) {
		if g := createTableRE.FindStringSubmatch(stmt); g != nil && !rebuilt[g[1]] {
			var cols []string
			for _, line := range strings.Split(g[2], "\n") {
				line = strings.TrimSpace(line)
				if f := strings.Fields(line); len(f) > 0 && !strings.HasPrefix(line, "PRIMARY") && !strings.HasPrefix(line, "UNIQUE") {
					cols = append(cols, strings.Trim(f[0], `"`))
				}
			}
			out["table "+g[1]] = strings.Join(cols, ",")
		}
		if g := addColumnRE.FindStringSubmatch(stmt); g != nil {
			out["column "+g[1]+"."+g[2]] = "added"
		}
		if g := createIndexRE.FindStringSubmatch(stmt); g != nil {
			out["index "+g[1]] = g[2] + "(" + g[3] + ")"
		}
	}
	return out
}

// TestDialectsAgree checks that both flavours of each migration create the
// same tables with the same columns in the same order, and the same
// indexes.
func TestDialectsAgree(t *testing.T) {
	t.Parallel()
	init := schemaOf(t, string(mustRead(t, "20261125000001_init.pg.up.sql")))
	require.Len(t, init, 20+16) // tables + indexes of the initial schema
	require.Equal(t, "loyalty_cards(partner_id)", init["index idx_loyalty_cards_partner"])
	for _, m := range Migrations.Sorted() {
		prefix := m.Name + "_" + m.Comment
		pg, err := sqlFiles.ReadFile(prefix + ".pg.up.sql")
		require.NoError(t, err)
		lite, err := sqlFiles.ReadFile(prefix + ".sqlite.up.sql")
		require.NoError(t, err)
		want := schemaOf(t, string(pg))
		require.NotEmpty(t, want, prefix)
		require.Equal(t, want, schemaOf(t, string(lite)), prefix)
	}
}

func mustRead(t *testing.T, name string) []byte {
	t.Helper()
	b, err := sqlFiles.ReadFile(name)
	require.NoError(t, err)
	return b
}

func TestStatements(t *testing.T) {
	t.Parallel()
	got := statements("-- comment\nCREATE TABLE a (\n  x INT\n);\n\nINSERT INTO a VALUES (1);\nSELECT 1")
	require.Equal(t, []string{"CREATE TABLE a (\n  x INT\n);", "INSERT INTO a VALUES (1);", "SELECT 1"}, got)
}
