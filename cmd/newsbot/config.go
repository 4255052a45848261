package main

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
)

// config is everything the bot reads from the environment (and .env).
// Each field names its variable; .env.example documents them all.
type config struct {
	Token        string        // DISCORD_TOKEN
	GuildID      string        // DISCORD_GUILD_ID
	APIURL       string        // DISCORD_API_URL
	DatabaseURL  string        // DATABASE_URL
	PollInterval time.Duration // POLL_INTERVAL
	AllowPrivate bool          // NEWSBOT_ALLOW_PRIVATE_ADDRESSES
	Sentences    int           // SUMMARY_SENTENCES
	MaxPosts     int           // MAX_POSTS_PER_INTERVAL (formerly MAX_POSTS_PER_POLL)
	Retention    time.Duration // ARTICLE_RETENTION
	MaxBodyBytes int64         // FETCH_MAX_BYTES
	PollWorkers  int           // POLL_WORKERS
	Lease        time.Duration // LEASE_DURATION
	LogLevel     slog.Level    // LOG_LEVEL
	LogFormat    string        // LOG_FORMAT
	HTTPAddr     string        // HTTP_ADDR
	ShardCount   int           // SHARD_COUNT
	ShardIDs     []int         // SHARD_ID or SHARD_IDS
	InstanceID   string        // INSTANCE_ID
	StoryWindow  time.Duration // STORY_EDIT_WINDOW

	// notes are accepted settings the operator should hear about (old
	// names), logged with warnings().
	notes []string
}

// Lower bounds that keep settings consistent with each other.
const (
	// minRetention keeps an article at least as long as a post of it can
	// wait for a Discord outage, and long enough to tell a republished item
	// from a new one.
	minRetention = 24 * time.Hour
	// minLease covers one feed fetch or one post (30 s each, the fetcher's
	// and the deliverer's timeouts) with room to record the outcome; a
	// shorter one is accepted with a warning (tests use seconds).
	minLease = time.Minute
)

// errNoToken is returned when DISCORD_TOKEN is missing; main prints tokenHelp.
var errNoToken = errors.New("DISCORD_TOKEN is not set")

const tokenHelp = `DISCORD_TOKEN is not set, so there is no bot to run.

To get a token:
  1. Open https://discord.com/developers/applications and create an application.
  2. Under "Bot", press "Reset Token" and copy the token.
  3. Put it in a file named .env next to where you run newsbot:
         DISCORD_TOKEN=your-token-here
     (copy .env.example to .env for every other setting).
  4. Invite the bot with the OAuth2 URL generator: scopes "bot" and
     "applications.commands"; bot permissions "Send Messages" and "Embed Links"
     (and "View Channel" on private channels).

No token is needed to try the summarizer: newsbot summarize FILE|URL, or newsbot preview FEED-URL.`

// loadConfig reads the configuration through getenv and validates every value,
// naming the variable in any error.
func loadConfig(getenv func(string) string) (config, error) {
	c := config{
		Token:       strings.TrimSpace(getenv("DISCORD_TOKEN")),
		GuildID:     strings.TrimSpace(getenv("DISCORD_GUILD_ID")),
		APIURL:      orDefault(getenv("DISCORD_API_URL"), "https://discord.com"),
		DatabaseURL: orDefault(getenv("DATABASE_URL"), "sqlite:newsbot.db"),
		LogFormat:   orDefault(getenv("LOG_FORMAT"), "text"),
		HTTPAddr:    strings.TrimSpace(getenv("HTTP_ADDR")),
		InstanceID:  strings.TrimSpace(getenv("INSTANCE_ID")),
	}
	var errs []error
	add := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	var err error
	c.PollInterval, err = durationVar(getenv, "POLL_INTERVAL", 10*time.Minute)
	add(err)
	c.Retention, err = durationVar(getenv, "ARTICLE_RETENTION", 30*24*time.Hour)
	add(err)
	c.Lease, err = durationVar(getenv, "LEASE_DURATION", 2*time.Minute)
	add(err)
	c.StoryWindow, err = durationVar(getenv, "STORY_EDIT_WINDOW", 48*time.Hour)
	add(err)
	c.AllowPrivate, err = boolVar(getenv, "NEWSBOT_ALLOW_PRIVATE_ADDRESSES", false)
	add(err)
	c.Sentences, err = intVar(getenv, "SUMMARY_SENTENCES", 3, 1, 10)
	add(err)
	c.MaxPosts, err = c.maxPosts(getenv)
	add(err)
	c.PollWorkers, err = intVar(getenv, "POLL_WORKERS", 8, 1, 256)
	add(err)
	maxBytes, err := intVar(getenv, "FETCH_MAX_BYTES", 10<<20, 1024, 1<<30)
	c.MaxBodyBytes = int64(maxBytes)
	add(err)
	c.ShardCount, err = intVar(getenv, "SHARD_COUNT", 1, 1, 1<<16)
	add(err)
	c.ShardIDs, err = shardIDs(getenv, c.ShardCount)
	add(err)
	if lvl := orDefault(getenv("LOG_LEVEL"), "info"); c.LogLevel.UnmarshalText([]byte(lvl)) != nil {
		add(fmt.Errorf("LOG_LEVEL=%q: want debug, info, warn or error", lvl))
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		add(fmt.Errorf("LOG_FORMAT=%q: want text or json", c.LogFormat))
	}
	if u, err := url.Parse(c.APIURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		add(fmt.Errorf("DISCORD_API_URL=%q: want an http(s) URL such as https://discord.com", c.APIURL))
	}
	if c.GuildID != "" {
		if _, err := strconv.ParseUint(c.GuildID, 10, 64); err != nil {
			add(fmt.Errorf("DISCORD_GUILD_ID=%q: want a numeric server ID (Developer Mode, right-click the server, Copy Server ID)", c.GuildID))
		}
	}
	if !strings.HasPrefix(c.DatabaseURL, "sqlite:") && !strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://") {
		add(fmt.Errorf("DATABASE_URL=%q: want sqlite:PATH or a postgres:// URL", c.DatabaseURL))
	}
	if c.Retention < minRetention && getenv("ARTICLE_RETENTION") != "" {
		add(fmt.Errorf("ARTICLE_RETENTION=%q: want at least 1d (24h); a shorter one could forget a post still waiting", getenv("ARTICLE_RETENTION")))
	}
	if c.InstanceID == "" {
		host, _ := os.Hostname()
		c.InstanceID = fmt.Sprintf("%s-%d", host, os.Getpid())
	}
	if err := errors.Join(errs...); err != nil {
		return c, fmt.Errorf("configuration: %w", err)
	}
	if c.Token == "" {
		return c, errNoToken
	}
	return c, nil
}

