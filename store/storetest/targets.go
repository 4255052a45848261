package storetest

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"newsbot/store"
)

// Conformance cases for the posting targets of issue 11: channel webhooks
// and thread starts.

// testWebhooks: one webhook per channel, replaced by a save, read back
// exactly (the token is kept as given), and forgotten only while it is
// still the one named.
func testWebhooks(e *env) {
	t := e.t
	if _, err := e.st.ChannelWebhook(e.ctx, "c1"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("ChannelWebhook of a channel without one = %v, want ErrNotFound", err)
	}
	first := store.Webhook{ChannelID: "c1", ID: "w1", Token: "tok-ü/+=_-1", CreatedAt: t0}
	if err := e.st.SaveWebhook(e.ctx, first); err != nil {
		t.Fatal(err)
	}
	if err := e.st.SaveWebhook(e.ctx, store.Webhook{ChannelID: "c2", ID: "w9", Token: "other", CreatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	got, err := e.st.ChannelWebhook(e.ctx, "c1")
	if err != nil || got != first {
		t.Fatalf("ChannelWebhook = %+v, %v; want %+v", got, err, first)
	}
	second := store.Webhook{ChannelID: "c1", ID: "w2", Token: "tok-2", CreatedAt: t0.Add(time.Hour)}
	if err := e.st.SaveWebhook(e.ctx, second); err != nil {
		t.Fatal(err)
	}
	// Forgetting the replaced webhook leaves its successor alone.
	if err := e.st.ForgetWebhook(e.ctx, "c1", "w1"); err != nil {
		t.Fatal(err)
	}
	if got, err := e.st.ChannelWebhook(e.ctx, "c1"); err != nil || got != second {
		t.Fatalf("after forgetting the old webhook: %+v, %v; want %+v", got, err, second)
	}
	if err := e.st.ForgetWebhook(e.ctx, "c1", "w2"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.ChannelWebhook(e.ctx, "c1"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("forgotten webhook still read: %v", err)
	}
	if err := e.st.ForgetWebhook(e.ctx, "c1", "w2"); err != nil {
		t.Fatalf("forgetting twice: %v", err)
	}
	if got, err := e.st.ChannelWebhook(e.ctx, "c2"); err != nil || got.ID != "w9" {
		t.Fatalf("another channel's webhook = %+v, %v", got, err)
	}
	// A save without a time is stamped by the store.
	if err := e.st.SaveWebhook(e.ctx, store.Webhook{ChannelID: "c3", ID: "w3", Token: "t"}); err != nil {
		t.Fatal(err)
	}
	if got, err := e.st.ChannelWebhook(e.ctx, "c3"); err != nil || got.CreatedAt.IsZero() {
		t.Fatalf("webhook saved without a time = %+v, %v", got, err)
	}
}

// testPastWebhooks: a webhook replaced by a save or forgotten is kept
// among the channel's past webhooks, newest first and at most
// store.MaxPastWebhooks; forgetting one that is no longer current, or
// saving the current one again, retires nothing.
func testPastWebhooks(e *env) {
	t := e.t
	past := func(channel string) []string {
		t.Helper()
		ids, err := e.st.PastWebhooks(e.ctx, channel)
		if err != nil {
			t.Fatal(err)
		}
		return ids
	}
	tick := func() {
		if e.clock != nil {
			e.clock.Set(e.clock.Now().Add(time.Minute))
		}
	}
	save := func(channel, id string) {
		t.Helper()
		tick()
		if err := e.st.SaveWebhook(e.ctx, store.Webhook{ChannelID: channel, ID: id, Token: "tok-" + id}); err != nil {
			t.Fatal(err)
		}
	}
	if ids := past("c1"); len(ids) != 0 {
		t.Fatalf("past webhooks of a new channel = %v", ids)
	}
	save("c1", "w1")
	save("c1", "w1") // saved again: still current
	save("c2", "x1")
	if ids := past("c1"); len(ids) != 0 {
		t.Fatalf("past webhooks with only the current one = %v", ids)
	}
	save("c1", "w2")
	tick()
	if err := e.st.ForgetWebhook(e.ctx, "c1", "w1"); err != nil { // no longer current
		t.Fatal(err)
	}
	if ids := past("c1"); !slices.Equal(ids, []string{"w1"}) {
		t.Fatalf("after a replace = %v, want [w1]", ids)
	}
	tick()
	if err := e.st.ForgetWebhook(e.ctx, "c1", "w2"); err != nil {
		t.Fatal(err)
	}
	if ids := past("c1"); !slices.Equal(ids, []string{"w2", "w1"}) {
		t.Fatalf("after a forget = %v, want [w2 w1]", ids)
	}
	if ids := past("c2"); len(ids) != 0 {
		t.Fatalf("another channel's past webhooks = %v", ids)
	}
	if e.clock == nil {
		return // the bound's order needs the clock
	}
	for i := 3; i < 3+store.MaxPastWebhooks; i++ {
		save("c1", fmt.Sprint("w", i))
	}
	ids := past("c1")
	if len(ids) != store.MaxPastWebhooks || ids[0] != fmt.Sprint("w", 1+store.MaxPastWebhooks) {
		t.Fatalf("past webhooks after many = %v, want the newest %d", ids, store.MaxPastWebhooks)
	}
}

// testThreadStarts: one per delivery (a second add keeps the first), due
// by retry time, retried with a count and a reason, finished idempotently,
// and gone with its delivery.
func testThreadStarts(e *env) {
	t := e.t
	sub := e.subscribe("g1", "c1", 1)
	e.poll(sub.FeedID, articles("1", "2", "3")...)
	ds := e.deliveries(sub.ID)
	if len(ds) != 3 {
		t.Fatalf("%d deliveries, want 3", len(ds))
	}
	add := func(ts store.ThreadStart) {
		t.Helper()
		if err := e.st.AddThreadStart(e.ctx, ts); err != nil {
			t.Fatal(err)
		}
	}
	add(store.ThreadStart{DeliveryID: ds[0].ID, ChannelID: "c1", MessageID: "m1", Name: "Quake “hits” 🌊", RetryAt: t0.Add(time.Minute), Error: "HTTP 500"})
	add(store.ThreadStart{DeliveryID: ds[0].ID, ChannelID: "c1", MessageID: "other", Name: "again"})
	add(store.ThreadStart{DeliveryID: ds[1].ID, ChannelID: "c1", MessageID: "m2", Name: "second", RetryAt: t0})
	add(store.ThreadStart{DeliveryID: ds[2].ID, ChannelID: "c1", MessageID: "m3", Name: "later", RetryAt: t0.Add(time.Hour)})

	due, err := e.st.DueThreadStarts(e.ctx, t0.Add(time.Minute), 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(due) != 2 || due[0].DeliveryID != ds[1].ID || due[1].DeliveryID != ds[0].ID {
		t.Fatalf("due = %+v, want the second delivery's then the first's", due)
	}
	if d := due[1]; d.MessageID != "m1" || d.Name != "Quake “hits” 🌊" || d.ChannelID != "c1" || d.Error != "HTTP 500" ||
		d.Attempts != 0 || !d.RetryAt.Equal(t0.Add(time.Minute)) || d.CreatedAt.IsZero() {
		t.Fatalf("first thread start read back as %+v", d)
	}
	if due, err := e.st.DueThreadStarts(e.ctx, t0.Add(time.Minute), 1); err != nil || len(due) != 1 {
		t.Fatalf("limit 1: %d, %v", len(due), err)
	}
	if err := e.st.RetryThreadStart(e.ctx, ds[1].ID, t0.Add(2*time.Hour), "HTTP 503"); err != nil {
		t.Fatal(err)
	}
	due, err = e.st.DueThreadStarts(e.ctx, t0.Add(90*time.Minute), 10)
	if err != nil || len(due) != 2 || due[0].DeliveryID != ds[0].ID || due[1].DeliveryID != ds[2].ID {
		t.Fatalf("due after a retry = %+v, %v", due, err)
	}
	due, _ = e.st.DueThreadStarts(e.ctx, t0.Add(2*time.Hour), 10)
	var retried store.ThreadStart
	for _, d := range due {
		if d.DeliveryID == ds[1].ID {
			retried = d
		}
	}
	if retried.Attempts != 1 || retried.Error != "HTTP 503" {
		t.Fatalf("retried thread start = %+v", retried)
	}
	if err := e.st.RetryThreadStart(e.ctx, 999999, t0, "x"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("retry of an unknown thread start = %v, want ErrNotFound", err)
	}
	for range 2 {
		if err := e.st.FinishThreadStart(e.ctx, ds[0].ID); err != nil {
			t.Fatal(err)
		}
	}
	// Removing the subscription takes its deliveries and their thread starts.
	if _, err := e.st.Unsubscribe(e.ctx, "g1", sub.ID); err != nil {
		t.Fatal(err)
	}
	if due, err := e.st.DueThreadStarts(e.ctx, t0.Add(24*time.Hour), 10); err != nil || len(due) != 0 {
		t.Fatalf("thread starts after unsubscribing = %+v, %v", due, err)
	}
}
