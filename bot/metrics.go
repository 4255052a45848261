package bot

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the bot's Prometheus series. A nil *Metrics records nothing,
// so tests and the CLI need not build one.
type Metrics struct {
	Posts         prometheus.Counter
	PostErrors    *prometheus.CounterVec
	Commands      *prometheus.HistogramVec
	PendingOutbox prometheus.Gauge
	// ShardsOpen is newsbot_shards_ready: shards that received READY or
	// RESUMED and have not disconnected since.
	ShardsOpen prometheus.Gauge
	// Dropped counts deliveries a subscription's rules kept from posting,
	// by rule (filtered, daily_limit).
	Dropped *prometheus.CounterVec
}

// NewMetrics registers the bot's series with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		Posts: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "newsbot_posts_total", Help: "Articles posted to Discord channels.",
		}),
		PostErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "newsbot_post_errors_total", Help: "Failed posts, by what happened next (retry, paused, rejected).",
		}, []string{"outcome"}),
		Dropped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "newsbot_deliveries_dropped_total", Help: "Deliveries dropped by a subscription's rules, by rule (filtered, daily_limit).",
		}, []string{"rule"}),
		Commands: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "newsbot_command_seconds", Help: "Slash command latency, from receipt to final reply.",
			Buckets: []float64{.05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"command", "result"}),
		PendingOutbox: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "newsbot_deliveries_pending", Help: "Deliveries waiting in the outbox (queue depth).",
		}),
		ShardsOpen: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "newsbot_shards_ready", Help: "Gateway shards of this process that are connected (READY or RESUMED, not disconnected since).",
		}),
	}
	reg.MustRegister(m.Posts, m.PostErrors, m.Dropped, m.Commands, m.PendingOutbox, m.ShardsOpen)
	return m
}

func (m *Metrics) posted() {
	if m != nil {
		m.Posts.Inc()
	}
}

func (m *Metrics) dropped(rule string) {
	if m != nil {
		m.Dropped.WithLabelValues(rule).Inc()
	}
}

func (m *Metrics) postError(outcome string) {
	if m != nil {
		m.PostErrors.WithLabelValues(outcome).Inc()
	}
}

func (m *Metrics) command(name, result string, d time.Duration) {
	if m != nil {
		m.Commands.WithLabelValues(name, result).Observe(d.Seconds())
	}
}

// shardsReady sets how many of this process's shards are connected.
func (m *Metrics) shardsReady(n int) {
	if m != nil {
		m.ShardsOpen.Set(float64(n))
	}
}

func (m *Metrics) pending(n int) {
	if m != nil {
		m.PendingOutbox.Set(float64(n))
	}
}
