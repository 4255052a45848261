package feeds

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// BenchmarkHostileFeedMemory fetches and builds each hostile feed the way
// the poller does (fetch with the body cap, parse, plain text, summary) and
// reports the peak heap and, on Linux, the peak resident memory of the
// whole process during the run:
//
//	go test ./feeds -run '^$' -bench HostileFeedMemory -benchtime 1x
func BenchmarkHostileFeedMemory(b *testing.B) {
	for _, hf := range hostileFeeds {
		b.Run(hf.name, func(b *testing.B) {
			benchHostile(b, []hostileFeed{hf})
		})
	}
	// Four at once, as four poller workers would: the four that were
	// worst before the bound (the deep XML ones), and the four that are
	// worst now (all parsed, none refused).
	pick := func(names ...string) []hostileFeed {
		var out []hostileFeed
		for _, hf := range hostileFeeds {
			if slices.Contains(names, hf.name) {
				out = append(out, hf)
			}
		}
		return out
	}
	b.Run("four-at-once-deep", func(b *testing.B) {
		benchHostile(b, pick("rss-xml-nested-b", "rss-cdata-flat-tags", "atom-html-nested-b", "atom-xhtml-nested-div"))
	})
	b.Run("four-at-once-parsed", func(b *testing.B) {
		benchHostile(b, pick("rss-cdata-nested-b", "rss-escaped-nested-b", "rss-cdata-flat-tags", "rss-huge-title"))
	})
}

func benchHostile(b *testing.B, list []hostileFeed) {
	f := NewFetcher(Config{AllowPrivate: true, Timeout: time.Minute, PerHost: len(list)})
	builder := &Builder{Fetcher: f, Offline: true}
	urls := make([]string, len(list))
	for i, hf := range list {
		urls[i] = serveBytes(b, hf.body(DefaultMaxBodyBytes))
	}
	peak := startPeak()
	for b.Loop() {
		var wg sync.WaitGroup
		for _, u := range urls {
			wg.Go(func() {
				res, err := f.FetchFeed(context.Background(), u, Validators{})
				if err != nil {
					b.Logf("refused: %v", err)
					return
				}
				for _, it := range res.Feed.Items {
					builder.Article(context.Background(), it, 3)
				}
			})
		}
		wg.Wait()
	}
	heap, rss := peak.stop()
	b.ReportMetric(float64(heap)/(1<<20), "peak-heap-MB")
	if rss > 0 {
		b.ReportMetric(float64(rss)/(1<<20), "peak-rss-MB")
	}
}

// serveBytes serves body on a loopback server and returns its URL.
func serveBytes(b *testing.B, body []byte) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/xml")
		_, _ = w.Write(body)
	}))
	b.Cleanup(srv.Close)
	return srv.URL
}

// peakMeter samples the live heap until stopped; the process's resident
// high-water mark is reset at the start (Linux: /proc/self/clear_refs).
type peakMeter struct {
	done chan struct{}
	wg   sync.WaitGroup
	max  uint64
}

func startPeak() *peakMeter {
	runtime.GC()
	debug.FreeOSMemory()
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
	p := &peakMeter{done: make(chan struct{})}
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	p.wg.Go(func() {
		t := time.NewTicker(200 * time.Microsecond)
		defer t.Stop()
		for {
			metrics.Read(sample)
			p.max = max(p.max, sample[0].Value.Uint64())
			select {
			case <-p.done:
				return
			case <-t.C:
			}
		}
	})
	return p
}

// stop returns the peak heap and the peak resident set (0 if unknown).
func (p *peakMeter) stop() (heap, rss uint64) {
	close(p.done)
	p.wg.Wait()
	return p.max, vmHWM()
}

// vmHWM reads the resident high-water mark from /proc/self/status.
func vmHWM() uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}
