package sim

import "net"

// handleWhatsminerV3 answers btminer's API v3 on c for miner m.
func (s *Sim) handleWhatsminerV3(c net.Conn, m *miner) {
	defer s.wg.Done()
	c.Close()
}
