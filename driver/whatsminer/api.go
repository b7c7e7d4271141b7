package whatsminer

import (
	"context"
	"errors"
	"strings"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/driver/cgminer"
)

// api is the btminer API generation a miner speaks.
type api int

const (
	apiV2 api = 2
	apiV3 api = 3
)

// v3Since is the first firmware date with API v3 (asic-rs and pyasic
// switch at 2024-11-01).
const v3Since = "20241101"

// apiOfFirmware returns the API of firmware version fw ("20230803.11.REL"
// → v2, "20251209.16.Rel2" → v3). A version without a date prefix is
// taken as v2, the older scheme.
func apiOfFirmware(fw string) api {
	date, _, _ := strings.Cut(fw, ".")
	if len(date) == len(v3Since) && isDigits(date) && date >= v3Since {
		return apiV3
	}
	return apiV2
}

func isDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

// version is what detect learns: the API and the firmware version.
type version struct {
	API      api
	Firmware string
}

// detect finds which API the miner at t speaks: get_version on 4028 gives
// the firmware date; a miner whose 4028 is closed is asked on the v3 port,
// and when that answers badly its error is the one reported.
// Old firmware without get_version is taken as v2. The answer is kept for
// versionTTL, so that a poll or write right after another asks nothing.
func (d *Driver) detect(ctx context.Context, t hearth.Target) (version, error) {
	key := d.v2Addr(t) + "|" + d.v3Addr(t)
	if v, ok := d.versions.get(key); ok {
		return v, nil
	}
	v, err := d.detectNow(ctx, t)
	if err == nil {
		d.versions.put(key, v, versionTTL)
	}
	return v, err
}

// detectNow asks the miner which API it speaks. A miner whose 4028 is
// closed, or that accepts there and hangs up without a word (newer
// firmware behind a listener that serves older ones, NAT that answers for
// a closed port), is asked on the v3 port.
func (d *Driver) detectNow(ctx context.Context, t hearth.Target) (version, error) {
	r, err := d.RPC.Command(ctx, d.v2Addr(t), "get_version", "")
	if err == nil {
		fw := msgOf(&r.Document).String("fw_ver")
		return version{API: apiOfFirmware(fw), Firmware: fw}, nil
	}
	switch hearth.ErrorCode(err) {
	case hearth.EUNSUPPORTED:
		return version{API: apiV2}, nil
	case hearth.EUNAVAILABLE:
	default:
		return version{}, err
	}
	doc, _, v3err := d.v3Read(ctx, t, "get.device.info", nil)
	if v3err != nil {
		if errors.Is(v3err, cgminer.ErrConnect) {
			return version{}, err // nothing listens on either API
		}
		return version{}, v3err // API v3 answered, badly: that is the news
	}
	return version{API: apiV3, Firmware: v3System(doc).String("fwversion")}, nil
}

// v3System returns get.device.info's msg.system object.
func v3System(doc *cgminer.Document) cgminer.Object {
	v, _ := v3Msg(doc).Get("system")
	return v.Object()
}
