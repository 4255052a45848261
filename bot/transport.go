package bot

import (
	"fmt"
	"net/http"
	"net/url"
)

// discordHost is the host discordgo builds every REST endpoint on.
const discordHost = "discord.com"

// rewriteTransport sends the requests discordgo addresses to discord.com to
// another root instead: a REST proxy such as nirn-proxy, or a test double.
// discordgo builds its endpoints from package variables at start-up, so
// rewriting at the transport keeps the session itself untouched and lets
// several sessions in one process use different roots.
type rewriteTransport struct {
	base *url.URL
	next http.RoundTripper
}

// newRewriteTransport returns next unchanged when apiURL is Discord's own.
func newRewriteTransport(apiURL string, next http.RoundTripper) (http.RoundTripper, error) {
	u, err := url.Parse(apiURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("discord api url %q: want http(s)://host", apiURL)
	}
	if next == nil {
		next = http.DefaultTransport
	}
	if u.Scheme == "https" && u.Host == discordHost && (u.Path == "" || u.Path == "/") {
		return next, nil
	}
	return &rewriteTransport{base: u, next: next}, nil
}

func (t *rewriteTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Host != discordHost {
		return t.next.RoundTrip(req)
	}
	r := req.Clone(req.Context())
	r.URL.Scheme = t.base.Scheme
	r.URL.Host = t.base.Host
	if p := t.base.Path; p != "" && p != "/" {
		r.URL.Path = singleJoin(p, req.URL.Path)
		r.URL.RawPath = ""
	}
	r.Host = ""
	return t.next.RoundTrip(r)
}

func singleJoin(a, b string) string {
	for len(a) > 0 && a[len(a)-1] == '/' {
		a = a[:len(a)-1]
	}
	return a + b
}
