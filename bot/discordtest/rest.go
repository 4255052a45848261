package discordtest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"
)

// Discord's JSON error codes the double answers with.
const (
	codeUnknownChannel      = 10003
	codeUnknownGuild        = 10004
	codeUnknownMember       = 10007
	codeUnknownMessage      = 10008
	codeUnknownWebhook      = 10015
	codeUnknownInteraction  = 10062
	codeMaxWebhooks         = 30007
	codeAlreadyAcknowledged = 40060
	codeTagRequired         = 40067
	codeMissingAccess       = 50001
	codeCannotEditOthers    = 50005
	codeEmptyMessage        = 50006
	codeNonTextChannel      = 50008
	codeMissingPermissions  = 50013
	codeInvalidChannelType  = 50024
	codeInvalidWebhookToken = 50027
	codeInvalidFormBody     = 50035
	codeInvalidJSON         = 50109
	codeThreadExists        = 160004
	codeForumNeedsThread    = 220001
	codeForumThreadBoth     = 220002
	codeThreadsOnlyInForums = 220003
)

// messagesBucket is the X-RateLimit-Bucket of POST /channels/{id}/messages.
const messagesBucket = "80c17d2f203122d936070c88c8d10f33"

type apiError struct {
	status  int
	code    int
	message string
	errors  map[string]string // path ("embeds.0.title") → message
}

// prefix puts path before the error's field paths, for a nested object.
func (e *apiError) prefix(path string) {
	if len(e.errors) == 0 {
		return
	}
	errs := make(map[string]string, len(e.errors))
	for k, v := range e.errors {
		errs[path+k] = v
	}
	e.errors = errs
}

func errNotFound() *apiError { return &apiError{http.StatusNotFound, 0, "404: Not Found", nil} }

func invalidForm(path, msg string) *apiError {
	return &apiError{http.StatusBadRequest, codeInvalidFormBody, "Invalid Form Body", map[string]string{path: msg}}
}

var channelErrors = map[int]*apiError{
	codeMissingAccess:      {http.StatusForbidden, codeMissingAccess, "Missing Access", nil},
	codeMissingPermissions: {http.StatusForbidden, codeMissingPermissions, "Missing Permissions", nil},
	codeUnknownChannel:     {http.StatusNotFound, codeUnknownChannel, "Unknown Channel", nil},
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, e *apiError) {
	body := map[string]any{"message": e.message, "code": e.code}
	if len(e.errors) > 0 {
		errs := map[string]any{}
		for path, msg := range e.errors {
			node := errs
			for _, part := range strings.Split(path, ".") {
				next, ok := node[part].(map[string]any)
				if !ok {
					next = map[string]any{}
					node[part] = next
				}
				node = next
			}
			node["_errors"] = []map[string]string{{"code": "BASE_TYPE_INVALID", "message": msg}}
		}
		body["errors"] = errs
	}
	writeJSON(w, e.status, body)
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Hijack lets the websocket upgrader take the connection over.
func (w *statusWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	h, ok := w.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("discordtest: connection cannot be hijacked")
	}
	w.status = http.StatusSwitchingProtocols
	return h.Hijack()
}

var apiPrefix = regexp.MustCompile(`^/api(/v[0-9]+)?/`)

