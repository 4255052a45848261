package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestEvalSmallSet(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "dev.jsonl")
	var b strings.Builder
	add := func(id, source, title, text, summary string) {
		line, _ := json.Marshal(map[string]string{"id": id, "source": source, "title": title, "text": text, "summary": summary})
		b.Write(line)
		b.WriteByte('\n')
	}
	text := "The cat sat on the mat all day long. The dog barked at the cat from the yard. " +
		"Nobody came to help the poor cat that day. Later the rain started and washed the yard clean."
	add("a1", "Alpha", "Cat and dog", text, "The cat sat on the mat all day long.\nThe dog barked at the cat from the yard.")
	add("b1", "Beta", "", text, "A cat and a dog.")
	add("b2", "Beta", "", "Short one here. Second sentence there.", "Short one.")
	os.WriteFile(path, []byte(b.String()), 0o600)

	out, _, err := runSummarizeCmd(t, "", "eval", "-data", path, "-n", "2", "-j", "2")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"ROUGE-1", "ROUGE-2", "ROUGE-L", "words", "articles/s", "Alpha", "Beta", "Lead-2", "newsbot", "3 articles"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// Alpha's reference is exactly its first two sentences: Lead-2 scores 100.
	var alphaLead string
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, "Alpha") {
			alphaLead = l
		}
	}
	if !strings.Contains(alphaLead, "Lead-2   100.00   100.00") {
		t.Errorf("Lead-2 on Alpha should be 100/100: %q", alphaLead)
	}
	// Beta comes after Alpha.
	if strings.Index(out, "Alpha") > strings.Index(out, "Beta") {
		t.Errorf("sources not sorted:\n%s", out)
	}

	// Two files at once, one of them French: tokenized with letters of any
	// script. "sécurité" against "curité" shares no word in French, while
	// rouge-score's English tokenizer would match "curit" in both.
	frPath := filepath.Join(dir, "fr.jsonl")
	fr, _ := json.Marshal(map[string]string{"id": "f1", "source": "Gamma", "language": "fr", "title": "Sécurité",
		"text":    "La sécurité routière progresse encore cette année. Les morts baissent de dix pour cent. Le ministre se félicite.",
		"summary": "curité"})
	os.WriteFile(frPath, append(fr, '\n'), 0o600)
	out, _, err = runSummarizeCmd(t, "", "eval", "-data", path+","+frPath, "-n", "2", "-j", "1")
	if err != nil {
		t.Fatal(err)
	}
	var gamma string
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, "Gamma") {
			gamma = l
		}
	}
	if !strings.Contains(gamma, "unicode") || !strings.Contains(gamma, "Lead-2     0.00") {
		t.Errorf("French source: want the unicode tokenizer and no match: %q\n%s", gamma, out)
	}
	if !strings.Contains(out, "Alpha") || !strings.Contains(out, "4 articles") {
		t.Errorf("both files should be scored:\n%s", out)
	}

	if _, _, err := runSummarizeCmd(t, "", "eval", "-data", filepath.Join(dir, "none.jsonl")); err == nil {
		t.Error("missing data: no error")
	}
	os.WriteFile(path, []byte("{bad\n"), 0o600)
	if _, _, err := runSummarizeCmd(t, "", "eval", "-data", path); err == nil || !strings.Contains(err.Error(), "line 1") {
		t.Errorf("bad data: %v", err)
	}
}
