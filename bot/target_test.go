package bot

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"newsbot/bot/discordtest"
	"newsbot/store"
	"newsbot/store/sqlite"
)

// targetWorld is a guild of the double with a text channel and a forum, a
// gateway-connected session (the forum-post search reads its thread list)
// and a real store with one subscription whose target is under test.
type targetWorld struct {
	dc      *discordtest.Server
	session *discordgo.Session
	st      *sqlite.Store
	clk     *testClock
	guild   discordtest.Guild
	forum   discordtest.Forum
	channel string // the subscription's channel
	sub     store.Subscription
}

func newTargetWorld(t *testing.T, inForum bool, rules store.Rules) *targetWorld {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	w := &targetWorld{dc: discordtest.New(t, discordtest.WithNonceWindow(time.Nanosecond)), clk: &testClock{t: time.Now()}}
	w.guild = w.dc.AddGuild("Newsroom")
	w.channel = w.dc.AddChannel(w.guild.ID, "news")
	w.forum = w.dc.AddForum(w.guild.ID, "forum", "World", "Sports")
	if inForum {
		w.channel = w.forum.ID
	}
	w.session = testSession(t, w.dc)
	w.session.Identify.Intents = discordgo.IntentsGuilds
	if err := w.session.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.session.Close() })
	waitUntil(ctx, t, "the guild in the gateway state", func() bool {
		_, err := w.session.State.Guild(w.guild.ID)
		return err == nil && w.session.State.User != nil
	})
	var err error
	if w.st, err = sqlite.Open(ctx, filepath.Join(t.TempDir(), "targets.db")); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.st.Close() })
	w.st.Now = w.clk.Now
	if w.sub, err = w.st.Subscribe(ctx, store.NewSubscription{GuildID: w.guild.ID, ChannelID: w.channel,
		Feed: store.Feed{URL: "https://wire.example/rss", Title: "The Wire"}}); err != nil {
		t.Fatal(err)
	}
	if w.sub, err = w.st.SaveRules(ctx, w.guild.ID, w.sub.ID, rules); err != nil {
		t.Fatal(err)
	}
	return w
}

// publish records a new article of the subscription's feed.
func (w *targetWorld) publish(t *testing.T, id, title string) {
	t.Helper()
	a := store.Article{Identity: id, Link: "https://wire.example/" + id, Title: title,
		Summary: []string{"A strong earthquake hit the coast on Monday."}, SentencesTotal: 10, WordsBefore: 200, Published: w.clk.Now()}
	if _, err := w.st.RecordPoll(context.Background(), store.PollResult{FeedID: w.sub.FeedID, Articles: []store.Article{a},
		PolledAt: w.clk.Now(), NextPollAt: w.clk.Now()}); err != nil {
		t.Fatal(err)
	}
}

// deliverer is one process's deliverer; st is its outbox (storeDown for a
// process whose store goes away right after posting).
func (w *targetWorld) deliverer(st DeliveryStore, owner string) *Deliverer {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	return &Deliverer{Store: st, Owner: owner, Lease: time.Minute, Batch: 10, DefaultSentences: 3, Now: w.clk.Now, Log: log,
		Poster: targetPoster{sessionPoster: sessionPoster{w.session}, t: newTargets(w.st, log, w.clk.Now), sessions: []*discordgo.Session{w.session}},
		Sleep:  func(_ context.Context, d time.Duration) bool { w.clk.Add(d); return true }}
}

