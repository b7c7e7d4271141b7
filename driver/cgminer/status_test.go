package cgminer_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/driver/cgminer"
)

func TestCheck(t *testing.T) {
	for name, tc := range map[string]struct {
		reply string
		code  string // hearth code, "" for OK
		msg   string // miner's message expected in the error
	}{
		"array S":         {`{"STATUS":[{"STATUS":"S","When":1,"Code":11,"Msg":"Summary","Description":"cgminer 4.11.1"}],"SUMMARY":[{}],"id":1}`, "", ""},
		"array I":         {`{"STATUS":[{"STATUS":"I","Code":49,"Msg":"Pool 0 already enabled"}],"id":1}`, "", ""},
		"array E invalid": {`{"STATUS":[{"STATUS":"E","When":1,"Code":14,"Msg":"Invalid command"}],"id":1}`, hearth.EUNSUPPORTED, "Invalid command"},
		"array E denied":  {`{"STATUS":[{"STATUS":"E","Code":45,"Msg":"Access denied to 'addpool' command"}],"id":1}`, hearth.EAUTH, "Access denied"},
		"array F":         {`{"STATUS":[{"STATUS":"F","Code":99,"Msg":"code bug"}],"id":1}`, hearth.EUNSUPPORTED, "code bug"},
		"array W":         {`{"STATUS":[{"STATUS":"W","Code":117,"Msg":"ASC 0 does not support ascset"}],"id":1}`, hearth.EUNSUPPORTED, "does not support"},
		"string S":        {`{"STATUS":"S","When":1,"Code":131,"Msg":{"mac":"x"},"Description":""}`, "", ""},
		"string E":        {`{"STATUS":"E","When":1,"Code":23,"Msg":"invalid cmd","Description":""}`, hearth.EUNSUPPORTED, "invalid cmd"},
		"restart":         {`{"STATUS":"RESTART","id":1}`, "", ""},
		"bye":             {`{"STATUS":"BYE","id":1}`, "", ""},
		"code 0":          {`{"code":0,"msg":{"miner":{}}}`, "", ""},
		"code -2":         {`{"code":-2,"msg":"invalid command"}`, hearth.EUNSUPPORTED, "invalid command"},
		"no status":       {`{"SUMMARY":[{}]}`, hearth.EPROTOCOL, "no STATUS"},
		"not an object":   {`[1,2]`, hearth.EPROTOCOL, "no STATUS"},
	} {
		t.Run(name, func(t *testing.T) {
			err := decode(t, tc.reply).Check("summary")
			if got := hearth.ErrorCode(err); got != tc.code {
				t.Fatalf("code = %q (%v), want %q", got, err, tc.code)
			}
			if err == nil {
				return
			}
			if msg := hearth.ErrorMessage(err); !strings.Contains(msg, tc.msg) {
				t.Errorf("message %q lacks %q", msg, tc.msg)
			}
		})
	}
}

func TestCheckStatusError(t *testing.T) {
	err := decode(t, `{"STATUS":[{"STATUS":"E","Code":26,"Msg":"Invalid pool id 9 - range is 0 - 2"}],"id":1}`).Check("switchpool")
	var se *cgminer.StatusError
	if !errors.As(err, &se) {
		t.Fatalf("no StatusError in %v", err)
	}
	if se.Command != "switchpool" || se.Status.Code != 26 || se.Status.Status != "E" {
		t.Errorf("StatusError = %+v", se)
	}
}

func TestStatusFields(t *testing.T) {
	s, ok := decode(t, `{"STATUS":[{"STATUS":"S","When":1755615294,"Code":22,"Msg":"CGMiner versions","Description":"cgminer 1.0.0"}],"id":1}`).Status()
	want := cgminer.Status{Status: "S", Code: 22, Msg: "CGMiner versions", Description: "cgminer 1.0.0", When: 1755615294}
	if !ok || s != want {
		t.Errorf("Status = %+v %v, want %+v", s, ok, want)
	}
}

func TestCheckHostileMessage(t *testing.T) {
	long := string(repeat('x', 10000))
	err := decode(t, `{"STATUS":[{"STATUS":"E","Code":1,"Msg":"\u001b[2J`+long+`"}]}`).Check("summary")
	msg := hearth.ErrorMessage(err)
	if len(msg) > 400 {
		t.Errorf("message is %d bytes", len(msg))
	}
	for _, c := range []byte(msg) {
		if c < 0x20 {
			t.Fatalf("control byte in %q", msg)
		}
	}
}
