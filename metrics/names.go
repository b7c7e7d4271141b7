package metrics

// Metric names hearth records for every miner. They follow Prometheus
// conventions (base units, _total for counters) and keep the product brief's
// names verbatim, so that its PromQL expressions and any dashboard written
// against them run unchanged. Other packages (rules, the web UI) refer to
// these constants rather than spelling the names again.
const (
	// MetricHashRate is the current hash rate in hashes per second. A
	// reading of 0 is recorded as 0: a miner that answers but does not hash
	// is a fact worth seeing, not a gap.
	MetricHashRate = "mining_hash_rate"
	// MetricHashRateIdeal is the hash rate the firmware expects at its
	// settings, in hashes per second; absent when the firmware does not say.
	MetricHashRateIdeal = "mining_hash_rate_ideal"
	// MetricPower is the power drawn at the wall in watts, measured or
	// estimated (see MetricPowerEstimated); absent when unknown.
	MetricPower = "monitoring_power_consumption_watts"
	// MetricPowerEstimated is 1 when MetricPower was estimated from the
	// model's nameplate efficiency and 0 when the firmware measured it.
	MetricPowerEstimated = "mining_power_estimated"
	// MetricLatency is the shortest time to first byte of the poll's
	// requests, in seconds.
	MetricLatency = "mining_network_latency_seconds"
	// MetricAccepted counts shares the pools accepted since the mining
	// process started.
	MetricAccepted = "mining_accepted_shares_total"
	// MetricRejected counts shares the pools rejected since the mining
	// process started.
	MetricRejected = "mining_rejected_shares_total"
	// MetricHardwareErrors counts hardware errors since the mining process
	// started.
	MetricHardwareErrors = "mining_hardware_errors_total"
	// MetricUptime is how long the mining process has run, in seconds.
	MetricUptime = "mining_uptime_seconds"
	// MetricUp is 1 when the last poll of the miner got a reading and 0
	// when it failed, like Prometheus' own "up".
	MetricUp = "mining_up"
	// MetricPaused is 1 when the miner reports that mining is paused or
	// asleep.
	MetricPaused = "mining_paused"

	// MetricBoardHashRate is one hashboard's hash rate in hashes per second.
	MetricBoardHashRate = "mining_board_hash_rate"
	// MetricBoardChipTemp is the hottest chip of one board, in °C.
	MetricBoardChipTemp = "mining_board_chip_temperature_celsius"
	// MetricBoardTemp is the PCB temperature of one board, in °C.
	MetricBoardTemp = "mining_board_temperature_celsius"
	// MetricBoardInletTemp is the coldest PCB sensor of one board, in °C.
	MetricBoardInletTemp = "mining_board_inlet_temperature_celsius"
	// MetricBoardOutletTemp is the hottest PCB sensor of one board, in °C.
	MetricBoardOutletTemp = "mining_board_outlet_temperature_celsius"
	// MetricBoardVRTemp is the voltage regulator temperature of one board,
	// in °C, where the firmware reports it (AxeOS).
	MetricBoardVRTemp = "mining_board_vr_temperature_celsius"
	// MetricBoardChips is the number of chips one board answers with.
	MetricBoardChips = "mining_board_chips"
	// MetricBoardChipsFailed is the number of chips the board marks bad.
	MetricBoardChipsFailed = "mining_board_chips_failed"
	// MetricBoardFrequency is the board's chip clock in hertz.
	MetricBoardFrequency = "mining_board_frequency_hertz"

	// MetricFanSpeed is one fan's measured speed in revolutions per minute.
	MetricFanSpeed = "mining_fan_speed_rpm"

	// MetricPoolUp is 1 when the miner reports the pool alive and 0 when
	// dead or rejecting; absent for a disabled pool and for one whose
	// state the firmware does not report.
	MetricPoolUp = "mining_pool_up"
	// MetricPoolActiveIndex is the index of the pool the miner is hashing
	// for now: 0 while it uses its first pool, higher after a failover.
	MetricPoolActiveIndex = "mining_pool_active_index"
)

// Label names. Every per-miner series carries the same five identity labels
// (job, miner, site, model, firmware) so that binary expressions between two
// per-miner metrics match one to one; component series add one more.
const (
	// LabelJob is Options.Job on every series, hearth.DefaultJob unless
	// configured, as the brief's expressions select on it.
	LabelJob = "job"
	// LabelMiner is the miner's stable ID (hearth.Miner.ID).
	LabelMiner = "miner"
	// LabelSite is the miner's site, DefaultSite when it has none.
	LabelSite = "site"
	// LabelModel is the miner's model, such as "Antminer S21"; absent
	// until the miner is identified.
	LabelModel = "model"
	// LabelFirmware is the miner's firmware, such as "bmminer 49.0.1.3";
	// absent until the miner is identified.
	LabelFirmware = "firmware"
	// LabelBoard is a hashboard's index, counted from 0.
	LabelBoard = "board"
	// LabelFan is a fan's name by its position on the machine
	// (hearth.Fan.Name, from hearth.FanName): "intake", "exhaust", "fan"
	// for a single fan, or "fan1".."fanN" by the firmware's 1-based number
	// where the model's layout is not known.
	LabelFan = "fan"
	// LabelPool is a pool's index in the miner's list. The pool URL is not
	// a label: a pool change would otherwise start new series.
	LabelPool = "pool"
)

