package main

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

var jsonLines = []string{
	`{"id": "a1", "title": "T", "text": "Hello.\nWorld.", "html": true, "language": "fr"}`,
	`{"id":"a2","text":"esc \" \\ \/ \b \f \n \r \t \u00e9 \ud83d\ude00 \ud83d x \udc00","summary":"skip","n":-1.5e3,"ok":false,"z":null}`,
	`  {"ID": "caps", "Title": "key case", "TEXT": "t"}  `,
	`{"id": "dup", "id": "last"}`,
	`{}`,
	`{"id": null, "html": null, "text": "x"}`,
	`{"id": "nested", "meta": {"a": [1, 2, {"b": "c"}]}, "text": "y"}`,
	`{"id": 5}`,
	`{"id": "x",}`,
	`{"id": "x"} trailing`,
	`{"id": "bad \x01 control"}`,
	"{\"id\": \"invalid \xff utf8\"}",
	`{"html": "yes"}`,
	`{"id": "x", "n": 01}`,
	`[1, 2]`,
	`{"id": "unterminated`,
	`{"id": "bad escape \q"}`,
	`{"text": "\u12"}`,
	`{"html": truex}`,
	`not json`,
}

// TestDecodeJSONLine: the fast decoder agrees with encoding/json on every
// line, valid or not.
func TestDecodeJSONLine(t *testing.T) {
	for _, l := range jsonLines {
		checkDecode(t, l)
	}
}

func checkDecode(t *testing.T, l string) {
	t.Helper()
	var got, want jsonlIn
	gerr := decodeJSONLine([]byte(l), &got)
	werr := json.Unmarshal([]byte(l), &want)
	if (gerr == nil) != (werr == nil) || (werr != nil && gerr.Error() != werr.Error()) {
		t.Fatalf("%q: error %v, encoding/json says %v", l, gerr, werr)
	}
	if werr == nil && got != want {
		t.Fatalf("%q:\n got %+v\nwant %+v", l, got, want)
	}
}

func FuzzDecodeJSONLine(f *testing.F) {
	for _, l := range jsonLines {
		f.Add(l)
	}
	f.Fuzz(func(t *testing.T, l string) { checkDecode(t, l) })
}

var jsonStrings = []string{"plain", "", `quote " backslash \`, "<a href='x'>&amp;</a>", "ctl \x00\x01\b\f\n\r\t\x1f",
	"é 😀 \u2028 \u2029", "bad \xff\xfe utf8", "\u007f del"}

// TestAppendJSONOut: the output encoder writes what json.Marshal writes.
func TestAppendJSONOut(t *testing.T) {
	for _, s := range jsonStrings {
		checkEncode(t, jsonlOut{ID: s, Sentences: []string{s, "x"}, Error: s})
	}
	checkEncode(t, jsonlOut{ID: "a", Sentences: []string{}})
}

func checkEncode(t *testing.T, o jsonlOut) {
	t.Helper()
	want, _ := json.Marshal(o)
	got := appendJSONOut(nil, &o)
	if string(got) != string(want)+"\n" {
		t.Fatalf("appendJSONOut(%+v)\n got %s\nwant %s", o, got, want)
	}
}

func FuzzAppendJSONOut(f *testing.F) {
	for _, s := range jsonStrings {
		f.Add(s, s)
	}
	f.Fuzz(func(t *testing.T, id, sent string) {
		checkEncode(t, jsonlOut{ID: id, Sentences: []string{sent}, Error: id})
	})
}

// TestSummarizeJSONLBatches: many lines, blank ones, a long one, and the
// order kept with several workers.
func TestSummarizeJSONLBatches(t *testing.T) {
	var in strings.Builder
	const n = 3000
	for i := 0; i < n; i++ {
		text := testArticle
		if i == 1234 {
			text = strings.Repeat(testArticle+"\n", 400) // longer than a batch
		}
		line, _ := json.Marshal(map[string]string{"id": string(rune('a'+i%26)) + strings.Repeat("x", i%7), "text": text})
		in.Write(line)
		in.WriteString("\n\n")
	}
	var ref []string
	for _, workers := range []string{"1", "3"} {
		out, _, err := runSummarizeCmd(t, in.String(), "summarize", "-jsonl", "-j", workers)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
		if len(lines) != n {
			t.Fatalf("-j %s: %d lines, want %d", workers, len(lines), n)
		}
		if ref == nil {
			ref = lines
		} else if !reflect.DeepEqual(ref, lines) {
			t.Fatalf("-j %s: output differs from -j 1", workers)
		}
	}
}
