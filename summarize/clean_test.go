package summarize

import (
	"strings"
	"testing"
)

func TestStripDateline(t *testing.T) {
	tests := []struct{ in, want string }{
		{"(CNN)A trip to a mansion.", "A trip to a mansion."},
		{"(CNN) Donald Sterling lost big.", "Donald Sterling lost big."},
		{"(CNN) -- The storm hit.", "The storm hit."},
		{"Boston (CNN)Guilty across the board.", "Guilty across the board."},
		{"New Delhi, India (CNN)As the earth shook, people ran.", "As the earth shook, people ran."},
		{"LONDON (Reuters) - Shares fell on Monday.", "Shares fell on Monday."},
		{"PORTSMOUTH, Maine (Reuters) - The council voted.", "The council voted."},
		{"(The Hollywood Reporter)Stan Freberg has died.", "Stan Freberg has died."},
		{"WASHINGTON: The Senate passed the bill.", "The Senate passed the bill."},
		{"WASHINGTON \u2014 The Senate passed the bill.", "The Senate passed the bill."},
		{"NEW YORK -- Stocks rose.", "Stocks rose."},
		{"SAN FRANCISCO, Calif. - Rents rose.", "Rents rose."},
		// Not datelines.
		{"Apple (AAPL) shares rose 3%.", "Apple (AAPL) shares rose 3%."},
		{"NASA said the launch was delayed.", "NASA said the launch was delayed."},
		{"The talks (held in Geneva) failed.", "The talks (held in Geneva) failed."},
		{"A BBC report - first aired Monday - said so.", "A BBC report - first aired Monday - said so."},
		{"I - for one - disagree.", "I - for one - disagree."},
	}
	for _, tt := range tests {
		if got := stripDateline(tt.in); got != tt.want {
			t.Errorf("stripDateline(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestBoilerplate(t *testing.T) {
	junk := []string{
		"(Reporting by Jane Doe; Editing by John Roe)",
		"Reporting by Jane Doe in London; Editing by Mark Potter",
		"Read more: How the storm hit the coast.",
		"READ MORE: Ten things to know",
		"Sign up for our newsletter to get the news first.",
		"Advertisement",
		"Click here to see the pictures.",
		"Photo: Getty Images",
		"CNN's Dottie Evans contributed to this report.",
		"Copyright 2024 The Associated Press. All rights reserved.",
		"Follow us on Twitter.",
	}
	for _, s := range junk {
		if !isBoilerplate(s) {
			t.Errorf("isBoilerplate(%q) = false", s)
		}
	}
	news := []string{
		"The council voted 7-2 on Tuesday to build a barrier.",
		"Reporters asked him about the vote.",
		"He said he would read more books next year.",
		"Photographers crowded the steps of the court.",
		"Advertising revenue rose 8% in the quarter.",
	}
	for _, s := range news {
		if isBoilerplate(s) {
			t.Errorf("isBoilerplate(%q) = true", s)
		}
	}
	if got := stripTrailingCredit("Prices rose on Friday. (Reporting by Jane Doe; Editing by John Roe)"); got != "Prices rose on Friday." {
		t.Errorf("stripTrailingCredit = %q", got)
	}
	if got := stripTrailingCredit("The vote passed (by 7 to 2)"); got != "The vote passed (by 7 to 2)" {
		t.Errorf("stripTrailingCredit removed a real bracket: %q", got)
	}
}

func TestSummarizeCleans(t *testing.T) {
	text := strings.Join([]string{
		"LONDON (Reuters) - The central bank raised interest rates by half a point on Thursday, its biggest rise in years, to fight inflation.",
		"Read more: Why inflation is so high this year.",
		"The bank said prices were rising faster than wages and that more rises could follow.",
		"Advertisement",
		"LONDON, May 5 - The central bank raised interest rates by half a point on Thursday, its biggest rise in years, to fight inflation.",
		"Economists had expected a smaller rise of a quarter point.",
		"Sign up for our newsletter to get the markets news first.",
		"(Reporting by Jane Doe; Editing by John Roe)",
	}, "\n")
	s, err := Summarize(Document{Title: "Central bank raises rates", Text: text}, Options{Sentences: 5})
	if err != nil {
		t.Fatal(err)
	}
	joined := strings.Join(s.Sentences, "\n")
	for _, bad := range []string{"Read more", "Advertisement", "Sign up", "Reporting by", "(Reuters)", "LONDON"} {
		if strings.Contains(joined, bad) {
			t.Errorf("summary contains %q:\n%s", bad, joined)
		}
	}
	if n := strings.Count(joined, "raised interest rates"); n != 1 {
		t.Errorf("the repeated lead appears %d times:\n%s", n, joined)
	}
	if len(s.Sentences) != 3 {
		t.Errorf("want the 3 real sentences, got %d:\n%s", len(s.Sentences), joined)
	}
	if s.Stats.SentencesTotal != 8 {
		t.Errorf("SentencesTotal = %d, want 8", s.Stats.SentencesTotal)
	}
}

func TestNearDuplicate(t *testing.T) {
	set := func(ids ...int32) []int32 { return ids }
	sig := signature
	a := set(1, 2, 3, 4, 5, 6, 7, 8, 9, 10)
	b := set(1, 2, 3, 4, 5, 6, 7, 8, 9, 11) // 9 of 11: Jaccard .82
	c := set(1, 2, 3, 20, 21, 22, 23, 24)
	d := set(2, 3, 4, 5, 6) // inside a
	if !nearDuplicate(a, b, sig(a), sig(b)) {
		t.Error("a, b should be near duplicates")
	}
	if nearDuplicate(a, c, sig(a), sig(c)) {
		t.Error("a, c should differ")
	}
	if !nearDuplicate(d, a, sig(d), sig(a)) {
		t.Error("d is contained in a")
	}
	// Ids that collide in the signature must not fool it.
	e := set(64, 128, 192, 256, 320)
	if nearDuplicate(e, a, sig(e), sig(a)) {
		t.Error("e shares no term with a")
	}
}

// TestHasInside checks the one-pass search for the credit cores against
// strings.Contains, at every offset and cut of strings built from them.
func TestHasInside(t *testing.T) {
	naive := func(s string) bool {
		for _, p := range boilerplateInside {
			if strings.Contains(s, p) {
				return true
			}
		}
		return false
	}
	var cases []string
	for _, p := range boilerplateInside {
		for _, pre := range []string{"", "x", "Photo by ", "AP P", "P/", "©"} {
			for _, post := range []string{"", ".", " and more"} {
				s := pre + p + post
				for i := 0; i <= len(s); i++ {
					cases = append(cases, s[i:], s[:i])
				}
			}
		}
	}
	cases = append(cases, "A byline, by the way, is yours.", "AP PPhoto", "Getty Image", "Reuters /")
	for _, s := range cases {
		if got, want := hasInside(s), naive(s); got != want {
			t.Errorf("hasInside(%q) = %v, want %v", s, got, want)
		}
	}
}
