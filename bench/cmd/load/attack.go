package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/tandemhq/tandem/bench/internal/result"
	"github.com/tandemhq/tandem/bench/internal/stats"
)

func attack(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("attack", flag.ContinueOnError)
	fs.SetOutput(stderr)
	url := fs.String("url", "", "target URL")
	method := fs.String("method", "GET", "HTTP method")
	body := fs.String("body", "", "request body")
	bodyFile := fs.String("body-file", "", "read the request body from this file")
	var headers headerFlags
	fs.Var(&headers, "header", "request header 'Name: value' (repeatable)")
	workers := fs.Int("workers", 32, "concurrent workers (with -rate 0, exactly this many requests in flight)")
	rate := fs.Int("rate", 0, "requests per second; 0 = as fast as the server answers (closed loop)")
	duration := fs.Duration("duration", 10*time.Second, "measured attack length")
	warmup := fs.Duration("warmup", time.Second, "unmeasured attack before the measured one")
	timeout := fs.Duration("timeout", 30*time.Second, "per-request timeout")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *url == "" {
		return errors.New("attack: -url is required")
	}
	if *workers < 1 {
		return errors.New("attack: -workers must be at least 1")
	}
	tgt := vegeta.Target{Method: *method, URL: *url, Header: http.Header{}}
	headers.apply(tgt.Header.Add)
	tgt.Body = []byte(*body)
	if *bodyFile != "" {
		b, err := os.ReadFile(*bodyFile)
		if err != nil {
			return err
		}
		tgt.Body = b
	}
	// One client for warm-up and measurement, so the measured run starts
	// on open connections.
	client := &http.Client{Timeout: *timeout, Transport: &http.Transport{
		MaxIdleConnsPerHost: *workers * 2,
		DisableCompression:  true,
		IdleConnTimeout:     time.Minute,
	}}
	a := attacker{client: client, target: tgt, workers: *workers, rate: *rate}
	warm := 0
	if *warmup > 0 {
		w, err := a.run(ctx, *warmup)
		if err != nil {
			return err
		}
		warm = w.Requests
	}
	res, err := a.run(ctx, *duration)
	if err != nil {
		return err
	}
	res.WarmupRequests = warm
	return json.NewEncoder(stdout).Encode(res)
}

type attacker struct {
	client  *http.Client
	target  vegeta.Target
	workers int
	rate    int
}

func (a attacker) run(ctx context.Context, d time.Duration) (result.Attack, error) {
	opts := []func(*vegeta.Attacker){vegeta.Client(a.client), vegeta.Workers(uint64(a.workers))}
	pacer := vegeta.Rate{}
	mode := fmt.Sprintf("max-rate/%d workers", a.workers)
	if a.rate > 0 {
		pacer = vegeta.Rate{Freq: a.rate, Per: time.Second}
		mode = fmt.Sprintf("constant %d/s", a.rate)
	} else {
		opts = append(opts, vegeta.MaxWorkers(uint64(a.workers)))
	}
	atk := vegeta.NewAttacker(opts...)
	stop := context.AfterFunc(ctx, func() { atk.Stop() })
	defer stop()

	res := result.Attack{Target: a.target.Method + " " + a.target.URL, Mode: mode, Codes: map[string]int{}}
	lat := make([]time.Duration, 0, 1<<16)
	seen := map[string]bool{}
	start := time.Now()
	for r := range atk.Attack(vegeta.NewStaticTargeter(a.target), pacer, d, "bench") {
		res.Requests++
		res.Codes[strconv.Itoa(int(r.Code))]++
		res.Bytes += int64(r.BytesIn)
		lat = append(lat, r.Latency)
		if r.Code >= 200 && r.Code < 400 && r.Error == "" {
			res.OK++
			continue
		}
		res.Errors++
		msg := r.Error
		if msg == "" {
			msg = "status " + strconv.Itoa(int(r.Code))
		}
		if !seen[msg] && len(seen) < 5 {
			seen[msg] = true
			res.ErrorSamples = append(res.ErrorSamples, msg)
		}
	}
	elapsed := time.Since(start)
	if err := ctx.Err(); err != nil {
		return res, err
	}
	if res.Requests == 0 {
		return res, errors.New("attack: no request was made")
	}
	res.Duration = elapsed.Seconds()
	res.RPS = float64(res.OK) / elapsed.Seconds()
	var total time.Duration
	for _, l := range lat {
		total += l
	}
	res.Mean = float64(total) / float64(len(lat)) / float64(time.Millisecond)
	ps := stats.DurationPercentiles(lat, 50, 90, 99, 100)
	res.P50, res.P90, res.P99, res.Max = ps[0], ps[1], ps[2], ps[3]
	return res, nil
}
