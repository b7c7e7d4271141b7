package antminer

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/hearth-fleet/hearth"
)

// DefaultControlTimeout bounds a control verb whose context carries no
// deadline, so that a forgotten deadline cannot hang a caller on a silent
// miner.
const DefaultControlTimeout = 15 * time.Second

// The web CGIs the control verbs use (http://host/cgi-bin/<name>.cgi).
const (
	cgiBlink          = "/cgi-bin/blink.cgi"
	cgiBlinkStatus    = "/cgi-bin/get_blink_status.cgi"
	cgiReboot         = "/cgi-bin/reboot.cgi"
	cgiGetMinerConf   = "/cgi-bin/get_miner_conf.cgi"
	cgiSetMinerConf   = "/cgi-bin/set_miner_conf.cgi"
	cgiGetSystemInfo  = "/cgi-bin/get_system_info.cgi"
	rebootRequestBody = "{}"
)

// Reboot restarts the miner with POST /cgi-bin/reboot.cgi and an empty
// JSON object as its body (as asic-rs sends it). Any 200 reply is success:
// the controller reboots right after answering.
//
// Stock firmware has no restart of bmminer alone (neither pyasic nor
// asic-rs knows one; asic-rs's "restart" is this reboot), so RestartMining
// stays EUNSUPPORTED.
func (d *Driver) Reboot(ctx context.Context, t hearth.Target) error {
	ctx, cancel := d.controlContext(ctx)
	defer cancel()
	if _, err := d.webRequest(ctx, t, http.MethodPost, cgiReboot, []byte(rebootRequestBody)); err != nil {
		return fmt.Errorf("antminer reboot %s: %w", t.Address, err)
	}
	return nil
}

// controlContext bounds ctx by DefaultControlTimeout when it has no
// deadline.
func (d *Driver) controlContext(ctx context.Context) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, DefaultControlTimeout)
}

// cgiResult is the status envelope of the web CGI's write replies:
// {"stats":"success","code":"M000","msg":"OK!"} from set_miner_conf,
// {"code":"B000"} (on) or {"code":"B100"} (off) from blink.
type cgiResult struct {
	Stats string `json:"stats"`
	Code  string `json:"code"`
	Msg   string `json:"msg"`
}

// checkCGIResult fails when a write CGI's reply says it failed: a "stats"
// other than "success". A reply without the envelope (older builds answer
// with an empty body or plain text) counts as success, since the HTTP
// status was 200.
func checkCGIResult(cgi string, body []byte) error {
	var r cgiResult
	if json.Unmarshal(body, &r) != nil || r.Stats == "" {
		return nil
	}
	if !strings.EqualFold(r.Stats, "success") {
		return hearth.Errorf(hearth.EUNAVAILABLE, "%s answered %q (code %q): %s", cgi, cleanText(r.Stats, 32), cleanText(r.Code, 16), cleanText(r.Msg, 128))
	}
	return nil
}
