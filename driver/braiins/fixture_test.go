package braiins

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"slices"
	"strconv"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"
)

// This file turns the REST fixtures of testdata/ (the protobuf JSON
// mapping of the gRPC messages) into protobuf wire bytes, with a schema
// of the fields they hold written from braiins/bos-plus-api's .proto
// files. It is test code: the fake miner serves its output.

type kind int

const (
	kMsg     kind = iota // a sub-message (msg names it)
	kString              // string
	kUint                // uint32/uint64/enum varint
	kBool                // bool
	kDouble              // double
	kWrapped             // google.protobuf.UInt32Value, a bare number in JSON
	kInline              // a JSON object whose keys belong to the parent (REST "strategy")
)

type spec struct {
	num  protowire.Number
	kind kind
	msg  string
}

var gigahash = spec{kind: kMsg, msg: "GigaHashrate"}
var temperature = spec{kind: kMsg, msg: "Temperature"}

func at(s spec, n protowire.Number) spec { s.num = n; return s }

var schema = map[string]map[string]spec{
	"GetMinerDetailsResponse": {
		"uid": {1, kString, ""}, "miner_identity": {2, kMsg, "MinerIdentity"}, "platform": {3, kUint, ""},
		"bos_mode": {4, kUint, ""}, "bos_version": {5, kMsg, "BosVersion"}, "hostname": {6, kString, ""},
		"mac_address": {7, kString, ""}, "system_uptime": {8, kUint, ""}, "sticker_hashrate": at(gigahash, 9),
		"bosminer_uptime_s": {10, kUint, ""}, "system_uptime_s": {11, kUint, ""}, "status": {12, kUint, ""},
		"kernel_version": {13, kString, ""}, "psu_info": {14, kMsg, "PsuInfo"},
		"control_board_soc_family": {15, kUint, ""}, "serial_number": {16, kString, ""},
	},
	"MinerIdentity": {"brand": {1, kUint, ""}, "model": {2, kUint, ""}, "name": {3, kString, ""}, "miner_model": {4, kString, ""}},
	"BosVersion":    {"current": {1, kString, ""}, "major": {2, kString, ""}, "bos_plus": {3, kBool, ""}},
	"PsuInfo": {
		"version": {1, kWrapped, ""}, "fw_version": {2, kWrapped, ""}, "serial_number": {3, kString, ""},
		"model_name": {4, kString, ""}, "min_voltage": {5, kMsg, "Voltage"}, "max_voltage": {6, kMsg, "Voltage"},
	},
	"Voltage":         {"volt": {1, kDouble, ""}},
	"GigaHashrate":    {"gigahash_per_second": {1, kDouble, ""}},
	"MegaHashrate":    {"megahash_per_second": {1, kDouble, ""}},
	"Frequency":       {"hertz": {1, kDouble, ""}},
	"Temperature":     {"degree_c": {1, kDouble, ""}},
	"Power":           {"watt": {1, kUint, ""}},
	"PowerEfficiency": {"joule_per_terahash": {1, kDouble, ""}},
	"Timestamp":       {"seconds": {1, kUint, ""}, "nanos": {2, kUint, ""}},
	"GetMinerStatsResponse": {
		"pool_stats": {1, kMsg, "PoolStats"}, "miner_stats": {2, kMsg, "WorkSolverStats"}, "power_stats": {3, kMsg, "MinerPowerStats"},
	},
	"PoolStats": {
		"accepted_shares": {1, kUint, ""}, "rejected_shares": {2, kUint, ""}, "stale_shares": {3, kUint, ""},
		"last_difficulty": {4, kUint, ""}, "best_share": {5, kUint, ""}, "generated_work": {6, kUint, ""},
		"last_share_time": {7, kMsg, "Timestamp"}, "best_share_str": {8, kString, ""},
	},
	"WorkSolverStats": {
		"real_hashrate": {1, kMsg, "RealHashrate"}, "nominal_hashrate": at(gigahash, 2),
		"error_hashrate": {3, kMsg, "MegaHashrate"}, "found_blocks": {4, kUint, ""}, "best_share": {5, kUint, ""},
		"best_share_str": {6, kString, ""},
	},
	"RealHashrate": {
		"last_5s": at(gigahash, 1), "last_15s": at(gigahash, 2), "last_30s": at(gigahash, 3), "last_1m": at(gigahash, 4),
		"last_5m": at(gigahash, 5), "last_15m": at(gigahash, 6), "last_30m": at(gigahash, 7), "last_1h": at(gigahash, 8),
		"last_24h": at(gigahash, 9), "since_restart": at(gigahash, 10),
	},
	"MinerPowerStats":       {"approximated_consumption": {1, kMsg, "Power"}, "efficiency": {2, kMsg, "PowerEfficiency"}},
	"GetHashboardsResponse": {"hashboards": {1, kMsg, "Hashboard"}},
	"Hashboard": {
		"id": {1, kString, ""}, "enabled": {2, kBool, ""}, "chips_count": {3, kWrapped, ""},
		"current_voltage": {4, kMsg, "Voltage"}, "current_frequency": {5, kMsg, "Frequency"},
		"highest_chip_temp": {6, kMsg, "TemperatureSensor"}, "board_temp": at(temperature, 7),
		"stats": {8, kMsg, "WorkSolverStats"}, "model": {9, kString, ""}, "lowest_inlet_temp": at(temperature, 10),
		"highest_outlet_temp": at(temperature, 11), "serial_number": {12, kString, ""}, "board_name": {13, kString, ""},
		"chip_type": {14, kString, ""},
	},
	"TemperatureSensor":       {"id": {1, kUint, ""}, "location": {2, kUint, ""}, "temperature": at(temperature, 3)},
	"GetCoolingStateResponse": {"fans": {1, kMsg, "FanState"}, "highest_temperature": {2, kMsg, "TemperatureSensor"}},
	"FanState":                {"position": {1, kUint, ""}, "rpm": {2, kUint, ""}, "target_speed_ratio": {3, kDouble, ""}},
	"GetPoolGroupsResponse":   {"pool_groups": {1, kMsg, "PoolGroup"}},
	"PoolGroup": {
		"name": {1, kString, ""}, "quota": {2, kMsg, "Quota"}, "fixed_share_ratio": {3, kMsg, "FixedShareRatio"},
		"pools": {4, kMsg, "Pool"}, "uid": {5, kString, ""}, "strategy": {0, kInline, ""},
	},
	"GetTunerStateResponse": {
		"overall_tuner_state": {1, kUint, ""}, "mode_state": {0, kInline, ""},
		// The REST rendering names the oneof member in lower case.
		"powertargetmodestate": {2, kMsg, "PowerTargetModeState"},
	},
	"PowerTargetModeState": {"profile": {1, kMsg, "PowerTargetProfile"}, "current_target": {2, kMsg, "Power"}},
	"PowerTargetProfile": {
		"created": {1, kMsg, "Timestamp"}, "target": {2, kMsg, "Power"},
		"measured_hashrate": at(gigahash, 3), "estimated_power_consumption": {4, kMsg, "Power"},
	},
	"Quota":           {"value": {1, kUint, ""}},
	"FixedShareRatio": {"value": {1, kDouble, ""}},
	"Pool": {
		"uid": {1, kString, ""}, "url": {2, kString, ""}, "user": {3, kString, ""}, "enabled": {4, kBool, ""},
		"alive": {5, kBool, ""}, "active": {6, kBool, ""}, "stats": {7, kMsg, "PoolStats"},
	},
}

