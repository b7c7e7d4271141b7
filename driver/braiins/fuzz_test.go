package braiins

import (
	"testing"
	"unicode/utf8"
)

// Fuzz targets for every decoder of miner bytes, seeded with the real
// fixtures encoded as gRPC sends them. Each checks that decoding never
// panics and that what it keeps stays within the caps.

func checkText(t *testing.T, ss ...string) {
	t.Helper()
	for _, s := range ss {
		if len(s) > maxText || !utf8.ValidString(s) {
			t.Fatalf("text not bounded or not UTF-8: %q", s)
		}
	}
}

func FuzzDecodeMinerDetails(f *testing.F) {
	f.Add(encodeFixture(f, "GetMinerDetailsResponse", "miner_details.json"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := decodeMinerDetails(b)
		if err != nil {
			return
		}
		checkText(t, d.Name, d.Model, d.Version, d.Hostname, d.MAC, d.Serial)
		checkText(t, modelName(d))
		if d.Uptime < 0 {
			t.Fatalf("uptime %v", d.Uptime)
		}
	})
}

func FuzzDecodeMinerStats(f *testing.F) {
	f.Add(encodeFixture(f, "GetMinerStatsResponse", "miner_stats.json"))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := decodeMinerStats(b)
		if err != nil {
			return
		}
		if v := s.Work.current(); v < 0 || v != v {
			t.Fatalf("hash rate %v", v)
		}
	})
}

func FuzzDecodeHashboards(f *testing.F) {
	f.Add(encodeFixture(f, "GetHashboardsResponse", "miner_hw_hashboards.json"))
	f.Fuzz(func(t *testing.T, b []byte) {
		boards, err := decodeHashboards(b)
		if len(boards) > maxBoards {
			t.Fatalf("%d boards", len(boards))
		}
		if err != nil {
			return
		}
		for _, h := range boards {
			checkText(t, h.ID)
			if h.Chips < 0 || h.Chips > 1<<16 {
				t.Fatalf("chips %d", h.Chips)
			}
		}
		_ = readBoards(boards)
	})
}

func FuzzDecodeCoolingState(f *testing.F) {
	f.Add(encodeFixture(f, "GetCoolingStateResponse", "cooling_state.json"))
	f.Fuzz(func(t *testing.T, b []byte) {
		fans, err := decodeCoolingState(b)
		if len(fans) > maxFans {
			t.Fatalf("%d fans", len(fans))
		}
		if err == nil {
			_ = readFans(fans)
		}
	})
}

func FuzzDecodePoolGroups(f *testing.F) {
	f.Add(encodeFixture(f, "GetPoolGroupsResponse", "pools.json"))
	f.Fuzz(func(t *testing.T, b []byte) {
		pools, err := decodePoolGroups(b)
		if len(pools) > maxPools {
			t.Fatalf("%d pools", len(pools))
		}
		if err != nil {
			return
		}
		for _, p := range pools {
			checkText(t, p.Group, p.URL, p.User)
		}
		_ = readPools(pools)
	})
}

func FuzzDecodeLoginReply(f *testing.F) {
	f.Add([]byte("\x0a\x10eUInGZBQ4yGyKiDe\x10\x90\x1c"))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := decodeLoginReply(b)
		if err != nil {
			return
		}
		if len(r.Token) > 4*maxText || r.Timeout < 0 {
			t.Fatalf("token of %d bytes, timeout %v", len(r.Token), r.Timeout)
		}
	})
}

func FuzzDecodePowerTarget(f *testing.F) {
	f.Add([]byte{0x0a, 0x03, 0x08, 0xb2, 0x19})
	f.Fuzz(func(t *testing.T, b []byte) {
		w, ok, err := decodePowerTarget(b)
		if err == nil && ok && w < 0 {
			t.Fatalf("watts %v", w)
		}
	})
}

func FuzzDecodeFlag(f *testing.F) {
	f.Add([]byte{0x08, 0x01})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = decodeFlag(b)
	})
}

func FuzzDecodeTunerState(f *testing.F) {
	f.Add(encodeFixture(f, "GetTunerStateResponse", "performance_tuner_state.json"))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _, _ = decodeTunerState(b)
	})
}

// FuzzDecodeLogChunk checks GetLogResponse's decoder: it never panics,
// and what it returns is a chunk of the input (never a copy that could
// grow past it).
func FuzzDecodeLogChunk(f *testing.F) {
	line := []byte("2025-08-06T10:00:02.300000Z INFO  bosminer::hal::hashboard: Hashboard 1: found 108 chips\n")
	f.Add(append([]byte{0x0a, byte(len(line))}, line...))
	f.Add([]byte{0x0a, 0x00})
	f.Add([]byte{0x0a, 0x05, 'a', 'b'})         // truncated
	f.Add([]byte{0x08, 0x02, 0x0a, 0x01, '\n'}) // unknown varint field first
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		chunk, err := decodeLogChunk(b)
		if err != nil {
			if chunk != nil {
				t.Fatalf("chunk %q with error %v", chunk, err)
			}
			return
		}
		if len(chunk) > len(b) {
			t.Fatalf("chunk of %d bytes from %d", len(chunk), len(b))
		}
	})
}
