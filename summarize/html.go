package summarize

import "newsbot/htmltext"

// htmlToText turns an article's HTML into plain text with one paragraph a
// line. It is htmltext's converter (the one feeds use too) in page mode:
// scripts, styles, navigation, headers, footers, figures and captions are
// dropped, and embeds never swallow the text after them.
func htmlToText(s string) string {
	return htmltext.Convert(s, htmltext.Options{Page: true})
}
