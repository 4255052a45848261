package postgres

import (
	"testing"

	"newsbot/store"
	"newsbot/store/storetest"
)

// TestConformance runs the suite every store passes, each subtest on a
// fresh schema.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		s, err := Open(t.Context(), freshSchema(t))
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}