func (s *Server) handler() http.Handler {
	api := http.NewServeMux()
	bot := func(h http.HandlerFunc) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Authorization") != "Bot "+s.Token {
				writeJSON(w, http.StatusUnauthorized, map[string]any{"message": "401: Unauthorized", "code": 0})
				return
			}
			h(w, r)
		}
	}
	api.HandleFunc("GET /gateway", s.getGateway)
	api.HandleFunc("GET /gateway/bot", bot(s.getGatewayBot))
	api.HandleFunc("GET /users/@me", bot(func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, 200, s.botUserJSON()) }))
	api.HandleFunc("GET /applications/@me", bot(s.getApplication))
	api.HandleFunc("PUT /applications/{app}/commands", bot(s.putCommands))
	api.HandleFunc("GET /applications/{app}/commands", bot(s.getCommands))
	api.HandleFunc("PUT /applications/{app}/guilds/{guild}/commands", bot(s.putCommands))
	api.HandleFunc("GET /applications/{app}/guilds/{guild}/commands", bot(s.getCommands))
	api.HandleFunc("GET /channels/{channel}", bot(s.getChannel))
	api.HandleFunc("POST /channels/{channel}/messages", bot(s.postMessage))
	api.HandleFunc("GET /channels/{channel}/messages", bot(s.getMessages))
	api.HandleFunc("GET /channels/{channel}/messages/{msg}", bot(s.getMessage))
	api.HandleFunc("PATCH /channels/{channel}/messages/{msg}", bot(s.editMessage))
	api.HandleFunc("DELETE /channels/{channel}/messages/{msg}", bot(s.deleteMessage))
	api.HandleFunc("POST /channels/{channel}/messages/{msg}/threads", bot(s.startMessageThread))
	api.HandleFunc("POST /channels/{channel}/threads", bot(s.startThread))
	api.HandleFunc("GET /guilds/{guild}/roles", bot(s.getRoles))
	api.HandleFunc("GET /guilds/{guild}/members/{user}", bot(s.getBotMember))
	api.HandleFunc("POST /interactions/{id}/{token}/callback", s.postCallback)
	api.HandleFunc("POST /channels/{channel}/webhooks", bot(s.createWebhook))
	api.HandleFunc("GET /channels/{channel}/webhooks", bot(s.getChannelWebhooks))
	api.HandleFunc("GET /webhooks/{id}", bot(s.webhookByID))
	api.HandleFunc("DELETE /webhooks/{id}", bot(s.webhookByID))
	api.HandleFunc("GET /webhooks/{app}/{token}", s.webhookWithToken)
	api.HandleFunc("DELETE /webhooks/{app}/{token}", s.webhookWithToken)
	api.HandleFunc("POST /webhooks/{app}/{token}", s.executeWebhook)
	api.HandleFunc("GET /webhooks/{app}/{token}/messages/{msg}", s.webhookMessageRoute)
	api.HandleFunc("PATCH /webhooks/{app}/{token}/messages/{msg}", s.webhookMessageRoute)
	api.HandleFunc("DELETE /webhooks/{app}/{token}/messages/{msg}", s.webhookMessageRoute)
	api.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) { writeError(w, errNotFound()) })

	root := http.NewServeMux()
	root.HandleFunc("/gateway", s.serveGateway)
	root.HandleFunc("/gateway/", s.serveGateway)
	root.HandleFunc("GET /attachments/{id}/{name}", s.getAttachment)
	root.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		loc := apiPrefix.FindStringIndex(r.URL.Path)
		if loc == nil {
			writeError(w, errNotFound())
			return
		}
		r2 := r.Clone(r.Context())
		r2.URL.Path = "/" + r.URL.Path[loc[1]:]
		r2.URL.RawPath = ""
		api.ServeHTTP(w, r2)
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &statusWriter{ResponseWriter: w}
		root.ServeHTTP(sw, r)
		s.mu.Lock()
		s.log = append(s.log, Request{Method: r.Method, Path: r.URL.Path, Status: sw.status, At: time.Now()})
		s.mu.Unlock()
	})
}

func (s *Server) getGateway(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, 200, map[string]any{"url": s.gatewayURL()})
}

func (s *Server) getGatewayBot(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, 200, map[string]any{
		"url":    s.gatewayURL(),
		"shards": s.cfg.recommendShards,
		"session_start_limit": map[string]any{
			"total": 1000, "remaining": 1000 - s.Identifies(), "reset_after": 86400000, "max_concurrency": 1,
		},
	})
}

func (s *Server) getApplication(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, 200, map[string]any{"id": s.AppID, "name": s.BotUsername, "bot_public": true,
		"bot_require_code_grant": false, "description": "", "flags": 0, "bot": s.botUserJSON()})
}

