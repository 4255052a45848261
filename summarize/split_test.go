package summarize

import (
	"reflect"
	"testing"
)

func TestSplitHardCases(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"plain", "One sentence here. Another one there.", []string{"One sentence here.", "Another one there."}},
		{"US initialism mid-sentence", "The U.S. economy grew. Prices fell.", []string{"The U.S. economy grew.", "Prices fell."}},
		{"US at sentence end", "He moved to the U.S. The move was hard.", []string{"He moved to the U.S.", "The move was hard."}},
		{"UK and titles", "Mr. Smith met Dr. Jones in the U.K. on Monday. They talked.", []string{"Mr. Smith met Dr. Jones in the U.K. on Monday.", "They talked."}},
		{"company suffixes", "Shares of Apple Inc. rose 3%. Acme Corp. Chief Executive Jane Roe said so.", []string{"Shares of Apple Inc. rose 3%.", "Acme Corp. Chief Executive Jane Roe said so."}},
		{"company at end", "He sold his stake in Acme Corp. The deal closed Friday.", []string{"He sold his stake in Acme Corp.", "The deal closed Friday."}},
		{"months and numbers", "The law took effect on Jan. 5 and ranks No. 5 in the list. It was new.", []string{"The law took effect on Jan. 5 and ranks No. 5 in the list.", "It was new."}},
		{"no at end", "The answer was no. He left.", []string{"The answer was no.", "He left."}},
		{"e.g.", "Some fruit, e.g. Apples and pears, went bad. Then it rained.", []string{"Some fruit, e.g. Apples and pears, went bad.", "Then it rained."}},
		{"decimals and money", "Growth was 3.5% and profit $1.2 billion. Costs rose 2.5 times.", []string{"Growth was 3.5% and profit $1.2 billion.", "Costs rose 2.5 times."}},
		{"decimal before the stop", "Fuel costs rose 47.3%. BA's profits were $42.09bn. \"Our results were strong,\" he said.", []string{"Fuel costs rose 47.3%.", "BA's profits were $42.09bn.", "\"Our results were strong,\" he said."}},
		{"initials", "John F. Kennedy was president. J. R. R. Tolkien wrote books.", []string{"John F. Kennedy was president.", "J. R. R. Tolkien wrote books."}},
		{"ellipsis", "He paused... Then he spoke. It was late\u2026 Everyone left.", []string{"He paused...", "Then he spoke.", "It was late\u2026", "Everyone left."}},
		{"quote closes after stop", "\"We will win,\" he said. \"It is done.\" Then he left.", []string{"\"We will win,\" he said.", "\"It is done.\"", "Then he left."}},
		{"curly quotes", "\u201cIt is done.\u201d Then he left.", []string{"\u201cIt is done.\u201d", "Then he left."}},
		{"question in quote continues", "\"Why?\" he asked. She did not answer.", []string{"\"Why?\" he asked.", "She did not answer."}},
		{"bracket closes", "The vote passed (by a wide margin.) Critics objected.", []string{"The vote passed (by a wide margin.)", "Critics objected."}},
		{"url and email", "See www.example.com/a.html or mail news@example.co.uk for more. Thanks.", []string{"See www.example.com/a.html or mail news@example.co.uk for more.", "Thanks."}},
		{"url at end", "Read it at example.com. It is free.", []string{"Read it at example.com.", "It is free."}},
		{"exclamation and question", "Stop! Who goes there? Nobody.", []string{"Stop!", "Who goes there?", "Nobody."}},
		{"paragraph without final stop", "A headline without a stop\nThe body starts here. It ends.", []string{"A headline without a stop", "The body starts here.", "It ends."}},
		{"lower case after stop", "It cost 5 vs. 6 dollars. ok then.", []string{"It cost 5 vs. 6 dollars. ok then."}},
		{"numbered start", "Prices rose. 2024 was a record year.", []string{"Prices rose.", "2024 was a record year."}},
		{"St. and Mt.", "They climbed Mt. Everest and visited St. Petersburg. It was cold.", []string{"They climbed Mt. Everest and visited St. Petersburg.", "It was cold."}},
		{"a.m.", "The blast came at 9 a.m. on Monday. Police arrived.", []string{"The blast came at 9 a.m. on Monday.", "Police arrived."}},
		{"blank lines and spaces", "  First.  \n\n\n  Second.  ", []string{"First.", "Second."}},
		{"empty", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Split(tt.in)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Split(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestSplitFrench covers what French text needs: its abbreviations, its
// quotation marks with the non-breaking spaces inside them, and text whose
// paragraph breaks were lost in a scrape.
func TestSplitFrench(t *testing.T) {
	const nbsp, nnbsp = "\u00a0", "\u202f"
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"M.", "M. Macron a parlé. M. Le Pen a répondu.", []string{"M. Macron a parlé.", "M. Le Pen a répondu."}},
		{"MM.", "MM. Dupont et Durand sont partis. Ils reviendront.", []string{"MM. Dupont et Durand sont partis.", "Ils reviendront."}},
		{"Mme and Mlle", "Mme Dupont et Mlle Durand étaient là. Elles ont voté.", []string{"Mme Dupont et Mlle Durand étaient là.", "Elles ont voté."}},
		{"Dr and St", "Le Dr. Martin est né à St. Malo. Il y vit encore.", []string{"Le Dr. Martin est né à St. Malo.", "Il y vit encore."}},
		{"av. J.-C.", "La ville fut fondée en 52 av. J.-C. Les Romains la nommèrent Lutèce.", []string{"La ville fut fondée en 52 av. J.-C.", "Les Romains la nommèrent Lutèce."}},
		{"av. J.-C. mid-sentence", "En 52 av. J.-C., César assiégea la ville. Elle tomba.", []string{"En 52 av. J.-C., César assiégea la ville.", "Elle tomba."}},
		{"guillemets with nbsp", "Il a dit\u00a0: «" + nbsp + "Nous partirons demain." + nbsp + "» Le ministre a confirmé.", []string{"Il a dit\u00a0: «" + nbsp + "Nous partirons demain." + nbsp + "»", "Le ministre a confirmé."}},
		{"guillemets with narrow nbsp", "«" + nnbsp + "C'est fini !" + nnbsp + "» Tout le monde est parti.", []string{"«" + nnbsp + "C'est fini !" + nnbsp + "»", "Tout le monde est parti."}},
		{"quote continues", "«" + nbsp + "Non." + nbsp + "» a-t-il répondu. Puis il est parti.", []string{"«" + nbsp + "Non." + nbsp + "» a-t-il répondu.", "Puis il est parti."}},
		{"single guillemets", "Il cite ‹" + nbsp + "la loi." + nbsp + "› Le juge acquiesce.", []string{"Il cite ‹" + nbsp + "la loi." + nbsp + "›", "Le juge acquiesce."}},
		{"opening guillemet starts", "Le maire a parlé. « Nous sommes prêts », a-t-il dit.", []string{"Le maire a parlé.", "« Nous sommes prêts », a-t-il dit."}},
		{"question with nbsp", "Vraiment" + nbsp + "? Oui, vraiment.", []string{"Vraiment" + nbsp + "?", "Oui, vraiment."}},
		{"lost paragraph break", "Un accident domestique.Consternant... mais vrai.", []string{"Un accident domestique.", "Consternant... mais vrai."}},
		{"lost break after a number", "Il y a eu 243 morts en 2019.En mai, le nombre a baissé.", []string{"Il y a eu 243 morts en 2019.", "En mai, le nombre a baissé."}},
		{"lost break before an elision", "Les résultats ont été annoncés.L'ex-maire de Londres a gagné.", []string{"Les résultats ont été annoncés.", "L'ex-maire de Londres a gagné."}},
		{"lost break before a curly elision", "Le vote est clos.L’assemblée se retire.", []string{"Le vote est clos.", "L’assemblée se retire."}},
		{"lost break after a quote", "Il a dit \"non\".Élisabeth a souri.", []string{"Il a dit \"non\".", "Élisabeth a souri."}},
		{"decimals stay", "Une baisse de 3.076 accidents et 15,6% de morts. Fin.", []string{"Une baisse de 3.076 accidents et 15,6% de morts.", "Fin."}},
		{"addresses stay", "Voir www.exemple.Fr et le site lemonde.fr pour plus. Merci.", []string{"Voir www.exemple.Fr et le site lemonde.fr pour plus.", "Merci."}},
		{"initialisms stay", "Les U.S.A. et l'O.N.U.Sont là.", []string{"Les U.S.A. et l'O.N.U.Sont là."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Split(tt.in)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Split(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestNextTerminator checks the eight-bytes-at-a-time search against a
// byte at a time, for every byte at every position.
func TestNextTerminator(t *testing.T) {
	for c := 0; c < 256; c++ {
		for pos := 0; pos < 20; pos++ {
			b := []byte("abcdefghijklmnopqrst")
			b[pos] = byte(c)
			for from := 0; from <= len(b); from++ {
				want := from
				for want < len(b) && !maybeTerminator[b[want]] {
					want++
				}
				if got := nextTerminator(string(b), from); got != want {
					t.Fatalf("nextTerminator(%q, %d) = %d, want %d", b, from, got, want)
				}
			}
		}
	}
}
