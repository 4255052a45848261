package main

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestNoTokenExplainsHowToGetOne(t *testing.T) {
	var out bytes.Buffer
	err := runBot(context.Background(), env{}.get, stdio{in: strings.NewReader(""), out: &out, err: &out})
	if !errors.Is(err, errNoToken) {
		t.Fatalf("err = %v, want errNoToken", err)
	}
	for _, want := range []string{"developers/applications", "applications.commands", "Send Messages", "Embed Links", ".env"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("help lacks %q", want)
		}
	}
}

func TestLoadConfig(t *testing.T) {
	c, err := loadConfig(env{"DISCORD_TOKEN": "t"}.get)
	if err != nil {
		t.Fatal(err)
	}
	if c.PollInterval != 10*time.Minute || c.Sentences != 3 || c.MaxPosts != 5 || c.DatabaseURL != "sqlite:newsbot.db" ||
		c.Retention != 30*24*time.Hour || c.APIURL != "https://discord.com" || len(c.ShardIDs) != 1 {
		t.Errorf("defaults = %+v", c)
	}
	bad := []struct{ name, value string }{
		{"POLL_INTERVAL", "often"}, {"SUMMARY_SENTENCES", "11"}, {"NEWSBOT_ALLOW_PRIVATE_ADDRESSES", "maybe"},
		{"LOG_FORMAT", "xml"}, {"LOG_LEVEL", "loud"}, {"DISCORD_API_URL", "discord.com"}, {"DISCORD_GUILD_ID", "abc"},
		{"DATABASE_URL", "mysql://x"}, {"SHARD_IDS", "0,5"}, {"MAX_POSTS_PER_POLL", "0"}, {"MAX_POSTS_PER_INTERVAL", "0"},
		{"ARTICLE_RETENTION", "-1h"}, {"ARTICLE_RETENTION", "12h"},
	}
	for _, b := range bad {
		_, err := loadConfig(env{"DISCORD_TOKEN": "t", b.name: b.value}.get)
		if err == nil || !strings.Contains(err.Error(), b.name) {
			t.Errorf("%s=%q: err = %v, want one naming the variable", b.name, b.value, err)
		}
	}
	c, err = loadConfig(env{"DISCORD_TOKEN": "t", "SHARD_COUNT": "4", "SHARD_IDS": "1,3", "POLL_INTERVAL": "30s"}.get)
	if err != nil || len(c.ShardIDs) != 2 || c.ShardIDs[1] != 3 || len(c.warnings()) == 0 {
		t.Errorf("shards %v, warnings %v, err %v", c.ShardIDs, c.warnings(), err)
	}
}

// TestConfigOldNamesAndBounds: the renamed variable still works, with a
// warning naming the new one; settings are checked against each other.
func TestConfigOldNamesAndBounds(t *testing.T) {
	c, err := loadConfig(env{"DISCORD_TOKEN": "t", "MAX_POSTS_PER_POLL": "7"}.get)
	if err != nil || c.MaxPosts != 7 || !strings.Contains(strings.Join(c.warnings(), "\n"), "MAX_POSTS_PER_INTERVAL") {
		t.Errorf("old name: posts %d, warnings %q, err %v", c.MaxPosts, c.warnings(), err)
	}
	c, err = loadConfig(env{"DISCORD_TOKEN": "t", "MAX_POSTS_PER_POLL": "7", "MAX_POSTS_PER_INTERVAL": "2"}.get)
	if err != nil || c.MaxPosts != 2 {
		t.Errorf("new name wins: posts %d, err %v", c.MaxPosts, err)
	}
	c, err = loadConfig(env{"DISCORD_TOKEN": "t", "LEASE_DURATION": "10s", "POLL_INTERVAL": "5s"}.get)
	w := strings.Join(c.warnings(), "\n")
	if err != nil || !strings.Contains(w, "LEASE_DURATION=10s is shorter than a feed fetch") || !strings.Contains(w, "not shorter than POLL_INTERVAL") {
		t.Errorf("short lease: warnings %q, err %v", w, err)
	}
	if _, err := loadConfig(env{"DISCORD_TOKEN": "t", "ARTICLE_RETENTION": "1d"}.get); err != nil {
		t.Errorf("ARTICLE_RETENTION=1d refused: %v", err)
	}
}
