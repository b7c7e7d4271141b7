package sim

import (
	"errors"
	"fmt"
	"math"
	"unicode/utf8"

	"google.golang.org/protobuf/encoding/protowire"
)

// Protocol Buffers by hand for the Braiins OS gRPC API: the simulator
// writes its replies and reads the few requests that carry fields with
// protowire, from the field numbers of braiins/bos-plus-api's .proto
// files, so that no generated code is needed.

// pb is a protobuf message being written. Fields with implicit presence
// (proto3 scalars) are left out when they hold their zero value, as every
// protobuf encoder does; messages and optional fields are always written.
type pb []byte

func (b pb) uint(num protowire.Number, v uint64) pb {
	if v == 0 {
		return b
	}
	return b.optUint(num, v)
}

func (b pb) optUint(num protowire.Number, v uint64) pb {
	b = protowire.AppendTag(b, num, protowire.VarintType)
	return protowire.AppendVarint(b, v)
}

func (b pb) str(num protowire.Number, v string) pb {
	if v == "" {
		return b
	}
	return b.optStr(num, v)
}

func (b pb) optStr(num protowire.Number, v string) pb {
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendString(b, v)
}

func (b pb) boolean(num protowire.Number, v bool) pb {
	if !v {
		return b
	}
	return b.optUint(num, 1)
}

func (b pb) double(num protowire.Number, v float64) pb {
	if v == 0 {
		return b
	}
	b = protowire.AppendTag(b, num, protowire.Fixed64Type)
	return protowire.AppendFixed64(b, math.Float64bits(v))
}

// optDouble writes a double with explicit presence (an optional field),
// zero included.
func (b pb) optDouble(num protowire.Number, v float64) pb {
	b = protowire.AppendTag(b, num, protowire.Fixed64Type)
	return protowire.AppendFixed64(b, math.Float64bits(v))
}

func (b pb) msg(num protowire.Number, m pb) pb {
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendBytes(b, m)
}

// Unit messages of units.proto, each with its single field 1.
func pbPower(watt uint64) pb         { return pb(nil).uint(1, watt) }
func pbGigaHashrate(ghs float64) pb  { return pb(nil).double(1, ghs) }
func pbMegaHashrate(mhs float64) pb  { return pb(nil).double(1, mhs) }
func pbTemperature(c float64) pb     { return pb(nil).double(1, c) }
func pbFrequency(hz float64) pb      { return pb(nil).double(1, hz) }
func pbVoltage(volt float64) pb      { return pb(nil).double(1, volt) }
func pbUInt32Value(v uint64) pb      { return pb(nil).uint(1, v) } // google.protobuf.UInt32Value
func pbEfficiency(jPerTH float64) pb { return pb(nil).double(1, jPerTH) }
func pbTimestamp(sec, nano int64) pb { return pb(nil).uint(1, uint64(sec)).uint(2, uint64(nano)) }
func pbQuota(v uint32) pb            { return pb(nil).uint(1, uint64(v)) }
func pbFixedShareRatio(v float64) pb { return pb(nil).double(1, v) }
func pbLocateStatus(enabled bool) pb { return pb(nil).boolean(1, enabled) }
func pbAlready(already bool) pb      { return pb(nil).boolean(1, already) }
func pbSetPowerTargetReply(w int) pb { return pb(nil).msg(1, pbPower(uint64(w))) }
func pbLoginReply(token string) pb   { return pb(nil).str(1, token).uint(2, bosTokenTimeout) }
func pbApiVersion(v [3]uint64) pb    { return pb(nil).uint(1, v[0]).uint(2, v[1]).uint(3, v[2]) }
func pbSensor(id uint64, loc uint64, c float64) pb {
	return pb(nil).optUint(1, id).uint(2, loc).msg(3, pbTemperature(c))
}

// pbField is one field of a message as read from the wire.
type pbField struct {
	num    protowire.Number
	typ    protowire.Type
	varint uint64
	fixed  uint64
	bytes  []byte
}

// errProtoDecode is the error of a request the firmware cannot decode.
var errProtoDecode = errors.New("failed to decode Protobuf message")

// pbParse splits a message into its fields. It accepts every wire type,
// groups included, as a protobuf decoder skipping unknown fields must,
// and fails on truncated or malformed input.
func pbParse(b []byte) ([]pbField, error) {
	var out []pbField
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return nil, fmt.Errorf("%w: %v", errProtoDecode, protowire.ParseError(n))
		}
		b = b[n:]
		f := pbField{num: num, typ: typ}
		switch typ {
		case protowire.VarintType:
			f.varint, n = protowire.ConsumeVarint(b)
		case protowire.Fixed64Type:
			f.fixed, n = protowire.ConsumeFixed64(b)
		case protowire.Fixed32Type:
			var v uint32
			v, n = protowire.ConsumeFixed32(b)
			f.fixed = uint64(v)
		case protowire.BytesType:
			f.bytes, n = protowire.ConsumeBytes(b)
		default:
			n = protowire.ConsumeFieldValue(num, typ, b)
		}
		if n < 0 {
			return nil, fmt.Errorf("%w: field %d: %v", errProtoDecode, num, protowire.ParseError(n))
		}
		b = b[n:]
		out = append(out, f)
	}
	return out, nil
}