func (s *Server) getAttachment(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	f, ok := s.files[r.PathValue("id")]
	s.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	ct := f.ContentType
	if ct == "" {
		ct = "application/octet-stream"
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Length", strconv.Itoa(len(f.Data)))
	_, _ = w.Write(f.Data)
}

// ---- commands ----

var commandName = regexp.MustCompile(`^[-_\p{Ll}\p{Lo}\p{N}]{1,32}$`)

func (s *Server) putCommands(w http.ResponseWriter, r *http.Request) {
	if r.PathValue("app") != s.AppID {
		writeError(w, &apiError{http.StatusForbidden, codeMissingAccess, "Missing Access", nil})
		return
	}
	guildID := r.PathValue("guild")
	var cmds []*discordgo.ApplicationCommand
	if err := json.NewDecoder(r.Body).Decode(&cmds); err != nil {
		writeError(w, &apiError{http.StatusBadRequest, codeInvalidJSON, "The request body contains invalid JSON.", nil})
		return
	}
	if e := validateCommands(cmds); e != nil {
		writeError(w, e)
		return
	}
	s.mu.Lock()
	if guildID != "" {
		if _, ok := s.guilds[guildID]; !ok {
			s.mu.Unlock()
			writeError(w, &apiError{http.StatusForbidden, codeMissingAccess, "Missing Access", nil})
			return
		}
	}
	old := s.commands[guildID]
	for _, c := range cmds {
		if c.Type == 0 {
			c.Type = discordgo.ChatApplicationCommand
		}
		c.ID = ""
		for _, o := range old {
			if o.Name == c.Name && o.Type == c.Type {
				c.ID = o.ID
			}
		}
		if c.ID == "" {
			c.ID = s.newIDLocked()
		}
		c.ApplicationID = s.AppID
		c.GuildID = guildID
		c.Version = s.newIDLocked()
	}
	s.commands[guildID] = cmds
	s.notify()
	s.mu.Unlock()
	writeJSON(w, 200, cmds)
}

func (s *Server) getCommands(w http.ResponseWriter, r *http.Request) {
	cmds := s.Commands(r.PathValue("guild"))
	if cmds == nil {
		cmds = []*discordgo.ApplicationCommand{}
	}
	writeJSON(w, 200, cmds)
}

func validateCommands(cmds []*discordgo.ApplicationCommand) *apiError {
	if len(cmds) > 100 {
		return invalidForm("_", "Must be 100 or fewer in length.")
	}
	seen := map[string]bool{}
	for i, c := range cmds {
		p := strconv.Itoa(i)
		if !commandName.MatchString(c.Name) {
			return invalidForm(p+".name", "Command name is invalid")
		}
		if seen[c.Name] {
			return invalidForm(p+".name", "Application command names must be unique")
		}
		seen[c.Name] = true
		if c.Type == 0 || c.Type == discordgo.ChatApplicationCommand {
			if n := utf8.RuneCountInString(c.Description); n < 1 || n > 100 {
				return invalidForm(p+".description", "Must be between 1 and 100 in length.")
			}
		}
		if e := validateOptions(p+".options", c.Options); e != nil {
			return e
		}
	}
	return nil
}

func validateOptions(p string, opts []*discordgo.ApplicationCommandOption) *apiError {
	if len(opts) > 25 {
		return invalidForm(p, "Must be 25 or fewer in length.")
	}
	optional := false
	for i, o := range opts {
		q := p + "." + strconv.Itoa(i)
		if !commandName.MatchString(o.Name) {
			return invalidForm(q+".name", "Command name is invalid")
		}
		if n := utf8.RuneCountInString(o.Description); n < 1 || n > 100 {
			return invalidForm(q+".description", "Must be between 1 and 100 in length.")
		}
		if o.Required && optional {
			return invalidForm(q+".required", "Required options must be placed before non-required options")
		}
		if !o.Required {
			optional = true
		}
		if len(o.Choices) > 25 {
			return invalidForm(q+".choices", "Must be 25 or fewer in length.")
		}
		if o.Autocomplete && len(o.Choices) > 0 {
			return invalidForm(q+".autocomplete", "Autocomplete cannot be set if choices are present")
		}
		if e := validateOptions(q+".options", o.Options); e != nil {
			return e
		}
	}
	return nil
}

// ---- channels and messages ----

func (s *Server) channelLocked(id string) (*channel, *apiError) {
	c, ok := s.channels[id]
	if !ok {
		return nil, channelErrors[codeUnknownChannel]
	}
	if c.denyCode != 0 {
		return nil, channelErrors[c.denyCode]
	}
	return c, nil
}

func (s *Server) getChannel(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	c, e := s.channelLocked(r.PathValue("channel"))
	var body map[string]any
	if e == nil && s.botPermsLocked(c)&discordgo.PermissionViewChannel == 0 {
		e = channelErrors[codeMissingAccess]
	}
	if e == nil {
		body = s.channelJSON(c, true)
	}
	s.mu.Unlock()
	if e != nil {
		writeError(w, e)
		return
	}
	writeJSON(w, 200, body)
}

func (s *Server) getMessage(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, e := s.channelLocked(r.PathValue("channel")); e != nil {
		writeError(w, e)
		return
	}
	for _, m := range s.messages[r.PathValue("channel")] {
		if m.ID == r.PathValue("msg") {
			writeJSON(w, 200, s.messageJSON(m, false))
			return
		}
	}
	writeError(w, &apiError{http.StatusNotFound, codeUnknownMessage, "Unknown Message", nil})
}

// getMessages is GET /channels/{channel}/messages: newest first, limit 1-100
// (default 50), before, after or around a message id; empty without Read
// Message History, as on Discord.
func (s *Server) getMessages(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, e := s.channelLocked(r.PathValue("channel"))
	if e == nil && s.botPermsLocked(c)&discordgo.PermissionViewChannel == 0 {
		e = channelErrors[codeMissingAccess]
	}
	if e != nil {
		writeError(w, e)
		return
	}
	q := r.URL.Query()
	limit := 50
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			writeError(w, invalidForm("limit", "int value should be less than or equal to 100."))
			return
		}
		limit = n
	}
	out := []map[string]any{}
	if s.botPermsLocked(c)&discordgo.PermissionReadMessageHistory == 0 {
		writeJSON(w, 200, out)
		return
	}
	msgs := s.messages[c.id] // oldest first
	lo, hi := 0, len(msgs)   // the window [lo, hi)
	switch {
	case q.Get("before") != "":
		id := q.Get("before")
		for hi > 0 && !snowflakeLess(msgs[hi-1].ID, id) {
			hi--
		}
		lo = max(0, hi-limit)
	case q.Get("after") != "":
		id := q.Get("after")
		for lo < hi && !snowflakeLess(id, msgs[lo].ID) {
			lo++
		}
		hi = min(hi, lo+limit)
	case q.Get("around") != "":
		id := q.Get("around")
		mid := 0
		for mid < len(msgs) && snowflakeLess(msgs[mid].ID, id) {
			mid++
		}
		lo = max(0, mid-limit/2)
		hi = min(len(msgs), lo+limit)
	default:
		lo = max(0, hi-limit)
	}
	for i := hi - 1; i >= lo; i-- {
		out = append(out, s.messageJSON(msgs[i], false))
	}
	writeJSON(w, 200, out)
}

