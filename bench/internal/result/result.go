// Package result defines the JSON the load generator prints and the
// orchestrator reads, so the two processes agree on one shape.
package result

// Attack is the outcome of one HTTP attack (closed-loop or constant-rate).
// Latencies are in milliseconds and exact (computed from every response,
// not estimated).
type Attack struct {
	Target   string  `json:"target"`
	Mode     string  `json:"mode"` // "max-rate/32 workers" or "constant 200/s"
	Duration float64 `json:"duration_s"`
	Requests int     `json:"requests"`
	// WarmupRequests were sent before the measured run and are in no
	// other figure; they let a caller spread CPU time over every request.
	WarmupRequests int `json:"warmup_requests"`
	OK             int `json:"ok"` // 2xx and 3xx
	Errors         int `json:"errors"`
	// RPS is successful responses per second of attack.
	RPS   float64 `json:"rps"`
	Mean  float64 `json:"mean_ms"`
	P50   float64 `json:"p50_ms"`
	P90   float64 `json:"p90_ms"`
	P99   float64 `json:"p99_ms"`
	Max   float64 `json:"max_ms"`
	Bytes int64   `json:"bytes_in"`
	// Codes counts responses by status code ("0" is a transport error).
	Codes map[string]int `json:"codes"`
	// ErrorSamples are up to five distinct error messages.
	ErrorSamples []string `json:"error_samples,omitempty"`
}

// SwarmReady is the first line a swarm prints: every client that could
// connect has its stream open.
type SwarmReady struct {
	Phase     string  `json:"phase"` // "ready"
	Clients   int     `json:"clients"`
	Connected int     `json:"connected"`
	ConnectMS float64 `json:"connect_ms"` // until the last client was connected
	// With -settle: what all clients had read once the streams went quiet
	// (room-fill traffic, e.g. presence frames), and how long after every
	// client connected the last byte came.
	SettledBytes int64   `json:"settled_bytes,omitempty"`
	SettleMS     float64 `json:"settle_ms,omitempty"`
}

// Swarm is the final line a swarm prints.
type Swarm struct {
	Phase     string  `json:"phase"` // "done"
	Clients   int     `json:"clients"`
	Connected int     `json:"connected"`
	ConnectMS float64 `json:"connect_ms"`
	// Events are the counted events in the order clients received them;
	// event k is the k-th counted event on every client.
	Events []Event `json:"events"`
	// Complete is how many clients received every expected event.
	Complete int `json:"complete"`
	// Bytes is what each client read off its stream, headers excluded.
	Bytes []int64 `json:"bytes"`
	// Errors are clients that failed to connect or whose stream broke.
	Errors       int      `json:"errors"`
	ErrorSamples []string `json:"error_samples,omitempty"`
}

// Event is one event as the swarm saw it.
type Event struct {
	ID   string `json:"id"`   // the SSE id of the first client that got it
	Type string `json:"type"` // the SSE event type ("message" by default)
	// RecvNS holds each client's receive time in Unix nanoseconds, indexed
	// by client; 0 means the client never received it.
	RecvNS []int64 `json:"recv_ns"`
	// BytesAt (with -bytes-at) holds each client's bytes read when it
	// received the event.
	BytesAt []int64 `json:"bytes_at,omitempty"`
}
