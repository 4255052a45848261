// Package bot is newsbot's Discord side: it delivers the store's outbox as
// messages and answers slash commands. It is the only package that knows
// Discord (through discordgo); feeds, summaries and storage come from the
// packages it is given.
package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"

	"newsbot/feeds"
	"newsbot/store"
)

// Store is the persistence the bot needs.
type Store interface {
	DeliveryStore
	RulesStore
	TargetStore
	Subscribe(ctx context.Context, ns store.NewSubscription) (store.Subscription, error)
	Unsubscribe(ctx context.Context, guildID string, subscriptionID int64) (store.Subscription, error)
	ListSubscriptions(ctx context.Context, guildID string) ([]store.Subscription, error)
	SaveGuildSettings(ctx context.Context, s store.GuildSettings) error
	SearchArticles(ctx context.Context, guildID, query string, limit int) ([]store.Article, error)
	TopStories(ctx context.Context, guildID string, since time.Time, limit int) ([]store.TopStory, error)
	PendingDeliveries(ctx context.Context) (int, error)
}

// Sources fetches and summarizes for the commands.
type Sources interface {
	// Discover finds the feed at a feed or website URL and fetches it.
	Discover(ctx context.Context, url string) (*feeds.Result, error)
	// Article summarizes a feed item as the poller would store it.
	Article(ctx context.Context, it feeds.Item, sentences int) store.Article
	// SummarizeURL fetches any article page and summarizes it.
	SummarizeURL(ctx context.Context, url string, sentences int) (store.Article, error)
}

// Config is the bot's part of the configuration.
type Config struct {
	Token               string
	APIURL              string // replaces https://discord.com for every REST call
	GuildID             string // register commands here instead of globally
	ShardCount          int
	ShardIDs            []int // this process's shards; commands are registered by shard 0
	DefaultSentences    int
	PollInterval        time.Duration // new feeds are first polled after this
	MaxPostsPerInterval int           // per subscription per PollInterval
	StoryWindow         time.Duration // how long a story\'s post is edited as outlets join
	DeliveryInterval    time.Duration // how often the outbox is drained
	Lease               time.Duration // how long a claimed delivery is ours
	Owner               string        // this process's identity
}

// Bot is a running Discord bot: its gateway sessions and the deliverer.
type Bot struct {
	cfg         Config
	store       Store
	sources     Sources
	log         *slog.Logger
	metrics     *Metrics
	now         func() time.Time
	byName      map[string]*command
	defs        []*discordgo.ApplicationCommand
	client      *http.Client // every REST call, rewritten to APIURL
	attachments *http.Client // Discord's CDN, for /feed import
	sessions    []*discordgo.Session
	deliverer   *Deliverer
	targets     *targets // webhooks, forums and threads (target.go)
	shards      shardState
	wake        chan struct{}
	ctx         context.Context
}

// New checks the configuration and builds a bot; Run connects it.
func New(cfg Config, st Store, src Sources, log *slog.Logger, metrics *Metrics) (*Bot, error) {
	if cfg.Token == "" {
		return nil, errors.New("bot: no token")
	}
	cfg.ShardCount = max(cfg.ShardCount, 1)
	if len(cfg.ShardIDs) == 0 {
		cfg.ShardIDs = []int{0}
	}
	if cfg.DeliveryInterval <= 0 {
		cfg.DeliveryInterval = 2 * time.Second
	}
	if cfg.Lease <= 0 {
		cfg.Lease = 2 * time.Minute
	}
	rt, err := newRewriteTransport(cfg.APIURL, http.DefaultTransport)
	if err != nil {
		return nil, fmt.Errorf("bot: %w", err)
	}
	b := &Bot{
		cfg: cfg, store: st, sources: src, log: log, metrics: metrics, now: time.Now,
		client:      &http.Client{Transport: rt, Timeout: 60 * time.Second},
		attachments: &http.Client{Transport: attachmentTransport{next: http.DefaultTransport, apiHost: apiHost(cfg.APIURL)}, Timeout: 30 * time.Second},
		wake:        make(chan struct{}, 1),
		ctx:         context.Background(),
	}
	b.shards.metrics = metrics
	b.targets = newTargets(st, log, func() time.Time { return b.now() })
	cmds := b.commands()
	b.byName = make(map[string]*command, len(cmds))
	for _, c := range cmds {
		b.byName[c.def.Name] = c
	}
	b.defs = definitions(cmds)
	return b, nil
}

// Wake asks the deliverer to run a round now (the poller calls it when it
// stored new articles), instead of at its next tick.
func (b *Bot) Wake() {
	select {
	case b.wake <- struct{}{}:
	default:
	}
}

// Run connects this process's shards, registers the commands (shard 0 only),
// and delivers the outbox until ctx is done; then it hands back what it had
// claimed and closes the gateway connections.
func (b *Bot) Run(ctx context.Context) error {
	b.ctx = ctx
	if err := b.open(); err != nil {
		b.closeSessions()
		return err
	}
	defer b.closeSessions()
	if slices.Contains(b.cfg.ShardIDs, 0) {
		if err := b.register(ctx); err != nil {
			return err
		}
	}
	b.deliverer = &Deliverer{
		Store: b.store, Poster: targetPoster{sessionPoster: sessionPoster{b.sessions[0]}, t: b.targets, sessions: b.sessions}, Owner: b.cfg.Owner, Lease: b.cfg.Lease,
		PerSubscription: b.cfg.MaxPostsPerInterval, Window: b.cfg.PollInterval, StoryWindow: b.cfg.StoryWindow, Batch: 100, DefaultSentences: b.cfg.DefaultSentences,
		Now: b.now, Log: b.log, Metrics: b.metrics,
	}
	return b.deliverLoop(ctx)
}

