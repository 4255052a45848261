package feeds

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"mime"
	"net/url"
	"strings"

	readability "codeberg.org/readeck/go-readability/v2"
	xhtml "golang.org/x/net/html"

	"newsbot/htmltext"
)

// Article is the main text of a web page, as readability finds it.
type Article struct {
	Title    string
	Text     string // plain text, paragraphs separated by blank lines
	Byline   string
	ImageURL string
}

// FetchArticle fetches a page and extracts its main text with readability.
// A page that is not HTML, or has no readable text, gives ErrNoArticle; the
// caller then keeps the feed's own text.
func (f *Fetcher) FetchArticle(ctx context.Context, pageURL string) (Article, error) {
	resp, err := f.get(ctx, pageURL, Validators{}, acceptPage)
	if errors.Is(err, ErrTooLarge) {
		// Not "too large to be a feed": it was never meant to be one.
		err = fmt.Errorf("%w: %w", ErrPageTooLarge, err)
	}
	if err != nil {
		return Article{}, fmt.Errorf("fetch %s: %w", redact(pageURL), err)
	}
	if mt, _, _ := mime.ParseMediaType(resp.contentType); mt != "" && mt != "text/html" && mt != "application/xhtml+xml" {
		return Article{}, fmt.Errorf("fetch %s: %w: content type %s", redact(pageURL), ErrNoArticle, mt)
	}
	art, err := extractArticle(resp.body, resp.contentType, resp.url)
	if err != nil {
		return Article{}, fmt.Errorf("fetch %s: %w", redact(pageURL), err)
	}
	return art, nil
}

// maxArticleNodes bounds the HTML tree readability needs: a node costs a
// few hundred bytes with readability's bookkeeping, and real article pages
// hold a few thousand (the largest news pages, some tens of thousands). A
// page with more is read by the streaming converter instead, so a 10 MB page
// of nested tags costs a counter, not a gigabyte.
const maxArticleNodes = 150_000

// extractArticle runs readability over an HTML page.
func extractArticle(page []byte, contentType, pageURL string) (Article, error) {
	page = decodeText(page, contentType, true)
	base, _ := url.Parse(pageURL)
	if tooManyNodes(page, maxArticleNodes) {
		return streamArticle(page)
	}
	doc, err := xhtml.Parse(bytes.NewReader(page))
	if err != nil {
		return Article{}, fmt.Errorf("%w: %v", ErrNoArticle, err)
	}
	parser := readability.NewParser()
	ra, err := parser.ParseDocument(doc, base)
	if err != nil || ra.Node == nil {
		return Article{}, fmt.Errorf("%w: %v", ErrNoArticle, err)
	}
	var buf bytes.Buffer
	if err := xhtml.Render(&buf, ra.Node); err != nil {
		return Article{}, fmt.Errorf("%w: %v", ErrNoArticle, err)
	}
	text := htmlToText(buf.String())
	if strings.TrimSpace(text) == "" {
		return Article{}, ErrNoArticle
	}
	return Article{
		Title:    cleanTitle(ra.Title()),
		Text:     text,
		Byline:   cleanTitle(ra.Byline()),
		ImageURL: resolveLink(base, ra.ImageURL()),
	}, nil
}

// tooManyNodes reports whether page holds more than limit elements, texts
// and comments: the nodes of the tree xhtml.Parse would build.
func tooManyNodes(page []byte, limit int) bool {
	z := xhtml.NewTokenizer(bytes.NewReader(page))
	n := 0
	for {
		switch z.Next() {
		case xhtml.ErrorToken:
			return false
		case xhtml.StartTagToken, xhtml.SelfClosingTagToken, xhtml.TextToken, xhtml.CommentToken:
			if n++; n > limit {
				return true
			}
		}
	}
}

// streamArticle is the text of a page too large for readability: the
// whole page without its furniture (navigation, headers, footers).
func streamArticle(page []byte) (Article, error) {
	text := htmltext.Convert(string(page), htmltext.Options{Page: true, ParagraphBreak: "\n\n"})
	if strings.TrimSpace(text) == "" {
		return Article{}, ErrNoArticle
	}
	return Article{Text: text}, nil
}
