package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"newsbot/bot/discordtest"
)

// publishItem adds one item of the test's own making to a feed.
func (fs *feedServer) publishItem(name string, it testItem) testItem {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	f := fs.feeds["/feeds/"+name+".xml"]
	fs.next++
	if it.GUID == "" {
		it.GUID = fmt.Sprintf("urn:test:%s-%d", name, fs.next)
	}
	if it.Link == "" {
		it.Link = fmt.Sprintf("%s/articles/%s-%d.html", fs.srv.URL, name, fs.next)
	}
	if it.Published.IsZero() {
		it.Published = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(fs.next) * time.Minute)
	}
	f.items = append(f.items, it)
	f.version++
	return it
}

// retitle changes the headline of a published item.
func (fs *feedServer) retitle(name, guid, title string) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	f := fs.feeds["/feeds/"+name+".xml"]
	for i := range f.items {
		if f.items[i].GUID == guid {
			f.items[i].Title = title
		}
	}
	f.version++
}

const quakeText = "A magnitude 7.1 earthquake struck off the coast of Hokkaido on Tuesday morning, " +
	"the Japan Meteorological Agency said, triggering a tsunami warning for the northern island. " +
	"Residents of Kushiro and Nemuro were told to move to higher ground as waves of up to three metres were expected. " +
	"Hokkaido Electric Power said it was checking the Tomari nuclear plant, which has been offline since 2012. " +
	"There were no immediate reports of deaths, but several people were hurt by falling objects in Kushiro. " +
	"Prime Minister Shigeru Ishiba set up an emergency task force and urged people to stay away from the coast."

func TestE2EStories(t *testing.T) {
	for name, db := range databases(t) {
		t.Run(name, func(t *testing.T) {
			t.Run("OneStoryOnePost", func(t *testing.T) { testOneStoryOnePost(t, db(t)) })
			t.Run("DeletedStoryPostIsNotRecreated", func(t *testing.T) { testDeletedStoryPost(t, db(t)) })
			t.Run("StoriesOff", func(t *testing.T) { testStoriesOff(t, db(t)) })
		})
	}
}

// testOneStoryOnePost: two outlets report one story; the channel gets one
// post, edited to list the second outlet; a changed headline edits it.
func testOneStoryOnePost(t *testing.T, dbURL string) {
	w := newWorld(t, dbURL)
	ctx := deadline(t)
	w.subscribe(t, "wire", 1)
	w.subscribe(t, "daily", 1)
	first := w.fs.publishItem("wire", testItem{Title: "Strong earthquake hits Hokkaido, tsunami warning issued", Text: quakeText})
	msgs, err := w.dc.WaitMessages(ctx, w.channel, 1)
	if err != nil {
		t.Fatal(err)
	}
	post := msgs[0]
	w.fs.publishItem("daily", testItem{Title: "Hokkaido earthquake: tsunami warning after magnitude 7.1 quake",
		Text: strings.Replace(quakeText, "on Tuesday morning", "early on Tuesday", 1)})
	edits, err := w.dc.WaitEdits(ctx, w.channel, 1)
	if err != nil {
		t.Fatalf("the second outlet did not edit the story's post: %v", err)
	}
	if edits[0].MessageID != post.ID || !hasOutlet(edits[0].Message, "The daily Times") {
		t.Fatalf("edit %+v does not list the second outlet on post %s", edits[0].Message.Embeds, post.ID)
	}
	if edits[0].AllowedMentions == nil {
		t.Errorf("the edit sent no allowed_mentions: Discord would ping by its defaults")
	}
	// An unrelated story from the second outlet is a post of its own.
	w.fs.publishItem("daily", testItem{Title: "Central bank holds rates at 4.5% as inflation cools",
		Text: "The central bank kept its main interest rate at 4.5 percent on Thursday, saying inflation had cooled faster than expected. " +
			"Governor Maria Lopez said further cuts would depend on wage growth over the winter."})
	if _, err := w.dc.WaitMessages(ctx, w.channel, 2); err != nil {
		t.Fatalf("a different story was merged: %v", err)
	}
	// The first outlet rewrites its headline: the post is edited in place.
	w.fs.retitle("wire", first.GUID, "Magnitude 7.1 earthquake hits Hokkaido; three injured, tsunami warning lifted")
	edited := func() bool {
		m, ok := w.dc.Message(w.channel, post.ID)
		return ok && len(m.Embeds) == 1 && strings.Contains(m.Embeds[0].Title, "three injured") && hasOutlet(m, "The daily Times")
	}
	if err := w.dc.Wait(ctx, edited); err != nil {
		m, _ := w.dc.Message(w.channel, post.ID)
		t.Fatalf("the changed headline was not edited in with the outlets kept: %q, fields %+v", m.Embeds[0].Title, m.Embeds[0].Fields)
	}
	if n := len(w.dc.Messages(w.channel)); n != 2 {
		t.Errorf("%d messages in the channel, want 2 (one per story)", n)
	}
	// /top lists the story with its two outlets first; /latest shows it once.
	top := w.run(t, discordtest.InteractionSpec{}, "top", discordtest.IntOpt("hours", 24))
	if len(top.Embeds) != 1 || !strings.Contains(top.Embeds[0].Description, "**1.** [Magnitude 7.1 earthquake") ||
		!strings.Contains(top.Embeds[0].Description, "2 outlets") {
		t.Errorf("/top = %+v", top.Embeds)
	}
	latest := w.run(t, discordtest.InteractionSpec{}, "latest", discordtest.StringOpt("topic", "Hokkaido earthquake"))
	if len(latest.Embeds) != 1 || latest.Embeds[0].Footer == nil || latest.Embeds[0].Footer.Text != "Covered by 2 outlets" {
		t.Errorf("/latest shows the story %d times: %+v", len(latest.Embeds), latest.Embeds)
	}
}

