package summarize

import (
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"
)

// wordCache maps words to what we learned about them, shared by all calls:
// the same few thousand words make up most news, and stemming them again
// for every article would cost more than everything else together.
//
// Reads go to an immutable map behind an atomic pointer, without locks or
// allocation. New words wait in a small map under a mutex and are promoted
// into a fresh copy of the read map when there are enough of them, so the
// copying costs O(1) per word over time. The cache stops growing at
// wordCacheMax words, so junk input cannot make it grow without bound.
type wordCache[V any] struct {
	read   atomic.Pointer[map[string]V]
	mu     sync.Mutex
	dirty  map[string]V
	misses int // lookups answered from dirty since the last promotion
}

const wordCacheMax = 1 << 18

func (c *wordCache[V]) get(w string, compute func(string) V) V {
	if m := c.read.Load(); m != nil {
		if v, ok := (*m)[w]; ok {
			return v
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if v, ok := c.dirty[w]; ok {
		// Like sync.Map: once the waiting words have cost as many locked
		// lookups as there are of them, promote them.
		if c.misses++; c.misses >= len(c.dirty) {
			c.promote()
		}
		return v
	}
	v := compute(w)
	var n int
	if m := c.read.Load(); m != nil {
		n = len(*m)
	}
	if n+len(c.dirty) >= wordCacheMax {
		return v
	}
	if c.dirty == nil {
		c.dirty = make(map[string]V)
	}
	c.dirty[strings.Clone(w)] = v // w may point into a reused buffer
	if len(c.dirty) >= max(256, n/4) {
		c.promote()
	}
	return v
}

// promote copies the read map and the waiting words into a new read map.
// The caller holds c.mu.
func (c *wordCache[V]) promote() {
	var n int
	old := c.read.Load()
	if old != nil {
		n = len(*old)
	}
	fresh := make(map[string]V, n+len(c.dirty))
	if old != nil {
		for k, v := range *old {
			fresh[k] = v
		}
	}
	for k, v := range c.dirty {
		fresh[k] = v
	}
	c.read.Store(&fresh)
	c.dirty = nil
	c.misses = 0
}

// unsafeString views b as a string without copying, for lookups only: the
// string must not outlive the next change to b.
func unsafeString(b []byte) string {
	return unsafe.String(unsafe.SliceData(b), len(b))
}