func (b *Bot) deliverLoop(ctx context.Context) error {
	t := time.NewTicker(b.cfg.DeliveryInterval)
	defer t.Stop()
	for {
		n, err := b.deliverer.DeliverOnce(ctx)
		if err != nil && ctx.Err() == nil {
			b.log.Warn("delivery round", "err", err)
		}
		if pending, err := b.store.PendingDeliveries(ctx); err == nil {
			b.metrics.pending(pending)
		}
		if n > 0 && err == nil {
			// A full batch may mean more is waiting: go again soon, but
			// through the ticker so a backlog never becomes a busy loop.
			b.Wake()
		}
		select {
		case <-ctx.Done():
			b.log.Info("deliverer stopped")
			return nil
		case <-t.C:
		case <-b.wake:
		}
	}
}

func (b *Bot) open() error {
	for _, id := range b.cfg.ShardIDs {
		s, err := discordgo.New("Bot " + b.cfg.Token)
		if err != nil {
			return fmt.Errorf("discord session: %w", err)
		}
		s.Client = b.client
		s.Identify.Intents = discordgo.IntentsGuilds // no privileged intents
		s.ShardID, s.ShardCount = id, b.cfg.ShardCount
		s.Identify.Shard = &[2]int{id, b.cfg.ShardCount}
		s.ShouldReconnectOnError = true
		s.ShouldRetryOnRateLimit = true
		s.MaxRestRetries = 3
		s.LogLevel = discordgo.LogError
		// Gateway events are handled in the order they happen (a disconnect
		// before the resume that follows it), which the shards gauge needs;
		// commands, which can take long, run in their own goroutines.
		s.SyncEvents = true
		s.AddHandler(func(s *discordgo.Session, ic *discordgo.InteractionCreate) { go b.onInteraction(s, ic) })
		s.AddHandler(func(_ *discordgo.Session, r *discordgo.Ready) {
			b.shards.set(id, true)
			b.log.Info("connected to Discord", "shard", id, "shards", b.cfg.ShardCount, "user", r.User.Username, "guilds", len(r.Guilds), "instance", b.cfg.Owner)
		})
		s.AddHandler(func(_ *discordgo.Session, _ *discordgo.Resumed) {
			b.shards.set(id, true)
			b.log.Info("gateway session resumed", "shard", id)
		})
		s.AddHandler(func(_ *discordgo.Session, _ *discordgo.Disconnect) {
			b.shards.set(id, false)
			b.log.Info("gateway disconnected", "shard", id)
		})
		if err := s.Open(); err != nil {
			return fmt.Errorf("connect shard %d to Discord: %w", id, explainOpen(err))
		}
		b.sessions = append(b.sessions, s)
	}
	return nil
}

// shardState counts the shards whose gateway connection is ready: READY or
// RESUMED received, and no disconnect since. An opened session is not
// necessarily connected, and a dropped one reconnects on its own, so the
// gauge follows the gateway's events, not Open and Close.
type shardState struct {
	mu      sync.Mutex
	ready   map[int]bool
	metrics *Metrics
}

func (s *shardState) set(shard int, ready bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ready == nil {
		s.ready = map[int]bool{}
	}
	if ready {
		s.ready[shard] = true
	} else {
		delete(s.ready, shard)
	}
	s.metrics.shardsReady(len(s.ready))
}

// explainOpen turns the most common start-up failure into advice.
func explainOpen(err error) error {
	var rest *discordgo.RESTError
	if errors.As(err, &rest) && rest.Response != nil && rest.Response.StatusCode == http.StatusUnauthorized {
		return fmt.Errorf("discord refused DISCORD_TOKEN (reset it in the Developer Portal and update .env): %w", err)
	}
	return err
}

// register overwrites the command set in one request, in DISCORD_GUILD_ID
// (instant, for testing) or globally.
func (b *Bot) register(ctx context.Context) error {
	s := b.sessions[0]
	appID := s.State.User.ID
	if s.State.Application != nil && s.State.Application.ID != "" {
		appID = s.State.Application.ID
	}
	if _, err := s.ApplicationCommandBulkOverwrite(appID, b.cfg.GuildID, b.defs, discordgo.WithContext(ctx)); err != nil {
		return fmt.Errorf("register slash commands: %w", err)
	}
	where := "globally"
	if b.cfg.GuildID != "" {
		where = "in server " + b.cfg.GuildID
	}
	b.log.Info("slash commands registered", "count", len(b.defs), "where", where)
	return nil
}

func (b *Bot) closeSessions() {
	for _, s := range b.sessions {
		if err := s.Close(); err != nil {
			b.log.Debug("close gateway", "err", err)
		}
	}
	b.sessions = nil
}