// DefaultSite is the value of the site label for a miner whose Site is empty,
// so that "by (site)" aggregations never produce an unnamed group.
const DefaultSite = "default"

// metricKind tells counters from gauges, for /metrics and the metadata API.
type metricKind uint8

const (
	kindGauge metricKind = iota
	kindCounter
)

// String returns the Prometheus name of the kind.
func (k metricKind) String() string {
	if k == kindCounter {
		return "counter"
	}
	return "gauge"
}

// metricDef describes one metric name: what it is and how it is exposed.
type metricDef struct {
	name string
	help string
	kind metricKind
	unit string
}

// Indexes of the per-miner metrics in minerDefs and in a miner's slots.
const (
	miHashRate = iota
	miHashRateIdeal
	miPower
	miPowerEstimated
	miLatency
	miAccepted
	miRejected
	miHardwareErrors
	miUptime
	miUp
	miPaused
	miPoolActiveIndex
	numMinerMetrics
)

var minerDefs = [numMinerMetrics]metricDef{
	miHashRate:        {MetricHashRate, "Current hash rate of the miner in hashes per second.", kindGauge, ""},
	miHashRateIdeal:   {MetricHashRateIdeal, "Hash rate the miner's firmware expects at its settings, in hashes per second.", kindGauge, ""},
	miPower:           {MetricPower, "Power drawn by the miner at the wall in watts, measured or estimated.", kindGauge, "watts"},
	miPowerEstimated:  {MetricPowerEstimated, "1 when the power was estimated from the model's nameplate efficiency, 0 when measured.", kindGauge, ""},
	miLatency:         {MetricLatency, "Shortest time to first byte of the last poll's requests in seconds.", kindGauge, "seconds"},
	miAccepted:        {MetricAccepted, "Shares accepted by the pools since the mining process started.", kindCounter, ""},
	miRejected:        {MetricRejected, "Shares rejected by the pools since the mining process started.", kindCounter, ""},
	miHardwareErrors:  {MetricHardwareErrors, "Hardware errors since the mining process started.", kindCounter, ""},
	miUptime:          {MetricUptime, "Time the mining process has run in seconds.", kindGauge, "seconds"},
	miUp:              {MetricUp, "1 when the last poll of the miner got a reading, 0 when it failed.", kindGauge, ""},
	miPaused:          {MetricPaused, "1 when the miner reports that mining is paused or asleep.", kindGauge, ""},
	miPoolActiveIndex: {MetricPoolActiveIndex, "Index of the pool the miner is hashing for now; above 0 after a failover.", kindGauge, ""},
}

// Indexes of the per-board metrics in boardDefs and in a board's slots.
const (
	biHashRate = iota
	biChipTemp
	biTemp
	biInletTemp
	biOutletTemp
	biVRTemp
	biChips
	biChipsFailed
	biFrequency
	numBoardMetrics
)

var boardDefs = [numBoardMetrics]metricDef{
	biHashRate:    {MetricBoardHashRate, "Hash rate of one hashboard in hashes per second.", kindGauge, ""},
	biChipTemp:    {MetricBoardChipTemp, "Hottest chip temperature of one hashboard in degrees Celsius.", kindGauge, "celsius"},
	biTemp:        {MetricBoardTemp, "PCB temperature of one hashboard in degrees Celsius.", kindGauge, "celsius"},
	biInletTemp:   {MetricBoardInletTemp, "Coldest PCB sensor (inlet edge) of one hashboard in degrees Celsius.", kindGauge, "celsius"},
	biOutletTemp:  {MetricBoardOutletTemp, "Hottest PCB sensor (outlet edge) of one hashboard in degrees Celsius.", kindGauge, "celsius"},
	biVRTemp:      {MetricBoardVRTemp, "Voltage regulator temperature of one hashboard in degrees Celsius.", kindGauge, "celsius"},
	biChips:       {MetricBoardChips, "Chips one hashboard answers with.", kindGauge, ""},
	biChipsFailed: {MetricBoardChipsFailed, "Chips one hashboard marks as failed.", kindGauge, ""},
	biFrequency:   {MetricBoardFrequency, "Chip clock frequency of one hashboard in hertz.", kindGauge, "hertz"},
}

var fanDef = metricDef{MetricFanSpeed, "Measured speed of one fan in revolutions per minute.", kindGauge, ""}

// Indexes of the per-pool metrics in poolDefs and in a pool's slots.
const (
	piUp = iota
	numPoolMetrics
)

var poolDefs = [numPoolMetrics]metricDef{
	piUp: {MetricPoolUp, "1 when the miner reports the pool alive, 0 when dead or rejecting; absent when disabled or not reported.", kindGauge, ""},
}

// allDefs lists every metric hearth records, for the metadata API and the
// /metrics collector's descriptions.
func allDefs() []metricDef {
	defs := make([]metricDef, 0, numMinerMetrics+numBoardMetrics+1+numPoolMetrics)
	defs = append(defs, minerDefs[:]...)
	defs = append(defs, boardDefs[:]...)
	defs = append(defs, fanDef)
	defs = append(defs, poolDefs[:]...)
	return defs
}