// msgPayload is the body of a message create or edit, and the data of an
// interaction callback.
type msgPayload struct {
	Content         *string                           `json:"content"`
	Embeds          *[]*discordgo.MessageEmbed        `json:"embeds"`
	AllowedMentions *discordgo.MessageAllowedMentions `json:"allowed_mentions"`
	Flags           *discordgo.MessageFlags           `json:"flags"`
	Nonce           json.RawMessage                   `json:"nonce"`
	EnforceNonce    bool                              `json:"enforce_nonce"`
	Attachments     *[]struct {
		ID json.RawMessage `json:"id"`
	} `json:"attachments"`
	Components json.RawMessage                             `json:"components"`
	StickerIDs []string                                    `json:"sticker_ids"`
	Poll       json.RawMessage                             `json:"poll"`
	Choices    []*discordgo.ApplicationCommandOptionChoice `json:"choices"`
	Title      string                                      `json:"title"`
	CustomID   string                                      `json:"custom_id"`
}

type upload struct {
	name, contentType string
	data              []byte
}

// readBody reads a JSON or multipart/form-data (payload_json + files[n])
// body.
func readBody(r *http.Request) ([]byte, []upload, *apiError) {
	bad := &apiError{http.StatusBadRequest, codeInvalidJSON, "The request body contains invalid JSON.", nil}
	mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "multipart/form-data" {
		b, err := io.ReadAll(io.LimitReader(r.Body, 26<<20))
		if err != nil {
			return nil, nil, bad
		}
		return b, nil, nil
	}
	mr := multipart.NewReader(r.Body, params["boundary"])
	var payload []byte
	type indexed struct {
		n int
		upload
	}
	var files []indexed
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, bad
		}
		data, err := io.ReadAll(io.LimitReader(part, 26<<20))
		if err != nil {
			return nil, nil, bad
		}
		name := part.FormName()
		switch {
		case name == "payload_json":
			payload = data
		case strings.HasPrefix(name, "files[") && strings.HasSuffix(name, "]"):
			n, err := strconv.Atoi(name[len("files[") : len(name)-1])
			if err != nil {
				return nil, nil, invalidForm(name, "Invalid file field name")
			}
			files = append(files, indexed{n, upload{part.FileName(), part.Header.Get("Content-Type"), data}})
		case name == "file" || strings.HasPrefix(name, "file"):
			files = append(files, indexed{len(files), upload{part.FileName(), part.Header.Get("Content-Type"), data}})
		}
	}
	if len(files) > 10 {
		return nil, nil, invalidForm("files", "Must be 10 or fewer in length.")
	}
	sort.SliceStable(files, func(i, j int) bool { return files[i].n < files[j].n })
	out := make([]upload, len(files))
	for i, f := range files {
		out[i] = f.upload
	}
	if payload == nil {
		payload = []byte("{}")
	}
	return payload, out, nil
}

func decodePayload(b []byte) (*msgPayload, *apiError) {
	var p msgPayload
	if len(bytes.TrimSpace(b)) == 0 {
		b = []byte("{}")
	}
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, &apiError{http.StatusBadRequest, codeInvalidJSON, "The request body contains invalid JSON.", nil}
	}
	if e := validateContent(&p); e != nil {
		return nil, e
	}
	return &p, nil
}

// jsonUnmarshal decodes a request body (empty = {}).
func jsonUnmarshal(b []byte, v any) *apiError {
	if len(bytes.TrimSpace(b)) == 0 {
		return nil
	}
	if err := json.Unmarshal(b, v); err != nil {
		return &apiError{http.StatusBadRequest, codeInvalidJSON, "The request body contains invalid JSON.", nil}
	}
	return nil
}

// sortBy sorts snowflake-keyed values by key.
func sortBy[T any](xs []T, key func(T) string) {
	sort.Slice(xs, func(i, j int) bool { return snowflakeLess(key(xs[i]), key(xs[j])) })
}

// nonceString validates a nonce: an integer or a string of at most 25
// characters.
func nonceString(raw json.RawMessage) (string, *apiError) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	var str string
	if err := json.Unmarshal(raw, &str); err == nil {
		if utf8.RuneCountInString(str) > 25 {
			return "", invalidForm("nonce", "Must be 25 or fewer in length.")
		}
		return str, nil
	}
	var n json.Number
	if err := json.Unmarshal(raw, &n); err == nil {
		if _, err := n.Int64(); err == nil {
			return n.String(), nil
		}
	}
	return "", invalidForm("nonce", "Could not interpret value as string or integer.")
}

func validURL(u string, attachmentOK bool) bool {
	if attachmentOK && strings.HasPrefix(u, "attachment://") {
		return true
	}
	p, err := url.Parse(u)
	return err == nil && (p.Scheme == "http" || p.Scheme == "https") && p.Host != ""
}

