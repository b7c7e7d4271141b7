package whatsminer_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/driver/cgminer/cgminertest"
	"github.com/hearth-fleet/hearth/driver/whatsminer"
)

// fixture returns testdata/name compacted to one line, as btminer sends it.
func fixture(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		tb.Fatal(err)
	}
	var out bytes.Buffer
	if err := json.Compact(&out, b); err != nil {
		tb.Fatal(err)
	}
	return out.Bytes()
}

func near(got, want float64) bool {
	return math.Abs(got-want) <= 1e-9*math.Max(1, math.Abs(want))
}

// Fake token values of the v2 fake miner.
const (
	fakeTime    = "1773871985"
	fakeSalt    = "D6w5gVOb"
	fakeNewSalt = "zU4gvW30"
)

// v2Miner is a fake API v2 btminer: it answers plain commands from
// replies and checks and records encrypted writes.
type v2Miner struct {
	*cgminertest.Server
	Password string
	// WriteReply, when set, is sent (in the clear) instead of the
	// encrypted success reply.
	WriteReply []byte

	mu     sync.Mutex
	writes []map[string]any
}

// newV2Miner starts a fake v2 miner with password "admin" and the v2
// fixtures.
func newV2Miner(tb testing.TB) *v2Miner {
	tb.Helper()
	replies := map[string][]byte{
		"get_version":    fixture(tb, "v2/get_version.json"),
		"summary":        fixture(tb, "v2/summary.json"),
		"devs":           fixture(tb, "v2/devs.json"),
		"pools":          fixture(tb, "v2/pools.json"),
		"devdetails":     fixture(tb, "v2/devdetails.json"),
		"get_miner_info": fixture(tb, "v2/get_miner_info.json"),
		"get_token":      []byte(`{"STATUS":"S","When":1773871985,"Code":134,"Msg":{"time":"` + fakeTime + `","salt":"` + fakeSalt + `","newsalt":"` + fakeNewSalt + `"},"Description":""}`),
	}
	m := &v2Miner{Password: "admin"}
	plain := cgminertest.Replies(replies)
	m.Server = cgminertest.NewServer(func(conn net.Conn, req []byte) {
		var enc struct {
			Enc  int    `json:"enc"`
			Data string `json:"data"`
		}
		if json.Unmarshal(req, &enc) != nil || enc.Enc != 1 {
			plain(conn, req)
			return
		}
		conn.Write(append(m.write(enc.Data), 0))
	})
	tb.Cleanup(m.Close)
	return m
}

// write handles one encrypted write as btminer does: decrypt with the key
// from the password, check the token, answer encrypted.
func (m *v2Miner) write(data string) []byte {
	key := whatsminer.MD5CryptHash(m.Password, fakeSalt)
	sign := whatsminer.MD5CryptHash(key+fakeTime, fakeNewSalt)
	aes := whatsminer.AESKey(key)
	plain, err := whatsminer.DecryptECB(aes, data)
	var cmd map[string]any
	if err != nil || json.Unmarshal(plain, &cmd) != nil || cmd["token"] != sign {
		return []byte(`{"STATUS":"E","When":1773871985,"Code":135,"Msg":"check token err","Description":""}`)
	}
	m.mu.Lock()
	m.writes = append(m.writes, cmd)
	m.mu.Unlock()
	if m.WriteReply != nil {
		return m.WriteReply
	}
	ok, _ := whatsminer.EncryptECB(aes, []byte(`{"STATUS":"S","When":1773871985,"Code":131,"Msg":"ok","Description":""}`))
	return []byte(`{"enc":"` + ok + `"}`)
}

// Writes returns the decrypted writes received, token removed.
func (m *v2Miner) Writes() []map[string]any {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]map[string]any, len(m.writes))
	for i, w := range m.writes {
		c := map[string]any{}
		for k, v := range w {
			if k != "token" {
				c[k] = v
			}
		}
		out[i] = c
	}
	return out
}

// v3Miner is a fake API v3 btminer on its own port: it answers reads from
// the v3 fixtures and checks and records signed writes.
type v3Miner struct {
	Addr     string
	Port     int
	Account  string
	Password string
	// Handler, when set, serves connections instead (hostile tests).
	Handler func(conn net.Conn)

	ln     net.Listener
	wg     sync.WaitGroup
	mu     sync.Mutex
	writes []v3Write
	conns  map[net.Conn]bool
	tb     testing.TB
}

// v3Write is a write the fake accepted, its param decrypted where needed.
type v3Write struct {
	Cmd   string
	Param any
}

const fakeV3Salt = "uhCiDyVj"

func newV3Miner(tb testing.TB) *v3Miner {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	m := &v3Miner{ln: ln, Addr: ln.Addr().String(), Port: ln.Addr().(*net.TCPAddr).Port,
		Account: "super", Password: "super", conns: map[net.Conn]bool{}, tb: tb}
	replies := map[string][]byte{
		"get.device.info":          fixture(tb, "v3/get_device_info.json"),
		"get.miner.status/summary": fixture(tb, "v3/get_miner_status_summary.json"),
		"get.miner.status/edevs":   fixture(tb, "v3/get_miner_status_edevs.json"),
		"get.miner.status/pools":   fixture(tb, "v3/get_miner_status_pools.json"),
	}
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			m.mu.Lock()
			m.conns[conn] = true
			m.mu.Unlock()
			m.wg.Add(1)
			go func() {
				defer m.wg.Done()
				defer conn.Close()
				m.mu.Lock() // the test sets Handler while the fake runs
				h := m.Handler
				m.mu.Unlock()
				if h != nil {
					h(conn)
					return
				}
				req, err := readFrame(conn)
				if err != nil {
					return
				}
				writeFrame(conn, m.answer(req, replies))
			}()
		}
	}()
	tb.Cleanup(m.Close)
	return m
}

