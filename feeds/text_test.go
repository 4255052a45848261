package feeds

import "testing"

func TestHTMLToText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"plain &amp; simple", "plain & simple"},
		{"  spaced\t\tout  \n text ", "spaced out\ntext"},
		{"<p>One</p><p>Two</p>", "One\n\nTwo"},
		{"<p>a<br>b<br/>c</p>", "a\nb\nc"},
		{"<b>bold</b>face and <i>it</i> <em>em</em>", "boldface and it em"},
		{"<p>x</p><script>alert('<p>no</p>')</script><style>p{}</style><p>y</p>", "x\n\ny"},
		{"<div><div><p>deep</p></div></div>", "deep"},
		{"<ul><li>one</li><li>two</li></ul>", "one\n\ntwo"},
		{"<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>", "a b\n\nc"},
		{"caf&eacute; &#8211; &#x2019; &nbsp;end", "café – ’ end"},
		{"<pre>line 1\n  indented</pre>", "line 1\n  indented"},
		{"<p>unclosed <b>bold", "unclosed bold"},
		{"<iframe src=x>frame text</iframe>after", "after"},
		{"<img src=\"a.png\" alt=\"alt text\">after", "after"},
		{"<figure><img src=a.png><figcaption>A caption</figcaption></figure><p>Story</p>", "Story"},
		{"a < b and c > d", "a < b and c > d"},
		{"<svg><svg></svg><text>chart</text></svg> yes", "chart yes"},
		// Issue 13 and 9.15: embeds and void elements never cut the text.
		{`<p>Watch <iframe src="https://video.example/1"></iframe> the full interview.</p>`, "Watch the full interview."},
		{`<p>Watch <object data="v.swf"><param name="movie" value="v.swf"></object> the full interview.</p>`, "Watch the full interview."},
		{`<p>Watch <embed src="v.swf"> the full interview.</p><p>More.</p>`, "Watch the full interview.\n\nMore."},
		{`<p>Watch <iframe src="v"> the full interview.</p>`, "Watch the full interview."},
		{"a<script>x</script> b<style>y</style> c<template>z</template> d", "a b c d"},
	}
	for _, tt := range tests {
		if got := htmlToText(tt.in); got != tt.want {
			t.Errorf("htmlToText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestCleanTitle(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Plain title", "Plain title"},
		{"  Spaces \n and\ttabs ", "Spaces and tabs"},
		{"<b>Bold</b> move", "Bold move"},
		{"AT&amp;T", "AT&T"},
		{"AT&amp;amp;T", "AT&T"},
		{"Map<T> in Go", "Map<T> in Go"},
		{"1 < 2", "1 < 2"},
		{"Line<br>break", "Line break"},
		{"&lt;script&gt;x&lt;/script&gt;", "<script>x</script>"},
		{"&#8220;Quoted&#8221;", "“Quoted”"},
	}
	for _, tt := range tests {
		if got := cleanTitle(tt.in); got != tt.want {
			t.Errorf("cleanTitle(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestFirstImage(t *testing.T) {
	tests := []struct{ in, want string }{
		{"no image", ""},
		{`<p><img src="data:image/gif;base64,R0lGOD"><img alt="x" src=" /a.jpg "></p>`, "/a.jpg"},
		{`<IMG SRC="B.PNG">`, "B.PNG"},
		{`<img>`, ""},
	}
	for _, tt := range tests {
		if got := firstImage(tt.in); got != tt.want {
			t.Errorf("firstImage(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestWordCount(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{"", 0},
		{"   ", 0},
		{"one", 1},
		{"Don't stop — e-mail me, now!", 5},
		{"line one\n\nline two", 4},
		{"Привет мир", 2},
		{"日本語のテキスト", 8},
		{"3.14 is pi", 3},
	}
	for _, tt := range tests {
		if got := WordCount(tt.in); got != tt.want {
			t.Errorf("WordCount(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
}
