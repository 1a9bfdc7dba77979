package postgres

import (
	"context"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
)

// Listen receives NOTIFY payloads (team ids) on Channel and calls changed
// for each until ctx ends. Each time LISTEN is in place — the first time
// too, since clients may have subscribed while it connected — it calls
// changed("") ("anything may have changed"), because notifications sent
// before are gone. After a lost connection it reconnects with back-off.
func Listen(ctx context.Context, dsn string, log *slog.Logger, changed func(teamID string)) {
	dsn = WithAppName(dsn)
	backoff := 100 * time.Millisecond
	for ctx.Err() == nil {
		conn, err := pgx.Connect(ctx, dsn)
		if err == nil {
			_, err = conn.Exec(ctx, "LISTEN "+Channel)
		}
		if err != nil {
			if conn != nil {
				conn.Close(context.Background())
			}
			if ctx.Err() != nil {
				return
			}
			log.Warn("listen for events: cannot connect", "err", err, "retry_in", backoff)
			select {
			case <-time.After(backoff):
			case <-ctx.Done():
				return
			}
			backoff = min(backoff*2, 5*time.Second)
			continue
		}
		backoff = 100 * time.Millisecond
		changed("")
		for {
			n, err := conn.WaitForNotification(ctx)
			if err != nil {
				if ctx.Err() == nil {
					log.Warn("listen for events: connection lost", "err", err)
				}
				break
			}
			changed(n.Payload)
		}
		conn.Close(context.Background())
	}
}
