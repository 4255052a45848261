package bot

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"newsbot/store"
)

// fakeOutbox is a DeliveryStore in memory, for the deliverer's own rules.
type fakeOutbox struct {
	pending   []store.Delivery
	notices   []store.Subscription
	paused    map[int64]string
	notified  map[int64]bool
	posted    map[int64]string
	released  map[int64]int
	settingsN int
}

func newFakeOutbox() *fakeOutbox {
	return &fakeOutbox{paused: map[int64]string{}, notified: map[int64]bool{}, posted: map[int64]string{}, released: map[int64]int{}}
}

func (f *fakeOutbox) ClaimDeliveries(context.Context, store.ClaimOptions) ([]store.Delivery, error) {
	out := f.pending
	f.pending = nil
	return out, nil
}
func (f *fakeOutbox) MarkPosted(_ context.Context, id int64, msg string, _ time.Time) error {
	f.posted[id] = msg
	return nil
}
func (f *fakeOutbox) MarkFailed(context.Context, int64, string) error { return nil }
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
	fail  map[string]error
	posts int
}

func (p *fakePoster) post(_ context.Context, ch string, _ message, _ string) (string, error) {
	p.posts++
	if err := p.fail[ch]; err != nil {
		return "", err
	}
	return "m" + ch, nil
}

func newTestDeliverer(st *fakeOutbox, p *fakePoster) *Deliverer {
	return &Deliverer{Store: st, Poster: p, Owner: "t", Lease: time.Minute, Batch: 10, DefaultSentences: 3,
		Now: time.Now, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
}

func TestDeliverOnceSettlesEachDelivery(t *testing.T) {
	st := newFakeOutbox()
	sub := func(id int64, ch string) store.Subscription {
		return store.Subscription{ID: id, GuildID: "g", ChannelID: ch}
	}
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
