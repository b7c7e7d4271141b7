package vtntest

import (
	"math"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"time"

	"github.com/hearth-fleet/hearth/openadr"
)

// The checks below follow the required fields, types and bounds of the
// specification's YAML. They work on the generic JSON tree so that a
// missing field is told apart from a zero one.

type obj = map[string]any

var objectIDPattern = regexp.MustCompile(`^[a-zA-Z0-9_-]*$`)

func bad(format string, args ...any) *problemError {
	return problem(http.StatusBadRequest, format, args...)
}

// need checks that o has every key, not null.
func need(o obj, where string, keys ...string) *problemError {
	for _, k := range keys {
		if v, ok := o[k]; !ok || v == nil {
			return bad("%s: %s is required", where, k)
		}
	}
	return nil
}

// str checks an optional string field's type and length.
func str(o obj, where, key string, minLen, maxLen int) *problemError {
	v, ok := o[key]
	if !ok || v == nil {
		return nil
	}
	s, isStr := v.(string)
	if !isStr || len(s) < minLen || len(s) > maxLen {
		return bad("%s: %s must be a string of %d to %d characters", where, key, minLen, maxLen)
	}
	return nil
}

func objectID(o obj, where, key string) *problemError {
	if p := str(o, where, key, 1, 128); p != nil {
		return p
	}
	if s, ok := o[key].(string); ok && !objectIDPattern.MatchString(s) {
		return bad("%s: %s is not URL safe", where, key)
	}
	return nil
}

// list returns an optional array field as objects (or any elements).
func list(o obj, where, key string) ([]any, *problemError) {
	v, ok := o[key]
	if !ok || v == nil {
		return nil, nil
	}
	a, isArr := v.([]any)
	if !isArr {
		return nil, bad("%s: %s must be an array", where, key)
	}
	return a, nil
}

func objects(o obj, where, key string) ([]obj, *problemError) {
	a, p := list(o, where, key)
	if p != nil {
		return nil, p
	}
	out := make([]obj, len(a))
	for i, e := range a {
		m, ok := e.(obj)
		if !ok {
			return nil, bad("%s: %s[%d] must be an object", where, key, i)
		}
		out[i] = m
	}
	return out, nil
}

func (v *VTN) checkIntervalPeriod(o obj, where string) *problemError {
	ip, ok := o["intervalPeriod"]
	if !ok || ip == nil {
		return nil
	}
	m, isObj := ip.(obj)
	if !isObj {
		return bad("%s: intervalPeriod must be an object", where)
	}
	if v.version == openadr.Version301 {
		if p := need(m, where+".intervalPeriod", "start"); p != nil {
			return p
		}
	}
	if s, ok := m["start"]; ok {
		st, isStr := s.(string)
		if !isStr {
			return bad("%s: intervalPeriod.start must be a date-time", where)
		}
		if _, err := time.Parse(time.RFC3339Nano, st); err != nil {
			return bad("%s: intervalPeriod.start %q is not an RFC 3339 date-time", where, st)
		}
	}
	for _, k := range []string{"duration", "randomizeStart"} {
		if d, ok := m[k]; ok {
			ds, isStr := d.(string)
			if !isStr {
				return bad("%s: intervalPeriod.%s must be an ISO 8601 duration", where, k)
			}
			if _, err := openadr.ParseDuration(ds); err != nil {
				return bad("%s: intervalPeriod.%s %q is not an ISO 8601 duration", where, k, ds)
			}
		}
	}
	return nil
}

func checkValuesMap(m obj, where string) *problemError {
	if p := need(m, where, "type", "values"); p != nil {
		return p
	}
	if p := str(m, where, "type", 1, 128); p != nil {
		return p
	}
	vals, p := list(m, where, "values")
	if p != nil {
		return p
	}
	for i, val := range vals {
		switch x := val.(type) {
		case float64, string, bool:
		case obj:
			_, xok := x["x"].(float64)
			_, yok := x["y"].(float64)
			if !xok || !yok {
				return bad("%s: values[%d] is a point without numeric x and y", where, i)
			}
		default:
			return bad("%s: values[%d] must be a number, string, boolean or point", where, i)
		}
	}
	return nil
}

func (v *VTN) checkIntervals(o obj, where string) *problemError {
	ivs, p := objects(o, where, "intervals")
	if p != nil {
		return p
	}
	for i, iv := range ivs {
		w := where + ".intervals[" + strconv.Itoa(i) + "]"
		if p := need(iv, w, "id", "payloads"); p != nil {
			return p
		}
		id, ok := iv["id"].(float64)
		if !ok || id != math.Trunc(id) || id < math.MinInt32 || id > math.MaxInt32 {
			return bad("%s: id must be an int32", w)
		}
		if p := v.checkIntervalPeriod(iv, w); p != nil {
			return p
		}
		pls, p := objects(iv, w, "payloads")
		if p != nil {
			return p
		}
		for j, pl := range pls {
			if p := checkValuesMap(pl, w+".payloads["+strconv.Itoa(j)+"]"); p != nil {
				return p
			}
		}
	}
	return nil
}

