package braiins

import (
	"strings"
	"unicode"
)

// modelName returns the model as hearth names it from BOS's
// miner_identity: miner_model, else name ("Antminer S19J Pro"), with
// Bitmain's variant letter lower-cased ("Antminer S19j Pro").
//
// The rule: in a word made of capital letters, then digits, then exactly
// one capital letter (S19J, S19K, S19A, T17E), the final letter is the
// variant and Bitmain writes it in lower case; every other word is kept
// as BOS wrote it ("S19 XP", "S21+", "Hyd.", "BMM 100").
func modelName(d minerDetails) string {
	name := d.Model
	if name == "" {
		name = d.Name
	}
	words := strings.Fields(name)
	for i, w := range words {
		if isVariantWord(w) {
			words[i] = w[:len(w)-1] + strings.ToLower(w[len(w)-1:])
		}
	}
	return cleanText(strings.Join(words, " "), 64)
}

// isVariantWord reports whether w is letters, digits and one trailing
// capital letter, all ASCII: "S19J" but not "S19", "XP" or "S19XP".
func isVariantWord(w string) bool {
	i := 0
	for i < len(w) && w[i] >= 'A' && w[i] <= 'Z' {
		i++
	}
	if i == 0 {
		return false
	}
	j := i
	for j < len(w) && unicode.IsDigit(rune(w[j])) && w[j] < 0x80 {
		j++
	}
	return j > i && j == len(w)-1 && w[j] >= 'A' && w[j] <= 'Z'
}
