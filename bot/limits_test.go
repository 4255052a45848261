package bot

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"newsbot/store"
)

// discordRefuses checks a message as Discord does and says what it would
// refuse, or "" if nothing: written from Discord's documentation, apart
// from the code under test.
func discordRefuses(content string, embeds []*discordgo.MessageEmbed) string {
	n := utf8.RuneCountInString
	if n(content) > 2000 {
		return fmt.Sprintf("content is %d characters", n(content))
	}
	if len(embeds) > 10 {
		return fmt.Sprintf("%d embeds", len(embeds))
	}
	total := 0
	badURL := func(u string) bool {
		if u == "" {
			return false
		}
		p, err := url.Parse(u)
		if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" || len(u) > 2048 {
			return true
		}
		for i := 0; i < len(u); i++ {
			if u[i] >= utf8.RuneSelf { // Discord stores the ASCII form; count that
				return true
			}
		}
		return false
	}
	for i, e := range embeds {
		switch {
		case n(e.Title) > 256:
			return fmt.Sprintf("embed %d title %d", i, n(e.Title))
		case n(e.Description) > 4096:
			return fmt.Sprintf("embed %d description %d", i, n(e.Description))
		case len(e.Fields) > 25:
			return fmt.Sprintf("embed %d has %d fields", i, len(e.Fields))
		case badURL(e.URL):
			return fmt.Sprintf("embed %d url %q", i, e.URL)
		}
		total += n(e.Title) + n(e.Description)
		for _, f := range e.Fields {
			if f.Name == "" || f.Value == "" || n(f.Name) > 256 || n(f.Value) > 1024 {
				return fmt.Sprintf("embed %d field %d/%d", i, n(f.Name), n(f.Value))
			}
			total += n(f.Name) + n(f.Value)
		}
		if e.Footer != nil {
			if e.Footer.Text == "" || n(e.Footer.Text) > 2048 || badURL(e.Footer.IconURL) {
				return fmt.Sprintf("embed %d footer %d", i, n(e.Footer.Text))
			}
			total += n(e.Footer.Text)
		}
		if e.Author != nil {
			if e.Author.Name == "" || n(e.Author.Name) > 256 || badURL(e.Author.URL) || badURL(e.Author.IconURL) {
				return fmt.Sprintf("embed %d author %d", i, n(e.Author.Name))
			}
			total += n(e.Author.Name)
		}
		if e.Image != nil && (e.Image.URL == "" || badURL(e.Image.URL)) {
			return fmt.Sprintf("embed %d image %q", i, e.Image.URL)
		}
		if e.Thumbnail != nil && (e.Thumbnail.URL == "" || badURL(e.Thumbnail.URL)) {
			return fmt.Sprintf("embed %d thumbnail %q", i, e.Thumbnail.URL)
		}
	}
	if total > 6000 {
		return fmt.Sprintf("embeds total %d characters", total)
	}
	return ""
}

// hostile is the largest article a feed can hand us: every text field far
// over its limit, in characters markdown escaping doubles, emoji (two
// UTF-16 units, four bytes) and combining marks; links at and over 2,048.
func hostile(i int) store.Article {
	wide := strings.Repeat("👩‍💻*é_", 400)                      // escaping adds a backslash to * and _
	link := "https://example.com/" + strings.Repeat("a", 2100) // over 2,048
	if i%2 == 1 {
		link = "https://bücher.example/" + strings.Repeat("ü", 700) // 700 runes, 4,200 once encoded
	}
	return store.Article{
		Title: fmt.Sprintf("%d %s", i, wide), Link: link, Author: wide, ImageURL: link,
		Summary:        []string{strings.Repeat("A sentence with \u202e unicode ✓ and *marks*. ", 300), wide, wide},
		SentencesTotal: 99, WordsBefore: 9999, WordsAfter: 10,
		Published: time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC),
	}
}

func TestFitLimitsLargestLatest(t *testing.T) {
	// /latest: five of the largest articles, with the source as author,
	// footer on, under a long content line.
	s := store.DefaultGuildSettings("g", 10)
	var embeds []*discordgo.MessageEmbed
	for i := range 5 {
		embeds = append(embeds, render(hostile(i), strings.Repeat("Source ", 100), s).Embed)
	}
	before := embedsLength(embeds)
	content, fitted := fitLimits(strings.Repeat("The latest on **x** ", 200), embeds)
	if why := discordRefuses(content, fitted); why != "" {
		t.Fatalf("Discord would refuse: %s", why)
	}
	if len(fitted) != 5 {
		t.Fatalf("%d embeds left of 5", len(fitted))
	}
	// Trimmed evenly, not by dropping: every result keeps its title,
	// link and some summary, and the originals are untouched.
	for i, e := range fitted {
		if e.Title == "" || e.Description == "" || utf8.RuneCountInString(e.Description) < 200 {
			t.Errorf("embed %d: title %q, description %d characters", i, e.Title, utf8.RuneCountInString(e.Description))
		}
	}
	if embedsLength(embeds) != before {
		t.Errorf("fitLimits changed the embeds it was given")
	}
}

