package store

import (
	"strings"
	"testing"
)

func TestAnonymous(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`SELECT 1`, `SELECT 1`},
		{`INSERT INTO t (a, b) VALUES ($1, $2)`, `INSERT INTO t (a, b) VALUES (?, ?)`},
		{`UPDATE t SET a = $1 WHERE id = $2 AND v = $3`, `UPDATE t SET a = ? WHERE id = ? AND v = ?`},
		// Used twice or out of order: numbering matters, keep it.
		{`SELECT a FROM t WHERE x = $1 OR y = $1`, `SELECT a FROM t WHERE x = $1 OR y = $1`},
		{`SELECT a FROM t WHERE x = $2 AND y = $1`, `SELECT a FROM t WHERE x = $2 AND y = $1`},
		// $ inside quotes is text, not a parameter.
		{`SELECT json_extract(c, '$.text') FROM t WHERE id = $1`, `SELECT json_extract(c, '$.text') FROM t WHERE id = ?`},
		{`SELECT "$1" FROM t WHERE id = $1`, `SELECT "$1" FROM t WHERE id = ?`},
		{`SELECT 'it''s $1' FROM t WHERE id = $1`, `SELECT 'it''s $1' FROM t WHERE id = ?`},
		// Ten and more.
		{`VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)`, `VALUES (?,?,?,?,?,?,?,?,?,?,?)`},
		{`VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$11)`, `VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$11)`},
		// Anything odd is left as it was.
		{`SELECT $ FROM t`, `SELECT $ FROM t`},
		{`SELECT 'unterminated $1`, `SELECT 'unterminated $1`},
		{`SELECT a -- $1` + "\n" + `FROM t WHERE id = $1`, `SELECT a -- $1` + "\n" + `FROM t WHERE id = $1`},
		{`SELECT a - $1 FROM t`, `SELECT a - ? FROM t`},
		{`SELECT a /* $1 */ FROM t WHERE id = $1`, `SELECT a /* $1 */ FROM t WHERE id = $1`},
		{`SELECT a / $1 FROM t`, `SELECT a / ? FROM t`},
		{`SELECT [odd $1] FROM t WHERE id = $1`, `SELECT [odd $1] FROM t WHERE id = ?`},
		{`SELECT a FROM t WHERE x = ? AND y = $1`, `SELECT a FROM t WHERE x = ? AND y = $1`},
		{`SELECT '?' FROM t WHERE id = $1`, `SELECT '?' FROM t WHERE id = ?`},
	} {
		if got := anonymous(c.in); got != c.want {
			t.Errorf("anonymous(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// FuzzAnonymous: whatever the text, the rewrite either leaves it alone or
// turns n placeholders into n question marks and nothing else, and a
// rewritten query has nothing left to rewrite.
func FuzzAnonymous(f *testing.F) {
	for _, s := range []string{`INSERT INTO t (a, b) VALUES ($1, $2)`, `SELECT json_extract(c, '$.x') FROM t WHERE id = $1`,
		`SELECT a FROM t WHERE x = $2 AND y = $1`, `SELECT [a$1] FROM t WHERE b = $1 -- $2`, `VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := anonymous(in)
		if out == in {
			return
		}
		dollars := strings.Count(in, "$") - strings.Count(out, "$")
		marks := strings.Count(out, "?") - strings.Count(in, "?")
		if dollars <= 0 || dollars != marks || len(out) >= len(in) {
			t.Fatalf("anonymous(%q) = %q: %d placeholders gone, %d question marks added", in, out, dollars, marks)
		}
		if again := anonymous(out); again != out {
			t.Fatalf("anonymous(%q) = %q, then %q", in, out, again)
		}
	})
}
