package summarize

import (
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// htmlToText turns an article's HTML into plain text with one paragraph a
// line. Scripts, styles, navigation, figures and captions are dropped.
func htmlToText(s string) string {
	z := html.NewTokenizer(strings.NewReader(s))
	var b strings.Builder
	skip := 0 // depth inside elements whose text is not article text
	newline := func() {
		str := b.String()
		if len(str) > 0 && str[len(str)-1] != '\n' {
			b.WriteByte('\n')
		}
	}
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return b.String()
		case html.TextToken:
			if skip > 0 {
				continue
			}
			t := strings.Join(strings.Fields(string(z.Text())), " ")
			if t == "" {
				if b.Len() > 0 {
					str := b.String()
					if c := str[len(str)-1]; c != '\n' && c != ' ' {
						b.WriteByte(' ')
					}
				}
				continue
			}
			raw := string(z.Raw())
			if b.Len() > 0 && len(raw) > 0 && (raw[0] == ' ' || raw[0] == '\n' || raw[0] == '\t') {
				str := b.String()
				if c := str[len(str)-1]; c != '\n' && c != ' ' {
					b.WriteByte(' ')
				}
			}
			b.WriteString(t)
			if last := raw[len(raw)-1]; last == ' ' || last == '\n' || last == '\t' {
				b.WriteByte(' ')
			}
		case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			a := atom.Lookup(name)
			switch a {
			case atom.Script, atom.Style, atom.Noscript, atom.Nav, atom.Figure, atom.Figcaption,
				atom.Aside, atom.Footer, atom.Header, atom.Form, atom.Button, atom.Select, atom.Template,
				atom.Iframe, atom.Svg, atom.Object:
				if tt == html.StartTagToken {
					skip++
				} else if tt == html.EndTagToken && skip > 0 {
					skip--
				}
				continue
			case atom.P, atom.Div, atom.Br, atom.Li, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5,
				atom.H6, atom.Blockquote, atom.Tr, atom.Section, atom.Article, atom.Ul, atom.Ol,
				atom.Pre, atom.Hr, atom.Table, atom.Dd, atom.Dt:
				if skip == 0 {
					newline()
				}
			}
		}
	}
}
