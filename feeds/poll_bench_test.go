package feeds

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"newsbot/store"
	"newsbot/store/sqlite"
)

// BenchmarkPollRound10k polls 10,000 feeds served from loopback (100
// servers, so the per-host limit applies as it would across real sites) in
// one round: 90% answer 304, 10% have a new item. It reports feeds per
// second and the peak heap.
//
//	go test -run '^$' -bench PollRound10k -benchtime 1x ./feeds/
func BenchmarkPollRound10k(b *testing.B) {
	const nFeeds, nServers = 10000, 100
	var changed atomic.Int64
	round := atomic.Int64{}
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var id int
		fmt.Sscanf(r.URL.Path, "/f/%d.xml", &id)
		rn := round.Load()
		etag := fmt.Sprintf(`"r%d"`, rn)
		if id%10 != 0 { // unchanged feeds keep their first version
			etag = `"r0"`
		}
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		changed.Add(1)
		w.Header().Set("ETag", etag)
		fmt.Fprintf(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>Feed %d</title>`, id)
		for k := int64(0); k <= rn; k++ {
			fmt.Fprintf(w, `<item><guid>%d-%d</guid><title>Item %d</title><link>http://example.invalid/%d/%d</link><description>%s</description></item>`,
				id, k, k, id, k, strings.Repeat(pollStoryText, 4))
		}
		io.WriteString(w, `</channel></rss>`)
	})
	servers := make([]*httptest.Server, nServers)
	for i := range servers {
		servers[i] = httptest.NewServer(handler)
		defer servers[i].Close()
	}
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	now := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	clk := &clock{t: now}
	st.Now = clk.Now
	for i := range nFeeds {
		_, err := st.Subscribe(ctx, store.NewSubscription{
			GuildID: "g", ChannelID: fmt.Sprint("c", i%50), CreatedBy: "u",
			Feed: store.Feed{URL: fmt.Sprintf("%s/f/%d.xml", servers[i%nServers].URL, i)}, NextPollAt: now,
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	fetcher := NewFetcher(Config{AllowPrivate: true})
	p := &Poller{
		Store: st, Fetcher: fetcher, Articles: &Builder{Fetcher: fetcher, Offline: true, Now: clk.Now},
		Interval: 10 * time.Minute, Workers: 64, Owner: "bench", Lease: time.Minute, Sentences: 3,
		Now: clk.Now, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	// A first round fetches everything and stores validators.
	if n, err := p.PollDue(ctx); err != nil || n != nFeeds {
		b.Fatalf("warm-up round polled %d, %v", n, err)
	}
	var peak atomic.Uint64
	stop := make(chan struct{})
	go func() {
		var ms runtime.MemStats
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	b.ResetTimer()
	start := time.Now()
	polled := 0
	for range b.N {
		round.Add(1)
		changed.Store(0)
		clk.Add(time.Hour)
		n, err := p.PollDue(ctx)
		if err != nil {
			b.Fatal(err)
		}
		polled += n
	}
	b.StopTimer()
	close(stop)
	b.ReportMetric(float64(polled)/time.Since(start).Seconds(), "feeds/s")
	b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MiB")
	b.ReportMetric(float64(changed.Load()), "changed/round")
}
