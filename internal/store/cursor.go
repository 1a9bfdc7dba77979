package store

import (
	"encoding/base64"
	"strings"
	"unicode/utf8"

	"github.com/tandemhq/tandem/internal/scrum"
)

// Page sizes.
const (
	DefaultPageSize = 50
	MaxPageSize     = 1000
)

func pageLimit(n int) int {
	switch {
	case n <= 0:
		return DefaultPageSize
	case n > MaxPageSize:
		return MaxPageSize
	}
	return n
}

// encodeCursor packs the sort key of the last row of a page. Cursors are
// opaque to clients but not secret: they only say where a list stopped.
func encodeCursor(parts ...string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strings.Join(parts, "\x00")))
}

// decodeCursor unpacks a cursor of exactly n parts; anything else is a 422
// naming the cursor field.
func decodeCursor(c string, n int) ([]string, error) {
	bad := scrum.Invalid("cursor", "cursor is not valid; pass the next_cursor of a previous page")
	if len(c) > 1024 {
		return nil, bad
	}
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || !utf8.Valid(b) {
		return nil, bad
	}
	parts := strings.Split(string(b), "\x00")
	if len(parts) != n {
		return nil, bad
	}
	return parts, nil
}

// EncodeCursor and DecodeCursor are exported for other packages' lists.
func EncodeCursor(parts ...string) string { return encodeCursor(parts...) }

// DecodeCursor unpacks a cursor made by EncodeCursor with n parts.
func DecodeCursor(c string, n int) ([]string, error) { return decodeCursor(c, n) }

func (d *Dialect) mapErr(err error) error {
	if err == nil || d.MapError == nil {
		return err
	}
	return d.MapError(err)
}