// testStoriesOff: with grouping off, every article is posted.
func testStoriesOff(t *testing.T, dbURL string) {
	w := newWorld(t, dbURL)
	ctx := deadline(t)
	m := w.admin(t, "settings", discordtest.BoolOpt("stories", false))
	if !strings.Contains(m.Content, "stories: **off") {
		t.Fatalf("/settings stories:false answered %q", m.Content)
	}
	w.subscribe(t, "wire", 1)
	w.subscribe(t, "daily", 1)
	w.fs.publishItem("wire", testItem{Title: "Strong earthquake hits Hokkaido, tsunami warning issued", Text: quakeText})
	if _, err := w.dc.WaitMessages(ctx, w.channel, 1); err != nil {
		t.Fatal(err)
	}
	w.fs.publishItem("daily", testItem{Title: "Hokkaido earthquake: tsunami warning after magnitude 7.1 quake", Text: quakeText})
	if _, err := w.dc.WaitMessages(ctx, w.channel, 2); err != nil {
		t.Fatalf("with stories off the second outlet was not posted: %v", err)
	}
	if n := len(w.dc.Edits(w.channel)); n != 0 {
		t.Errorf("%d edits with stories off", n)
	}
}

// testDeletedStoryPost: a moderator deletes a story's post; another outlet
// of the story does not bring it back.
func testDeletedStoryPost(t *testing.T, dbURL string) {
	w := newWorld(t, dbURL)
	ctx := deadline(t)
	w.subscribe(t, "wire", 1)
	w.subscribe(t, "daily", 1)
	w.fs.publishItem("wire", testItem{Title: "Strong earthquake hits Hokkaido, tsunami warning issued", Text: quakeText})
	msgs, err := w.dc.WaitMessages(ctx, w.channel, 1)
	if err != nil {
		t.Fatal(err)
	}
	w.dc.DeleteMessage(w.channel, msgs[0].ID)
	w.fs.publishItem("daily", testItem{Title: "Hokkaido earthquake: tsunami warning after magnitude 7.1 quake", Text: quakeText})
	waitFor(ctx, t, "the second outlet settled", func() bool { return strings.Contains(w.bot.logs.String(), "not recreating it") })
	if n := len(w.dc.Messages(w.channel)); n != 0 {
		t.Errorf("%d messages after the story's post was deleted, want 0", n)
	}
}

// hasOutlet reports whether a post lists an outlet under "Also covered by".
func hasOutlet(m discordtest.Message, name string) bool {
	for _, e := range m.Embeds {
		for _, f := range e.Fields {
			if f.Name == "Also covered by" && strings.Contains(f.Value, name) {
				return true
			}
		}
	}
	return strings.Contains(m.Content, "Also covered by: ") && strings.Contains(m.Content, name)
}