// want checks that a known field came with its declared wire type.
func (f pbField) want(typ protowire.Type) error {
	if f.typ != typ {
		return fmt.Errorf("%w: field %d: invalid wire type %d, expected %d", errProtoDecode, f.num, f.typ, typ)
	}
	return nil
}

// text returns a string field, which protobuf requires to be UTF-8.
func (f pbField) text() (string, error) {
	if err := f.want(protowire.BytesType); err != nil {
		return "", err
	}
	if !utf8.Valid(f.bytes) {
		return "", fmt.Errorf("%w: field %d: invalid UTF-8 in string", errProtoDecode, f.num)
	}
	return string(f.bytes), nil
}

func (f pbField) uintValue() (uint64, error) {
	if err := f.want(protowire.VarintType); err != nil {
		return 0, err
	}
	return f.varint, nil
}

func (f pbField) doubleValue() (float64, error) {
	if err := f.want(protowire.Fixed64Type); err != nil {
		return 0, err
	}
	return math.Float64frombits(f.fixed), nil
}

// decodeEmpty checks a request whose message declares no fields (such as
// GetMinerDetailsRequest): any well-formed message is accepted, its
// fields ignored as unknown.
func decodeEmpty(b []byte) error {
	_, err := pbParse(b)
	return err
}

// decodeLogin reads LoginRequest{string username = 1; string password = 2}.
func decodeLogin(b []byte) (user, password string, err error) {
	fields, err := pbParse(b)
	if err != nil {
		return "", "", err
	}
	for _, f := range fields {
		switch f.num {
		case 1:
			user, err = f.text()
		case 2:
			password, err = f.text()
		}
		if err != nil {
			return "", "", err
		}
	}
	return user, password, nil
}

// decodeSetLocate reads SetLocateDeviceStatusRequest{bool enable = 1}.
func decodeSetLocate(b []byte) (enable bool, err error) {
	fields, err := pbParse(b)
	if err != nil {
		return false, err
	}
	for _, f := range fields {
		if f.num == 1 {
			v, err := f.uintValue()
			if err != nil {
				return false, err
			}
			enable = v != 0
		}
	}
	return enable, nil
}

// decodeSetPowerTarget reads SetPowerTargetRequest{SaveAction save_action
// = 1; Power power_target = 2}, Power being {uint64 watt = 1}. It
// reports whether power_target was present.
func decodeSetPowerTarget(b []byte) (save, watt uint64, present bool, err error) {
	fields, err := pbParse(b)
	if err != nil {
		return 0, 0, false, err
	}
	for _, f := range fields {
		switch f.num {
		case 1:
			if save, err = f.uintValue(); err != nil {
				return 0, 0, false, err
			}
		case 2:
			if err := f.want(protowire.BytesType); err != nil {
				return 0, 0, false, err
			}
			present = true
			inner, err := pbParse(f.bytes)
			if err != nil {
				return 0, 0, false, err
			}
			for _, g := range inner {
				if g.num == 1 {
					if watt, err = g.uintValue(); err != nil {
						return 0, 0, false, err
					}
				}
			}
		}
	}
	return save, watt, present, nil
}

// decodeSetPoolGroups reads SetPoolGroupsRequest{SaveAction save_action =
// 1; repeated PoolGroupConfiguration pool_groups = 2}.
func decodeSetPoolGroups(b []byte) (save uint64, groups []bosPoolGroup, err error) {
	fields, err := pbParse(b)
	if err != nil {
		return 0, nil, err
	}
	groups = []bosPoolGroup{}
	for _, f := range fields {
		switch f.num {
		case 1:
			if save, err = f.uintValue(); err != nil {
				return 0, nil, err
			}
		case 2:
			if err := f.want(protowire.BytesType); err != nil {
				return 0, nil, err
			}
			g, err := decodePoolGroupConfig(f.bytes)
			if err != nil {
				return 0, nil, err
			}
			groups = append(groups, g)
		}
	}
	return save, groups, nil
}