func (m *v3Miner) Close() {
	m.ln.Close()
	m.mu.Lock()
	for c := range m.conns {
		c.Close()
	}
	m.mu.Unlock()
	m.wg.Wait()
}

func (m *v3Miner) answer(raw []byte, replies map[string][]byte) []byte {
	var req struct {
		Cmd     string          `json:"cmd"`
		Param   json.RawMessage `json:"param"`
		Token   string          `json:"token"`
		Account string          `json:"account"`
		TS      int64           `json:"ts"`
	}
	if err := json.Unmarshal(raw, &req); err != nil {
		return []byte(`{"code":-1,"msg":"invalid json"}`)
	}
	var param any
	json.Unmarshal(req.Param, &param)
	if len(req.Cmd) > 4 && req.Cmd[:4] == "set." {
		sum := sha256.Sum256([]byte(req.Cmd + m.Password + fakeV3Salt + strconv.FormatInt(req.TS, 10)))
		if req.Account != m.Account || req.Token != base64.StdEncoding.EncodeToString(sum[:])[:8] {
			return []byte(`{"code":-2,"msg":"invalid token"}`)
		}
		if req.Cmd == "set.miner.pools" {
			s, _ := param.(string)
			plain, err := whatsminer.DecryptECB(sum[:], s)
			if err != nil || json.Unmarshal(plain, &param) != nil {
				return []byte(`{"code":-3,"msg":"bad param"}`)
			}
		}
		m.mu.Lock()
		m.writes = append(m.writes, v3Write{req.Cmd, param})
		m.mu.Unlock()
		return fmt.Appendf(nil, `{"code":0,"desc":%q,"msg":"ok","when":%d}`, req.Cmd, time.Now().Unix())
	}
	if req.Cmd == "get.device.info" && param == "salt" {
		return []byte(`{"code":0,"desc":"get.device.info","msg":{"salt":"` + fakeV3Salt + `"},"when":1773869570}`)
	}
	key := req.Cmd
	if s, ok := param.(string); ok {
		key += "/" + s
	}
	if r, ok := replies[key]; ok {
		return r
	}
	return []byte(`{"code":-1,"desc":"` + req.Cmd + `","msg":"unknown command"}`)
}

func (m *v3Miner) Writes() []v3Write {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]v3Write(nil), m.writes...)
}

func readFrame(r io.Reader) ([]byte, error) {
	var head [4]byte
	if _, err := io.ReadFull(r, head[:]); err != nil {
		return nil, err
	}
	n := binary.LittleEndian.Uint32(head[:])
	if n > 1<<20 {
		return nil, fmt.Errorf("frame too large")
	}
	b := make([]byte, n)
	_, err := io.ReadFull(r, b)
	return b, err
}

func writeFrame(w io.Writer, b []byte) {
	w.Write(binary.LittleEndian.AppendUint32(nil, uint32(len(b))))
	w.Write(b)
}

// targetOf returns the target of a fake at addr.
func targetOf(tb testing.TB, addr string) hearth.Target {
	tb.Helper()
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		tb.Fatal(err)
	}
	p, _ := strconv.Atoi(port)
	return hearth.Target{Address: host, Port: p}
}

// closedPort returns a loopback port nothing listens on.
func closedPort(tb testing.TB) int {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	p := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	return p
}

// newDriver returns a driver whose API v3 is at v3Port, with a short
// timeout for the hostile tests.
func newDriver(v3Port int) *whatsminer.Driver {
	d := whatsminer.New()
	d.V3Port = v3Port
	d.Timeout = 2 * time.Second
	d.RPC.Timeout = 2 * time.Second
	return d
}

// v3Only starts a v3 fake and returns a driver and target that reach it
// with 4028 closed, as on a v3-only firmware.
func v3Only(tb testing.TB) (*whatsminer.Driver, hearth.Target, *v3Miner) {
	m := newV3Miner(tb)
	d := newDriver(m.Port)
	return d, hearth.Target{Address: "127.0.0.1", Port: closedPort(tb)}, m
}

// v3ByVersion starts a v2 fake answering get_version with a 2025 firmware
// (so API v3 is chosen) and a v3 fake.
func v3ByVersion(tb testing.TB) (*whatsminer.Driver, hearth.Target, *v3Miner) {
	m := newV3Miner(tb)
	v2 := cgminertest.NewServer(cgminertest.Replies(map[string][]byte{
		"get_version": []byte(`{"STATUS":"S","When":1773869570,"Code":131,"Msg":{"api_ver":"3.0.2","fw_ver":"20251209.16.Rel2","platform":"H616"},"Description":""}`),
	}))
	tb.Cleanup(v2.Close)
	return newDriver(m.Port), targetOf(tb, v2.Addr), m
}

// newCgminer starts a plain fake cgminer answering replies.
func newCgminer(tb testing.TB, replies map[string][]byte) *cgminertest.Server {
	srv := cgminertest.NewServer(cgminertest.Replies(replies))
	tb.Cleanup(srv.Close)
	return srv
}

func containsAny(s string, subs ...string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}
