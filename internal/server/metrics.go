package server

import (
	"database/sql"
	"net/http"
	"regexp"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics lives on its own registry, passed around rather than global.
type metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	panics   prometheus.Counter
}

func newMetrics(liveConns func() int, writeStats func() (commits, writes int64), dbs map[string]*sql.DB) *metrics {
	reg := prometheus.NewRegistry()
	m := &metrics{
		reg: reg,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tandem_http_requests_total", Help: "HTTP requests by route, method and status code.",
		}, []string{"route", "method", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "tandem_http_request_duration_seconds", Help: "HTTP request latency by route.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"route"}),
		panics: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "tandem_http_panics_total", Help: "Handler panics recovered.",
		}),
	}
	reg.MustRegister(m.requests, m.latency, m.panics,
		// go_gc_heap_live_bytes, the heap that survived the last GC, shows
		// a leak without the sawtooth of heap in use.
		collectors.NewGoCollector(collectors.WithGoCollectorRuntimeMetrics(
			collectors.GoRuntimeMetricsRule{Matcher: regexp.MustCompile(`^/gc/heap/live:bytes$`)})),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "tandem_live_connections", Help: "Open live event streams.",
		}, func() float64 { return float64(liveConns()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "tandem_store_commits_total", Help: "Database transactions committed by this instance.",
		}, func() float64 { c, _ := writeStats(); return float64(c) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "tandem_store_writes_total",
			Help: "Writes committed by this instance; over tandem_store_commits_total, the writes each commit carried.",
		}, func() float64 { _, w := writeStats(); return float64(w) }))
	for name, db := range dbs {
		reg.MustRegister(collectors.NewDBStatsCollector(db, name))
	}
	return m
}

func (m *metrics) observe(route, method string, code int, d time.Duration) {
	m.requests.WithLabelValues(route, method, itoa(code)).Inc()
	// Streams last minutes; they would only flatten the latency histogram.
	if route != "GET /api/v1/teams/{team}/events" {
		m.latency.WithLabelValues(route).Observe(d.Seconds())
	}
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}