// fixtureJSON reads testdata/name as a generic JSON value.
func fixtureJSON(tb testing.TB, name string) any {
	tb.Helper()
	raw, err := os.ReadFile("testdata/" + name)
	if err != nil {
		tb.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		tb.Fatal(err)
	}
	return v
}

// encodeFixture encodes testdata/name as the gRPC message named message.
// The pools fixture (a bare list of groups) becomes the pool_groups of a
// GetPoolGroupsResponse.
func encodeFixture(tb testing.TB, message, name string) []byte {
	tb.Helper()
	v := fixtureJSON(tb, name)
	if list, ok := v.([]any); ok {
		v = map[string]any{"pool_groups": list}
	}
	obj, ok := v.(map[string]any)
	if !ok {
		tb.Fatalf("%s: not a JSON object", name)
	}
	return encodeObject(tb, message, obj)
}

func encodeObject(tb testing.TB, message string, obj map[string]any) []byte {
	tb.Helper()
	fields, ok := schema[message]
	if !ok {
		tb.Fatalf("no schema for %s", message)
	}
	var b []byte
	// Field order does not matter to protobuf; sort keys for stable bytes.
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		s, ok := fields[k]
		if !ok {
			tb.Fatalf("%s has no field %q in the test schema", message, k)
		}
		if s.kind == kInline {
			inner, _ := obj[k].(map[string]any)
			b = append(b, encodeObject(tb, message, inner)...)
			continue
		}
		values := []any{obj[k]}
		if list, ok := obj[k].([]any); ok {
			values = list
		}
		for _, v := range values {
			b = encodeValue(tb, b, s, v)
		}
	}
	return b
}

func encodeValue(tb testing.TB, b []byte, s spec, v any) []byte {
	tb.Helper()
	if v == nil {
		return b // JSON null: the optional field is absent
	}
	switch s.kind {
	case kMsg:
		obj, ok := v.(map[string]any)
		if !ok {
			tb.Fatalf("field %d: want an object, got %T", s.num, v)
		}
		return appendMessage(b, s.num, encodeObject(tb, s.msg, obj))
	case kString:
		b = protowire.AppendTag(b, s.num, protowire.BytesType)
		return protowire.AppendString(b, v.(string))
	case kBool:
		return appendPresentBool(b, s.num, v.(bool))
	case kUint:
		n, err := strconv.ParseUint(string(v.(json.Number)), 10, 64)
		if err != nil {
			tb.Fatal(err)
		}
		b = protowire.AppendTag(b, s.num, protowire.VarintType)
		return protowire.AppendVarint(b, n)
	case kWrapped:
		n, err := strconv.ParseUint(string(v.(json.Number)), 10, 32)
		if err != nil {
			tb.Fatal(err)
		}
		inner := protowire.AppendTag(nil, 1, protowire.VarintType)
		return appendMessage(b, s.num, protowire.AppendVarint(inner, n))
	case kDouble:
		f, err := v.(json.Number).Float64()
		if err != nil || math.IsInf(f, 0) {
			tb.Fatal(err)
		}
		return appendDouble(b, s.num, f)
	}
	tb.Fatalf("field %d: unknown kind", s.num)
	return nil
}
