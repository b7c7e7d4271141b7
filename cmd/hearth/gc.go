package main

import (
	"bufio"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
)

// hearth's heap is mostly long-lived: the TSDB head holds every active
// series, and a fleet's first sweep creates hundreds of thousands at once.
// The default GOGC of 100 then collects over and over a heap that barely
// changes (measured: 1.2-1.6 CPU-seconds of a 20,000-miner first sweep,
// against 0.2-0.3 s at 400). So hearth runs the collector at 400, and
// bounds memory with a soft limit of half the machine's RAM instead, where
// the collector works harder only when memory is actually short.
// GOGC and GOMEMLIMIT, when set, win as usual.
const (
	defaultGCPercent      = 400
	memoryLimitOfPhysical = 0.5
)

// tuneGC applies the defaults above unless the environment overrides them.
func tuneGC() {
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(defaultGCPercent)
	}
	if _, set := os.LookupEnv("GOMEMLIMIT"); !set {
		if total := physicalMemory(); total > 0 {
			debug.SetMemoryLimit(int64(float64(total) * memoryLimitOfPhysical))
		}
	}
}

// physicalMemory returns the machine's RAM in bytes from /proc/meminfo, or
// 0 where that is not available (then no limit is set).
func physicalMemory() uint64 {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 2 && fields[0] == "MemTotal:" {
			kb, err := strconv.ParseUint(fields[1], 10, 64)
			if err != nil {
				return 0
			}
			return kb * 1024
		}
	}
	return 0
}
