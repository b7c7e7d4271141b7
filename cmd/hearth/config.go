package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/hearth-fleet/hearth"
)

// The optional config file holds the same HEARTH_* settings as the
// environment, one KEY=VALUE per line, the format of systemd's
// EnvironmentFile, so one file can serve a unit and a shell alike:
//
//	# /etc/hearth/hearth.conf
//	HEARTH_DATA=/var/lib/hearth
//	HEARTH_LISTEN=0.0.0.0:8080
//	HEARTH_POLL_INTERVAL=30s
//
// Flags override the environment, which overrides the file.

// configKeys are the settings a config file may hold.
var configKeys = map[string]bool{
	"HEARTH_DATA": true, "HEARTH_DB": true, "HEARTH_LISTEN": true, "HEARTH_JOB": true,
	"HEARTH_POLL_INTERVAL": true, "HEARTH_POLL_TIMEOUT": true, "HEARTH_POLL_CONCURRENCY": true,
	"HEARTH_RETENTION": true, "HEARTH_ROLLUP_RETENTION": true, "HEARTH_ALLOW_REMOTE_READS": true, "HEARTH_LOG_LEVEL": true,
	"HEARTH_SERVER": true, "HEARTH_TOKEN": true,
}

// maxConfigSize bounds what is read of a config file; real ones are a few
// hundred bytes.
const maxConfigSize = 1 << 20

// fileConfig holds the settings of the config file of the running
// command, if one was given.
var fileConfig atomic.Pointer[map[string]string]

// fileSetting returns the config file's value of key.
func fileSetting(key string) (string, bool) {
	m := fileConfig.Load()
	if m == nil {
		return "", false
	}
	v, ok := (*m)[key]
	return v, ok
}

// parseConfig reads a config file's bytes. Errors name the line and are
// EINVALID, so a typo stops hearth with a message instead of being ignored.
func parseConfig(data []byte) (map[string]string, error) {
	if len(data) > maxConfigSize {
		return nil, hearth.Errorf(hearth.EINVALID, "Config file is larger than %d bytes.", maxConfigSize)
	}
	out := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 4096), maxConfigSize)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		line = strings.TrimPrefix(line, "export ")
		key, value, ok := strings.Cut(line, "=")
		key = strings.TrimSpace(key)
		if !ok || key == "" {
			return nil, hearth.Errorf(hearth.EINVALID, "Config line %d: expected KEY=VALUE, got %q.", n, line)
		}
		if !configKeys[key] {
			return nil, hearth.Errorf(hearth.EINVALID, "Config line %d: unknown setting %q.", n, key)
		}
		value = strings.TrimSpace(value)
		if len(value) >= 2 && (value[0] == '"' || value[0] == '\'') {
			if value[len(value)-1] != value[0] {
				return nil, hearth.Errorf(hearth.EINVALID, "Config line %d: unterminated quote in the value of %s.", n, key)
			}
			if value[0] == '"' {
				unq, err := strconv.Unquote(value)
				if err != nil {
					return nil, hearth.Errorf(hearth.EINVALID, "Config line %d: invalid quoted value of %s.", n, key)
				}
				value = unq
			} else {
				value = value[1 : len(value)-1]
			}
		}
		out[key] = value
	}
	if err := sc.Err(); err != nil {
		return nil, hearth.WrapError(hearth.EINVALID, err, "Config file could not be read.")
	}
	return out, nil
}

// loadConfig reads the config file named by --config in args or by
// HEARTH_CONFIG, if any, into fileConfig. It runs before the flags are
// defined, because the file supplies their defaults.
func loadConfig(args []string) error {
	path := os.Getenv("HEARTH_CONFIG")
	for i, a := range args {
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !strings.HasPrefix(a, "-") || name != "config" {
			continue
		}
		if hasValue {
			path = value
		} else if i+1 < len(args) {
			path = args[i+1]
		}
	}
	if path == "" {
		fileConfig.Store(nil)
		return nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return hearth.WrapError(hearth.EINVALID, err, "Cannot read config file %s: %v", path, err)
	}
	cfg, err := parseConfig(data)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	fileConfig.Store(&cfg)
	return nil
}
