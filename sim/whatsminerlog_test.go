package sim_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"encoding/json"
	"io"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth/sim"
)

// The log download answers a frame announcing the archive's size, then
// streams exactly that many bytes of gzipped tar, then closes.
func TestWhatsminerV3LogDownload(t *testing.T) {
	_, mi := wmSim(t, sim.ModelM60S)
	c, err := net.DialTimeout("tcp", net.JoinHostPort(mi.Address.String(), strconv.Itoa(mi.APIPort)), 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	req := []byte(`{"cmd":"get.log.download"}`)
	c.Write(binary.LittleEndian.AppendUint32(nil, uint32(len(req))))
	c.Write(req)
	var head [4]byte
	if _, err := io.ReadFull(c, head[:]); err != nil {
		t.Fatal(err)
	}
	frame := make([]byte, binary.LittleEndian.Uint32(head[:]))
	if _, err := io.ReadFull(c, frame); err != nil {
		t.Fatal(err)
	}
	var reply struct {
		Code int    `json:"code"`
		Desc string `json:"desc"`
		Msg  struct {
			LogSize string `json:"logsize"`
		} `json:"msg"`
	}
	if err := json.Unmarshal(frame, &reply); err != nil || reply.Code != 0 || reply.Desc != "get.log.download" {
		t.Fatalf("reply %s: %v", frame, err)
	}
	size, err := strconv.Atoi(reply.Msg.LogSize)
	if err != nil || size <= 0 {
		t.Fatalf("logsize %q", reply.Msg.LogSize)
	}
	archive, err := io.ReadAll(c)
	if err != nil || len(archive) != size {
		t.Fatalf("read %d archive bytes of %d announced (%v)", len(archive), size, err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(archive))
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(zr)
	files := map[string]string{}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(tr)
		files[h.Name] = string(b)
	}
	miner := files["log/btminer.log"]
	for _, want := range []string{"[INFO] btminer 20251209.16.Rel2 start, miner type M60S_VK40", "SM0: find ", "SM2: find ", "pool1 stratum+tcp://", "up-freq finish"} {
		if !strings.Contains(miner, want) {
			t.Errorf("btminer.log lacks %q:\n%s", want, miner)
		}
	}
	if !strings.Contains(files["log/messages"], "kernel: Booting Linux") {
		t.Errorf("messages %q", files["log/messages"])
	}
}