func (w *targetWorld) round(t *testing.T, st DeliveryStore, owner string) {
	t.Helper()
	if _, err := w.deliverer(st, owner).DeliverOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// posts are the posts of the subscription's channel: its messages, or a
// forum's first messages of its posts.
func (w *targetWorld) posts() []discordtest.Message {
	if w.channel != w.forum.ID {
		return w.dc.Messages(w.channel)
	}
	var out []discordtest.Message
	for _, th := range w.dc.Threads(w.forum.ID) {
		out = append(out, w.dc.Messages(th.ID)...)
	}
	return out
}

func (w *targetWorld) delivery(t *testing.T) store.Delivery {
	t.Helper()
	ds, err := w.st.Deliveries(context.Background(), w.sub.ID)
	if err != nil || len(ds) != 1 {
		t.Fatalf("deliveries %+v, %v; want one", ds, err)
	}
	return ds[0]
}

// TestTargetCrashBetweenPostAndRecord: for each target, the first process
// posts (and starts the thread) but cannot record it; an hour later, with
// Discord's nonce long forgotten, another process claims the delivery,
// finds the post of the first attempt and records it: one post, one thread.
func TestTargetCrashBetweenPostAndRecord(t *testing.T) {
	for _, tc := range []struct {
		name    string
		forum   bool
		rules   store.Rules
		webhook bool // the post is the webhook's
	}{
		{"Webhook", false, store.Rules{WebhookName: "Reuters", WebhookAvatar: "https://example.com/r.png"}, true},
		{"Thread", false, store.Rules{Thread: true}, false},
		{"WebhookThread", false, store.Rules{WebhookName: "Reuters", Thread: true}, true},
		{"Forum", true, store.Rules{ForumTag: "sports"}, false},
		{"ForumWebhook", true, store.Rules{WebhookName: "Reuters", ForumTag: "World"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			w := newTargetWorld(t, tc.forum, tc.rules)
			w.publish(t, "a1", "Quake hits the coast")
			w.round(t, storeDown{w.st}, "p1")
			first := w.posts()
			if len(first) != 1 {
				t.Fatalf("%d posts after the first attempt, want 1", len(first))
			}
			if d := w.delivery(t); d.State != store.DeliveryPending || d.AttemptedAt.IsZero() {
				t.Fatalf("after the unrecorded post: %+v, want pending with its attempt marked", d)
			}
			if tc.forum {
				// The second process's gateway state lists the forum post
				// (GUILD_CREATE or THREAD_CREATE).
				waitUntil(ctx, t, "the forum post in the gateway state", func() bool {
					g, err := w.session.State.Guild(w.guild.ID)
					return err == nil && len(g.Threads) == 1
				})
			}
			w.clk.Add(time.Hour)
			w.round(t, w.st, "p2")
			posts := w.posts()
			if len(posts) != 1 {
				t.Fatalf("%d posts after the retry, want 1: the article was posted again", len(posts))
			}
			p := posts[0]
			if d := w.delivery(t); d.State != store.DeliveryPosted || d.MessageID != p.ID {
				t.Fatalf("delivery %+v, want posted as %s", d, p.ID)
			}
			if got := p.WebhookID != ""; got != tc.webhook {
				t.Errorf("post by a webhook = %v, want %v", got, tc.webhook)
			}
			if tc.webhook && p.Username != "Reuters" {
				t.Errorf("webhook post shown as %q, want Reuters", p.Username)
			}
			if tc.forum {
				ths := w.dc.Threads(w.forum.ID)
				if len(ths) != 1 || ths[0].Name != "Quake hits the coast" || ths[0].ID != p.ID {
					t.Fatalf("forum posts %+v", ths)
				}
				if want := w.forum.TagID(map[bool]string{true: "World", false: "Sports"}[tc.webhook]); !slices.Equal(ths[0].AppliedTags, []string{want}) {
					t.Errorf("forum post tags %v, want [%s]", ths[0].AppliedTags, want)
				}
			}
			if tc.rules.Thread {
				ths := w.dc.Threads(w.channel)
				if len(ths) != 1 || ths[0].ID != p.ID || ths[0].Name != "Quake hits the coast" {
					t.Fatalf("threads %+v, want one on the post", ths)
				}
				if n := w.dc.Attempts(discordtest.RouteStartMessageThread); n != 2 {
					t.Errorf("%d thread starts, want 2 (the retry's answered 160004)", n)
				}
			}
		})
	}
}

// TestThreadStartFailureKeepsThePost: a thread start that fails for now
// never fails the post: it is recorded at once, and a later round starts
// the thread.
func TestThreadStartFailureKeepsThePost(t *testing.T) {
	w := newTargetWorld(t, false, store.Rules{Thread: true})
	w.publish(t, "a1", strings.Repeat("Very long headline ", 10))
	w.dc.FailRoute(discordtest.RouteStartMessageThread, 1, http.StatusInternalServerError)
	w.round(t, w.st, "p1")
	msgs := w.dc.Messages(w.channel)
	if len(msgs) != 1 || len(w.dc.Threads(w.channel)) != 0 {
		t.Fatalf("%d messages and %d threads after a failed start, want 1 and 0", len(msgs), len(w.dc.Threads(w.channel)))
	}
	if d := w.delivery(t); d.State != store.DeliveryPosted {
		t.Fatalf("delivery %+v, want posted despite the thread", d)
	}
	due, err := w.st.DueThreadStarts(context.Background(), w.clk.Now().Add(time.Hour), 10)
	if err != nil || len(due) != 1 || due[0].MessageID != msgs[0].ID {
		t.Fatalf("kept thread starts %+v, %v", due, err)
	}
	w.clk.Add(time.Minute)
	w.round(t, w.st, "p1")
	ths := w.dc.Threads(w.channel)
	if len(ths) != 1 || ths[0].ID != msgs[0].ID || len([]rune(ths[0].Name)) > maxThreadName {
		t.Fatalf("threads after the retry %+v", ths)
	}
	if n := len(w.dc.Messages(w.channel)); n != 1 {
		t.Fatalf("%d messages, want 1", n)
	}
	if due, _ := w.st.DueThreadStarts(context.Background(), w.clk.Now().Add(time.Hour), 10); len(due) != 0 {
		t.Errorf("thread starts left: %+v", due)
	}
}

// TestWebhookRecreatedOnceAndEditedByItsRoute: a webhook a moderator deleted
// is created again (once) for the next post, and an edit of a webhook's post
// goes through the webhook's route.
func TestWebhookRecreatedOnceAndEditedByItsRoute(t *testing.T) {
	w := newTargetWorld(t, false, store.Rules{WebhookName: "Reuters"})
	w.publish(t, "a1", "Quake hits the coast")
	w.round(t, w.st, "p1")
	hooks := w.dc.Webhooks(w.channel)
	if len(hooks) != 1 {
		t.Fatalf("%d webhooks, want 1", len(hooks))
	}
	w.dc.DeleteWebhook(hooks[0].ID)
	w.publish(t, "a2", "Flood waters recede")
	w.round(t, w.st, "p1")
	msgs := w.dc.Messages(w.channel)
	if len(msgs) != 2 {
		t.Fatalf("%d messages, want 2", len(msgs))
	}
	now := w.dc.Webhooks(w.channel)
	if len(now) != 1 || now[0].ID == hooks[0].ID || msgs[1].WebhookID != now[0].ID {
		t.Fatalf("webhooks %+v, second post by %s", now, msgs[1].WebhookID)
	}
	if n := w.dc.Attempts(discordtest.RouteCreateWebhook); n != 2 {
		t.Errorf("%d webhook creations, want 2", n)
	}
	// The article changes: its post is edited through the webhook.
	p := deliveryPoster{targetPoster: w.deliverer(w.st, "p1").Poster.(targetPoster), dl: store.Delivery{Subscription: w.sub}}
	if err := p.edit(context.Background(), w.channel, msgs[1].ID, message{Content: "edited"}); err != nil {
		t.Fatal(err)
	}
	if m, _ := w.dc.Message(w.channel, msgs[1].ID); m.Content != "edited" || w.dc.Attempts(discordtest.RouteEditWebhookMessage) != 1 {
		t.Errorf("after the edit: content %q, %d webhook edits", m.Content, w.dc.Attempts(discordtest.RouteEditWebhookMessage))
	}
	// The first post's webhook is gone: its message can't be edited, and
	// the edit says so as for a deleted message.
	err := p.edit(context.Background(), w.channel, msgs[0].ID, message{Content: "edited"})
	if restCode(err) != codeUnknownMessage {
		t.Errorf("edit of an orphaned webhook message: %v", err)
	}
}

// TestUnrecordedWebhookPostFoundAfterTheWebhookIsReplaced: a post made
// through the channel's webhook is not recorded; a moderator deletes the
// webhook and another subscription of the channel replaces it before the
// retry. The retry still finds the post (its author is the old webhook)
// and records it instead of posting the article twice.
func TestUnrecordedWebhookPostFoundAfterTheWebhookIsReplaced(t *testing.T) {
	ctx := context.Background()
	w := newTargetWorld(t, false, store.Rules{WebhookName: "Reuters"})
	w.publish(t, "a1", "Quake hits the coast")
	w.round(t, storeDown{w.st}, "p1")
	old := w.dc.Webhooks(w.channel)
	if len(old) != 1 || len(w.dc.Messages(w.channel)) != 1 {
		t.Fatalf("after the unrecorded post: %d webhooks, %d messages", len(old), len(w.dc.Messages(w.channel)))
	}
	w.dc.DeleteWebhook(old[0].ID)
	// The first process still holds the delivery (say it is waiting out
	// the store's outage).
	if ds, err := w.st.ClaimDeliveries(ctx, store.ClaimOptions{Owner: "p1", Now: w.clk.Now(), Limit: 1, Lease: time.Hour}); err != nil || len(ds) != 1 {
		t.Fatalf("hold the first delivery: %d claimed, %v", len(ds), err)
	}

	// Another subscription of the channel posts meanwhile: the webhook is
	// gone, so it makes a new one.
	other, err := w.st.Subscribe(ctx, store.NewSubscription{GuildID: w.guild.ID, ChannelID: w.channel,
		Feed: store.Feed{URL: "https://daily.example/rss", Title: "The Daily"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.st.SaveRules(ctx, w.guild.ID, other.ID, store.Rules{WebhookName: "Daily"}); err != nil {
		t.Fatal(err)
	}
	b := store.Article{Identity: "b1", Link: "https://daily.example/b1", Title: "Council opens a library",
		Summary: []string{"The new library opened on Monday."}, Published: w.clk.Now()}
	if _, err := w.st.RecordPoll(ctx, store.PollResult{FeedID: other.FeedID, Articles: []store.Article{b}, PolledAt: w.clk.Now(), NextPollAt: w.clk.Now()}); err != nil {
		t.Fatal(err)
	}
	w.round(t, w.st, "p3")
	now := w.dc.Webhooks(w.channel)
	if len(now) != 1 || now[0].ID == old[0].ID || len(w.dc.Messages(w.channel)) != 2 {
		t.Fatalf("after the other subscription's post: webhooks %+v, %d messages", now, len(w.dc.Messages(w.channel)))
	}

	// Long after, the first delivery is retried.
	w.clk.Add(2 * time.Hour)
	w.round(t, w.st, "p2")
	msgs := w.dc.Messages(w.channel)
	if len(msgs) != 2 {
		t.Fatalf("%d messages after the retry, want 2: the article was posted again", len(msgs))
	}
	if d := w.delivery(t); d.State != store.DeliveryPosted || d.MessageID != msgs[0].ID {
		t.Fatalf("delivery %+v, want posted as the first message %s", d, msgs[0].ID)
	}
}

// TestWebhookWithoutPermissionPostsAsTheBot: without Manage Webhooks the
// post goes out as the bot, said once in the log.
func TestWebhookWithoutPermissionPostsAsTheBot(t *testing.T) {
	w := newTargetWorld(t, false, store.Rules{WebhookName: "Reuters"})
	w.dc.SetBotPermissions(w.guild.ID, discordtest.BotPermissions&^discordgo.PermissionManageWebhooks)
	w.publish(t, "a1", "Quake hits the coast")
	w.round(t, w.st, "p1")
	msgs := w.dc.Messages(w.channel)
	if len(msgs) != 1 || msgs[0].WebhookID != "" {
		t.Fatalf("messages %+v, want one by the bot", msgs)
	}
	if _, err := w.st.ChannelWebhook(context.Background(), w.channel); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a webhook was stored: %v", err)
	}
}

// TestRedactHidesTheToken: a network error quotes the URL; the token must
// not reach a log or a delivery's error.
func TestRedactHidesTheToken(t *testing.T) {
	inner := &discordgo.RESTError{Response: &httpResponseNotFound, Message: &discordgo.APIErrorMessage{Code: codeUnknownWebhook}}
	err := redact(errors.Join(errors.New(`Post "https://discord.com/api/v9/webhooks/1/s3cr3t?wait=true": EOF`), inner), "s3cr3t")
	if strings.Contains(err.Error(), "s3cr3t") || !strings.Contains(err.Error(), "webhooks/1/[token]") {
		t.Errorf("redacted error %q", err)
	}
	if restCode(err) != codeUnknownWebhook {
		t.Errorf("redaction lost the wrapped error")
	}
}

func TestWebhookUsername(t *testing.T) {
	for in, want := range map[string]string{
		"Reuters":                  "Reuters",
		"  Discord News  ":         "News",
		"clyde":                    "News",
		strings.Repeat("é", 100):   strings.Repeat("é", 79) + "…",
		"The DISCORD and Clyde Co": "The  and  Co",
	} {
		if got := webhookUsername(in); got != want {
			t.Errorf("webhookUsername(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestForumTag(t *testing.T) {
	tags := []discordgo.ForumTag{{ID: "1", Name: "World"}, {ID: "2", Name: "Sports"}}
	for _, c := range []struct {
		in, id string
		ok     bool
	}{{"world", "1", true}, {"2", "2", true}, {" Sports ", "2", true}, {"Weather", "", false}} {
		if id, ok := forumTag(tags, c.in); id != c.id || ok != c.ok {
			t.Errorf("forumTag(%q) = %q, %v", c.in, id, ok)
		}
	}
}

// TestStoryJoinEditsByThePostsRoute: another outlet joining a story edits
// its post through the route of whoever posted it: the webhook's for a
// webhook post, the forum post's thread for a forum post.
func TestStoryJoinEditsByThePostsRoute(t *testing.T) {
	for _, tc := range []struct {
		name  string
		forum bool
		rules store.Rules
	}{
		{"Webhook", false, store.Rules{WebhookName: "Reuters"}},
		{"Forum", true, store.Rules{}},
		{"ForumWebhook", true, store.Rules{WebhookName: "Reuters"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			w := newTargetWorld(t, tc.forum, tc.rules)
			const story = "1/a1"
			a := store.Article{Identity: "a1", Link: "https://wire.example/a1", Title: "Quake hits the coast",
				Summary: []string{"A strong earthquake hit the coast."}, Published: w.clk.Now(), Story: story}
			if _, err := w.st.RecordPoll(ctx, store.PollResult{FeedID: w.sub.FeedID, Articles: []store.Article{a}, PolledAt: w.clk.Now(), NextPollAt: w.clk.Now()}); err != nil {
				t.Fatal(err)
			}
			w.round(t, w.st, "p1")
			other, err := w.st.Subscribe(ctx, store.NewSubscription{GuildID: w.guild.ID, ChannelID: w.channel,
				Feed: store.Feed{URL: "https://daily.example/rss", Title: "The Daily"}})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := w.st.SaveRules(ctx, w.guild.ID, other.ID, tc.rules); err != nil {
				t.Fatal(err)
			}
			b := store.Article{Identity: "b1", Link: "https://daily.example/b1", Title: "Coast shaken by quake",
				Summary: []string{"An earthquake shook the coast."}, Published: w.clk.Now(), Story: story}
			if _, err := w.st.RecordPoll(ctx, store.PollResult{FeedID: other.FeedID, Articles: []store.Article{b}, PolledAt: w.clk.Now(), NextPollAt: w.clk.Now()}); err != nil {
				t.Fatal(err)
			}
			w.round(t, w.st, "p1")
			posts := w.posts()
			if len(posts) != 1 {
				t.Fatalf("%d posts, want the story's one", len(posts))
			}
			f := posts[0].Embeds[0].Fields
			if len(f) == 0 || f[len(f)-1].Name != outletsField || !strings.Contains(f[len(f)-1].Value, "The Daily") {
				t.Fatalf("the story's post after the join: fields %+v", f)
			}
			webhookEdits, botEdits := w.dc.Attempts(discordtest.RouteEditWebhookMessage), w.dc.Attempts(discordtest.RouteEditMessage)
			if wantWebhook := wantsWebhook(tc.rules); (webhookEdits == 1) != wantWebhook || (botEdits == 1) == wantWebhook {
				t.Errorf("%d webhook edits and %d bot edits; the post is the webhook's: %v", webhookEdits, botEdits, wantWebhook)
			}
		})
	}
}

// TestWebhookLostWithThePermission: the webhook is deleted and Manage
// Webhooks taken away: the next post goes out as the bot, and a single
// log line says why.
func TestWebhookLostWithThePermission(t *testing.T) {
	w := newTargetWorld(t, false, store.Rules{WebhookName: "Reuters"})
	var logs strings.Builder
	d := w.deliverer(w.st, "p1")
	d.Poster.(targetPoster).t.log = slog.New(slog.NewTextHandler(&logs, nil))
	w.publish(t, "a1", "Quake hits the coast")
	if _, err := d.DeliverOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	w.dc.DeleteWebhook(w.dc.Webhooks(w.channel)[0].ID)
	w.dc.SetBotPermissions(w.guild.ID, discordtest.BotPermissions&^discordgo.PermissionManageWebhooks)
	w.publish(t, "a2", "Flood waters recede")
	w.publish(t, "a3", "Bridge reopens")
	if _, err := d.DeliverOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	msgs := w.dc.Messages(w.channel)
	if len(msgs) != 3 || msgs[0].WebhookID == "" || msgs[1].WebhookID != "" || msgs[2].WebhookID != "" {
		t.Fatalf("messages by webhooks %q, want the first by the webhook, then the bot's", []string{msgs[0].WebhookID, msgs[1].WebhookID, msgs[2].WebhookID})
	}
	if n := strings.Count(logs.String(), "Manage Webhooks missing"); n != 1 {
		t.Errorf("%d log lines about the missing permission, want 1:\n%s", n, logs.String())
	}
}

// TestTargetServerErrorsRetryOnce: a webhook execute or a forum post that
// Discord answers with a 500 is retried by a later round, and posted once.
func TestTargetServerErrorsRetryOnce(t *testing.T) {
	for _, tc := range []struct {
		name  string
		forum bool
		rules store.Rules
		route discordtest.Route
	}{
		{"Webhook", false, store.Rules{WebhookName: "Reuters"}, discordtest.RouteExecuteWebhook},
		{"Forum", true, store.Rules{}, discordtest.RouteStartThread},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newTargetWorld(t, tc.forum, tc.rules)
			w.publish(t, "a1", "Quake hits the coast")
			w.dc.FailRoute(tc.route, 2, http.StatusInternalServerError)
			for range 3 {
				w.round(t, w.st, "p1")
				w.clk.Add(time.Hour)
			}
			if n := len(w.posts()); n != 1 {
				t.Fatalf("%d posts, want 1", n)
			}
			if d := w.delivery(t); d.State != store.DeliveryPosted || d.Attempts != 2 {
				t.Errorf("delivery %+v, want posted after 2 failed attempts", d)
			}
		})
	}
}

// TestFailingNoticeInAForum: a forum refuses plain messages, so the notice
// that its feed is failing becomes a forum post of its own.
func TestFailingNoticeInAForum(t *testing.T) {
	w := newTargetWorld(t, true, store.Rules{})
	ctx := context.Background()
	for range store.FailingThreshold {
		if _, err := w.st.RecordPollFailure(ctx, store.PollFailure{FeedID: w.sub.FeedID, Error: "The site could not be reached.",
			PolledAt: w.clk.Now(), NextPollAt: w.clk.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	w.round(t, w.st, "p1")
	threads := w.dc.Threads(w.forum.ID)
	if len(threads) != 1 || !strings.Contains(threads[0].Name, "Feed failing") {
		t.Fatalf("forum threads %+v, want one failing-feed notice", threads)
	}
	if msgs := w.dc.Messages(threads[0].ID); len(msgs) != 1 || !strings.Contains(msgs[0].Content, "has failed 10 times") {
		t.Errorf("notice post %+v", msgs)
	}
	w.round(t, w.st, "p1") // told once
	if n := len(w.dc.Threads(w.forum.ID)); n != 1 {
		t.Errorf("%d notices after a second round, want 1", n)
	}
}
