// Command bare serves the baselines the benchmarks compare Tandem with:
// the least a Go server can do for the same job, with no database (unless
// the job is the database), no auth and no middleware.
//
//	bare static -addr A -body FILE [-headers FILE]   the same bytes on every path
//	bare sqlite -addr A -db FILE -mode commit|group  POST /items inserts one row
//	bare sse    -addr A [-buffer 256]                GET /events, POST /publish
//
// Every mode answers GET /healthz with "ok\n".
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "bare:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New("usage: bare static|sqlite|sse [flags]")
	}
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:0", "listen address")
	var (
		h   http.Handler
		err error
	)
	switch args[0] {
	case "static":
		h, err = staticHandler(fs, args[1:])
	case "sqlite":
		var closeDB func() error
		h, closeDB, err = sqliteHandler(ctx, fs, args[1:])
		if err == nil {
			defer closeDB()
		}
	case "sse":
		h, err = sseHandler(fs, args[1:])
	default:
		return fmt.Errorf("unknown mode %q (want static, sqlite or sse)", args[0])
	}
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.Handle("/", h)
	return serve(ctx, *addr, mux)
}

func serve(ctx context.Context, addr string, h http.Handler) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = srv.Shutdown(shutdown)
	return nil
}
