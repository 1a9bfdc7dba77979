package scrum

import (
	"cmp"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// DeckKind names one of the built-in decks, or "custom" for one a team
// saved.
type DeckKind string

// The decks every team has.
const (
	DeckFibonacci         DeckKind = "fibonacci"
	DeckModifiedFibonacci DeckKind = "modified_fibonacci"
	DeckTShirt            DeckKind = "tshirt"
	DeckPowersOfTwo       DeckKind = "powers_of_2"
	DeckCustom            DeckKind = "custom"
)

// The cards that are votes but not sizes.
const (
	CardUnsure = "?"
	CardCoffee = "☕"
)

// Deck is the set of cards a session votes with, in display order. Points
// maps a card to the estimate it writes to an item; cards without points
// (?, ☕) can be voted but not accepted.
type Deck struct {
	Kind   DeckKind
	Name   string // the custom deck's name; the kind's title otherwise
	Cards  []string
	Points map[string]float64
}

// Limits on custom decks.
const (
	MaxCustomDecks = 20
	MaxDeckCards   = 30
	MaxCardLen     = 8
	MaxDeckNameLen = 40
)

// DefaultTShirtPoints is the T-shirt mapping a team starts with.
func DefaultTShirtPoints() map[string]float64 {
	return map[string]float64{"XS": 1, "S": 2, "M": 3, "L": 5, "XL": 8, "XXL": 13}
}

// TShirtSizes lists the T-shirt cards in order.
func TShirtSizes() []string { return []string{"XS", "S", "M", "L", "XL", "XXL"} }

// BuiltinDeck returns the built-in deck of kind; tshirt takes the team's
// mapping to points.
func BuiltinDeck(kind DeckKind, tshirt map[string]float64) (Deck, bool) {
	numeric := func(name string, cards ...string) Deck {
		d := Deck{Kind: kind, Name: name, Cards: cards, Points: map[string]float64{}}
		for _, c := range cards {
			if p, ok := cardNumber(c); ok {
				d.Points[c] = p
			}
		}
		return d
	}
	switch kind {
	case DeckFibonacci:
		return numeric("Fibonacci", "0", "1", "2", "3", "5", "8", "13", "21", "34", "55", "89", CardUnsure), true
	case DeckModifiedFibonacci:
		return numeric("Modified Fibonacci", "0", "½", "1", "2", "3", "5", "8", "13", "20", "40", "100", CardUnsure, CardCoffee), true
	case DeckPowersOfTwo:
		return numeric("Powers of 2", "0", "1", "2", "4", "8", "16", "32", "64", CardUnsure), true
	case DeckTShirt:
		if tshirt == nil {
			tshirt = DefaultTShirtPoints()
		}
		return Deck{Kind: kind, Name: "T-shirt", Cards: append(TShirtSizes(), CardUnsure), Points: maps.Clone(tshirt)}, true
	}
	return Deck{}, false
}

// BuiltinDeckKinds lists the built-in decks in display order.
func BuiltinDeckKinds() []DeckKind {
	return []DeckKind{DeckModifiedFibonacci, DeckFibonacci, DeckTShirt, DeckPowersOfTwo}
}

// cardNumber reads a card as a number: "½" is 0.5.
func cardNumber(c string) (float64, bool) {
	if c == "½" {
		return 0.5, true
	}
	f, err := strconv.ParseFloat(c, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f < 0 || f > MaxEstimate {
		return 0, false
	}
	return f, true
}

// Has reports whether card is in the deck.
func (d Deck) Has(card string) bool { return slices.Contains(d.Cards, card) }

// Numeric reports whether the deck's cards are numbers (so an average
// means something); T-shirt sizes are not.
func (d Deck) Numeric() bool {
	switch d.Kind {
	case DeckTShirt:
		return false
	case DeckCustom:
		return len(d.Points) > 0 // custom cards have points only when numbers
	}
	return true
}

// CustomDeck is a deck a team saved, by name.
type CustomDeck struct {
	Name  string
	Cards []string
}

// normalizeCustomDeck validates a team's custom deck: unique cards, each a
// number (its points) or a short label (no points).
func normalizeCustomDeck(field string, cd CustomDeck, v *Validation) CustomDeck {
	cd.Name = strings.TrimSpace(cd.Name)
	switch {
	case cd.Name == "":
		v.Add(field+".name", "a custom deck needs a name")
	case utf8.RuneCountInString(cd.Name) > MaxDeckNameLen:
		v.Add(field+".name", "the name is longer than %d characters", MaxDeckNameLen)
	}
	if len(cd.Cards) < 2 || len(cd.Cards) > MaxDeckCards {
		v.Add(field+".cards", "a deck has 2 to %d cards", MaxDeckCards)
		return cd
	}
	seen := map[string]bool{}
	out := make([]string, 0, len(cd.Cards))
	for _, c := range cd.Cards {
		c = strings.TrimSpace(c)
		switch {
		case c == "" || utf8.RuneCountInString(c) > MaxCardLen || !utf8.ValidString(c):
			v.Add(field+".cards", "a card is 1 to %d characters", MaxCardLen)
			return cd
		case seen[c]:
			v.Add(field+".cards", "card %q appears twice", c)
			return cd
		}
		seen[c] = true
		out = append(out, c)
	}
	cd.Cards = out
	return cd
}

// Deck returns the deck a session votes with.
func (cd CustomDeck) Deck() Deck {
	d := Deck{Kind: DeckCustom, Name: cd.Name, Cards: slices.Clone(cd.Cards), Points: map[string]float64{}}
	for _, c := range cd.Cards {
		if p, ok := cardNumber(c); ok {
			d.Points[c] = p
		}
	}
	return d
}

// VoteStats summarises one revealed round.
type VoteStats struct {
	// Distribution counts each card voted, in deck order.
	Distribution []CardCount
	// Average and Median are over the votes that have points; nil when
	// none has, and Average also for T-shirt decks.
	Average *float64
	Median  *float64
	// Spread is how many deck positions lie between the lowest and the
	// highest sized vote (0: everyone agreed).
	Spread int
	// Consensus is true when every vote is the same sized card.
	Consensus bool
	// Suggested is the card nearest the median, to accept in one click.
	Suggested string
	// Low and High are the outlying cards, who should explain first; empty
	// when there is no spread.
	Low, High string
}

// CardCount is one bar of the distribution.
type CardCount struct {
	Card  string
	Count int
}

// Stats computes the summary of a round's votes (card per voter).
func (d Deck) Stats(cards []string) VoteStats {
	var st VoteStats
	count := map[string]int{}
	for _, c := range cards {
		count[c]++
	}
	for _, c := range d.Cards {
		if count[c] > 0 {
			st.Distribution = append(st.Distribution, CardCount{Card: c, Count: count[c]})
		}
	}
	// Sized votes, smallest first. A custom deck need not be in ascending
	// order, so low and high go by points, not by deck position.
	type sized struct {
		pos int
		pts float64
	}
	var votes []sized
	for _, c := range cards {
		if p, ok := d.Points[c]; ok {
			votes = append(votes, sized{slices.Index(d.Cards, c), p})
		}
	}
	if len(votes) == 0 {
		return st
	}
	slices.SortFunc(votes, func(a, b sized) int {
		if c := cmp.Compare(a.pts, b.pts); c != 0 {
			return c
		}
		return cmp.Compare(a.pos, b.pos)
	})
	pts := make([]float64, len(votes))
	for i, v := range votes {
		pts[i] = v.pts
	}
	lo, hi := votes[0].pos, votes[len(votes)-1].pos
	st.Spread = max(hi-lo, lo-hi)
	st.Consensus = st.Spread == 0 && len(votes) == len(cards)
	if st.Spread > 0 {
		st.Low, st.High = d.Cards[lo], d.Cards[hi]
	}
	med := pts[len(pts)/2]
	if len(pts)%2 == 0 {
		med = (pts[len(pts)/2-1] + pts[len(pts)/2]) / 2
	}
	st.Median = &med
	if d.Numeric() {
		sum := 0.0
		for _, p := range pts {
			sum += p
		}
		avg := math.Round(sum/float64(len(pts))*100) / 100
		st.Average = &avg
	}
	// The suggested card: the sized card nearest the median, the larger on
	// a tie (teams round up rather than under-estimate).
	best, bestDist, bestPts := "", math.Inf(1), 0.0
	for _, c := range d.Cards {
		p, ok := d.Points[c]
		if !ok {
			continue
		}
		if dist := math.Abs(p - med); dist < bestDist || dist == bestDist && p > bestPts {
			best, bestDist, bestPts = c, dist, p
		}
	}
	st.Suggested = best
	return st
}
