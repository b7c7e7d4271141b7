package main

import (
	"archive/zip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/diag"
	hearthhttp "github.com/hearth-fleet/hearth/http"
)

// diagSaved is what 'hearth diag --json' prints: where the bundle went and
// its manifest.
type diagSaved struct {
	Path     string        `json:"path"`
	Bytes    int64         `json:"bytes"`
	Manifest diag.Manifest `json:"manifest"`
}

// runDiag downloads a miner's diagnostics bundle through the server and
// summarises what it holds.
func runDiag(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("hearth diag", "hearth diag MINER [-o FILE] [flags]",
		"Collect a miner's diagnostics into one zip archive to attach to a support request: its firmware\n"+
			"log where the firmware offers one, its latest reading and the last 24 hours of its key series,\n"+
			"its configuration and desired state, its alerts, its poll errors and the commands sent to it.\n"+
			"The archive holds no password or token. MINER is a miner ID, address or host name. The file\n"+
			"is saved under the server's name (hearth-diag-MINER-TIME.zip) in the current directory\n"+
			"unless -o names another file or directory.", stderr)
	cf := &clientFlags{}
	cf.register(fs)
	var out string
	fs.StringVar(&out, "o", "", "file to save the archive to, or a directory to save it in under the server's file name (default: the current directory)")
	arg, err := oneArg(fs, args, "hearth diag", "miner", stderr)
	if err != nil {
		return err
	}
	c := cf.client()
	id, err := resolveMiner(ctx, c, arg)
	if err != nil {
		return err
	}

	// -o names the file, or a directory to save under the server's name.
	dir, intoDir := ".", out == ""
	if st, err := os.Stat(out); out != "" && err == nil && st.IsDir() {
		dir, intoDir = out, true
	} else if out != "" {
		dir = filepath.Dir(out)
	}
	tmp, err := os.CreateTemp(dir, ".hearth-diag-*.zip")
	if err != nil {
		return fmt.Errorf("diagnostics file: %w", err)
	}
	defer os.Remove(tmp.Name()) // gone after the rename; left only on failure
	defer tmp.Close()

	bar := newBar(stderr, "collecting diagnostics of "+id, -1, "bytes")
	stop := keepDrawing(bar, 200*time.Millisecond)
	name, err := c.DownloadDiagnostics(ctx, id, &countingWriter{w: tmp, p: bar})
	stop()
	bar.finish()
	if err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("diagnostics file: %w", err)
	}
	path := out
	if intoDir {
		path = filepath.Join(dir, filepath.Base(name))
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("save diagnostics: %w", err)
	}
	saved, err := readDiagManifest(path)
	if err != nil {
		return err
	}
	if cf.json {
		return writeJSON(stdout, saved)
	}
	fmt.Fprintf(stdout, "saved %s (%d bytes): diagnostics of %s at %s\n\n", saved.Path, saved.Bytes,
		saved.Manifest.MinerID, saved.Manifest.GeneratedAt.Format(time.RFC3339))
	t := newTable(stdout, "PART", "STATUS", "DETAIL")
	for _, p := range saved.Manifest.Parts {
		t.row(p.Name, p.Status, partDetail(p))
	}
	return t.flush()
}

// partDetail is the table's word on one part: why it is missing, or its
// size, count, source and truncation.
func partDetail(p diag.Part) string {
	if p.Status != diag.PartOK {
		return p.Reason
	}
	parts := []string{fmt.Sprintf("%d bytes", p.Bytes)}
	if p.Items > 0 {
		parts = append(parts, fmt.Sprintf("%d items", p.Items))
	}
	if p.Source != "" {
		parts = append(parts, "from "+p.Source)
	}
	if p.Truncated {
		parts = append(parts, "truncated")
	}
	return strings.Join(parts, ", ")
}

// readDiagManifest reads the manifest of the archive at path, which also
// checks that what was saved is a whole archive.
func readDiagManifest(path string) (*diagSaved, error) {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return nil, hearth.WrapError(hearth.EPROTOCOL, err, "The saved diagnostics %s are not a whole zip archive.", path)
	}
	defer zr.Close()
	f, err := zr.Open(diag.ManifestName)
	if err != nil {
		return nil, hearth.WrapError(hearth.EPROTOCOL, err, "The diagnostics %s have no manifest.", path)
	}
	defer f.Close()
	saved := &diagSaved{Path: path}
	if err := json.NewDecoder(f).Decode(&saved.Manifest); err != nil {
		return nil, hearth.WrapError(hearth.EPROTOCOL, err, "The manifest of %s does not decode.", path)
	}
	if st, err := os.Stat(path); err == nil {
		saved.Bytes = st.Size()
	}
	return saved, nil
}

// resolveMiner turns what the user typed (an ID, an address or a host
// name) into a miner ID: an ID is used as it is, otherwise exactly one
// miner must have that address or host name.
func resolveMiner(ctx context.Context, c *hearthhttp.Client, arg string) (string, error) {
	_, err := c.GetMiner(ctx, arg)
	if err == nil || hearth.ErrorCode(err) != hearth.ENOTFOUND {
		return arg, err
	}
	list, lerr := c.ListMiners(ctx, hearthhttp.MinerQuery{Query: arg})
	if lerr != nil {
		return "", lerr
	}
	var ids []string
	for _, m := range list.Miners {
		if strings.EqualFold(m.Address, arg) || strings.EqualFold(m.Hostname, arg) {
			ids = append(ids, m.ID)
		}
	}
	switch len(ids) {
	case 0:
		return "", hearth.Errorf(hearth.ENOTFOUND, "No miner has the ID, address or host name %q.", arg)
	case 1:
		return ids[0], nil
	}
	return "", hearth.Errorf(hearth.EINVALID, "Several miners answer to %q (%s); name one by its ID.", arg, strings.Join(ids, ", "))
}

// countingWriter passes writes to w and counts them on a progress bar.
type countingWriter struct {
	w io.Writer
	p *progress
}

func (c *countingWriter) Write(b []byte) (int, error) {
	n, err := c.w.Write(b)
	c.p.add(n)
	return n, err
}

// keepDrawing redraws p every interval until stop is called, so that the
// spinner moves while the server is still waiting for the miner's log and
// no byte has arrived yet.
func keepDrawing(p *progress, every time.Duration) (stop func()) {
	if p == nil {
		return func() {}
	}
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				p.add(0)
			}
		}
	}()
	return func() { close(done); <-finished }
}