func validateContent(p *msgPayload) *apiError {
	if am := p.AllowedMentions; am != nil {
		for i, t := range am.Parse {
			if t != discordgo.AllowedMentionTypeRoles && t != discordgo.AllowedMentionTypeUsers && t != discordgo.AllowedMentionTypeEveryone {
				return invalidForm("allowed_mentions.parse."+strconv.Itoa(i), "Value must be one of {'roles', 'users', 'everyone'}.")
			}
			if t == discordgo.AllowedMentionTypeUsers && len(am.Users) > 0 || t == discordgo.AllowedMentionTypeRoles && len(am.Roles) > 0 {
				return invalidForm("allowed_mentions", "parse:"+string(t)+" and "+string(t)+": [ids...] are mutually exclusive.")
			}
		}
	}
	if p.Content != nil && utf8.RuneCountInString(*p.Content) > 2000 {
		return invalidForm("content", "Must be 2000 or fewer in length.")
	}
	if p.Embeds == nil {
		return nil
	}
	embeds := *p.Embeds
	if len(embeds) > 10 {
		return invalidForm("embeds", "Must be 10 or fewer in length.")
	}
	total := 0
	count := func(s string) int { n := utf8.RuneCountInString(s); total += n; return n }
	for i, e := range embeds {
		q := "embeds." + strconv.Itoa(i)
		if e == nil {
			return invalidForm(q, "This field is required")
		}
		if count(e.Title) > 256 {
			return invalidForm(q+".title", "Must be 256 or fewer in length.")
		}
		if count(e.Description) > 4096 {
			return invalidForm(q+".description", "Must be 4096 or fewer in length.")
		}
		if e.URL != "" && !validURL(e.URL, false) {
			return invalidForm(q+".url", "Not a well formed URL.")
		}
		if e.Timestamp != "" {
			if _, err := time.Parse(time.RFC3339, e.Timestamp); err != nil {
				return invalidForm(q+".timestamp", "Could not parse "+e.Timestamp+". Should be ISO8601.")
			}
		}
		if e.Footer != nil {
			if count(e.Footer.Text) > 2048 {
				return invalidForm(q+".footer.text", "Must be 2048 or fewer in length.")
			}
			if e.Footer.Text == "" {
				return invalidForm(q+".footer.text", "This field is required")
			}
		}
		if e.Author != nil {
			if count(e.Author.Name) > 256 {
				return invalidForm(q+".author.name", "Must be 256 or fewer in length.")
			}
			if e.Author.Name == "" {
				return invalidForm(q+".author.name", "This field is required")
			}
			if e.Author.URL != "" && !validURL(e.Author.URL, false) {
				return invalidForm(q+".author.url", "Not a well formed URL.")
			}
		}
		if e.Image != nil && !validURL(e.Image.URL, true) {
			return invalidForm(q+".image.url", "Not a well formed URL.")
		}
		if e.Thumbnail != nil && !validURL(e.Thumbnail.URL, true) {
			return invalidForm(q+".thumbnail.url", "Not a well formed URL.")
		}
		if len(e.Fields) > 25 {
			return invalidForm(q+".fields", "Must be 25 or fewer in length.")
		}
		for j, f := range e.Fields {
			r := q + ".fields." + strconv.Itoa(j)
			if f == nil || f.Name == "" || f.Value == "" {
				return invalidForm(r, "This field is required")
			}
			if count(f.Name) > 256 {
				return invalidForm(r+".name", "Must be 256 or fewer in length.")
			}
			if count(f.Value) > 1024 {
				return invalidForm(r+".value", "Must be 1024 or fewer in length.")
			}
		}
	}
	if total > 6000 {
		return invalidForm("embeds", "Embed size exceeds maximum size of 6000")
	}
	return nil
}

func (p *msgPayload) empty(files int) bool {
	return (p.Content == nil || *p.Content == "") && (p.Embeds == nil || len(*p.Embeds) == 0) &&
		files == 0 && len(p.StickerIDs) == 0 && (len(p.Poll) == 0 || string(p.Poll) == "null") &&
		(len(p.Components) == 0 || string(p.Components) == "null" || string(p.Components) == "[]")
}

// newMessageLocked builds a message from a create payload.
func (s *Server) newMessageLocked(p *msgPayload, ups []upload, channelID, guildID string) *Message {
	m := &Message{ID: s.newIDLocked(), ChannelID: channelID, GuildID: guildID, CreatedAt: time.Now(), AuthorID: s.BotUserID}
	s.applyLocked(m, p, ups)
	return m
}

// applyLocked applies a create or edit payload to a message.
func (s *Server) applyLocked(m *Message, p *msgPayload, ups []upload) {
	if p.Content != nil {
		m.Content = *p.Content
	}
	if p.Embeds != nil {
		m.Embeds = append([]*discordgo.MessageEmbed(nil), *p.Embeds...)
	}
	if p.AllowedMentions != nil {
		m.AllowedMentions = p.AllowedMentions
	}
	if p.Flags != nil {
		// Only Suppress Embeds can be changed later; Ephemeral stays as created.
		m.Flags = m.Flags&discordgo.MessageFlagsEphemeral | *p.Flags&^discordgo.MessageFlagsLoading
	}
	if len(p.Components) > 0 && string(p.Components) != "null" {
		m.Components = append(json.RawMessage(nil), p.Components...)
	}
	if p.Attachments != nil {
		keep := map[string]bool{}
		for _, a := range *p.Attachments {
			var id string
			if json.Unmarshal(a.ID, &id) != nil {
				id = string(a.ID)
			}
			keep[id] = true
		}
		var kept []File
		for _, f := range m.Files {
			if keep[f.ID] {
				kept = append(kept, f)
			}
		}
		m.Files = kept
	}
	for _, u := range ups {
		m.Files = append(m.Files, s.storeFileLocked(u.name, u.contentType, u.data))
	}
}

