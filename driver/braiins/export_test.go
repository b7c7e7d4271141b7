package braiins

import "testing"

// EncodeFixture exposes the fixture encoder to the external tests.
func EncodeFixture(tb testing.TB, message, name string) []byte {
	return encodeFixture(tb, message, name)
}

// Connections returns how many connections d caches.
func (d *Driver) Connections() int { return d.cache.connections() }
