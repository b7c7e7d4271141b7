package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"runtime/pprof"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/hearth-fleet/hearth"
	hearthmetrics "github.com/hearth-fleet/hearth/metrics"
	"github.com/hearth-fleet/hearth/poller"
	"github.com/hearth-fleet/hearth/sim"
)

const benchUsage = `Usage: hearth bench <benchmark> [flags]

Benchmarks:
  sweep    poll a simulated fleet once with full telemetry, against the floor
           of a bare client reading the same bytes
  curtail  curtail a simulated site fully, from the signal to every miner's
           acknowledgement, against the floor of the bare commands

Run 'hearth bench sweep --help' or 'hearth bench curtail --help' for flags.
`

func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return dispatch(ctx, "hearth bench", benchUsage, subcommands{
		"sweep":   runBenchSweep,
		"curtail": runBenchCurtail,
	}, args, stdout, stderr)
}

// DefaultSweepConcurrency is the number of polls in flight in the sweep
// benchmark, chosen by measurement on a 2-core machine: fewer leaves the
// cores idle while connections wait on each other, more only adds
// scheduling and descriptors.
const DefaultSweepConcurrency = 64

// sweepProfile, when set, receives a CPU profile of the sweep.
var sweepProfile io.Writer

// sweepStore says whether the sweep stores its readings (the benchmark
// proper) or only polls and decodes (to see what storing costs).
var sweepStore = true

// sweepResult is what 'hearth bench sweep' reports.
type sweepResult struct {
	Miners      int `json:"miners"`
	Concurrency int `json:"concurrency"`
	PollsOK     int `json:"polls_ok"`
	PollsFailed int `json:"polls_failed"`
	// Connections is the number of TCP connections each side made.
	Connections      int     `json:"connections"`
	WallSeconds      float64 `json:"wall_seconds"`
	FloorWallSeconds float64 `json:"floor_wall_seconds"`
	RatioToFloor     float64 `json:"ratio_to_floor"`
	PollsPerSecond   float64 `json:"polls_per_second"`
	// CPUSecondsPerPoll is the process's CPU time during the sweep per
	// poll, the simulated miners' side included (they run in-process).
	CPUSecondsPerPoll float64 `json:"cpu_seconds_per_poll"`
	// FloorCPUSecondsPerPoll is the same for the bare client, so the
	// difference is what decoding and storing cost.
	FloorCPUSecondsPerPoll float64 `json:"floor_cpu_seconds_per_poll"`
	// HeapBytesPerMiner is the steady-state heap of inventory, poller and
	// latest-reading state per managed miner, the TSDB head excluded.
	HeapBytesPerMiner float64 `json:"heap_bytes_per_miner"`
	// TSDBBytesPerSeries is the TSDB head's heap per series.
	TSDBBytesPerSeries float64 `json:"tsdb_bytes_per_series"`
	// GCCPUSeconds is the CPU time the garbage collector took during the
	// sweep, read from the runtime rather than estimated.
	GCCPUSeconds     float64 `json:"gc_cpu_seconds"`
	Series           int     `json:"series"`
	SamplesPerSecond float64 `json:"samples_per_second"`
	FloorBytes       int64   `json:"floor_bytes"`
	// SteadyWallSeconds and the other Steady figures are a second sweep
	// right after the first: every series exists and the store appends,
	// as on every poll after a miner's first.
	SteadyPollsOK           int     `json:"steady_polls_ok"`
	SteadyWallSeconds       float64 `json:"steady_wall_seconds"`
	SteadyRatioToFloor      float64 `json:"steady_ratio_to_floor"`
	SteadyPollsPerSecond    float64 `json:"steady_polls_per_second"`
	SteadyCPUSecondsPerPoll float64 `json:"steady_cpu_seconds_per_poll"`
}

