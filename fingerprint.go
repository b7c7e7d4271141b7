package hearth

import (
	"slices"
	"strconv"
	"strings"
)

// Fingerprint returns a stable identity for a name and a label set:
// the name, then the labels sorted by key with quoted values, as
// `name{k="v",k="v"}`, so that no two label sets share one.
func Fingerprint(name string, labels map[string]string) string {
	keys := make([]string, 0, len(labels))
	for k := range labels {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	b.WriteString(name)
	b.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(strconv.Quote(labels[k]))
	}
	b.WriteByte('}')
	return b.String()
}
