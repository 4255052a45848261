package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/joho/godotenv"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"golang.org/x/sync/errgroup"

	"newsbot/bot"
	"newsbot/feeds"
	"newsbot/store/postgres"
	"newsbot/store/sqlite"
)

// runBot is `newsbot` with no subcommand: the bot itself, until ctx is done.
func runBot(ctx context.Context, getenv func(string) string, sio stdio) error {
	cfg, err := loadConfig(getenv)
	if errors.Is(err, errNoToken) {
		fmt.Fprintln(sio.err, tokenHelp)
		return errNoToken
	}
	if err != nil {
		return err
	}
	log := newLogger(cfg, sio.err)
	if debug.SetMemoryLimit(-1) == math.MaxInt64 {
		// No GOMEMLIMIT in the process's environment: a soft limit keeps the
		// heap collected well before a hostile feed or a burst of pages
		// could push the process near its machine's limit.
		debug.SetMemoryLimit(defaultMemoryLimit)
	}
	for _, w := range cfg.warnings() {
		log.Warn(w)
	}
	st, err := openStore(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer func() {
		if err := st.Close(); err != nil {
			log.Error("close store", "err", err)
		}
	}()
	log.Info("newsbot starting", "instance", cfg.InstanceID, "store", storeKind(cfg.DatabaseURL),
		"shards", cfg.ShardIDs, "shard_count", cfg.ShardCount, "poll_interval", cfg.PollInterval)

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	metrics := bot.NewMetrics(reg)
	pollMetrics := newPollMetrics(reg)

	fetcher := feeds.NewFetcher(feeds.Config{AllowPrivate: cfg.AllowPrivate, MaxBodyBytes: cfg.MaxBodyBytes})
	builder := &feeds.Builder{Fetcher: fetcher, Log: log}
	b, err := bot.New(bot.Config{
		Token: cfg.Token, APIURL: cfg.APIURL, GuildID: cfg.GuildID,
		ShardCount: cfg.ShardCount, ShardIDs: cfg.ShardIDs,
		DefaultSentences: cfg.Sentences, PollInterval: cfg.PollInterval,
		MaxPostsPerInterval: cfg.MaxPosts, StoryWindow: cfg.StoryWindow, Lease: cfg.Lease, Owner: cfg.InstanceID,
		DeliveryInterval: deliveryInterval(cfg.PollInterval),
	}, st, builder, log, metrics)
	if err != nil {
		return err
	}
	poller := &feeds.Poller{
		Store: st, Fetcher: fetcher, Articles: builder, Interval: cfg.PollInterval,
		Workers: cfg.PollWorkers, Owner: cfg.InstanceID, Lease: cfg.Lease, Sentences: cfg.Sentences, MaxNew: cfg.MaxPosts,
		Tick: min(5*time.Second, cfg.PollInterval), Now: time.Now, Log: log,
		OnNew: b.Wake, Observe: pollMetrics.observe,
		Stories: &feeds.StoryIndex{Store: st, Now: time.Now},
	}

	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error { return b.Run(ctx) })
	g.Go(func() error { return poller.Run(ctx) })
	g.Go(func() error { return prune(ctx, st, cfg.Retention, log) })
	if cfg.HTTPAddr != "" {
		g.Go(func() error { return serveHTTP(ctx, cfg.HTTPAddr, reg, st, cfg.InstanceID, log) })
	}
	if leases, ok := st.(leaseCounter); ok {
		g.Go(func() error { return reportLeases(ctx, leases, cfg.InstanceID, reg, log) })
	}
	err = g.Wait()
	if err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	log.Info("newsbot stopped")
	return nil
}

// defaultMemoryLimit is the Go runtime's soft memory limit unless
// GOMEMLIMIT sets one: measured peaks under hostile feeds stay far below.
const defaultMemoryLimit = 400 << 20

