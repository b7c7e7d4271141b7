// Package scan discovers miners on a network: it walks address ranges with
// bounded concurrency, gives each host a deadline, and asks the drivers to
// identify whatever answers.
package scan

import (
	"fmt"
	"iter"
	"math/big"
	"net/netip"
	"strings"

	"github.com/hearth-fleet/hearth"
)

// MaxAddresses bounds one scan. A /12 is already a million hosts; anything
// larger is almost certainly a typo, and walking it would take hours.
const MaxAddresses = 1 << 20

// Range is an inclusive span of IPv4 or IPv6 addresses.
type Range struct {
	First, Last netip.Addr
}

// ParseRange reads one range as a user writes it: a CIDR prefix
// ("127.1.0.0/24", whose network and broadcast addresses are skipped for
// prefixes shorter than /31), a dash range ("10.0.0.1-10.0.0.254" or the
// short "10.0.0.1-254"), or a single address.
func ParseRange(s string) (Range, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Range{}, hearth.Errorf(hearth.EINVALID, "Empty address range.")
	}
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return Range{}, hearth.Errorf(hearth.EINVALID, "Invalid CIDR %q: expected an address and prefix length such as 10.0.0.0/24.", s)
		}
		p = p.Masked()
		first := p.Addr()
		last := lastOf(p)
		if first.Is4() && p.Bits() < 31 {
			first, last = first.Next(), last.Prev()
		}
		return Range{First: first, Last: last}, nil
	}
	if from, to, ok := strings.Cut(s, "-"); ok {
		first, err := netip.ParseAddr(strings.TrimSpace(from))
		if err != nil {
			return Range{}, hearth.Errorf(hearth.EINVALID, "Invalid range %q: %q is not an IP address.", s, from)
		}
		to = strings.TrimSpace(to)
		last, err := netip.ParseAddr(to)
		if err != nil && first.Is4() && !strings.Contains(to, ".") {
			// The short form: 10.0.0.1-254 changes only the last octet.
			last, err = netip.ParseAddr(first.String()[:strings.LastIndex(first.String(), ".")+1] + to)
		}
		if err != nil {
			return Range{}, hearth.Errorf(hearth.EINVALID, "Invalid range %q: %q is not an IP address.", s, to)
		}
		if first.Is4() != last.Is4() {
			return Range{}, hearth.Errorf(hearth.EINVALID, "Invalid range %q: both ends must be IPv4 or both IPv6.", s)
		}
		if last.Less(first) {
			return Range{}, hearth.Errorf(hearth.EINVALID, "Invalid range %q: the end comes before the start.", s)
		}
		return Range{First: first, Last: last}, nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return Range{}, hearth.Errorf(hearth.EINVALID, "Invalid address %q: expected an IP address, a CIDR such as 10.0.0.0/24, or a range such as 10.0.0.1-10.0.0.254.", s)
	}
	return Range{First: a, Last: a}, nil
}

// ParseRanges parses every argument and checks that together they stay
// under MaxAddresses.
func ParseRanges(args []string) ([]Range, error) {
	if len(args) == 0 {
		return nil, hearth.Errorf(hearth.EINVALID, "No address range given.")
	}
	var out []Range
	var total uint64
	for _, a := range args {
		for _, part := range strings.Split(a, ",") {
			if strings.TrimSpace(part) == "" {
				continue
			}
			r, err := ParseRange(part)
			if err != nil {
				return nil, err
			}
			n := r.Size()
			if n > MaxAddresses || total+n > MaxAddresses {
				return nil, hearth.Errorf(hearth.EINVALID, "Range %s is too large: hearth scans at most %d addresses at once.", part, MaxAddresses)
			}
			total += n
			out = append(out, r)
		}
	}
	if len(out) == 0 {
		return nil, hearth.Errorf(hearth.EINVALID, "No address range given.")
	}
	return out, nil
}

// Size returns how many addresses r holds, saturating at MaxAddresses+1.
func (r Range) Size() uint64 {
	a := new(big.Int).SetBytes(r.First.AsSlice())
	b := new(big.Int).SetBytes(r.Last.AsSlice())
	n := new(big.Int).Sub(b, a)
	n.Add(n, big.NewInt(1))
	if !n.IsUint64() || n.Uint64() > MaxAddresses {
		return MaxAddresses + 1
	}
	return n.Uint64()
}

// All yields the addresses of r in order.
func (r Range) All() iter.Seq[netip.Addr] {
	return func(yield func(netip.Addr) bool) {
		for a := r.First; a.IsValid(); a = a.Next() {
			if !yield(a) || a == r.Last {
				return
			}
		}
	}
}

// String formats r as it would be parsed back.
func (r Range) String() string {
	if r.First == r.Last {
		return r.First.String()
	}
	return fmt.Sprintf("%s-%s", r.First, r.Last)
}

func lastOf(p netip.Prefix) netip.Addr {
	b := p.Addr().AsSlice()
	bits := p.Bits()
	for i := range b {
		for j := 0; j < 8; j++ {
			if i*8+j >= bits {
				b[i] |= 0x80 >> j
			}
		}
	}
	a, _ := netip.AddrFromSlice(b)
	return a
}
