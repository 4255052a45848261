package bot

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"newsbot/bot/discordtest"
	"newsbot/store"
	"newsbot/store/sqlite"
)

// testClock is a clock that only moves when told.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// storeDown fails every MarkPosted: the database went away right after a post.
type storeDown struct{ *sqlite.Store }

func (storeDown) MarkPosted(context.Context, int64, string, time.Time) error {
	return errors.New("connection refused")
}

// TestPostedDuringAnOutageIsNeverPostedAgain: a post whose record fails for
// longer than Discord remembers its nonce is found by the next claimer in
// the channel and recorded, not posted a second time. The real store, the
// real discordgo client and the Discord double are used; the double forgets
// nonces at once, as Discord does after a few minutes.
func TestPostedDuringAnOutageIsNeverPostedAgain(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, discordtest.WithNonceWindow(time.Nanosecond))
	dc, guild, channel, session, clk, st := r.dc, r.guild, r.channel, r.session, r.clk, r.st
	sub, err := st.Subscribe(ctx, store.NewSubscription{GuildID: guild.ID, ChannelID: channel, Feed: store.Feed{URL: "https://wire.example/rss", Title: "Wire"}})
	if err != nil {
		t.Fatal(err)
	}
	art := store.Article{Identity: "a1", Link: "https://wire.example/a1", Title: "Quake hits the coast",
		Summary: []string{"A strong earthquake hit the coast on Monday."}, SentencesTotal: 10, WordsBefore: 200, Published: clk.Now()}
	if _, err := st.RecordPoll(ctx, store.PollResult{FeedID: sub.FeedID, Articles: []store.Article{art}, PolledAt: clk.Now(), NextPollAt: clk.Now()}); err != nil {
		t.Fatal(err)
	}

	newDeliverer := func(st DeliveryStore, owner string) *Deliverer {
		return &Deliverer{Store: st, Poster: sessionPoster{session}, Owner: owner, Lease: time.Minute, Batch: 10,
			DefaultSentences: 3, Now: clk.Now, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
			Sleep: func(_ context.Context, d time.Duration) bool { clk.Add(d); return true }}
	}
	// The first process posts, then cannot record it for longer than its
	// patience (the injected sleep moves the clock).
	if _, err := newDeliverer(storeDown{st}, "p1").DeliverOnce(ctx); err != nil {
		t.Fatal(err)
	}
	msgs := dc.Messages(channel)
	if len(msgs) != 1 {
		t.Fatalf("%d messages after the first attempt, want 1", len(msgs))
	}
	// Long after (claims expired, nonce forgotten), another process claims it.
	clk.Add(time.Hour)
	n, err := newDeliverer(st, "p2").DeliverOnce(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(dc.Messages(channel)); got != 1 {
		t.Fatalf("%d messages after the second claim, want 1: the post was made again", got)
	}
	ds, err := st.Deliveries(ctx, sub.ID)
	if err != nil || len(ds) != 1 {
		t.Fatalf("deliveries %+v, %v", ds, err)
	}
	if ds[0].State != store.DeliveryPosted || ds[0].MessageID != msgs[0].ID || n != 1 {
		t.Errorf("delivery %+v (round posted %d), want posted as message %s", ds[0], n, msgs[0].ID)
	}
}

// testSession is a discordgo session whose REST calls go to the double.
func testSession(t *testing.T, dc *discordtest.Server) *discordgo.Session {
	t.Helper()
	s, err := discordgo.New("Bot " + dc.Token)
	if err != nil {
		t.Fatal(err)
	}
	rt, err := newRewriteTransport(dc.URL, http.DefaultTransport)
	if err != nil {
		t.Fatal(err)
	}
	s.Client = &http.Client{Transport: rt, Timeout: 10 * time.Second}
	return s
}

// rig is a newsroom on the Discord double (one guild, one channel), a
// discordgo session talking to it, a test clock and a real SQLite store
// on that clock: what the deliverer tests against real parts share.
type rig struct {
	dc      *discordtest.Server
	guild   discordtest.Guild
	channel string
	session *discordgo.Session
	clk     *testClock
	st      *sqlite.Store
}

func newRig(t *testing.T, opts ...discordtest.Option) *rig {
	t.Helper()
	dc := discordtest.New(t, opts...)
	r := &rig{dc: dc, guild: dc.AddGuild("Newsroom"), clk: &testClock{t: time.Now()}}
	r.channel = dc.AddChannel(r.guild.ID, "news")
	r.session = testSession(t, dc)
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "bot.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	st.Now = r.clk.Now
	r.st = st
	return r
}

// TestStoryEditCrashRepeatsTheEdit: an outlet joining a story edits the
// story's post; if the process dies before recording it, the next claimer
// edits again (the same content), and never posts.
func TestStoryEditCrashRepeatsTheEdit(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, discordtest.WithNonceWindow(time.Nanosecond))
	dc, guild, channel, session, clk, st := r.dc, r.guild, r.channel, r.session, r.clk, r.st
	const story = "1/wire-a"
	for i, name := range []string{"wire", "daily"} {
		sub, err := st.Subscribe(ctx, store.NewSubscription{GuildID: guild.ID, ChannelID: channel,
			Feed: store.Feed{URL: "https://" + name + ".example/rss", Title: "The " + name}})
		if err != nil {
			t.Fatal(err)
		}
		a := store.Article{Identity: name + "-a", Link: "https://" + name + ".example/a", Title: "Quake hits the coast " + name,
			Summary: []string{"A strong earthquake hit the coast."}, Published: clk.Now(), Story: story}
		if _, err := st.RecordPoll(ctx, store.PollResult{FeedID: sub.FeedID, Articles: []store.Article{a}, PolledAt: clk.Now(), NextPollAt: clk.Now()}); err != nil {
			t.Fatal(err)
		}
		if i == 0 { // the wire's post goes out first
			if _, err := newStoryDeliverer(st, session, clk, "p0").DeliverOnce(ctx); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := newStoryDeliverer(storeDown{st}, session, clk, "p1").DeliverOnce(ctx); err != nil {
		t.Fatal(err)
	}
	clk.Add(time.Hour)
	if _, err := newStoryDeliverer(st, session, clk, "p2").DeliverOnce(ctx); err != nil {
		t.Fatal(err)
	}
	msgs := dc.Messages(channel)
	if len(msgs) != 1 {
		t.Fatalf("%d messages, want the story's one post", len(msgs))
	}
	edits := dc.Edits(channel)
	if len(edits) != 2 || edits[1].MessageID != msgs[0].ID {
		t.Fatalf("%d edits, want 2 (the edit repeated after the crash)", len(edits))
	}
	if f := edits[1].Message.Embeds[0].Fields; len(f) == 0 || f[len(f)-1].Name != outletsField || !strings.Contains(f[len(f)-1].Value, "The daily") {
		t.Errorf("post after the repeated edit: fields %+v", f)
	}
	if n, err := st.PendingDeliveries(ctx); err != nil || n != 0 {
		t.Errorf("pending = %d, %v; want 0", n, err)
	}
}

func newStoryDeliverer(st DeliveryStore, s *discordgo.Session, clk *testClock, owner string) *Deliverer {
	return &Deliverer{Store: st, Poster: sessionPoster{s}, Owner: owner, Lease: time.Minute, Batch: 10,
		DefaultSentences: 3, Now: clk.Now, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Sleep: func(_ context.Context, d time.Duration) bool { clk.Add(d); return true }}
}
