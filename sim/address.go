package sim

import (
	"fmt"
	"net"
	"net/netip"
)

// minersPerSubnet is the number of miners in one 127.A.B.0/24: hosts .1 to
// .254, as on a farm LAN where .0 and .255 are not hosts.
const minersPerSubnet = 254

// MaxMiners is the largest fleet the address plan can hold: 127.1.0.1 up to
// 127.255.255.254.
const MaxMiners = 255 * 256 * 254 // 16,581,120

// AddressOf returns the loopback address of simulated miner i (0-based):
// 127.A.B.C with subnet = i/254, C = i%254+1, B = subnet%256 and
// A = 1+subnet/256. So miner 0 is 127.1.0.1, miner 253 is 127.1.0.254 and
// miner 254 is 127.1.1.1. On Linux the whole of 127/8 reaches the loopback
// interface without configuration, so every miner has its own address on
// the real ports. It panics when i is outside [0, MaxMiners).
func AddressOf(i int) netip.Addr {
	if i < 0 || i >= MaxMiners {
		panic(fmt.Sprintf("sim: miner index %d outside 0..%d", i, MaxMiners-1))
	}
	subnet := i / minersPerSubnet
	return netip.AddrFrom4([4]byte{127, byte(1 + subnet/256), byte(subnet % 256), byte(i%minersPerSubnet + 1)})
}

// IndexOf is the inverse of AddressOf: it returns the miner index of a sim
// address, and false for any address that is not one (127.0.0.1, a .0 or
// .255 host, anything outside 127/8). IPv4-mapped IPv6 addresses are
// accepted, because a dual-stack listener reports them.
func IndexOf(addr netip.Addr) (int, bool) {
	addr = addr.Unmap()
	if !addr.Is4() {
		return 0, false
	}
	b := addr.As4()
	if b[0] != 127 || b[1] == 0 || b[3] == 0 || b[3] == 255 {
		return 0, false
	}
	subnet := int(b[1]-1)*256 + int(b[2])
	return subnet*minersPerSubnet + int(b[3]) - 1, true
}

// indexOfNetAddr finds the miner index behind a connection's local address.
func indexOfNetAddr(a net.Addr) (int, bool) {
	switch a := a.(type) {
	case *net.TCPAddr:
		ip, ok := netip.AddrFromSlice(a.IP)
		if !ok {
			return 0, false
		}
		return IndexOf(ip)
	default:
		ap, err := netip.ParseAddrPort(a.String())
		if err != nil {
			return 0, false
		}
		return IndexOf(ap.Addr())
	}
}

// NameOf returns the name of miner i, sim-%05d (sim-00042): its hostname,
// and the ID hearth gives it when it identifies the miner by hostname.
func NameOf(i int) string { return fmt.Sprintf("sim-%05d", i) }
