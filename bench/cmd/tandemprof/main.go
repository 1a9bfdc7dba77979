// Command tandemprof is `tandem serve` for profiling, in the bench build
// only: the same server.App, plus net/http/pprof on a second loopback
// address, so a CPU or heap profile can be taken while ./bench/run.sh
// -profile loads it. The product binary never serves pprof.
//
//	tandemprof --addr 127.0.0.1:8080 --pprof-addr 127.0.0.1:6060 --data-dir DIR
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"runtime"
	"syscall"
	"time"

	"github.com/tandemhq/tandem/internal/server"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "tandemprof:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	var cfg server.Config
	flag.StringVar(&cfg.Addr, "addr", "127.0.0.1:8080", "listen address")
	flag.StringVar(&cfg.DataDir, "data-dir", "./tandem-data", "directory for the SQLite database")
	pprofAddr := flag.String("pprof-addr", "127.0.0.1:6060", "listen address of net/http/pprof")
	memRate := flag.Int("memprofilerate", 0, "runtime.MemProfileRate (0: Go's default, one sample per 512 KiB)")
	flag.Parse()
	if *memRate > 0 {
		runtime.MemProfileRate = *memRate
	}
	cfg.Log = slog.New(slog.NewTextHandler(os.Stderr, nil))

	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	psrv := &http.Server{Addr: *pprofAddr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = psrv.ListenAndServe() }()
	defer psrv.Close()

	server.TuneGC() // as tandem serve does
	app, err := server.Open(ctx, cfg)
	if err != nil {
		return err
	}
	defer app.Close()
	if _, err := app.Listen(); err != nil {
		return err
	}
	return app.Serve(ctx)
}
