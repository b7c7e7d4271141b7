// Package mqtttest runs a real MQTT broker (Eclipse Mosquitto) for tests:
// each test gets its own mosquitto on a free loopback port, configured in a
// temporary directory, and a client to publish with. A machine without the
// mosquitto binary fails the test with how to install it (scripts/test
// installs the Debian package): a test that needs a broker must not pass
// by skipping.
package mqtttest

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
)

// Broker is a running mosquitto.
type Broker struct {
	// URL is the broker's address for clients, tcp://127.0.0.1:PORT.
	URL string
	// Port is the TCP port it listens on.
	Port int

	t      testing.TB
	dir    string
	mu     sync.Mutex
	cmd    *exec.Cmd
	done   chan struct{}
	stderr *lockedBuffer
}

// Binary returns the path of the mosquitto binary, which Debian installs
// in /usr/sbin (often not on a user's PATH), or an error saying how to get
// it.
func Binary() (string, error) {
	if p, err := exec.LookPath("mosquitto"); err == nil {
		return p, nil
	}
	for _, p := range []string{"/usr/sbin/mosquitto", "/usr/local/sbin/mosquitto", "/opt/homebrew/sbin/mosquitto"} {
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("the MQTT tests need the mosquitto broker and it is not installed: run scripts/test, which installs it, or apt-get install mosquitto")
}

// Start runs a mosquitto that allows anonymous clients on a free loopback
// port, and stops it when the test ends. It fails the test when mosquitto
// is missing or does not come up.
func Start(t testing.TB) *Broker {
	t.Helper()
	return launch(t, "allow_anonymous true\n")
}

// StartWithUser runs a mosquitto that admits only user with password.
func StartWithUser(t testing.TB, user, password string) *Broker {
	t.Helper()
	dir := t.TempDir()
	passwd := filepath.Join(dir, "passwd")
	tool, err := exec.LookPath("mosquitto_passwd")
	if err != nil {
		t.Fatalf("the MQTT tests need mosquitto_passwd (Debian package mosquitto): %v", err)
	}
	if out, err := exec.Command(tool, "-b", "-c", passwd, user, password).CombinedOutput(); err != nil {
		t.Fatalf("mosquitto_passwd: %v: %s", err, out)
	}
	return launch(t, "allow_anonymous false\npassword_file "+passwd+"\n")
}

// launch runs mosquitto with the access lines auth.
func launch(t testing.TB, auth string) *Broker {
	t.Helper()
	bin, err := Binary()
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	b := &Broker{URL: fmt.Sprintf("tcp://127.0.0.1:%d", port), Port: port, t: t, dir: t.TempDir()}
	conf := fmt.Sprintf("listener %d 127.0.0.1\npersistence false\nlog_dest stderr\n", port) + auth
	if os.Geteuid() == 0 {
		// As root mosquitto would drop to a user named mosquitto.
		if u, err := user.Current(); err == nil {
			conf += "user " + u.Username + "\n"
		}
	}
	if err := os.WriteFile(filepath.Join(b.dir, "mosquitto.conf"), []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	b.start(bin)
	t.Cleanup(b.Stop)
	return b
}

// start runs mosquitto with the config and waits until it accepts
// connections.
func (b *Broker) start(bin string) {
	b.t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	b.stderr = &lockedBuffer{}
	cmd := exec.Command(bin, "-c", filepath.Join(b.dir, "mosquitto.conf"))
	cmd.Stdout, cmd.Stderr = b.stderr, b.stderr
	if err := cmd.Start(); err != nil {
		b.t.Fatalf("start mosquitto: %v", err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	b.cmd, b.done = cmd, done
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(b.Port), time.Second)
		if err == nil {
			c.Close()
			return
		}
		select {
		case <-done:
			b.t.Fatalf("mosquitto exited at start:\n%s", b.stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("mosquitto did not listen on %d within 10 s:\n%s", b.Port, b.stderr.String())
		}
	}
}

// Stop stops the broker; clients lose their connection.
func (b *Broker) Stop() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.cmd == nil {
		return
	}
	b.cmd.Process.Kill()
	<-b.done
	b.cmd = nil
}

// Restart stops the broker and starts it again on the same port, so that
// tests can check that clients reconnect.
func (b *Broker) Restart() {
	b.t.Helper()
	b.Stop()
	bin, err := Binary()
	if err != nil {
		b.t.Fatal(err)
	}
	b.start(bin)
}

// Publish sends payload to topic with QoS 1 from a fresh client and waits
// until the broker has it.
func (b *Broker) Publish(t testing.TB, topic, payload string, retained bool) {
	t.Helper()
	b.PublishAs(t, "", "", topic, payload, retained)
}

// PublishAs publishes as user with password, for a broker started with
// StartWithUser.
func (b *Broker) PublishAs(t testing.TB, user, password, topic, payload string, retained bool) {
	t.Helper()
	opts := paho.NewClientOptions().AddBroker(b.URL).SetClientID(fmt.Sprintf("mqtttest-%d", time.Now().UnixNano())).
		SetConnectTimeout(5 * time.Second).SetUsername(user).SetPassword(password)
	c := paho.NewClient(opts)
	if tok := c.Connect(); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		t.Fatalf("connect to %s: %v", b.URL, tok.Error())
	}
	defer c.Disconnect(100)
	if tok := c.Publish(topic, 1, retained, payload); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		t.Fatalf("publish to %s: %v", topic, tok.Error())
	}
}

// lockedBuffer collects mosquitto's log for failure messages.
type lockedBuffer struct {
	mu sync.Mutex
	b  []byte
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.b = append(l.b, p...)
	return len(p), nil
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return string(l.b)
}
