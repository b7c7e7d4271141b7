package luxos

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/driver/cgminer"
)

// maxSetPools is how many pools SetPools accepts, as hearth.Controller
// specifies.
const maxSetPools = 3

// SetPools replaces the miner's pools with pools, in priority order, with
// the cgminer pool commands LuxOS keeps (they need no session): it adds
// the new pools (addpool), switches to the first of them (switchpool),
// then removes the old ones (removepool), highest index first because
// cgminer renumbers the pools after a removal. The miner keeps mining
// throughout: the old pools go only after the new ones are in place.
func (d *Driver) SetPools(ctx context.Context, t hearth.Target, pools []hearth.PoolConfig) error {
	if err := validatePools(pools); err != nil {
		return err
	}
	addr := rpcAddr(t)
	fail := func(err error) error { return fmt.Errorf("set pools %s: %w", addr, err) }

	before, err := d.poolIndexes(ctx, addr)
	if err != nil {
		return fail(err)
	}
	for _, p := range pools {
		param := escapeParam(p.URL) + "," + escapeParam(p.User) + "," + escapeParam(p.Password)
		if _, err := d.RPC.Command(ctx, addr, "addpool", param); err != nil {
			return fail(fmt.Errorf("addpool: %w", err))
		}
	}
	after, err := d.poolIndexes(ctx, addr)
	if err != nil {
		return fail(err)
	}
	var added []int
	for _, i := range after {
		if !slices.Contains(before, i) {
			added = append(added, i)
		}
	}
	if len(added) != len(pools) {
		return fail(hearth.Errorf(hearth.EPROTOCOL, "Miner lists %d new pools after adding %d.", len(added), len(pools)))
	}
	if _, err := d.RPC.Command(ctx, addr, "switchpool", strconv.Itoa(added[0])); err != nil {
		return fail(fmt.Errorf("switchpool: %w", err))
	}
	slices.Sort(before)
	for _, i := range slices.Backward(before) {
		if _, err := d.RPC.Command(ctx, addr, "removepool", strconv.Itoa(i)); err != nil {
			return fail(fmt.Errorf("removepool %d: %w", i, err))
		}
	}
	return nil
}

// poolIndexes returns the POOL numbers the miner lists now.
func (d *Driver) poolIndexes(ctx context.Context, addr string) ([]int, error) {
	reply, err := d.RPC.Command(ctx, addr, "pools", "")
	if err != nil {
		return nil, fmt.Errorf("pools: %w", err)
	}
	return poolIndexes(&reply.Document), nil
}

// poolIndexes reads the POOL numbers of a pools reply.
func poolIndexes(doc *cgminer.Document) []int {
	var out []int
	for i, v := range doc.Section("POOLS").All() {
		if i == maxPools {
			break
		}
		if n, ok := v.Object().Get("POOL"); ok {
			if k, ok := n.Int(); ok && k >= 0 && k < 1<<16 && !slices.Contains(out, int(k)) {
				out = append(out, int(k))
			}
		}
	}
	return out
}

// validatePools refuses what a miner cannot store: no pools, too many, a
// missing URL, or control characters.
func validatePools(pools []hearth.PoolConfig) error {
	if len(pools) == 0 || len(pools) > maxSetPools {
		return hearth.Errorf(hearth.EINVALID, "Give between 1 and %d pools.", maxSetPools)
	}
	for i, p := range pools {
		if strings.TrimSpace(p.URL) == "" {
			return hearth.Errorf(hearth.EINVALID, "Pool %d has no URL.", i+1)
		}
		for _, s := range []string{p.URL, p.User, p.Password} {
			if len(s) > 256 || cleanText(s, 256) != strings.TrimSpace(s) || strings.TrimSpace(s) != s {
				return hearth.Errorf(hearth.EINVALID, "Pool %d has a value that is too long or holds control characters or surrounding spaces.", i+1)
			}
		}
	}
	return nil
}

// escapeParam escapes a value for a comma-separated cgminer parameter:
// a backslash before every comma and backslash (API-README, addpool).
func escapeParam(s string) string {
	return paramEscaper.Replace(s)
}

// paramEscaper is built once: a Replacer is costly to build and safe to
// share.
var paramEscaper = strings.NewReplacer(`\`, `\\`, `,`, `\,`)

// containsSeparator reports whether s holds a character that would split
// or escape a comma-separated parameter.
func containsSeparator(s string) bool { return strings.ContainsAny(s, `,\|`) }
