package axeos_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/driver/axeos"
)

func TestSetFanMode(t *testing.T) {
	rec := &recorder{}
	target := settingsFirmware(t, rec, gammaInfo, "")
	d := axeos.New()
	if err := d.SetFanMode(timeoutCtx(t, 5*time.Second), target, hearth.FanMode{Percent: 65}); err != nil {
		t.Fatalf("fixed speed: %v", err)
	}
	if err := d.SetFanMode(timeoutCtx(t, 5*time.Second), target, hearth.FanMode{Auto: true}); err != nil {
		t.Fatalf("auto: %v", err)
	}
	reqs := rec.all()
	if len(reqs) != 2 || reqs[0].method != http.MethodPatch || string(reqs[0].body) != `{"autofanspeed":0,"fanspeed":65}` || string(reqs[1].body) != `{"autofanspeed":1}` {
		t.Fatalf("requests = %+v", reqs)
	}
	if err := d.SetFanMode(timeoutCtx(t, 5*time.Second), target, hearth.FanMode{Percent: -1}); hearth.ErrorCode(err) != hearth.EINVALID {
		t.Errorf("bad speed: %v", err)
	}
}