func (s *Server) messageJSON(m *Message, webhook bool) map[string]any {
	embeds := m.Embeds
	if embeds == nil {
		embeds = []*discordgo.MessageEmbed{}
	}
	atts := make([]discordgo.MessageAttachment, 0, len(m.Files))
	for _, f := range m.Files {
		atts = append(atts, attachmentOf(f))
	}
	var edited any
	if !m.EditedAt.IsZero() {
		edited = m.EditedAt.UTC().Format(time.RFC3339Nano)
	}
	comps := json.RawMessage("[]")
	if len(m.Components) > 0 {
		comps = m.Components
	}
	mentions := make([]map[string]any, 0, len(m.MentionUsers))
	for _, id := range m.MentionUsers {
		mentions = append(mentions, map[string]any{"id": id, "username": "user" + id, "discriminator": "0", "avatar": nil, "global_name": nil})
	}
	roles := m.MentionRoles
	if roles == nil {
		roles = []string{}
	}
	out := map[string]any{
		"id": m.ID, "type": 0, "channel_id": m.ChannelID, "content": m.Content, "embeds": embeds,
		"attachments": atts, "author": s.botUserJSON(), "timestamp": m.CreatedAt.UTC().Format(time.RFC3339Nano),
		"edited_timestamp": edited, "flags": m.Flags, "tts": false, "mention_everyone": m.MentionEveryone,
		"mentions": mentions, "mention_roles": roles, "pinned": false, "components": comps,
	}
	if len(m.nonceRaw) > 0 {
		out["nonce"] = m.nonceRaw
	}
	if webhook {
		out["webhook_id"] = s.AppID
		out["application_id"] = s.AppID
		out["type"] = 20 // CHAT_INPUT_COMMAND reply
	}
	if m.WebhookID != "" {
		out["webhook_id"] = m.WebhookID
		out["author"] = map[string]any{"id": m.WebhookID, "username": m.Username, "discriminator": "0000",
			"avatar": nil, "bot": true, "global_name": nil}
		if wh := s.webhooks[m.WebhookID]; wh != nil && wh.ApplicationID != "" {
			out["application_id"] = wh.ApplicationID
		}
	}
	if m.ThreadID != "" {
		if th, ok := s.channels[m.ThreadID]; ok {
			out["thread"] = s.channelJSON(th, true)
		}
	}
	return out
}

// rateLimitLocked counts a request in the bucket key (a route's bucket and
// its major parameter) and sets Discord's rate-limit headers, hash being the
// X-RateLimit-Bucket; false means the bucket is exhausted (429 sent).
func (s *Server) rateLimitLocked(w http.ResponseWriter, key, hash string) bool {
	now := time.Now()
	b := s.buckets[key]
	if b == nil || now.Sub(b.start) >= s.cfg.rateWindow {
		b = &bucket{start: now}
		s.buckets[key] = b
	}
	resetAt := b.start.Add(s.cfg.rateWindow)
	after := resetAt.Sub(now).Seconds()
	h := w.Header()
	h.Set("X-RateLimit-Limit", strconv.Itoa(s.cfg.rateLimit))
	h.Set("X-RateLimit-Reset", strconv.FormatFloat(float64(resetAt.UnixMilli())/1000, 'f', 3, 64))
	h.Set("X-RateLimit-Reset-After", strconv.FormatFloat(after, 'f', 3, 64))
	h.Set("X-RateLimit-Bucket", hash)
	if b.count >= s.cfg.rateLimit {
		h.Set("X-RateLimit-Remaining", "0")
		h.Set("X-RateLimit-Scope", "user")
		h.Set("Retry-After", strconv.Itoa(int(math.Ceil(after))))
		writeJSON(w, http.StatusTooManyRequests, map[string]any{
			"message": "You are being rate limited.", "retry_after": math.Round(after*1000) / 1000, "global": false})
		return false
	}
	b.count++
	h.Set("X-RateLimit-Remaining", strconv.Itoa(s.cfg.rateLimit-b.count))
	return true
}

func (s *Server) injectedFailure(w http.ResponseWriter, status int, hash string) {
	if status == http.StatusTooManyRequests {
		h := w.Header()
		h.Set("Retry-After", "1")
		h.Set("X-RateLimit-Limit", strconv.Itoa(s.cfg.rateLimit))
		h.Set("X-RateLimit-Remaining", "0")
		h.Set("X-RateLimit-Reset-After", "0.050")
		h.Set("X-RateLimit-Reset", strconv.FormatFloat(float64(time.Now().Add(50*time.Millisecond).UnixMilli())/1000, 'f', 3, 64))
		h.Set("X-RateLimit-Bucket", hash)
		h.Set("X-RateLimit-Scope", "user")
		writeJSON(w, status, map[string]any{"message": "You are being rate limited.", "retry_after": 0.05, "global": false})
		return
	}
	writeJSON(w, status, map[string]any{"message": fmt.Sprintf("%d: %s", status, http.StatusText(status)), "code": 0})
}

