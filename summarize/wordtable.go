package summarize

// wordTable maps the lower-cased words of one article to term ids. It is a
// small open-addressing hash table over a byte arena: looking a word up
// costs no allocation and no string conversion, which matters because it
// runs once for every word of every article.
type wordTable struct {
	slots []wordSlot // power-of-two length, at most half full
	arena []byte     // the words' bytes
	n     int
	byID  []wordSlot // word id → its slot, for word()
}

// word returns word id's text; the caller must copy it to keep it past
// the next reset.
func (t *wordTable) word(id int32) string {
	s := t.byID[id]
	return unsafeString(t.arena[s.off : s.off+s.ln])
}

type wordSlot struct {
	hash    uint32
	off, ln uint32 // the word in the arena; ln 0 marks an empty slot
	id      int32
}

const wordTableMin = 1024

func (t *wordTable) reset() {
	if len(t.slots) > 4*wordTableMin {
		t.slots = nil // do not keep clearing a table grown by one huge text
		t.arena = nil
	}
	if t.slots == nil {
		t.slots = make([]wordSlot, wordTableMin)
	} else {
		clear(t.slots)
	}
	t.arena = t.arena[:0]
	t.byID = t.byID[:0]
	t.n = 0
}

// hashWord is FNV-1a.
func hashWord(b []byte) uint32 {
	h := uint32(2166136261)
	for _, c := range b {
		h ^= uint32(c)
		h *= 16777619
	}
	return h
}

func (t *wordTable) lookup(b []byte, h uint32) (int32, bool) {
	mask := uint32(len(t.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		s := &t.slots[i]
		if s.ln == 0 {
			return 0, false
		}
		if s.hash == h && int(s.ln) == len(b) && string(t.arena[s.off:s.off+s.ln]) == string(b) {
			return s.id, true
		}
	}
}

func (t *wordTable) insert(b []byte, h uint32, id int32) {
	if 2*(t.n+1) > len(t.slots) {
		t.grow()
	}
	off := uint32(len(t.arena))
	t.arena = append(t.arena, b...)
	slot := wordSlot{hash: h, off: off, ln: uint32(len(b)), id: id}
	t.place(slot)
	t.byID = append(t.byID, slot)
	t.n++
}

func (t *wordTable) place(s wordSlot) {
	mask := uint32(len(t.slots) - 1)
	i := s.hash & mask
	for t.slots[i].ln != 0 {
		i = (i + 1) & mask
	}
	t.slots[i] = s
}

func (t *wordTable) grow() {
	old := t.slots
	t.slots = make([]wordSlot, 2*len(old))
	for _, s := range old {
		if s.ln != 0 {
			t.place(s)
		}
	}
}
