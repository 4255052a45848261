package rules

import (
	"reflect"
	"testing"
)

func TestMatch(t *testing.T) {
	quake := Item{
		Title:      "Strong earthquake hits Japan's coast",
		Summary:    "A magnitude-7.1 quake struck off Fukushima. No tsunami warning was issued.",
		Author:     "Jane Doe",
		Categories: []string{"World News", "Asia"},
	}
	tests := []struct {
		name  string
		terms string
		item  Item
		want  string // the matching term, "" for none
	}{
		// words
		{"word in title", "earthquake", quake, "earthquake"},
		{"word in summary", "tsunami", quake, "tsunami"},
		{"case-insensitive", "EARTHQUAKE", quake, "EARTHQUAKE"},
		{"whole words only", "art", Item{Title: "Start of the season"}, ""},
		{"word before apostrophe", "japan", quake, "japan"},
		{"word inside hyphenation", "magnitude", quake, "magnitude"},
		{"digits are words", "7", quake, "7"},
		{"no match", "flood", quake, ""},
		{"first matching term reported", "flood, quake, tsunami", quake, "quake"},
		// phrases
		{"phrase", "no tsunami warning", quake, "no tsunami warning"},
		{"phrase across punctuation", "japan s coast", quake, "japan s coast"},
		{"phrase across sentences", "Fukushima no", quake, "Fukushima no"},
		{"phrase words out of order", "warning tsunami", quake, ""},
		{"phrase not from title into summary", "coast a", quake, ""},
		{"phrase with punctuation in term", "magnitude 7.1", quake, "magnitude 7.1"},
		{"quoted phrase with comma", `"off, Fukushima"`, quake, `"off, Fukushima"`},
		// Unicode
		{"accented word", "économie", Item{Title: "L'Économie française"}, "économie"},
		{"accent not ignored", "economie", Item{Title: "L'Économie française"}, ""},
		{"greek final sigma", "ΟΔΌΣ", Item{Title: "η οδός"}, "ΟΔΌΣ"},
		{"cyrillic whole word", "мир", Item{Title: "Миру мир"}, "мир"},
		{"cyrillic not inside", "мир", Item{Title: "Мировой рынок"}, ""},
		{"combining mark is part of a word", "cafe", Item{Title: "Cafe\u0301 society"}, ""},
		{"chinese characters", "地震", Item{Title: "日本发生强烈地震"}, "地震"},
		{"japanese", "地震", Item{Title: "東京で地震がありました"}, "地震"},
		{"emoji separates words", "fire", Item{Title: "🔥fire🔥"}, "fire"},
		// fields
		{"title prefix", "title:japan", quake, "title:japan"},
		{"title prefix misses summary", "title:tsunami", quake, ""},
		{"summary prefix", "summary:tsunami", quake, "summary:tsunami"},
		{"summary prefix misses title", "summary:earthquake", quake, ""},
		{"author prefix", "author:jane doe", quake, "author:jane doe"},
		{"author not matched without prefix", "jane", quake, ""},
		{"category prefix", "category:asia", quake, "category:asia"},
		{"category word", "category:news", quake, "category:news"},
		{"category phrase not across categories", "category:news asia", quake, ""},
		{"category not matched without prefix", "asia", quake, ""},
		{"no categories", "category:asia", Item{Title: "asia"}, ""},
		// regexes
		{"regex", `/quake\b/`, quake, `/quake\b/`},
		{"regex is case-sensitive", `/japan/`, quake, ""},
		{"regex with (?i)", `/(?i)japan/`, quake, `/(?i)japan/`},
		{"regex matches inside words", `/art/`, Item{Title: "Start"}, `/art/`},
		{"regex on title only", `title:/^Strong/`, quake, `title:/^Strong/`},
		{"regex on title misses summary", `title:/tsunami/`, quake, ""},
		{"regex anchors each text", `/^A magnitude/`, quake, `/^A magnitude/`},
		{"regex on category", `category:/^World/`, quake, `category:/^World/`},
		{"regex on author", `author:/Doe$/`, quake, `author:/Doe$/`},
		{"empty list", "", quake, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			terms, err := ParseTerms(tt.terms)
			if err != nil {
				t.Fatal(err)
			}
			ok, got := terms.Match(tt.item)
			if ok != (tt.want != "") || got != tt.want {
				t.Errorf("%q.Match(%q) = %v, %q; want %q", tt.terms, tt.item.Title, ok, got, tt.want)
			}
		})
	}
}

func TestSplitWords(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"  ", nil},
		{"Hello, world!", []string{"Hello", "world"}},
		{"COVID-19 isn't over", []string{"COVID", "19", "isn", "t", "over"}},
		{"naïve café\u0301", []string{"naïve", "café\u0301"}},
		{"日本ニュース", []string{"日", "本", "ニ", "ュ", "ー", "ス"}},
		{"AI画像", []string{"AI", "画", "像"}},
		{"5G\u00a0rollout", []string{"5G", "rollout"}},
		{"\xff bad", []string{"bad"}},
	}
	for _, tt := range tests {
		if got := splitWords(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("splitWords(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestDecide(t *testing.T) {
	tests := []struct {
		name             string
		include, exclude string
		item             Item
		post             bool
		reason           string
	}{
		{"no rules", "", "", Item{Title: "Anything"}, true, "no include terms"},
		{"include matched", "earthquake, flood", "", Item{Title: "Flood warning"}, true, `matched include "flood"`},
		{"include not matched", "earthquake", "", Item{Title: "Election"}, false, "no include term matched"},
		{"exclude only", "", "sponsored", Item{Title: "Sponsored: buy"}, false, `excluded by "sponsored"`},
		{"exclude only, not matched", "", "sponsored", Item{Title: "News"}, true, "no include terms"},
		{"exclude wins", "earthquake", "sponsored", Item{Title: "Earthquake kits", Summary: "Sponsored content"}, false, `excluded by "sponsored"`},
		{"exclude by category", "", "category:opinion", Item{Title: "Quake", Categories: []string{"Opinion"}}, false, `excluded by "category:opinion"`},
		{"quoted term in reason", `"rock, paper"`, "", Item{Title: "Rock, paper"}, true, `matched include «"rock, paper"»`},
		{"exclude by regex", "", `title:/^\[Ad\]/`, Item{Title: "[Ad] Great deal"}, false, `excluded by "title:/^\[Ad\]/"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := Filter{Include: mustTerms(t, tt.include), Exclude: mustTerms(t, tt.exclude)}
			post, reason := f.Decide(tt.item)
			if post != tt.post || reason != tt.reason {
				t.Errorf("Decide = %v, %q; want %v, %q", post, reason, tt.post, tt.reason)
			}
		})
	}
}

func TestZeroFilterPostsEverything(t *testing.T) {
	if post, _ := (Filter{}).Decide(Item{}); !post {
		t.Error("the zero Filter dropped an item")
	}
}

func mustTerms(t testing.TB, s string) Terms {
	t.Helper()
	terms, err := ParseTerms(s)
	if err != nil {
		t.Fatalf("ParseTerms(%q): %v", s, err)
	}
	return terms
}