func (s *Server) postMessage(w http.ResponseWriter, r *http.Request) {
	channelID := r.PathValue("channel")
	body, ups, e := readBody(r)

	s.mu.Lock()
	defer s.mu.Unlock()
	if s.attemptLocked(w, RoutePostMessage) {
		return
	}
	c, ce := s.channelLocked(channelID)
	if ce != nil {
		writeError(w, ce)
		return
	}
	if !s.rateLimitLocked(w, channelID, messagesBucket) {
		return
	}
	perms := s.botPermsLocked(c)
	if perms&discordgo.PermissionViewChannel == 0 {
		writeError(w, channelErrors[codeMissingAccess])
		return
	}
	if c.typ == discordgo.ChannelTypeGuildForum {
		writeError(w, &apiError{http.StatusBadRequest, codeNonTextChannel, "Cannot send messages in a non-text channel", nil})
		return
	}
	// In a thread, Send Messages in Threads replaces Send Messages.
	need := int64(discordgo.PermissionSendMessages)
	if c.isThread() {
		need = discordgo.PermissionSendMessagesInThreads
	}
	if perms&need == 0 {
		writeError(w, channelErrors[codeMissingPermissions])
		return
	}
	if e != nil {
		writeError(w, e)
		return
	}
	p, e := decodePayload(body)
	if e != nil {
		writeError(w, e)
		return
	}
	nonce, e := nonceString(p.Nonce)
	if e != nil {
		writeError(w, e)
		return
	}
	if p.empty(len(ups)) {
		writeError(w, &apiError{http.StatusBadRequest, codeEmptyMessage, "Cannot send an empty message", nil})
		return
	}
	if p.EnforceNonce && nonce != "" {
		for _, m := range s.messages[channelID] {
			if m.Nonce == nonce && time.Since(m.CreatedAt) < s.cfg.nonceWindow {
				writeJSON(w, 200, s.messageJSON(m, false))
				return
			}
		}
	}
	if p.Flags != nil {
		p.Flags = new(*p.Flags & (discordgo.MessageFlagsSuppressEmbeds | discordgo.MessageFlagsSuppressNotifications))
	}
	m := s.newMessageLocked(p, ups, channelID, c.guildID)
	s.mentionsLocked(m, perms&discordgo.PermissionMentionEveryone != 0)
	m.Nonce, m.EnforceNonce = nonce, p.EnforceNonce
	if nonce != "" {
		m.nonceRaw = append(json.RawMessage(nil), p.Nonce...)
	}
	s.messages[channelID] = append(s.messages[channelID], m)
	s.countMessageLocked(c, m)
	s.sendMessageCreateLocked(m)
	writeJSON(w, 200, s.messageJSON(m, false))
}

// ---- interactions and webhooks ----

