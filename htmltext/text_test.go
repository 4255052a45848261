package htmltext

import "testing"

func TestText(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"empty", "", ""},
		{"plain", "plain &amp; simple", "plain & simple"},
		{"plain lines", "  spaced\t\tout  \n text ", "spaced out\ntext"},
		{"paragraphs", "<p>One</p><p>Two</p>", "One\nTwo"},
		{"br", "<p>a<br>b<br/>c</p>", "a\nb\nc"},
		{"inline", "<b>bold</b>face and <i>it</i> <em>em</em>", "boldface and it em"},
		{"script style", "<p>x</p><script>alert('<p>no</p>')</script><style>p{}</style><p>y</p>", "x\ny"},
		{"template", "a<template><p>t</p><template>u</template>v</template>b", "a b"},
		{"noscript", "a <noscript><img src=x> enable JavaScript</noscript>b", "a b"},
		{"title element", "<title>Page</title><p>Body</p>", "Body"},
		{"nested blocks", "<div><div><p>deep</p></div></div>", "deep"},
		{"list", "<ul><li>one</li><li>two</li></ul>", "one\ntwo"},
		{"table", "<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>", "a b\nc"},
		{"entities", "caf&eacute; &#8211; &#x2019; &nbsp;end", "café – ’ end"},
		{"pre", "<pre>line 1\n  indented</pre>", "line 1\n  indented"},
		{"unclosed", "<p>unclosed <b>bold", "unclosed bold"},
		{"less than", "a < b and c > d", "a < b and c > d"},
		{"caption kept", "<figure><img src=a.png><figcaption>A caption</figcaption></figure><p>Story</p>", "A caption\nStory"},

		// Issue 13: text after an embed is never cut.
		{"iframe", `<p>Watch <iframe src="https://video.example/1"></iframe> the full interview.</p>`, "Watch the full interview."},
		{"iframe fallback", `Watch <iframe src="x">Your browser cannot show frames.</iframe> the interview.`, "Watch the interview."},
		{"iframe unclosed", `<p>Watch <iframe src="x"> the full interview.</p><p>More.</p>`, "Watch the full interview.\nMore."},
		{"iframe self-closed", `<p>Watch <iframe src="x"/> the full interview.</p>`, "Watch the full interview."},
		{"object", `<p>Watch <object data="v.swf"><param name="a" value="b">Get Flash</object> the full interview.</p>`, "Watch the full interview."},
		{"object unclosed", `<p>Watch <object data="v.swf"><param name="a"> the full interview.</p>`, "Watch the full interview."},
		{"embed", `<p>Watch <embed src="v.swf"> the full interview.</p><p>Second.</p>`, "Watch the full interview.\nSecond."},
		{"embed closed", `<p>Watch <embed src="v.swf"></embed> the full interview.</p>`, "Watch the full interview."},
		{"video", `<p>Watch <video src="v.mp4"><source src="v.webm"><track src="t.vtt">Your browser does not support video.</video> the full interview.</p>`, "Watch the full interview."},
		{"audio unclosed", `<p>Listen <audio src="a.mp3"> to the podcast.</p>`, "Listen to the podcast."},
		{"two unclosed", `a <video> b <iframe> c <object> d`, "a b c d"},
		{"voids", `a<img src=x>b <source src=y>c <track src=z>d<wbr>e <param name=p>f <area>g <col>h <hr>i <input>j <link rel=x>k <meta charset=utf-8>l`, "a b c de f g h\ni j k l"},
		{"script self-closed", `a <script src="x.js"/> b`, "a b"},
		{"script in iframe", `a <iframe><script>x</script></iframe> b`, "a b"},

		// Issue 9.13: spoofing characters go, right-to-left text stays.
		{"bidi override", "file\u202Egnp.exe\u202C done", "filegnp.exe done"},
		{"isolates", "a\u2066b\u2069c", "abc"},
		{"zero width", "pay\u200Bpal \uFEFFx\u2060y", "paypal xy"},
		{"hebrew with rlm", "<p>שלום\u200F!</p>", "שלום\u200F!"},
		{"persian zwnj", "می\u200Cخواهم", "می\u200Cخواهم"},
		{"emoji zwj", "family 👨\u200D👩\u200D👧 flag 🏳\uFE0F\u200D🌈", "family 👨\u200D👩\u200D👧 flag 🏳\uFE0F\u200D🌈"},
		{"latin zwj", "p\u200Day", "pay"},
	}
	for _, tt := range tests {
		if got := Text(tt.in); got != tt.want {
			t.Errorf("%s: Text(%q) = %q, want %q", tt.name, tt.in, got, tt.want)
		}
	}
}

