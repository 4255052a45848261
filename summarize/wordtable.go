package summarize

import (
	"encoding/binary"
	"slices"
	"unicode/utf8"

	"github.com/blevesearch/snowballstem"
)

// vocab maps lower-cased words to ids and remembers what each word means:
// the languages that count it as a stop word, and its stem's id in the
// last language it was stemmed for. It is an open-addressing hash table
// over a byte arena, so a lookup costs no allocation. A vocab belongs to
// one workspace (never shared, so no locks) and outlives an article: the
// same few thousand words make up most news, and stemming them again for
// every article would cost more than everything else together. It is
// emptied when it passes vocabMaxWords words or vocabMaxBytes bytes, so its
// memory stays bounded whatever the input.
type vocab struct {
	slots []wordSlot // power-of-two length, at most half full
	arena []byte     // the words' bytes, in id order
	ends  []uint32   // word id → end of its bytes in arena, which start at the previous word's end

	info []wordInfo // word id → what the word means

	stemEnv snowballstem.Env // scratch of the stemmers
	stemBuf []byte           // scratch: a stem to look up
}

const (
	vocabMinSlots = 1 << 12
	vocabMaxWords = 1 << 16
	vocabMaxBytes = 4 << 20
	stopKnown     = 1 << 15 // every language's bit is known
	englishKnown  = 1 << 14 // the English bit (bit 0) is known
)

// wordInfo is what a vocab knows about a word, in one place so that
// looking it up costs one cache miss, not three.
type wordInfo struct {
	gid  int32  // stem id (the stem's word id), -1 for no content
	stop uint16 // stopKnown, englishKnown | bit i for languages[i] counting it a stop word
	lang int8   // index of the language gid is for, -1 for none
}

// wordSlot is 16 bytes, so that the table stays small enough for the
// cache: the word's bytes are found from its id (ends, then arena).
type wordSlot struct {
	hash uint32
	ref  int32 // 1 + the word's id; 0 marks an empty slot
	// The word's id in the article being summarized, valid when gen is
	// the workspace's: kept in the slot the lookup has just read.
	gen   uint32
	local int32
}

// id is the word's id in the vocab.
func (s *wordSlot) id() int32 { return s.ref - 1 }

// full reports whether the vocab should be emptied before the next article.
func (v *vocab) full() bool {
	return len(v.ends) >= vocabMaxWords || len(v.arena) >= vocabMaxBytes
}

// reset empties the vocab.
func (v *vocab) reset() {
	v.slots = newSlots(vocabMinSlots)
	v.arena = v.arena[:0]
	if cap(v.arena) > vocabMaxBytes {
		v.arena = nil
	}
	v.ends = v.ends[:0]
	v.info = v.info[:0]
}

// bytes returns word id's text; the caller must not keep it past the next
// reset.
func (v *vocab) bytes(id int32) []byte {
	start, end := v.span(id)
	return v.arena[start:end]
}

// span returns where word id's bytes lie in the arena: each word's bytes
// start where the previous word's end.
func (v *vocab) span(id int32) (start, end uint32) {
	if id > 0 {
		start = v.ends[id-1]
	}
	return start, v.ends[id]
}

// hashWord hashes a word eight bytes at a time (the last chunk padded
// with zeros), as splitWords does while it reads the word: each chunk is
// mixed in by a multiplication, and the hash is the product's top half.
func hashWord[T ~string | ~[]byte](b T) uint32 {
	h := uint64(hashSeed)
	for i := 0; i < len(b); i += 8 {
		var c uint64
		for k := min(len(b), i+8) - 1; k >= i; k-- {
			c = c<<8 | uint64(b[k])
		}
		h = (h ^ c) * hashMul
	}
	return uint32(h >> 32)
}

const (
	hashSeed = 0xcbf29ce484222325
	hashMul  = 0x9e3779b97f4a7c15
)