func (s *Server) postCallback(w http.ResponseWriter, r *http.Request) {
	body, ups, e := readBody(r)
	if e != nil {
		writeError(w, e)
		return
	}
	var cb struct {
		Type discordgo.InteractionResponseType `json:"type"`
		Data json.RawMessage                   `json:"data"`
	}
	if err := json.Unmarshal(body, &cb); err != nil {
		writeError(w, &apiError{http.StatusBadRequest, codeInvalidJSON, "The request body contains invalid JSON.", nil})
		return
	}
	p, e := decodePayload(cb.Data)
	if e != nil {
		writeError(w, e)
		return
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	in, ok := s.inters[r.PathValue("token")]
	unknown := &apiError{http.StatusNotFound, codeUnknownInteraction, "Unknown interaction", nil}
	if !ok || in.ID != r.PathValue("id") {
		writeError(w, unknown)
		return
	}
	if in.callback != nil {
		writeError(w, &apiError{http.StatusBadRequest, codeAlreadyAcknowledged, "Interaction has already been acknowledged.", nil})
		return
	}
	if time.Since(in.created) > s.cfg.callbackDeadline {
		s.notify()
		writeError(w, unknown)
		return
	}
	allowed := map[discordgo.InteractionType][]discordgo.InteractionResponseType{
		discordgo.InteractionApplicationCommand:             {4, 5, 9},
		discordgo.InteractionApplicationCommandAutocomplete: {8},
		discordgo.InteractionMessageComponent:               {4, 5, 6, 7, 9},
	}[in.Type]
	valid := false
	for _, t := range allowed {
		valid = valid || t == cb.Type
	}
	if !valid {
		writeError(w, invalidForm("type", fmt.Sprintf("Interaction response type %d is not valid for interaction type %d", cb.Type, in.Type)))
		return
	}
	switch cb.Type {
	case discordgo.InteractionResponseChannelMessageWithSource, discordgo.InteractionResponseUpdateMessage:
		if e := validateContent(p); e != nil {
			writeError(w, e)
			return
		}
		if p.empty(len(ups)) {
			writeError(w, &apiError{http.StatusBadRequest, codeEmptyMessage, "Cannot send an empty message", nil})
			return
		}
	case discordgo.InteractionApplicationCommandAutocompleteResult:
		if len(p.Choices) > 25 {
			writeError(w, invalidForm("data.choices", "Must be 25 or fewer in length."))
			return
		}
		for i, c := range p.Choices {
			if n := utf8.RuneCountInString(c.Name); n < 1 || n > 100 {
				writeError(w, invalidForm("data.choices."+strconv.Itoa(i)+".name", "Must be between 1 and 100 in length."))
				return
			}
		}
	case discordgo.InteractionResponseModal:
		if p.CustomID == "" || p.Title == "" {
			writeError(w, invalidForm("data", "custom_id and title are required"))
			return
		}
	}

	c := &Callback{Type: cb.Type, Data: append(json.RawMessage(nil), cb.Data...), At: time.Now(),
		Choices: p.Choices, Title: p.Title, CustomID: p.CustomID, AllowedMentions: p.AllowedMentions}
	if p.Content != nil {
		c.Content = *p.Content
	}
	if p.Embeds != nil {
		c.Embeds = *p.Embeds
	}
	if p.Flags != nil {
		c.Flags = *p.Flags
	}
	switch cb.Type {
	case discordgo.InteractionResponseChannelMessageWithSource:
		in.original = s.newMessageLocked(p, ups, in.ChannelID, in.GuildID)
		in.original.Flags = c.Flags & (discordgo.MessageFlagsEphemeral | discordgo.MessageFlagsSuppressEmbeds)
		c.Files = in.original.Files
	case discordgo.InteractionResponseDeferredChannelMessageWithSource:
		in.original = &Message{ID: s.newIDLocked(), ChannelID: in.ChannelID, GuildID: in.GuildID,
			CreatedAt: time.Now(), Deferred: true,
			Flags: c.Flags&discordgo.MessageFlagsEphemeral | discordgo.MessageFlagsLoading}
	case discordgo.InteractionResponseUpdateMessage:
		if in.message != nil {
			s.applyLocked(in.message, p, ups)
			in.message.Edits++
			in.message.EditedAt = time.Now()
		}
	}
	in.callback = c
	s.notify()
	w.WriteHeader(http.StatusNoContent)
}

// webhookInteractionLocked finds the interaction a webhook path addresses.
func (s *Server) webhookInteractionLocked(r *http.Request) (*Interaction, *apiError) {
	unknown := &apiError{http.StatusNotFound, codeUnknownWebhook, "Unknown Webhook", nil}
	if r.PathValue("app") != s.AppID {
		return nil, unknown
	}
	in, ok := s.inters[r.PathValue("token")]
	if !ok {
		return nil, unknown
	}
	if time.Since(in.created) > s.cfg.tokenLifetime {
		return nil, &apiError{http.StatusUnauthorized, codeInvalidWebhookToken, "Invalid Webhook Token", nil}
	}
	return in, nil
}

func (s *Server) postFollowup(w http.ResponseWriter, r *http.Request) {
	body, ups, e := readBody(r)
	s.mu.Lock()
	defer s.mu.Unlock()
	in, ae := s.webhookInteractionLocked(r)
	if ae != nil {
		writeError(w, ae)
		return
	}
	if in.callback == nil {
		writeError(w, &apiError{http.StatusNotFound, codeUnknownWebhook, "Unknown Webhook", nil})
		return
	}
	if e != nil {
		writeError(w, e)
		return
	}
	p, e := decodePayload(body)
	if e != nil {
		writeError(w, e)
		return
	}
	if p.empty(len(ups)) {
		writeError(w, &apiError{http.StatusBadRequest, codeEmptyMessage, "Cannot send an empty message", nil})
		return
	}
	if p.Flags != nil {
		p.Flags = new(*p.Flags & (discordgo.MessageFlagsEphemeral | discordgo.MessageFlagsSuppressEmbeds))
	}
	m := s.newMessageLocked(p, ups, in.ChannelID, in.GuildID)
	in.followups = append(in.followups, m)
	s.notify()
	if r.URL.Query().Get("wait") == "true" {
		writeJSON(w, 200, s.messageJSON(m, true))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) webhookMessage(w http.ResponseWriter, r *http.Request) {
	var body []byte
	var ups []upload
	var e *apiError
	if r.Method == http.MethodPatch {
		body, ups, e = readBody(r)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	in, ae := s.webhookInteractionLocked(r)
	if ae != nil {
		writeError(w, ae)
		return
	}
	var m *Message
	idx := -1
	if id := r.PathValue("msg"); id == "@original" {
		m = in.original
	} else {
		for i, f := range in.followups {
			if f.ID == id {
				m, idx = f, i
			}
		}
	}
	if m == nil {
		writeError(w, &apiError{http.StatusNotFound, codeUnknownMessage, "Unknown Message", nil})
		return
	}
	switch r.Method {
	case http.MethodGet:
		writeJSON(w, 200, s.messageJSON(m, true))
		return
	case http.MethodDelete:
		if idx >= 0 {
			in.followups = append(in.followups[:idx], in.followups[idx+1:]...)
		} else {
			in.original = nil
		}
		s.notify()
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if e != nil {
		writeError(w, e)
		return
	}
	p, e := decodePayload(body)
	if e != nil {
		writeError(w, e)
		return
	}
	s.applyLocked(m, p, ups)
	if m.Deferred {
		m.Deferred = false
		m.Flags &^= discordgo.MessageFlagsLoading
	}
	m.Edits++
	m.EditedAt = time.Now()
	s.notify()
	writeJSON(w, 200, s.messageJSON(m, true))
}
