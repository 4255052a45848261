package storetest

import (
	"reflect"
	"strings"
	"time"

	"newsbot/store"
)

// Conformance cases for the per-subscription rules of issue 11.

// fullRules sets every rule, with text a backend might mangle: quotes,
// braces, newlines, non-ASCII and a character outside the BMP.
func fullRules() store.Rules {
	no := false
	return store.Rules{
		Include:       `earthquake, "rock, paper", title:/(?i)^breaking/`,
		Exclude:       "sponsored, category:opinion",
		MentionRole:   "123456789012345678",
		MentionWhen:   "tsunami",
		Format:        store.FormatText,
		Sentences:     4,
		Color:         0x2B6CB0,
		Image:         &no,
		Template:      "{mention} **{title}**\n{summary}\n<{link}> — Zürich 📰 {}",
		WebhookName:   "Reuters",
		WebhookAvatar: "https://example.com/icon.png",
		Thread:        true,
		ForumTag:      "987654321098765432",
		DailyLimit:    25,
	}
}

// testSaveRules: rules round-trip through SaveRules, ListSubscriptions and
// ClaimDeliveries, belong to one guild, and the zero Rules clears them.
func testSaveRules(e *env) {
	t := e.t
	sub := e.subscribe("g1", "c1", 1)
	other := e.subscribe("g1", "c2", 1)
	if !sub.Rules.IsZero() || sub.DroppedFiltered != 0 || sub.DroppedDaily != 0 {
		t.Errorf("new subscription has rules %+v, drops %d/%d", sub.Rules, sub.DroppedFiltered, sub.DroppedDaily)
	}
	want := fullRules()
	got, err := e.st.SaveRules(e.ctx, "g1", sub.ID, want)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Rules, want) || got.ID != sub.ID || got.Feed.URL != feedURL(1) || got.ChannelID != "c1" {
		t.Errorf("SaveRules returned %+v\nwant rules %+v", got, want)
	}
	_, err = e.st.SaveRules(e.ctx, "g2", sub.ID, store.Rules{Include: "x"})
	wantErr(t, "SaveRules(another guild)", err, store.ErrNotFound)
	_, err = e.st.SaveRules(e.ctx, "g1", 987654, store.Rules{Include: "x"})
	wantErr(t, "SaveRules(unknown)", err, store.ErrNotFound)

	subs, err := e.st.ListSubscriptions(e.ctx, "g1")
	if err != nil {
		t.Fatal(err)
	}
	if len(subs) != 2 || !reflect.DeepEqual(subs[0].Rules, want) || !subs[1].Rules.IsZero() {
		t.Fatalf("listed %+v", subs)
	}
	if subs[0].Rules.Image == nil || *subs[0].Rules.Image {
		t.Errorf("Image = %v, want false (not unset)", subs[0].Rules.Image)
	}

	// The deliverer gets the rules with each claimed delivery.
	e.poll(sub.FeedID, article("1"))
	ds := e.claimDeliveries(store.ClaimOptions{Owner: "d", Now: t0, Limit: 10, Lease: time.Minute})
	if len(ds) != 2 {
		t.Fatalf("claimed %d deliveries, want 2", len(ds))
	}
	for _, d := range ds {
		switch d.SubscriptionID {
		case sub.ID:
			if !reflect.DeepEqual(d.Subscription.Rules, want) {
				t.Errorf("claimed delivery's rules = %+v", d.Subscription.Rules)
			}
		case other.ID:
			if !d.Subscription.Rules.IsZero() {
				t.Errorf("the other subscription's delivery has rules %+v", d.Subscription.Rules)
			}
		}
	}

	// A tri-state image: true is kept as true, not as unset.
	yes := true
	got, err = e.st.SaveRules(e.ctx, "g1", sub.ID, store.Rules{Image: &yes})
	if err != nil || got.Rules.Image == nil || !*got.Rules.Image {
		t.Errorf("SaveRules(image true) = %+v, %v", got.Rules, err)
	}
	got, err = e.st.SaveRules(e.ctx, "g1", sub.ID, store.Rules{})
	if err != nil || !got.Rules.IsZero() {
		t.Errorf("SaveRules(zero) = %+v, %v; want the rules cleared", got.Rules, err)
	}
}

