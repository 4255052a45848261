package feeds

import (
	"bytes"
	"context"
	"fmt"
	"mime"
	"net/url"
	"strings"

	readability "codeberg.org/readeck/go-readability/v2"
	xhtml "golang.org/x/net/html"
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
	if err != nil {
		return Article{}, fmt.Errorf("fetch %s: %w", pageURL, err)
	}
	if mt, _, _ := mime.ParseMediaType(resp.contentType); mt != "" && mt != "text/html" && mt != "application/xhtml+xml" {
		return Article{}, fmt.Errorf("fetch %s: %w: content type %s", pageURL, ErrNoArticle, mt)
	}
	art, err := extractArticle(resp.body, resp.contentType, resp.url)
	if err != nil {
		return Article{}, fmt.Errorf("fetch %s: %w", pageURL, err)
	}
	return art, nil
}

// extractArticle runs readability over an HTML page.
func extractArticle(page []byte, contentType, pageURL string) (Article, error) {
	page = decodeText(page, contentType, true)
	base, _ := url.Parse(pageURL)
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
