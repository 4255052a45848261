package feeds

import "testing"

func TestFingerprint(t *testing.T) {
	base := Item{Title: "Quake hits Hokkaido", Content: "A magnitude 7.1 earthquake struck on Tuesday. 3 people were hurt."}
	tests := []struct {
		name string
		it   Item
		same bool
	}{
		{"white space", Item{Title: " Quake  hits Hokkaido ", Content: "A magnitude 7.1 earthquake struck on Tuesday.\n\n3 people were hurt."}, true},
		{"case and punctuation", Item{Title: "Quake hits Hokkaido!", Content: "A magnitude 7.1 earthquake struck on Tuesday; 3 people were hurt"}, true},
		{"an update stamp", Item{Title: base.Title, Content: base.Content + " Updated 10:32 GMT, 30 November 2026."}, true},
		{"a link with tracking", Item{Title: base.Title, Content: base.Content + " https://example.com/a?utm_source=rss"}, true},
		{"a comment counter", Item{Title: base.Title, Content: base.Content + " 42 comments"}, true},
		{"a new headline", Item{Title: "Quake hits Hokkaido, tsunami warning lifted", Content: base.Content}, false},
		{"a new figure", Item{Title: base.Title, Content: "A magnitude 7.1 earthquake struck on Tuesday. 12 people were hurt."}, false},
		{"a new sentence", Item{Title: base.Title, Content: base.Content + " The tsunami warning was lifted."}, false},
	}
	want := Fingerprint(base)
	for _, tc := range tests {
		if got := Fingerprint(tc.it) == want; got != tc.same {
			t.Errorf("%s: same fingerprint %v, want %v", tc.name, got, tc.same)
		}
	}
}
