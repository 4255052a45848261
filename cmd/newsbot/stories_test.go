package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"newsbot/stories"
)

func runStoriesCmd(t *testing.T, stdin string, args ...string) (string, string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	err := run(context.Background(), append([]string{"stories"}, args...), stdio{in: strings.NewReader(stdin), out: &out, err: &errb})
	return out.String(), errb.String(), err
}

// storyOf parses -jsonl output into id → story, checking the order.
func storyOf(t *testing.T, out string, ids []string) map[string]string {
	t.Helper()
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if len(lines) != len(ids) {
		t.Fatalf("got %d lines, want %d:\n%s", len(lines), len(ids), out)
	}
	got := make(map[string]string)
	for i, l := range lines {
		var r struct{ ID, Story string }
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatalf("line %d: %v: %s", i+1, err, l)
		}
		if r.ID != ids[i] {
			t.Errorf("line %d: id %q, want %q (input order)", i+1, r.ID, ids[i])
		}
		got[r.ID] = r.Story
	}
	return got
}

func TestStoriesJSONL(t *testing.T) {
	ids := []string{"r1", "s1", "b1", "a1", "z1", "w1", "r2", "a2"}
	want := map[string]string{
		"r1": "r1", "s1": "s1",
		"b1": "r1", // another outlet, the same eruption
		"a1": "a1",
		"z1": "s1", // German
		"w1": "a1", // headlines only
		"r2": "r2",
		"a2": "a2", // two days later: outside the window
	}
	file := filepath.Join("testdata", "stories", "articles.jsonl")
	out, errOut, err := runStoriesCmd(t, "", "-jsonl", file)
	if err != nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	got := storyOf(t, out, ids)
	for id, w := range want {
		if got[id] != w {
			t.Errorf("%s: story %q, want %q", id, got[id], w)
		}
	}
	// stdin gives the same answer as the file.
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	out2, _, err := runStoriesCmd(t, string(b), "-jsonl", "-")
	if err != nil {
		t.Fatal(err)
	}
	if out2 != out {
		t.Errorf("stdin output differs from file output:\n%s\nvs\n%s", out2, out)
	}
}

func TestStoriesEval(t *testing.T) {
	out, errOut, err := runStoriesCmd(t, "", "-eval", filepath.Join("testdata", "stories"))
	if err != nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	for _, want := range []string{
		"precision", "recall",
		"en     1          1            1                 0      1.000   1.000",
		"all     2          1            2                 0      1.000   1.000",
		"stream (B-cubed, 5 headlines)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestStoriesErrors(t *testing.T) {
	tests := []struct {
		name  string
		stdin string
		args  []string
		want  string
	}{
		{"no mode", "", nil, "give -jsonl or -eval"},
		{"both modes", "", []string{"-jsonl", "-eval", "x"}, "exclude each other"},
		{"bad json", "{", []string{"-jsonl"}, "stdin: line 1"},
		{"bad time", `{"id":"a","published":"yesterday"}`, []string{"-jsonl"}, "line 1: published"},
		{"no id", `{"title":"x"}`, []string{"-jsonl"}, "line 1: no id"},
		{"missing file", "", []string{"-jsonl", "testdata/stories/nope.jsonl"}, "nope.jsonl"},
		{"missing dir", "", []string{"-eval", "testdata/nope"}, "story-pairs.jsonl"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := runStoriesCmd(t, tt.stdin, tt.args...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestBCubed(t *testing.T) {
	tests := []struct {
		pred, gold []string
		p, r       float64
	}{
		{[]string{"a", "a", "b"}, []string{"x", "x", "y"}, 1, 1},
		{[]string{"a", "b", "c"}, []string{"x", "x", "x"}, 1, 1.0 / 3},
		{[]string{"a", "a", "a"}, []string{"x", "x", "y"}, (2.0/3 + 2.0/3 + 1.0/3) / 3, 1},
	}
	for _, tt := range tests {
		p, r := bcubed(tt.pred, tt.gold)
		if d := p - tt.p; d > 1e-9 || d < -1e-9 {
			t.Errorf("bcubed(%v, %v) precision %.4f, want %.4f", tt.pred, tt.gold, p, tt.p)
		}
		if d := r - tt.r; d > 1e-9 || d < -1e-9 {
			t.Errorf("bcubed(%v, %v) recall %.4f, want %.4f", tt.pred, tt.gold, r, tt.r)
		}
	}
}

// TestScorePairsWithoutCopies: an article in several pairs is in the window
// once per pair. While its pair is judged, its copies leave the window: left
// as another outlet's story, b would join its own copy instead of a.
func TestScorePairsWithoutCopies(t *testing.T) {
	pairs, err := readPairs(filepath.Join("testdata", "stories", "story-pairs.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	var same storyPair
	for _, p := range pairs {
		if p.Label == "same" && p.Lang == "en" {
			same = p
			break
		}
	}
	if same.ID == "" {
		t.Fatal("testdata has no English same pair")
	}
	byLang, err := scorePairs(t.Context(), append(pairs, same), stories.Options{})
	if err != nil {
		t.Fatal(err)
	}
	en := byLang["en"]
	if en.same != 2 || en.sameMerged != 2 || en.elsewhere != 0 {
		t.Errorf("English: %d same pairs, %d merged, %d joined another; want 2, 2, 0", en.same, en.sameMerged, en.elsewhere)
	}
}

func TestArticleIDs(t *testing.T) {
	for id, want := range map[string][2]string{
		"1484455111_1484351723": {"1484455111", "1484351723"},
		"14zh_15zh":             {"14zh", "15zh"},
		"solo":                  {"solo/a", "solo/b"},
	} {
		a, b := storyPair{ID: id}.articleIDs()
		if a != want[0] || b != want[1] {
			t.Errorf("%s: %q, %q; want %q, %q", id, a, b, want[0], want[1])
		}
	}
}

// TestStoriesEvalNotBelow guards the matcher's figures on the shared
// evaluation sets (skipped without them, as in a user's clone) against a
// change that quietly costs precision: the headline stream at the issue's
// 0.95 precision and 0.35 recall, all same-language pairs at no less than
// 0.85 precision and 0.60 recall (the README's table gives the figures).
func TestStoriesEvalNotBelow(t *testing.T) {
	dir := filepath.Join("..", "..", "..", "shared", "eval", "stories")
	pairs, err := readPairs(filepath.Join(dir, "story-pairs.jsonl"))
	if errors.Is(err, fs.ErrNotExist) {
		t.Skipf("no shared evaluation data at %s", dir)
	}
	if err != nil {
		t.Fatal(err)
	}
	stream, err := readStream(filepath.Join(dir, "story-stream.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	byLang, err := scorePairs(t.Context(), pairs, stories.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var all pairCounts
	for _, c := range byLang {
		all.add(*c)
	}
	if p, r := all.precision(), all.recall(); p < 0.85 || r < 0.60 {
		t.Errorf("all pairs: precision %.3f recall %.3f, want at least 0.85 and 0.60", p, r)
	}
	p, r, _, err := scoreStream(t.Context(), stream, stories.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if p < 0.95 || r < 0.35 {
		t.Errorf("stream: precision %.3f recall %.3f, want at least 0.95 and 0.35", p, r)
	}
}