// testResumeSubscription: a paused subscription resumes with the posts
// that waited, in order; only its own guild may resume it.
func testResumeSubscription(e *env) {
	t := e.t
	sub := e.subscribe("g1", "c1", 1)
	e.poll(sub.FeedID, articles("1", "2")...)
	if err := e.st.PauseSubscription(e.ctx, sub.ID, "Missing Access"); err != nil {
		t.Fatal(err)
	}
	if got := e.pending(); got != 0 {
		t.Errorf("pending while paused = %d, want 0", got)
	}
	wantErr(t, "ResumeSubscription(another guild)", e.st.ResumeSubscription(e.ctx, "g2", sub.ID), store.ErrNotFound)
	wantErr(t, "ResumeSubscription(unknown)", e.st.ResumeSubscription(e.ctx, "g1", 987654), store.ErrNotFound)
	if err := e.st.ResumeSubscription(e.ctx, "g1", sub.ID); err != nil {
		t.Fatal(err)
	}
	subs, _ := e.st.ListSubscriptions(e.ctx, "g1")
	if len(subs) != 1 || subs[0].Paused || subs[0].PauseReason != "" {
		t.Errorf("after resume: %+v", subs)
	}
	if got := e.pending(); got != 2 {
		t.Errorf("pending after resume = %d, want the 2 that waited", got)
	}
	ds := e.claimDeliveries(store.ClaimOptions{Owner: "d", Now: t0, Limit: 10, Lease: time.Minute})
	if got := titles(ds); !reflect.DeepEqual(got, []string{"Title 1", "Title 2"}) {
		t.Errorf("claimed after resume: %v", got)
	}
	// Resuming an active subscription is harmless.
	if err := e.st.ResumeSubscription(e.ctx, "g1", sub.ID); err != nil {
		t.Errorf("resume an active subscription: %v", err)
	}
}