func (v *VTN) checkTargets(o obj, where string) *problemError {
	ts, p := list(o, where, "targets")
	if p != nil {
		return p
	}
	for i, t := range ts {
		if v.version == openadr.Version310 {
			if s, ok := t.(string); !ok || len(s) < 1 || len(s) > 128 {
				return bad("%s: targets[%d] must be a string of 1 to 128 characters (3.1.0)", where, i)
			}
			continue
		}
		m, ok := t.(obj)
		if !ok {
			return bad("%s: targets[%d] must be a valuesMap (3.0.1)", where, i)
		}
		if p := checkValuesMap(m, where+".targets"); p != nil {
			return p
		}
	}
	return nil
}

func (v *VTN) checkProgram(o obj) *problemError {
	if p := need(o, "program", "programName"); p != nil {
		return p
	}
	if p := str(o, "program", "programName", 1, 128); p != nil {
		return p
	}
	if p := v.checkIntervalPeriod(o, "program"); p != nil {
		return p
	}
	return v.checkTargets(o, "program")
}

func (v *VTN) checkEvent(o obj) *problemError {
	req := []string{"programID"}
	if v.version == openadr.Version301 {
		req = append(req, "intervals")
	}
	if p := need(o, "event", req...); p != nil {
		return p
	}
	if p := objectID(o, "event", "programID"); p != nil {
		return p
	}
	if p := v.checkIntervalPeriod(o, "event"); p != nil {
		return p
	}
	if d, ok := o["duration"].(string); ok {
		if _, err := openadr.ParseDuration(d); err != nil {
			return bad("event: duration %q is not an ISO 8601 duration", d)
		}
	}
	for _, key := range []string{"payloadDescriptors", "reportDescriptors"} {
		ds, p := objects(o, "event", key)
		if p != nil {
			return p
		}
		for _, d := range ds {
			if p := need(d, "event."+key, "payloadType"); p != nil {
				return p
			}
			if p := str(d, "event."+key, "payloadType", 1, 128); p != nil {
				return p
			}
		}
	}
	if p := v.checkTargets(o, "event"); p != nil {
		return p
	}
	return v.checkIntervals(o, "event")
}

func (v *VTN) checkReport(o obj) *problemError {
	req := []string{"eventID", "clientName", "resources"}
	if v.version == openadr.Version301 {
		req = append(req, "programID")
	}
	if p := need(o, "report", req...); p != nil {
		return p
	}
	if p := objectID(o, "report", "eventID"); p != nil {
		return p
	}
	if p := str(o, "report", "clientName", 1, 128); p != nil {
		return p
	}
	ds, p := objects(o, "report", "payloadDescriptors")
	if p != nil {
		return p
	}
	for _, d := range ds {
		if p := need(d, "report.payloadDescriptors", "payloadType"); p != nil {
			return p
		}
	}
	rs, p := objects(o, "report", "resources")
	if p != nil {
		return p
	}
	for i, r := range rs {
		w := "report.resources[" + strconv.Itoa(i) + "]"
		if p := need(r, w, "resourceName", "intervals"); p != nil {
			return p
		}
		if p := str(r, w, "resourceName", 1, 128); p != nil {
			return p
		}
		if p := v.checkIntervalPeriod(r, w); p != nil {
			return p
		}
		if p := v.checkIntervals(r, w); p != nil {
			return p
		}
	}
	return nil
}

func (v *VTN) checkSubscription(o obj) *problemError {
	req := []string{"clientName", "objectOperations"}
	if v.version == openadr.Version301 {
		req = append(req, "programID")
	}
	if p := need(o, "subscription", req...); p != nil {
		return p
	}
	if p := str(o, "subscription", "clientName", 1, 128); p != nil {
		return p
	}
	ops, p := objects(o, "subscription", "objectOperations")
	if p != nil {
		return p
	}
	for i, op := range ops {
		w := "subscription.objectOperations[" + strconv.Itoa(i) + "]"
		if p := need(op, w, "objects", "operations", "callbackUrl"); p != nil {
			return p
		}
		objs, _ := list(op, w, "objects")
		for _, x := range objs {
			if s, ok := x.(string); !ok || !openadr.ObjectType(s).Valid() {
				return bad("%s: objects holds %v, not an object type", w, x)
			}
		}
		opsList, _ := list(op, w, "operations")
		for _, x := range opsList {
			switch x {
			case "READ", "CREATE", "UPDATE", "DELETE":
			default:
				return bad("%s: operations holds %v, not READ, CREATE, UPDATE or DELETE", w, x)
			}
		}
		if p := str(op, w, "callbackUrl", 2, 8000); p != nil {
			return p
		}
		u, err := url.Parse(op["callbackUrl"].(string))
		if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
			return bad("%s: callbackUrl must be an absolute URI", w)
		}
	}
	return v.checkTargets(o, "subscription")
}
