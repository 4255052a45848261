package bot

import (
	"fmt"
	"net/http"
	"net/url"
)

// attachmentTransport only lets the bot download files from Discord's CDN
// (or from the API root's host, where a test double or proxy serves them):
// an attachment URL is data from a user, and must not become a way to make
// the bot fetch arbitrary addresses.
type attachmentTransport struct {
	next    http.RoundTripper
	apiHost string
}

var cdnHosts = map[string]bool{"cdn.discordapp.com": true, "media.discordapp.net": true}

func (t attachmentTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if h := req.URL.Host; !cdnHosts[req.URL.Hostname()] && h != t.apiHost {
		return nil, fmt.Errorf("attachment host %q: %w", h, errNotCDN)
	}
	return t.next.RoundTrip(req)
}

func apiHost(apiURL string) string {
	u, err := url.Parse(apiURL)
	if err != nil || u.Host == "discord.com" {
		return ""
	}
	return u.Host
}