// deliveryInterval is how often the outbox is drained besides the wake-ups
// after new articles: often enough that a post follows its poll closely.
func deliveryInterval(poll time.Duration) time.Duration {
	return min(max(poll/10, 200*time.Millisecond), 5*time.Second)
}

// loadDotEnv reads .env when present; real environment variables win.
func loadDotEnv() error {
	err := godotenv.Load()
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("read .env: %w", err)
	}
	return nil
}

func newLogger(cfg config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// fullStore is what the bot and the poller need together.
type fullStore interface {
	bot.Store
	feeds.PollStore
	feeds.RecentStore
	PruneArticles(ctx context.Context, before time.Time) (int, error)
	Close() error
}

// openStore picks the backend from DATABASE_URL.
func openStore(ctx context.Context, dbURL string) (fullStore, error) {
	if path, ok := strings.CutPrefix(dbURL, "sqlite:"); ok {
		st, err := sqlite.Open(ctx, path)
		if err != nil {
			return nil, fmt.Errorf("open SQLite database %s: %w", path, err)
		}
		return st, nil
	}
	st, err := postgres.Open(ctx, dbURL)
	if err != nil {
		return nil, fmt.Errorf("open PostgreSQL database: %w", err)
	}
	return st, nil
}

func storeKind(dbURL string) string {
	if strings.HasPrefix(dbURL, "sqlite:") {
		return dbURL
	}
	return "postgres"
}

// prune deletes articles past the retention period, hourly.
func prune(ctx context.Context, st fullStore, retention time.Duration, log *slog.Logger) error {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		n, err := st.PruneArticles(ctx, time.Now().Add(-retention))
		switch {
		case err != nil && ctx.Err() == nil:
			log.Warn("prune old articles", "err", err)
		case n > 0:
			log.Info("pruned old articles", "count", n, "older_than", retention)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// serveHTTP serves /healthz and /metrics until ctx is done.
func serveHTTP(ctx context.Context, addr string, reg *prometheus.Registry, st fullStore, instance string, log *slog.Logger) error {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		if _, err := st.PendingDeliveries(r.Context()); err != nil {
			http.Error(w, "store unavailable", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintf(w, "ok %s\n", instance)
	})
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	log.Info("serving /healthz and /metrics", "addr", addr)
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("HTTP_ADDR %s: %w", addr, err)
	}
	return nil
}

// pollMetrics counts polls and poll errors.
type pollMetrics struct{ polls, errors prometheus.Counter }

func newPollMetrics(reg prometheus.Registerer) *pollMetrics {
	m := &pollMetrics{
		polls:  prometheus.NewCounter(prometheus.CounterOpts{Name: "newsbot_polls_total", Help: "Feed polls."}),
		errors: prometheus.NewCounter(prometheus.CounterOpts{Name: "newsbot_poll_errors_total", Help: "Feed polls that failed."}),
	}
	reg.MustRegister(m.polls, m.errors)
	return m
}

func (m *pollMetrics) observe(err error) {
	m.polls.Inc()
	if err != nil {
		m.errors.Inc()
	}
}

// leaseCounter is offered by stores that share work between processes.
type leaseCounter interface {
	LeaseCounts(ctx context.Context, owner string) (feeds, deliveries int, err error)
}

// reportLeases publishes how many feed and delivery leases this process
// holds, so an operator can see the work move between processes.
func reportLeases(ctx context.Context, lc leaseCounter, owner string, reg prometheus.Registerer, log *slog.Logger) error {
	g := prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "newsbot_leases_held", Help: "Leases this process holds, by kind.", ConstLabels: prometheus.Labels{"instance_id": owner},
	}, []string{"kind"})
	reg.MustRegister(g)
	t := time.NewTicker(30 * time.Second)
	defer t.Stop()
	for {
		if f, d, err := lc.LeaseCounts(ctx, owner); err == nil {
			g.WithLabelValues("feed").Set(float64(f))
			g.WithLabelValues("delivery").Set(float64(d))
			log.Debug("leases held", "feeds", f, "deliveries", d)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}
