package cgminer_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/hearth-fleet/hearth/driver/cgminer"
)

// quirks are replies broken the ways §1.8 of the protocol reference lists,
// with what Repair must make of them. They double as fuzz seeds.
var quirks = []struct {
	name, in, want string
}{
	{"trailing NUL", "{\"a\":1}\x00", `{"a":1}`},
	{"trailing comma in object (btminer)", `{"STATUS":"S","Msg":{"a":1,},}`, `{"STATUS":"S","Msg":{"a":1}}`},
	{"trailing comma in array", `{"a":[1,2,]}`, `{"a":[1,2]}`},
	{"newlines (Whatsminer v1 version)", "{\"Msg\":{\"fw_ver\":\"2022\n-01\"},\n\"id\":1}", `{"Msg":{"fw_ver":"2022-01"},"id":1}`},
	{"objects without comma (bmminer stats)", `{"STATS":[{"Type":"Antminer S19"}{"Elapsed":5}],"id":1}`, `{"STATS":[{"Type":"Antminer S19"},{"Elapsed":5}],"id":1}`},
	{"leading comma in array (bmminer)", `{"DEVS":[,{"ASC":0}],"id":1}`, `{"DEVS":[{"ASC":0}],"id":1}`},
	{"missing comma before temp0 (btminer 2023-01-06)", `{"SUMMARY":[{"Factory GHS":"100""temp0":55}]}`, `{"SUMMARY":[{"Factory GHS":"100","temp0":55}]}`},
	{"inf and nan (Avalon)", `{"STATS":[{"MGHS":"inf","Temp":"nan","x":"info"}]}`, `{"STATS":[{"MGHS":0,"Temp":0,"x":"info"}]}`},
	{"leading comma (Avalon)", `,"id":1}`, `{"id":1}`},
	{"truncated in a string", `{"STATUS":"E","Msg":{"error_code":{"1":"a","2":"b","3":"c`, `{"STATUS":"E","Msg":{"error_code":{"1":"a","2":"b"}}}`},
	{"truncated after a value", `{"STATUS":[{"STATUS":"S"}],"SUMMARY":[{"Elapsed":1,"Accepted":2`, `{"STATUS":[{"STATUS":"S"}],"SUMMARY":[{"Elapsed":1}]}`},
	{"error_code list written like an object (Whatsminer 2.0.4)", `{"STATUS":"S","Msg":{"error_code":["329":"2024-01-01","111":"x"]},"id":1}`, `{"STATUS":"S","Msg":{"error_code":{"329":"2024-01-01","111":"x"}},"id":1}`},
	{"error_code list of strings kept", `{"STATUS":"S","Msg":{"error_code":["329","111"]}}`, `{"STATUS":"S","Msg":{"error_code":["329","111"]}}`},
}

func TestRepair(t *testing.T) {
	for _, q := range quirks {
		t.Run(q.name, func(t *testing.T) {
			got := cgminer.Repair([]byte(q.in))
			if string(got) != q.want {
				t.Fatalf("Repair(%q)\n got %q\nwant %q", q.in, got, q.want)
			}
			if !json.Valid(got) {
				t.Errorf("repaired reply is not valid JSON: %q", got)
			}
			if _, err := cgminer.Decode([]byte(q.in)); err != nil {
				t.Errorf("Decode of the quirk fails: %v", err)
			}
		})
	}
}

func TestRepairLeavesGoodRepliesAlone(t *testing.T) {
	for _, name := range []string{"pools.json", "summary.json", "version.json"} {
		raw := wire(t, name)
		got := cgminer.Repair(raw)
		if !bytes.Equal(got, raw[:len(raw)-1]) {
			t.Errorf("%s changed by Repair", name)
		}
		if &got[0] != &raw[0] {
			t.Errorf("%s copied by Repair although nothing needed fixing", name)
		}
	}
}

func TestRepairDoesNotModifyInput(t *testing.T) {
	in := []byte(`{"STATS":[{"a":1}{"b":"inf"},],}`)
	keep := bytes.Clone(in)
	cgminer.Repair(in)
	if !bytes.Equal(in, keep) {
		t.Fatalf("input modified: %q", in)
	}
}

func TestDecodeQuirkValues(t *testing.T) {
	d := decode(t, `{"STATS":[{"Type":"Antminer S19"}{"Elapsed":5,"MGHS":"inf"}],"id":1}`)
	stats := d.Section("STATS")
	if stats.Len() != 2 || stats.Object(1).Float("Elapsed") != 5 {
		t.Fatalf("stats misread: %q", d.Bytes())
	}
	v, _ := stats.Object(1).Get("MGHS")
	if f, ok := v.Float(); !ok || f != 0 {
		t.Errorf(`"inf" = %v %v, want the number 0`, f, ok)
	}
}

func TestDecodeTruncatedReplyIsMarked(t *testing.T) {
	whole := []byte(`{"STATUS":[{"STATUS":"S","Code":11,"Msg":"Summary"}],"SUMMARY":[{"Elapsed":10,"GHS 5s":"100.5","Accepted":3}],"id":1}` + "\x00")
	d, err := cgminer.Decode(whole)
	if err != nil || d.Truncated() {
		t.Fatalf("whole reply: truncated=%v err=%v", d.Truncated(), err)
	}
	cut := []byte(`{"STATUS":[{"STATUS":"S","Code":11,"Msg":"Summary"}],"SUMMARY":[{"Elapsed":10,"GHS 5s":"100.5","Acc` + "\x00")
	d, err = cgminer.Decode(cut)
	if err != nil {
		t.Fatalf("cut reply: %v", err)
	}
	if !d.Truncated() {
		t.Error("a cut-short reply is not marked truncated")
	}
	if got := d.First("SUMMARY").Float("GHS 5s"); got != 100.5 {
		t.Errorf("members before the cut: GHS 5s = %v", got)
	}
}