// maxPosts reads MAX_POSTS_PER_INTERVAL, or its old name with a note.
func (c *config) maxPosts(getenv func(string) string) (int, error) {
	const name, old = "MAX_POSTS_PER_INTERVAL", "MAX_POSTS_PER_POLL"
	if strings.TrimSpace(getenv(name)) == "" && strings.TrimSpace(getenv(old)) != "" {
		c.notes = append(c.notes, old+" is now called "+name+" (posts per subscription per POLL_INTERVAL); please rename it")
		return intVar(getenv, old, 5, 1, 100)
	}
	return intVar(getenv, name, 5, 1, 100)
}

// warnings are accepted values that an operator should know about.
func (c config) warnings() []string {
	w := slices.Clone(c.notes)
	if c.PollInterval < time.Minute {
		w = append(w, fmt.Sprintf("POLL_INTERVAL=%s is under a minute: fine for testing, impolite to real feeds", c.PollInterval))
	}
	if c.Lease < minLease {
		w = append(w, fmt.Sprintf("LEASE_DURATION=%s is shorter than a feed fetch or a post can take (30s each): leases are renewed before each, but a slow one may be taken over and done twice; use at least 1m", c.Lease))
	}
	if c.Lease >= c.PollInterval {
		w = append(w, fmt.Sprintf("LEASE_DURATION=%s is not shorter than POLL_INTERVAL=%s: the feeds of a process that dies wait longer than a poll", c.Lease, c.PollInterval))
	}
	if c.AllowPrivate {
		w = append(w, "NEWSBOT_ALLOW_PRIVATE_ADDRESSES=true: feeds on private and loopback addresses can be fetched")
	}
	return w
}

func orDefault(v, def string) string {
	if v = strings.TrimSpace(v); v == "" {
		return def
	}
	return v
}

// durationVar accepts Go durations ("90s", "10m", "2h") and whole days ("30d").
func durationVar(getenv func(string) string, name string, def time.Duration) (time.Duration, error) {
	v := strings.TrimSpace(getenv(name))
	if v == "" {
		return def, nil
	}
	if days, ok := strings.CutSuffix(v, "d"); ok {
		if n, err := strconv.Atoi(days); err == nil && n > 0 {
			return time.Duration(n) * 24 * time.Hour, nil
		}
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return def, fmt.Errorf("%s=%q: want a positive duration such as 10m, 2h or 30d", name, v)
	}
	return d, nil
}

func boolVar(getenv func(string) string, name string, def bool) (bool, error) {
	v := strings.TrimSpace(getenv(name))
	if v == "" {
		return def, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return def, fmt.Errorf("%s=%q: want true or false", name, v)
	}
	return b, nil
}

func intVar(getenv func(string) string, name string, def, lo, hi int) (int, error) {
	v := strings.TrimSpace(getenv(name))
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return def, fmt.Errorf("%s=%q: want a whole number from %d to %d", name, v, lo, hi)
	}
	return n, nil
}

// shardIDs reads SHARD_IDS ("0,1") or SHARD_ID ("2"); default: every shard.
func shardIDs(getenv func(string) string, count int) ([]int, error) {
	name, v := "SHARD_IDS", strings.TrimSpace(getenv("SHARD_IDS"))
	if v == "" {
		name, v = "SHARD_ID", strings.TrimSpace(getenv("SHARD_ID"))
	}
	if v == "" {
		ids := make([]int, count)
		for i := range ids {
			ids[i] = i
		}
		return ids, nil
	}
	var ids []int
	seen := map[int]bool{}
	for _, part := range strings.Split(v, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(part))
		if err != nil || n < 0 || n >= count || seen[n] {
			return nil, fmt.Errorf("%s=%q: want distinct shard numbers from 0 to SHARD_COUNT-1 (%d)", name, v, count-1)
		}
		seen[n] = true
		ids = append(ids, n)
	}
	return ids, nil
}
