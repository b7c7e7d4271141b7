package alerting_test

import (
	"testing"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/alerting"
)

// FuzzValidateRuleFile feeds rule files as they arrive through PUT
// /api/v1/rules/{name}: whatever the bytes, validation answers nil or an
// EINVALID error, never a panic or another code.
func FuzzValidateRuleFile(f *testing.F) {
	f.Add(alerting.DefaultRules())
	f.Add([]byte(userRule))
	f.Add([]byte("groups:\n  - name: g\n    rules:\n      - record: x:y\n        expr: sum(up)\n"))
	f.Add([]byte("groups: [{name: g, rules: [{alert: A, expr: 'up ==', for: 1m}]}]"))
	f.Add([]byte("groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up\n        annotations: {s: '{{ $value | humanize'}\n"))
	f.Add([]byte("\x00\xff: ["))
	f.Fuzz(func(t *testing.T, content []byte) {
		err := alerting.ValidateRuleFile(content, nil)
		if err != nil && hearth.ErrorCode(err) != hearth.EINVALID {
			t.Fatalf("error %v has code %s, want EINVALID", err, hearth.ErrorCode(err))
		}
	})
}
