package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"net/http"
	"os"
	"strings"
)

// staticHandler answers every request with the bytes of a response
// captured from Tandem: the same body and headers (Date and Content-Length
// are written by net/http, as for Tandem), computed once.
func staticHandler(fs *flag.FlagSet, args []string) (http.Handler, error) {
	bodyFile := fs.String("body", "", "file holding the response body")
	headerFile := fs.String("headers", "", "file of response headers, 'Name: value' a line")
	status := fs.Int("status", http.StatusOK, "response status")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if *bodyFile == "" {
		return nil, errors.New("static: -body is required")
	}
	body, err := os.ReadFile(*bodyFile)
	if err != nil {
		return nil, err
	}
	hdr := http.Header{}
	if *headerFile != "" {
		b, err := os.ReadFile(*headerFile)
		if err != nil {
			return nil, err
		}
		sc := bufio.NewScanner(bytes.NewReader(b))
		for sc.Scan() {
			name, value, ok := strings.Cut(sc.Text(), ":")
			if !ok {
				continue
			}
			hdr.Add(strings.TrimSpace(name), strings.TrimSpace(value))
		}
	}
	code := *status
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		for k, v := range hdr {
			h[k] = v
		}
		w.WriteHeader(code)
		_, _ = w.Write(body)
	}), nil
}
