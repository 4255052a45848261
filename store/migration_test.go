package store

import (
	"testing"
	"testing/fstest"
)

func TestReadMigrations(t *testing.T) {
	ms, err := ReadMigrations(fstest.MapFS{
		"0002_more.sql": {Data: []byte("B")},
		"0001_init.sql": {Data: []byte("A")},
		"notes.txt":     {Data: []byte("ignored")},
	})
	if err != nil || len(ms) != 2 || ms[0].Version != 1 || ms[0].Name != "0001_init" || ms[1].SQL != "B" {
		t.Fatalf("ReadMigrations = %+v, %v", ms, err)
	}
	for name, fsys := range map[string]fstest.MapFS{
		"no version":     {"init.sql": {}},
		"zero version":   {"0000_x.sql": {}},
		"same version":   {"0001_a.sql": {}, "01_b.sql": {}},
		"not a number _": {"x1_a.sql": {}},
	} {
		if _, err := ReadMigrations(fsys); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
