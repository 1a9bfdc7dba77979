package sqlite_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/tandemhq/tandem/internal/password"
	"github.com/tandemhq/tandem/internal/scrum"
	"github.com/tandemhq/tandem/internal/store"
	"github.com/tandemhq/tandem/internal/store/sqlite"
	"github.com/tandemhq/tandem/internal/storetest"
)

// benchTeam is a store with a service and a team of a PO and a developer.
func benchTeam(b *testing.B) (*store.Store, *scrum.Service, string, scrum.Actor, string) {
	b.Helper()
	dir := b.TempDir()
	s, err := sqlite.Open(context.Background(), filepath.Join(dir, "bench.db"), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	svc, _ := scrum.NewService(scrum.Config{Store: s, Hasher: password.New(password.Fast)})
	po := storetest.MustUserB(b, s, "Priya")
	team := storetest.MustTeamB(b, s, "Bench", po)
	return s, svc, team.ID, scrum.Actor{User: po}, filepath.Join(dir, "bench.db")
}

// BenchmarkCreateItem creates items through the service (roster check,
// rank, number, item row, labels, FTS, event) from parallel clients, as
// the API does; group commit batches them.
func BenchmarkCreateItem(b *testing.B) {
	for _, clients := range []int{1, 16} {
		b.Run(fmt.Sprint("clients=", clients), func(b *testing.B) {
			_, svc, team, po, path := benchTeam(b)
			ctx := context.Background()
			var n atomic.Int64
			b.SetParallelism(clients)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					i := n.Add(1)
					if _, err := svc.CreateItem(ctx, po, team, scrum.ItemInput{Title: fmt.Sprint("Item ", i),
						Labels: []string{"bench"}, AcceptanceCriteria: []scrum.Criterion{{Text: "works"}}}); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.StopTimer()
			if fi, err := os.Stat(path + "-wal"); err == nil {
				b.ReportMetric(float64(fi.Size())/(1<<20), "wal-MiB")
			}
		})
	}
}

// BenchmarkListItems reads the first page (100) and a 1,000-item page of a
// 10,000-item backlog.
func BenchmarkListItems(b *testing.B) {
	s, svc, team, po, _ := benchTeam(b)
	storetest.FillBacklog(b, s, svc, po, team, 10000)
	ctx := context.Background()
	for _, limit := range []int{100, 1000} {
		b.Run(fmt.Sprint("limit=", limit), func(b *testing.B) {
			for b.Loop() {
				its, _, err := svc.Items(ctx, po, team, scrum.ItemFilter{}, scrum.Page{Limit: limit})
				if err != nil || len(its) != limit {
					b.Fatal(len(its), err)
				}
			}
		})
	}
}

// BenchmarkMove moves items of a 10,000-item backlog to random places.
func BenchmarkMove(b *testing.B) {
	s, svc, team, po, _ := benchTeam(b)
	ids := storetest.FillBacklog(b, s, svc, po, team, 10000)
	ctx := context.Background()
	i := 0
	for b.Loop() {
		it, ref := ids[(i*7919)%len(ids)], ids[(i*104729+1)%len(ids)]
		i++
		if it == ref {
			continue
		}
		if _, err := svc.MoveItem(ctx, po, team, it, scrum.Move{Before: ref}, 0); err != nil {
			b.Fatal(err)
		}
	}
}
