package markdown

import "strings"

// linkURL is a URL that passed safeURL.
type linkURL struct {
	href     string // percent-escaped; still to be escaped for HTML
	external bool   // absolute http(s), or scheme-relative: another site
}

// safeURL checks a link destination that goldmark has already resolved and
// percent-escaped, so it holds no spaces or control bytes. It accepts
// relative URLs and the schemes http, https and mailto, and rejects every
// other scheme: an allow-list cannot be outwitted by a scheme nobody
// thought of.
//
// The scheme is read the way a browser reads it: letters, digits, '+', '-'
// and '.' after a leading letter, up to a ':' that comes before any '/', '?'
// or '#'. "java%09script:…", whose first segment holds a '%', has no scheme
// and is a relative path to a browser too. As a second line of defence, a
// URL that spells javascript: or vbscript: anywhere, or starts with data:,
// after percent-decoding and dropping whitespace and case, is rejected even
// when it parsed as relative.
func safeURL(escaped []byte) (linkURL, bool) {
	u := string(escaped)
	if suspicious(u) {
		return linkURL{}, false
	}
	switch scheme(u) {
	case "":
		// "//host/path" is scheme-relative; browsers read '\' as '/'.
		external := len(u) >= 2 && isSlash(u[0]) && isSlash(u[1])
		return linkURL{href: u, external: external}, true
	case "http", "https":
		return linkURL{href: u, external: true}, true
	case "mailto":
		return linkURL{href: u}, true
	}
	return linkURL{}, false
}

// scheme returns the lower-cased scheme of u, or "" if u is relative.
func scheme(u string) string {
	if u == "" || !isLetter(u[0]) {
		return ""
	}
	for i := 1; i < len(u); i++ {
		c := u[i]
		switch {
		case c == ':':
			return strings.ToLower(u[:i])
		case isLetter(c) || '0' <= c && c <= '9' || c == '+' || c == '-' || c == '.':
		default:
			return ""
		}
	}
	return ""
}

// suspicious reports whether u, percent-decoded, without whitespace or
// control characters and lower-cased, mentions a script scheme or starts
// with data:.
func suspicious(u string) bool {
	var b strings.Builder
	b.Grow(len(u))
	for i := 0; i < len(u); i++ {
		c := u[i]
		if c == '%' && i+2 < len(u) && isHex(u[i+1]) && isHex(u[i+2]) {
			c = unhex(u[i+1])<<4 | unhex(u[i+2])
			i += 2
		}
		if c <= ' ' || c == 0x7f {
			continue
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b.WriteByte(c)
	}
	s := b.String()
	return strings.Contains(s, "javascript:") || strings.Contains(s, "vbscript:") || strings.HasPrefix(s, "data:")
}

func isLetter(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

func isSlash(c byte) bool {
	return c == '/' || c == '\\'
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}