// testPostedSince: messages posted are counted per subscription after a
// time, which is what the rolling daily limit reads. A delivery that only
// edited a message posted earlier (a story's later outlet, from this
// subscription or another) does not count again.
func testPostedSince(e *env) {
	t := e.t
	a := e.subscribe("g1", "c1", 1)
	b := e.subscribe("g1", "c2", 1)
	e.poll(a.FeedID, articles("1", "2", "3", "4", "5", "6")...)
	ds := e.claimDeliveries(store.ClaimOptions{Owner: "d", Now: t0, Limit: 100, Lease: time.Minute})
	var mine, theirs []store.Delivery
	for _, d := range ds {
		if d.SubscriptionID == a.ID {
			mine = append(mine, d)
		} else {
			theirs = append(theirs, d)
		}
	}
	if len(mine) != 6 || len(theirs) != 6 {
		t.Fatalf("claimed %d of a's deliveries and %d of b's, want 6 each", len(mine), len(theirs))
	}
	// b posts four messages and two edits of its own first message; its
	// second message (1 h ago) is the one a's later outlet edits.
	for i, m := range []string{"b1", "b2", "b3", "b4", "b1", "b1"} {
		if err := e.st.MarkPosted(e.ctx, theirs[i].ID, m, t0.Add(-time.Hour+time.Duration(i)*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	// a posts 30 h, 20 h and 1 h ago; then edits its own 30-hour-old
	// message and b's 1-hour-old one (joins, not posts); the sixth fails.
	for i, m := range []struct {
		id  string
		ago time.Duration
	}{{"a1", 30 * time.Hour}, {"a2", 20 * time.Hour}, {"a3", time.Hour}, {"a1", 30 * time.Minute}, {"b2", 10 * time.Minute}} {
		if err := e.st.MarkPosted(e.ctx, mine[i].ID, m.id, t0.Add(-m.ago)); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.st.MarkFailed(e.ctx, mine[5].ID, "rejected"); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		since time.Time
		want  int
	}{
		{t0.Add(-24 * time.Hour), 2},
		{t0.Add(-48 * time.Hour), 3},
		{t0.Add(-time.Hour), 0}, // strictly after
		{t0, 0},
	} {
		n, err := e.st.PostedSince(e.ctx, a.ID, c.since)
		if err != nil {
			t.Fatal(err)
		}
		if n != c.want {
			t.Errorf("PostedSince(%v) = %d, want %d", c.since, n, c.want)
		}
	}
	if n, err := e.st.PostedSince(e.ctx, b.ID, t0.Add(-2*time.Hour)); err != nil || n != 4 {
		t.Errorf("PostedSince(b) = %d, %v; want 4", n, err)
	}
	if n, err := e.st.PostedSince(e.ctx, 987654, t0.Add(-time.Hour)); err != nil || n != 0 {
		t.Errorf("PostedSince(unknown) = %d, %v; want 0, nil", n, err)
	}
}

// testMarkDropped: a dropped delivery is settled (never retried, never
// blocking the posts after it) and counted on its subscription by reason;
// a delivery already posted stays posted and is not counted.
func testMarkDropped(e *env) {
	t := e.t
	sub := e.subscribe("g1", "c1", 1)
	e.poll(sub.FeedID, articles("1", "2", "3", "4")...)
	ds := e.claimDeliveries(store.ClaimOptions{Owner: "d", Now: t0, Limit: 2, Lease: time.Minute})
	if len(ds) != 2 {
		t.Fatalf("claimed %d, want 2", len(ds))
	}
	if err := e.st.MarkDropped(e.ctx, ds[0].ID, store.DropFiltered, `excluded by "sponsored"`); err != nil {
		t.Fatal(err)
	}
	if err := e.st.MarkDropped(e.ctx, ds[1].ID, store.DropDaily, "25 posts in 24 hours"); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "MarkDropped(unknown)", e.st.MarkDropped(e.ctx, 987654, store.DropFiltered, "x"), store.ErrNotFound)
	if err := e.st.MarkDropped(e.ctx, ds[0].ID, "bogus", "x"); err == nil {
		t.Errorf("MarkDropped with an unknown reason succeeded")
	}

	all := e.deliveries(sub.ID)
	if all[0].State != store.DeliveryFailed || all[0].Error != `dropped (filtered): excluded by "sponsored"` ||
		!strings.HasPrefix(all[0].Error, store.DroppedPrefix) {
		t.Errorf("filtered delivery = %+v", all[0])
	}
	if all[1].State != store.DeliveryFailed || all[1].Error != "dropped (daily limit): 25 posts in 24 hours" {
		t.Errorf("daily-limited delivery = %+v", all[1])
	}
	// The later posts are claimable at once, claim leases or not.
	next := e.claimDeliveries(store.ClaimOptions{Owner: "d", Now: t0, Limit: 10, Lease: time.Minute})
	if got := titles(next); !reflect.DeepEqual(got, []string{"Title 3", "Title 4"}) {
		t.Errorf("claimed after the drops: %v", got)
	}
	// A delivery posted meanwhile is not dropped again, nor counted twice.
	if err := e.st.MarkPosted(e.ctx, next[0].ID, "msg", t0); err != nil {
		t.Fatal(err)
	}
	if err := e.st.MarkDropped(e.ctx, next[0].ID, store.DropFiltered, "late"); err != nil {
		t.Errorf("MarkDropped(posted) = %v, want nil", err)
	}
	if err := e.st.MarkDropped(e.ctx, ds[0].ID, store.DropFiltered, "again"); err != nil {
		t.Errorf("MarkDropped(already dropped) = %v, want nil", err)
	}
	if d := e.deliveries(sub.ID)[2]; d.State != store.DeliveryPosted || d.MessageID != "msg" {
		t.Errorf("posted delivery after MarkDropped = %+v", d)
	}
	subs, _ := e.st.ListSubscriptions(e.ctx, "g1")
	if len(subs) != 1 || subs[0].DroppedFiltered != 1 || subs[0].DroppedDaily != 1 {
		t.Errorf("drop counts = %+v, want 1 filtered and 1 daily", subs)
	}
	if got := e.pending(); got != 1 {
		t.Errorf("pending = %d, want 1", got)
	}
}