func runBenchSweep(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var f simFlags
	var conc int
	var asJSON bool
	fs := newFlagSet("hearth bench sweep", "hearth bench sweep [flags]",
		"Start N simulated miners in-process and poll each once with full telemetry (summary, pools\n"+
			"and stats for Antminers, system/info for AxeOS), decoding and storing every reading in\n"+
			"the TSDB. First it measures the floor: a bare client making the same connections,\n"+
			"sending the same requests and reading the same bytes with the same concurrency, without\n"+
			"decoding or storing anything. Targets for 20,000 miners on 2 cores: every poll ok,\n"+
			"ratio_to_floor <= 1.5, wall_seconds <= 8, heap_bytes_per_miner <= 8 KiB.", stderr)
	f.register(fs, 20000)
	fs.IntVar(&conc, "concurrency", DefaultSweepConcurrency, "polls in flight")
	fs.BoolVar(&asJSON, "json", false, "print the result as JSON")
	var cpuProfile string
	fs.StringVar(&cpuProfile, "cpuprofile", "", "write a CPU profile of the sweep (not the floor) to this file")
	fs.BoolVar(&sweepStore, "store", true, "store readings in the TSDB; -store=false measures polling and decoding alone")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	if cpuProfile != "" {
		f, err := os.Create(cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		sweepProfile = f
	}
	// The simulator takes any free ports so the benchmark runs beside a
	// real deployment and without privileges.
	f.rpcPort, f.httpPort, f.v3Port, f.grpcPort = 0, 0, 0, 0
	s, err := f.start(stderr)
	if err != nil {
		return err
	}
	defer s.Close()
	res, err := sweep(ctx, s, conc, stderr)
	if err != nil {
		return err
	}
	if asJSON {
		return writeJSON(stdout, res)
	}
	t := newTable(stdout, "METRIC", "VALUE")
	t.row("miners", strconv.Itoa(res.Miners))
	t.row("polls ok", strconv.Itoa(res.PollsOK))
	t.row("wall", fmt.Sprintf("%.2f s", res.WallSeconds))
	t.row("floor wall", fmt.Sprintf("%.2f s", res.FloorWallSeconds))
	t.row("ratio to floor", fmt.Sprintf("%.2f", res.RatioToFloor))
	t.row("polls/s", fmt.Sprintf("%.0f", res.PollsPerSecond))
	t.row("cpu/poll", fmt.Sprintf("%.0f µs (floor %.0f µs)", res.CPUSecondsPerPoll*1e6, res.FloorCPUSecondsPerPoll*1e6))
	t.row("steady wall", fmt.Sprintf("%.2f s (%.2f× the floor, %.0f polls/s, %.0f µs cpu/poll)",
		res.SteadyWallSeconds, res.SteadyRatioToFloor, res.SteadyPollsPerSecond, res.SteadyCPUSecondsPerPoll*1e6))
	t.row("heap/miner", fmt.Sprintf("%.0f B", res.HeapBytesPerMiner))
	t.row("tsdb/series", fmt.Sprintf("%.0f B", res.TSDBBytesPerSeries))
	t.row("samples/s", fmt.Sprintf("%.0f", res.SamplesPerSecond))
	return t.flush()
}

// sweep measures the floor, then polls every simulated miner once through
// the poller into a fresh TSDB.
func sweep(ctx context.Context, s *sim.Sim, conc int, stderr io.Writer) (*sweepResult, error) {
	infos := s.Miners()
	res := &sweepResult{Miners: len(infos), Concurrency: conc}

	// The floor.
	runtime.GC()
	cpu0, t0 := cpuTime(), time.Now()
	floorBytes, conns, err := floorSweep(ctx, infos, conc)
	if err != nil {
		return nil, err
	}
	res.FloorWallSeconds = time.Since(t0).Seconds()
	res.FloorCPUSecondsPerPoll = (cpuTime() - cpu0).Seconds() / float64(len(infos))
	res.FloorBytes, res.Connections = floorBytes, conns

	dir, err := os.MkdirTemp("", "hearth-bench-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)

	settleHeap()
	baseline := heapInUse()

	store, err := hearthmetrics.Open(dir, hearthmetrics.Options{})
	if err != nil {
		return nil, err
	}
	defer func() {
		if store != nil {
			store.Close()
		}
	}()
	miners := make([]*hearth.Miner, len(infos))
	for i, mi := range infos {
		miners[i] = &hearth.Miner{ID: mi.Name, Address: mi.Address.String(), Port: mi.Port, WebPort: mi.WebPort, APIPort: mi.APIPort,
			Family: mi.Family, Model: mi.Model, Hostname: mi.Name}
	}
	p := &poller.Poller{Concurrency: conc}
	if sweepStore {
		p.Sink = store
	}
	for _, m := range miners {
		p.Add(m)
	}

	if sweepProfile != nil {
		if err := pprof.StartCPUProfile(sweepProfile); err != nil {
			return nil, err
		}
	}
	gc0 := gcCPUSeconds()
	first := sweepOnce(ctx, p, miners, conc)
	res.GCCPUSeconds = gcCPUSeconds() - gc0
	if sweepProfile != nil {
		pprof.StopCPUProfile()
	}
	if first.firstErr != "" {
		fmt.Fprintf(stderr, "hearth bench: %d polls failed, the first: %s\n", first.failed, first.firstErr)
	}

	// A second sweep: every series exists, as on every poll after a
	// miner's first, so this is the fleet's steady state.
	steady := sweepOnce(ctx, p, miners, conc)
	res.SteadyPollsOK = steady.ok
	res.SteadyWallSeconds = steady.wall.Seconds()
	res.SteadyRatioToFloor = res.SteadyWallSeconds / res.FloorWallSeconds
	res.SteadyPollsPerSecond = float64(steady.ok) / res.SteadyWallSeconds
	res.SteadyCPUSecondsPerPoll = steady.cpu.Seconds() / float64(len(miners))
	if steady.firstErr != "" {
		fmt.Fprintf(stderr, "hearth bench: %d polls of the second sweep failed, the first: %s\n", steady.failed, steady.firstErr)
	}

	res.WallSeconds = first.wall.Seconds()
	res.PollsOK, res.PollsFailed = first.ok, first.failed
	res.RatioToFloor = res.WallSeconds / res.FloorWallSeconds
	res.PollsPerSecond = float64(len(miners)) / res.WallSeconds
	res.CPUSecondsPerPoll = first.cpu.Seconds() / float64(len(miners))
	res.Series = store.HeadStats().Series
	// One sweep writes exactly one sample to every series.
	res.SamplesPerSecond = float64(res.Series) / res.WallSeconds

	// Heap: everything now, then without the TSDB. What stays is the
	// inventory, the poller and the latest readings.
	settleHeap()
	withTSDB := heapInUse()
	if err := store.Close(); err != nil {
		return nil, err
	}
	store, p.Sink = nil, nil
	settleHeap()
	without := heapInUse()
	res.HeapBytesPerMiner = float64(int64(without)-int64(baseline)) / float64(len(miners))
	if res.Series > 0 {
		res.TSDBBytesPerSeries = float64(int64(withTSDB)-int64(without)) / float64(res.Series)
	}
	runtime.KeepAlive(p)
	runtime.KeepAlive(miners)
	return res, nil
}

// sweepRun is one pass of the poller over the fleet.
type sweepRun struct {
	ok, failed int
	firstErr   string
	wall, cpu  time.Duration
}

// sweepOnce polls every miner once through p with conc polls in flight.
func sweepOnce(ctx context.Context, p *poller.Poller, miners []*hearth.Miner, conc int) sweepRun {
	var ok, failed atomic.Int64
	var firstErr atomic.Value
	cpu0, t0 := cpuTime(), time.Now()
	each(miners, conc, func(m *hearth.Miner) {
		if _, err := p.PollOnce(ctx, m); err != nil {
			failed.Add(1)
			firstErr.CompareAndSwap(nil, err.Error())
		} else {
			ok.Add(1)
		}
	})
	r := sweepRun{ok: int(ok.Load()), failed: int(failed.Load()), wall: time.Since(t0), cpu: cpuTime() - cpu0}
	if e := firstErr.Load(); e != nil {
		r.firstErr = e.(string)
	}
	return r
}

// floorSweep is the bare client: the same connections, requests and bytes
// read as the drivers, with the same concurrency, and nothing decoded.
func floorSweep(ctx context.Context, infos []sim.MinerInfo, conc int) (int64, int, error) {
	var total atomic.Int64
	var conns atomic.Int64
	var firstErr atomic.Value
	work := make(chan sim.MinerInfo)
	var wg sync.WaitGroup
	d := net.Dialer{Timeout: 10 * time.Second}
	for range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, 64<<10)
			for mi := range work {
				var reqs [][]byte
				port := mi.Port
				switch mi.Family {
				case hearth.FamilyAntminer:
					reqs = [][]byte{[]byte(`{"command":"summary"}`), []byte(`{"command":"pools"}`), []byte(`{"command":"stats"}`)}
				default:
					reqs = [][]byte{[]byte("GET /api/system/info HTTP/1.1\r\nHost: " + mi.Address.String() + "\r\nUser-Agent: hearth\r\nAccept: application/json\r\nConnection: close\r\n\r\n")}
				}
				for _, req := range reqs {
					n, err := rawExchange(ctx, &d, net.JoinHostPort(mi.Address.String(), strconv.Itoa(port)), req, buf)
					if err != nil {
						firstErr.CompareAndSwap(nil, err)
						continue
					}
					total.Add(n)
					conns.Add(1)
				}
			}
		}()
	}
	for _, mi := range infos {
		work <- mi
	}
	close(work)
	wg.Wait()
	if e := firstErr.Load(); e != nil {
		return 0, 0, fmt.Errorf("floor: %w", e.(error))
	}
	return total.Load(), int(conns.Load()), nil
}

// rawExchange sends req and reads until EOF or a NUL, as the RPC client
// does, returning the bytes read.
func rawExchange(ctx context.Context, d *net.Dialer, addr string, req, buf []byte) (int64, error) {
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return 0, err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.Write(req); err != nil {
		return 0, err
	}
	var n int64
	for {
		k, err := c.Read(buf)
		n += int64(k)
		if k > 0 && bytes.IndexByte(buf[:k], 0) >= 0 {
			return n, nil
		}
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}

// cpuTime is the process's user plus system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// gcCPUSeconds is the runtime's count of CPU time spent in garbage
// collection since the process started.
func gcCPUSeconds() float64 {
	s := []metrics.Sample{{Name: "/cpu/classes/gc/total:cpu-seconds"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindFloat64 {
		return 0
	}
	return s[0].Value.Float64()
}

// settleHeap collects until only live objects remain: sync.Pool contents
// survive one collection (in the victim cache), so one GC would leave the
// simulator's and drivers' pooled buffers in whichever figure came first.
func settleHeap() {
	runtime.GC()
	runtime.GC()
	debug.FreeOSMemory()
}

func heapInUse() uint64 {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}
