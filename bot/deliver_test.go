package bot

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"newsbot/store"
)

// fakeOutbox is a DeliveryStore in memory, for the deliverer's own rules.
type fakeOutbox struct {
	pending   []store.Delivery
	lost      map[int64]bool // BeginPost reports these claims lost
	begun     []int64
	markFails int // MarkPosted fails this many times first
	dropped   map[int64]string
	notices   []store.Subscription
	paused    map[int64]string
	notified  map[int64]bool
	posted    map[int64]string
	released  map[int64]int
	settingsN int
}

func newFakeOutbox() *fakeOutbox {
	return &fakeOutbox{paused: map[int64]string{}, notified: map[int64]bool{}, posted: map[int64]string{}, released: map[int64]int{}, lost: map[int64]bool{}, dropped: map[int64]string{}}
}

func (f *fakeOutbox) ClaimDeliveries(context.Context, store.ClaimOptions) ([]store.Delivery, error) {
	out := f.pending
	f.pending = nil
	return out, nil
}
func (f *fakeOutbox) BeginPost(_ context.Context, id int64, _ string, _, _ time.Time) error {
	if f.lost[id] {
		return store.ErrLeaseLost
	}
	f.begun = append(f.begun, id)
	return nil
}
func (f *fakeOutbox) MarkPosted(ctx context.Context, id int64, msg string, _ time.Time) error {
	if f.markFails > 0 {
		f.markFails--
		return errors.New("database is locked")
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	f.posted[id] = msg
	return nil
}
func (f *fakeOutbox) MarkFailed(context.Context, int64, string) error            { return nil }
func (f *fakeOutbox) PostedSince(context.Context, int64, time.Time) (int, error) { return 0, nil }
func (f *fakeOutbox) MarkDropped(_ context.Context, id int64, why store.DropReason, detail string) error {
	f.dropped[id] = store.DroppedPrefix + string(why) + "): " + detail
	return nil
}
func (f *fakeOutbox) MarkStoryPosted(ctx context.Context, id int64, msg string, at time.Time) error {
	return f.MarkPosted(ctx, id, msg, at)
}
func (f *fakeOutbox) StoryPost(context.Context, string, string, time.Time) (store.StoryPost, error) {
	return store.StoryPost{}, store.ErrNotFound
}
func (f *fakeOutbox) StoryOutlets(context.Context, string, string) ([]store.Outlet, error) {
	return nil, nil
}
func (f *fakeOutbox) ReleaseDelivery(_ context.Context, id int64, _ time.Time, _ string) error {
	f.released[id]++
	return nil
}
func (f *fakeOutbox) PauseSubscription(_ context.Context, id int64, reason string) error {
	f.paused[id] = reason
	return nil
}
func (f *fakeOutbox) GuildSettings(_ context.Context, g string, n int) (store.GuildSettings, error) {
	f.settingsN++
	return store.DefaultGuildSettings(g, n), nil
}
func (f *fakeOutbox) FailingFeedNotices(context.Context) ([]store.Subscription, error) {
	var out []store.Subscription
	for _, s := range f.notices {
		if !f.notified[s.ID] && f.paused[s.ID] == "" {
			out = append(out, s)
		}
	}
	return out, nil
}
func (f *fakeOutbox) MarkFailingNotified(_ context.Context, id int64) error {
	f.notified[id] = true
	return nil
}

// fakePoster answers every post to a channel with a fixed error.
type fakePoster struct {
	fail    map[string]error
	posts   int
	edits   int
	found   string // what find answers
	findErr error
	finds   int
}

func (p *fakePoster) post(_ context.Context, ch string, _ message, _ string) (string, error) {
	p.posts++
	if err := p.fail[ch]; err != nil {
		return "", err
	}
	return "m" + ch, nil
}

func (p *fakePoster) edit(context.Context, string, string, message) error {
	p.edits++
	return nil
}
func (p *fakePoster) get(context.Context, string, string) (message, error) {
	return message{}, nil
}

func (p *fakePoster) find(context.Context, string, message, time.Time) (string, error) {
	p.finds++
	return p.found, p.findErr
}

func newTestDeliverer(st *fakeOutbox, p *fakePoster) *Deliverer {
	return &Deliverer{Store: st, Poster: p, Owner: "t", Lease: time.Minute, Batch: 10, DefaultSentences: 3,
		Now: time.Now, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Sleep: func(context.Context, time.Duration) bool { return true }}
}

func TestDeliverOnceSettlesEachDelivery(t *testing.T) {
	st := newFakeOutbox()
	st.pending = []store.Delivery{
		{ID: 1, SubscriptionID: 1, Subscription: sub(1, "ok")},
		{ID: 2, SubscriptionID: 2, Subscription: sub(2, "denied")},
		{ID: 3, SubscriptionID: 2, Subscription: sub(2, "denied")},
		{ID: 4, SubscriptionID: 3, Subscription: sub(3, "flaky")},
	}
	p := &fakePoster{fail: map[string]error{"denied": restErr(403, codeMissingAccess), "flaky": restErr(500, 0)}}
	n, err := newTestDeliverer(st, p).DeliverOnce(context.Background())
	if err != nil || n != 1 || st.posted[1] != "mok" {
		t.Fatalf("posted %d (%v), marks %v", n, err, st.posted)
	}
	if st.paused[2] != "Missing Access" || st.released[2] != 1 || st.released[3] != 1 {
		t.Errorf("denied channel: paused %q, released %v; want paused and both deliveries kept pending", st.paused[2], st.released)
	}
	if p.posts != 3 {
		t.Errorf("%d post attempts, want 3 (no second try at a paused channel)", p.posts)
	}
	if p.finds != 0 {
		t.Errorf("%d lookups for deliveries never attempted before", p.finds)
	}
	if st.released[4] != 1 {
		t.Errorf("a 500 did not release the delivery for a retry: %v", st.released)
	}
	if st.settingsN != 1 {
		t.Errorf("guild settings read %d times in one round, want 1", st.settingsN)
	}
}

func TestFailingNoticeToDeniedChannelPausesInsteadOfLooping(t *testing.T) {
	st := newFakeOutbox()
	feed := store.Feed{Title: "Dead", ErrorCount: store.FailingThreshold, LastError: "HTTP 500"}
	st.notices = []store.Subscription{
		{ID: 1, ChannelID: "denied", Feed: feed},
		{ID: 2, ChannelID: "ok", Feed: feed},
	}
	p := &fakePoster{fail: map[string]error{"denied": restErr(404, codeUnknownChannel)}}
	d := newTestDeliverer(st, p)
	for range 3 {
		if _, err := d.DeliverOnce(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if st.paused[1] != "Unknown Channel" || !st.notified[2] || st.notified[1] {
		t.Errorf("paused %v, notified %v", st.paused, st.notified)
	}
	if p.posts != 2 {
		t.Errorf("%d notice posts over three rounds, want 2 (one per channel)", p.posts)
	}
}

func sub(id int64, ch string) store.Subscription {
	return store.Subscription{ID: id, GuildID: "g", ChannelID: ch}
}

// TestDeliverOnceKeepsOrderAfterAFailure: once a subscription's post fails,
// its later deliveries of the round wait instead of overtaking it.
func TestDeliverOnceKeepsOrderAfterAFailure(t *testing.T) {
	st := newFakeOutbox()
	st.pending = []store.Delivery{
		{ID: 1, SubscriptionID: 1, Subscription: sub(1, "flaky")},
		{ID: 2, SubscriptionID: 1, Subscription: sub(1, "flaky")},
		{ID: 3, SubscriptionID: 2, Subscription: sub(2, "ok")},
	}
	p := &fakePoster{fail: map[string]error{"flaky": restErr(503, 0)}}
	n, err := newTestDeliverer(st, p).DeliverOnce(context.Background())
	if err != nil || n != 1 || st.posted[3] != "mok" {
		t.Fatalf("posted %d (%v): %v", n, err, st.posted)
	}
	if p.posts != 2 || st.released[1] != 1 || st.released[2] != 1 {
		t.Errorf("posts %d, released %v: want delivery 2 handed back without a post", p.posts, st.released)
	}
}

// TestDeliverOnceSkipsALostClaim: a claim that expired mid-round is never
// posted by this process.
func TestDeliverOnceSkipsALostClaim(t *testing.T) {
	st := newFakeOutbox()
	st.pending = []store.Delivery{
		{ID: 1, SubscriptionID: 1, Subscription: sub(1, "a")},
		{ID: 2, SubscriptionID: 1, Subscription: sub(1, "a")},
		{ID: 3, SubscriptionID: 2, Subscription: sub(2, "b")},
	}
	st.lost[1] = true
	p := &fakePoster{}
	n, err := newTestDeliverer(st, p).DeliverOnce(context.Background())
	if err != nil || n != 1 || p.posts != 1 || st.posted[3] != "mb" {
		t.Fatalf("posted %d (%v), %d posts, marks %v; want only delivery 3", n, err, p.posts, st.posted)
	}
	if _, ok := st.posted[2]; ok {
		t.Errorf("delivery 2 overtook delivery 1, whose claim was lost")
	}
}

// TestRecordRetriesUntilStored: a post whose record fails is recorded by a
// retry with its own deadline, never posted again.
func TestRecordRetriesUntilStored(t *testing.T) {
	st := newFakeOutbox()
	st.markFails = 4
	st.pending = []store.Delivery{{ID: 1, SubscriptionID: 1, Subscription: sub(1, "a")}}
	p := &fakePoster{}
	n, err := newTestDeliverer(st, p).DeliverOnce(context.Background())
	if err != nil || n != 1 || p.posts != 1 || st.posted[1] != "ma" {
		t.Fatalf("posted %d (%v), %d posts, marks %v", n, err, p.posts, st.posted)
	}
	if st.released[1] != 0 {
		t.Errorf("a posted delivery was released for another post")
	}
}

// TestUnsettledAttemptIsFoundNotReposted: a delivery whose earlier attempt
// was never recorded is looked for first; found, it is recorded, not posted.
func TestUnsettledAttemptIsFoundNotReposted(t *testing.T) {
	earlier := time.Now().Add(-time.Hour)
	tests := []struct {
		name      string
		found     string
		findErr   error
		wantPosts int
		wantMark  string
	}{
		{"found", "m-earlier", nil, 0, "m-earlier"},
		{"not there", "", nil, 1, "ma"},
		{"cannot look", "", restErr(503, 0), 0, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := newFakeOutbox()
			st.pending = []store.Delivery{{ID: 1, SubscriptionID: 1, Subscription: sub(1, "a"), AttemptedAt: earlier}}
			p := &fakePoster{found: tc.found, findErr: tc.findErr}
			if _, err := newTestDeliverer(st, p).DeliverOnce(context.Background()); err != nil {
				t.Fatal(err)
			}
			if p.posts != tc.wantPosts || st.posted[1] != tc.wantMark || p.finds != 1 {
				t.Errorf("posts %d, mark %q, finds %d; want %d, %q, 1", p.posts, st.posted[1], p.finds, tc.wantPosts, tc.wantMark)
			}
		})
	}
}

// TestChangedArticleEditedOnlyWithinTheWindow: an article that changes
// edits its post while the post is younger than the story window, and
// leaves it alone after.
func TestChangedArticleEditedOnlyWithinTheWindow(t *testing.T) {
	for _, tc := range []struct {
		age   time.Duration
		edits int
	}{{time.Hour, 1}, {72 * time.Hour, 0}} {
		st := newFakeOutbox()
		st.pending = []store.Delivery{{ID: 1, SubscriptionID: 1, Subscription: sub(1, "a"), Kind: store.KindEdit,
			MessageID: "m1", CreatedAt: time.Now().Add(-tc.age)}}
		p := &fakePoster{}
		if _, err := newTestDeliverer(st, p).DeliverOnce(context.Background()); err != nil {
			t.Fatal(err)
		}
		if p.edits != tc.edits || p.posts != 0 || st.posted[1] != "m1" {
			t.Errorf("post %s old: %d edits, %d posts, marked %q; want %d edits, none posted, settled as m1", tc.age, p.edits, p.posts, st.posted[1], tc.edits)
		}
	}
}