func TestConvertOptions(t *testing.T) {
	page := `<html><head><title>x</title><style>p{}</style></head><body><nav>Home | News</nav>
<header>Site</header><article><h1>Storm</h1><p>The storm came.<br>It went.</p>
<figure><img src=a.jpg><figcaption>Photo: water</figcaption></figure><p>After.</p></article>
<aside>Related</aside><footer>Copyright</footer></body></html>`
	tests := []struct {
		name string
		o    Options
		want string
	}{
		{"page", Options{Page: true}, "Storm\nThe storm came.\nIt went.\nAfter."},
		{"blank lines", Options{ParagraphBreak: "\n\n"}, "Home | News\n\nSite\n\nStorm\n\nThe storm came.\nIt went.\n\nPhoto: water\n\nAfter.\n\nRelated\n\nCopyright"},
	}
	for _, tt := range tests {
		if got := Convert(page, tt.o); got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
	}
	if got := Convert("<nav>Menu <p>Story text.</p>", Options{Page: true}); got != "Menu\nStory text." {
		t.Errorf("unclosed nav swallowed the page: %q", got)
	}
	captions := []struct{ in, want string }{
		{"<figure><img src=a.png><figcaption>A caption</figcaption></figure><p>Story</p>", "Story"},
		{"<p>Story</p><figcaption>Unclosed <p>More</p>", "Story\nUnclosed\nMore"},
	}
	for _, tt := range captions {
		if got := Convert(tt.in, Options{DropCaptions: true}); got != tt.want {
			t.Errorf("DropCaptions: Convert(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestTitle(t *testing.T) {
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
		// Issue 13: script and style text never reach a title.
		{"safe<script>location.href='x'</script> headline", "safe headline"},
		{"a<style>b{color:red}</style> c", "a c"},
		{"a<template><b>t</b></template> c", "a c"},
		{`a <script src="x.js"/> c`, "a c"},
		{"Watch <iframe src=x></iframe> this", "Watch this"},
		// Issue 9.13.
		{"\u202Eevil\u202C title\u200B", "evil title"},
		{"\u05e9\u05dc\u05d5\u05dd \u200F(2)", "\u05e9\u05dc\u05d5\u05dd \u200F(2)"},
	}
	for _, tt := range tests {
		if got := Title(tt.in); got != tt.want {
			t.Errorf("Title(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestClean(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain ascii", "plain ascii"},
		{"tab\tand\nnewline", "tab\tand\nnewline"},
		{"bell\x07 del\x7f c1\u0085", "bell del c1"},
		{"\u202Atext\u202B\u202C\u202D\u202E", "text"},
		{"\u2066\u2067\u2068\u2069x", "x"},
		{"a\u2061b\u180Ec", "abc"},
		{"hidden\U000E0041\U000E0042 tags", "hidden tags"},
		{"scotland \U0001F3F4\U000E0067\U000E0062\U000E0073\U000E0063\U000E0074\U000E007F!", "scotland \U0001F3F4\U000E0067\U000E0062\U000E0073\U000E0063\U000E0074\U000E007F!"},
		{"\u200Dedge\u200C", "edge"},
		{"अ\u200D\u200Dब", "अ\u200Dब"},
		{"क्\u200Dष", "क्\u200Dष"},
		{"lrm\u200E rlm\u200F alm\u061C", "lrm\u200E rlm\u200F alm\u061C"},
	}
	for _, tt := range tests {
		if got := Clean(tt.in); got != tt.want {
			t.Errorf("Clean(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