// decodePoolGroupConfig reads PoolGroupConfiguration{optional string uid
// = 1; string name = 2; oneof {Quota quota = 3; FixedShareRatio
// fixed_share_ratio = 4}; repeated PoolConfiguration pools = 5}. A group
// with no strategy balances by quota 1, the firmware's default.
func decodePoolGroupConfig(b []byte) (bosPoolGroup, error) {
	g := bosPoolGroup{quota: 1}
	fields, err := pbParse(b)
	if err != nil {
		return g, err
	}
	for _, f := range fields {
		switch f.num {
		case 1:
			g.uid, err = f.text()
		case 2:
			g.name, err = f.text()
		case 3, 4:
			if err = f.want(protowire.BytesType); err != nil {
				break
			}
			var inner []pbField
			if inner, err = pbParse(f.bytes); err != nil {
				break
			}
			// The last member of a oneof on the wire wins.
			g.hasRatio, g.quota, g.ratio = f.num == 4, 0, 0
			for _, v := range inner {
				if v.num != 1 {
					continue
				}
				if f.num == 3 {
					var q uint64
					q, err = v.uintValue()
					g.quota = uint32(q)
				} else {
					g.ratio, err = v.doubleValue()
				}
			}
		case 5:
			if err = f.want(protowire.BytesType); err != nil {
				break
			}
			var p bosPool
			if p, err = decodePoolConfig(f.bytes); err == nil {
				g.pools = append(g.pools, p)
			}
		}
		if err != nil {
			return g, err
		}
	}
	return g, nil
}

// decodePoolConfig reads PoolConfiguration{optional string uid = 1;
// string url = 2; string user = 3; optional string password = 4;
// optional bool enabled = 5}; a pool without enabled is enabled.
func decodePoolConfig(b []byte) (bosPool, error) {
	p := bosPool{enabled: true}
	fields, err := pbParse(b)
	if err != nil {
		return p, err
	}
	for _, f := range fields {
		switch f.num {
		case 1:
			p.uid, err = f.text()
		case 2:
			p.url, err = f.text()
		case 3:
			p.user, err = f.text()
		case 4:
			p.password, err = f.text()
		case 5:
			var v uint64
			v, err = f.uintValue()
			p.enabled = v != 0
		}
		if err != nil {
			return p, err
		}
	}
	return p, nil
}

// pbLogChunk is GetLogResponse{bytes chunk_data = 1}.
func pbLogChunk(data []byte) pb {
	b := protowire.AppendTag(nil, 1, protowire.BytesType)
	return protowire.AppendBytes(b, data)
}

// decodeGetLog reads GetLogRequest{LogType log_type = 1}.
func decodeGetLog(b []byte) (logType uint64, err error) {
	fields, err := pbParse(b)
	if err != nil {
		return 0, err
	}
	for _, f := range fields {
		if f.num == 1 {
			if logType, err = f.uintValue(); err != nil {
				return 0, err
			}
		}
	}
	return logType, nil
}

// Cooling modes of SetCoolingModeRequest's oneof mode.
const (
	bosCoolingNone      = 0
	bosCoolingAuto      = 2 // CoolingAutoMode auto = 2
	bosCoolingManual    = 3 // CoolingManualMode manual = 3
	bosCoolingImmersion = 4 // CoolingImmersionMode immersion = 4
	bosCoolingHydro     = 5 // CoolingHydroMode hydro = 5
)

// bosCoolingRequest is a decoded SetCoolingModeRequest.
type bosCoolingRequest struct {
	save uint64
	// mode is the field number of the oneof member sent last, or
	// bosCoolingNone.
	mode protowire.Number
	// ratio is CoolingManualMode.fan_speed_ratio; hasRatio says it was
	// sent.
	ratio    float64
	hasRatio bool
}

// decodeSetCoolingMode reads SetCoolingModeRequest{SaveAction save_action
// = 1; oneof mode {CoolingAutoMode auto = 2; CoolingManualMode manual =
// 3; CoolingImmersionMode immersion = 4; CoolingHydroMode hydro = 5}},
// CoolingManualMode being {optional double fan_speed_ratio = 1; …}.
func decodeSetCoolingMode(b []byte) (bosCoolingRequest, error) {
	var r bosCoolingRequest
	fields, err := pbParse(b)
	if err != nil {
		return r, err
	}
	for _, f := range fields {
		switch f.num {
		case 1:
			if r.save, err = f.uintValue(); err != nil {
				return r, err
			}
		case bosCoolingAuto, bosCoolingManual, bosCoolingImmersion, bosCoolingHydro:
			if err := f.want(protowire.BytesType); err != nil {
				return r, err
			}
			inner, err := pbParse(f.bytes)
			if err != nil {
				return r, err
			}
			// The last member of a oneof on the wire wins.
			r.mode, r.ratio, r.hasRatio = f.num, 0, false
			if f.num != bosCoolingManual {
				continue
			}
			for _, g := range inner {
				if g.num == 1 {
					if r.ratio, err = g.doubleValue(); err != nil {
						return r, err
					}
					r.hasRatio = true
				}
			}
		}
	}
	return r, nil
}