// wordSlot returns the slot of word w (with hash h), adding the word if it
// is new. The pointer is valid until the next word is added. w must have
// eight bytes to read (cap(w) >= 8), as splitWords's buffer and stemBuf
// have: a word of up to eight bytes is then
// compared with the arena (which keeps eight spare bytes) as one number,
// not by a call to the runtime's memequal, which costs more for words
// this short.
func (v *vocab) wordSlot(w []byte, h uint32) *wordSlot {
	if len(v.slots) == 0 {
		v.reset()
	}
	var first uint64 // the bytes of w, if at most eight
	if len(w) <= 8 {
		first = binary.LittleEndian.Uint64(w[:8]) & (1<<(8*len(w)) - 1)
	}
	mask := uint32(len(v.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		s := &v.slots[i]
		if s.ref == 0 {
			break
		}
		if s.hash == h {
			start, end := v.span(s.id())
			if int(end-start) != len(w) {
				continue
			}
			if len(w) <= 8 {
				if binary.LittleEndian.Uint64(v.arena[start:start+8])&(1<<(8*len(w))-1) == first {
					return s
				}
			} else if string(v.arena[start:end]) == string(w) {
				return s
			}
		}
	}
	return addWord(v, w, h)
}

// addWord adds w, with hash h, to the vocab, and returns its slot.
func addWord(v *vocab, w []byte, h uint32) *wordSlot {
	if 2*(len(v.ends)+1) > len(v.slots) {
		v.grow()
	}
	id := int32(len(v.ends))
	v.arena = append(v.arena, w...)
	if cap(v.arena)-len(v.arena) < 8 {
		v.arena = slices.Grow(v.arena, 8) // the spare bytes wordSlot reads
	}
	slot := wordSlot{hash: h, ref: id + 1}
	v.ends = append(v.ends, uint32(len(v.arena)))
	v.info = append(v.info, wordInfo{gid: -1, lang: -1})
	return v.place(slot)
}

// newSlots returns an empty table of n slots, written once: memory fresh
// from the system that is read first is mapped to the zero page, and the
// first write then costs a second fault (with a TLB flush on every core the
// process runs on), which made a cold vocab's probes slow.
func newSlots(n int) []wordSlot {
	s := make([]wordSlot, n)
	clear(s)
	return s
}

func (v *vocab) place(s wordSlot) *wordSlot {
	mask := uint32(len(v.slots) - 1)
	i := s.hash & mask
	for v.slots[i].ref != 0 {
		i = (i + 1) & mask
	}
	v.slots[i] = s
	return &v.slots[i]
}

func (v *vocab) grow() {
	old := v.slots
	// Four times larger, up to what vocabMaxWords words need: fewer
	// tables are built and dropped (each is fresh memory) as a cold vocab
	// fills.
	v.slots = newSlots(max(2*len(old), min(4*len(old), 2*vocabMaxWords)))
	// The per-word arrays double with the table, to hold every word it
	// can take: append grows a large slice by only a quarter, which
	// copied them over and over as a cold vocab filled.
	words := len(v.slots) / 2
	v.ends = slices.Grow(v.ends, words-len(v.ends))
	v.info = slices.Grow(v.info, words-len(v.info))
	v.arena = slices.Grow(v.arena, len(v.arena))
	for _, s := range old {
		if s.ref != 0 {
			v.place(s)
		}
	}
}

// stopMask returns the set of languages (bit i for languages[i]) that
// count word id as a stop word.
func (v *vocab) stopMask(id int32) uint16 {
	if m := v.info[id].stop; m&stopKnown != 0 {
		return m &^ stopKnown
	}
	w := string(v.bytes(id))
	var m uint16
	for i, l := range languages {
		if l.stop(w) {
			m |= 1 << i
		}
	}
	v.info[id].stop = m | stopKnown
	return m
}

// stopEnglish reports whether English counts word id as a stop word, all
// detectLanguage needs of most articles' words: the other ten languages'
// lists are not looked up for them.
func (v *vocab) stopEnglish(id int32) bool {
	m := v.info[id].stop
	if m&(stopKnown|englishKnown) == 0 {
		if languages[0].stop(string(v.bytes(id))) {
			m |= 1
		}
		m |= englishKnown
		v.info[id].stop = m
	}
	return m&1 != 0
}

// term returns the stem id word id stands for in language l, or -1 for a
// stop word or a word too short to mean anything.
func (v *vocab) term(id int32, l *language) int32 {
	if in := v.info[id]; int(in.lang) == l.index {
		return in.gid
	}
	w := string(v.bytes(id))
	gid := int32(-1)
	if utf8.RuneCountInString(w) >= 2 && !l.stop(w) {
		st := w
		if l.stem != nil {
			st = l.stem(&v.stemEnv, w)
		}
		if st != "" && !l.stop(st) {
			// A stem is interned in the vocab like a word, and its word id
			// is the stem id: one hash table lookup, no map per language to
			// grow. Stems of different languages may share an id, which is
			// harmless as an article's words are all stemmed for one.
			if cap(v.stemBuf) < 8 {
				v.stemBuf = make([]byte, 0, 64)
			}
			v.stemBuf = append(v.stemBuf[:0], st...)
			gid = v.wordSlot(v.stemBuf, hashWord(v.stemBuf)).id()
		}
	}
	v.info[id].lang, v.info[id].gid = int8(l.index), gid
	return gid
}
