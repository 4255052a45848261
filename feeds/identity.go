package feeds

import (
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"slices"
	"strings"
)

// Identity names an item for deduplication: its GUID, else its normalized
// link, else a hash of its title and text. linkKey is the normalized link
// ("" when there is none); a store should treat an item whose identity is
// new but whose linkKey it already has as seen, as feeds do change GUIDs.
func Identity(it Item) (identity, linkKey string) {
	linkKey = NormalizeLink(it.Link)
	switch {
	case strings.TrimSpace(it.GUID) != "":
		return strings.TrimSpace(it.GUID), linkKey
	case linkKey != "":
		return linkKey, linkKey
	}
	h := sha256.New()
	h.Write([]byte(strings.TrimSpace(it.Title)))
	h.Write([]byte{0})
	h.Write([]byte(strings.TrimSpace(it.Content)))
	return "sha256:" + hex.EncodeToString(h.Sum(nil)), ""
}

// trackingParams are query parameters that only track the reader.
var trackingParams = map[string]bool{
	"fbclid": true, "gclid": true, "gclsrc": true, "dclid": true, "gbraid": true,
	"wbraid": true, "msclkid": true, "yclid": true, "twclid": true, "ttclid": true,
	"igshid": true, "mc_cid": true, "mc_eid": true, "_hsenc": true, "_hsmi": true,
	"mkt_tok": true, "oly_anon_id": true, "oly_enc_id": true, "vero_id": true,
	"vero_conv": true, "rb_clickid": true, "s_cid": true, "srsltid": true,
	"_ga": true, "_gl": true, "__s": true, "ncid": true, "cmpid": true,
	"wt_mc": true, "wt.mc_id": true, "at_medium": true, "at_campaign": true,
	"ref_src": true, "spm": true,
}

// isTracking reports whether a query key (already lower-cased) tracks.
func isTracking(key string) bool {
	return trackingParams[key] || strings.HasPrefix(key, "utm_") || strings.HasPrefix(key, "pk_") ||
		strings.HasPrefix(key, "mtm_") || strings.HasPrefix(key, "hsa_")
}

// NormalizeLink returns a canonical form of an article link for comparing:
// scheme and host lower-cased, default port and fragment removed, an empty
// path made "/", tracking parameters (utm_*, fbclid, gclid, mc_cid, ...)
// removed and the remaining parameters sorted by name. A link that is not
// an absolute http(s) URL is returned trimmed but otherwise as is.
func NormalizeLink(raw string) string {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return raw
	}
	u.Scheme = strings.ToLower(u.Scheme)
	if u.Scheme != "http" && u.Scheme != "https" {
		return raw
	}
	host := strings.ToLower(u.Hostname())
	host = strings.TrimSuffix(host, ".")
	port := u.Port()
	if (u.Scheme == "http" && port == "80") || (u.Scheme == "https" && port == "443") {
		port = ""
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port != "" {
		host += ":" + port
	}
	u.Host = host
	u.User = nil
	u.Fragment, u.RawFragment = "", ""
	if u.Path == "" && u.RawPath == "" {
		u.Path = "/"
	}
	u.RawQuery = normalizeQuery(u.RawQuery)
	u.ForceQuery = false
	return u.String()
}

// normalizeQuery drops tracking parameters and sorts the rest by name,
// keeping each parameter's bytes as written and repeated names in order.
func normalizeQuery(q string) string {
	if q == "" {
		return ""
	}
	type param struct{ key, raw string }
	var params []param
	for part := range strings.SplitSeq(q, "&") {
		if part == "" {
			continue
		}
		k, _, _ := strings.Cut(part, "=")
		key, err := url.QueryUnescape(k)
		if err != nil {
			key = k
		}
		if isTracking(strings.ToLower(key)) {
			continue
		}
		params = append(params, param{key, part})
	}
	slices.SortStableFunc(params, func(a, b param) int { return strings.Compare(a.key, b.key) })
	parts := make([]string, len(params))
	for i, p := range params {
		parts[i] = p.raw
	}
	return strings.Join(parts, "&")
}