func TestFitLimitsEveryPart(t *testing.T) {
	long := strings.Repeat("x", 5000)
	var fields []*discordgo.MessageEmbedField
	for range 30 {
		fields = append(fields, &discordgo.MessageEmbedField{Name: long, Value: long})
	}
	fields = append(fields, &discordgo.MessageEmbedField{Name: "", Value: "no name"}, nil)
	var embeds []*discordgo.MessageEmbed
	for range 12 {
		embeds = append(embeds, &discordgo.MessageEmbed{
			Title: long, Description: long, URL: "javascript:alert(1)", Fields: fields,
			Footer:    &discordgo.MessageEmbedFooter{Text: long, IconURL: "https://example.com/" + long},
			Author:    &discordgo.MessageEmbedAuthor{Name: long, URL: "https://example.com/a"},
			Image:     &discordgo.MessageEmbedImage{URL: "https://example.com/" + long},
			Thumbnail: &discordgo.MessageEmbedThumbnail{URL: "https://example.com/t.png"},
		}, nil)
	}
	content, fitted := fitLimits(long, embeds)
	if why := discordRefuses(content, fitted); why != "" {
		t.Fatalf("Discord would refuse: %s", why)
	}
	if len(fitted) != 10 || fitted[0].Image != nil || fitted[0].URL != "" || fitted[0].Thumbnail == nil {
		t.Errorf("got %d embeds, image %+v, url %q, thumbnail %+v", len(fitted), fitted[0].Image, fitted[0].URL, fitted[0].Thumbnail)
	}
}

func TestFitURL(t *testing.T) {
	at := "https://example.com/" + strings.Repeat("a", 2048-len("https://example.com/"))
	tests := []struct{ in, want string }{
		{"https://example.com/a?b=c#d", "https://example.com/a?b=c#d"},
		{at, at},       // exactly 2,048: kept
		{at + "a", ""}, // 2,049: dropped, never cut
		{"ftp://example.com/", ""},
		{"https://bücher.example/ü?q=ö#ß", "https://xn--bcher-kva.example/%C3%BC?q=%C3%B6#%C3%9F"},
		// 700 characters, but 4,223 as Discord stores it.
		{"https://example.com/" + strings.Repeat("ü", 700), ""},
	}
	for _, tt := range tests {
		if got := fitURL(tt.in); got != tt.want {
			t.Errorf("fitURL(%.60q) = %.80q, want %.80q", tt.in, got, tt.want)
		}
	}
}

// A reply built from a title and a long URL used to pass 2,000 characters
// and leave the member on "thinking…".
func TestFitLimitsContent(t *testing.T) {
	text := "✅ <#1> is now subscribed to **" + strings.Repeat("T", 256) + "** (<https://example.com/" + strings.Repeat("p", 1990) + ">)."
	content, _ := fitLimits(text, nil)
	if why := discordRefuses(content, nil); why != "" {
		t.Fatal(why)
	}
	if !strings.HasSuffix(content, "…") {
		t.Errorf("cut content does not say so: …%q", content[len(content)-20:])
	}
}

// A rendered post is already in its final form: fitLimits changes nothing
// in it, so the post found in a channel after an outage equals the one
// rendered again for the retry.
func TestRenderedPostIsFitted(t *testing.T) {
	a := hostile(1) // an IDN host and a non-ASCII path
	a.Link = "https://bücher.example/ü?q=ö"
	a.ImageURL = a.Link
	e := render(a, "Source", store.DefaultGuildSettings("g", 3)).Embed
	_, fitted := fitLimits("", []*discordgo.MessageEmbed{e})
	if f := fitted[0]; f.URL != e.URL || f.Title != e.Title || f.Description != e.Description || f.Image.URL != e.Image.URL {
		t.Errorf("fitLimits changed a rendered post: url %q → %q", e.URL, f.URL)
	}
	if e.URL != "https://xn--bcher-kva.example/%C3%BC?q=%C3%B6" {
		t.Errorf("url = %q", e.URL)
	}
}
