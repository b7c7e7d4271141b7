package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// progress draws a progress bar on a terminal; on anything else (a pipe, a
// file, CI) it draws nothing so that logs stay clean. A nil *progress is
// valid and draws nothing.
type progress struct {
	mu  sync.Mutex
	bar *progressbar.ProgressBar
}

// newProgressBar returns a bar of unknown length for scans, nil when w is
// not a terminal.
func newProgressBar(w io.Writer, what string) *progress {
	return newBar(w, what, -1, "hosts")
}

// newProgress returns a bar counting to total miners, nil when w is not a
// terminal.
func newProgress(w io.Writer, what string, total int) *progress {
	return newBar(w, what, total, "miners")
}

func newBar(w io.Writer, what string, total int, unit string) *progress {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	return &progress{bar: progressbar.NewOptions(total,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription(what),
		progressbar.OptionShowCount(),
		progressbar.OptionSetItsString(unit),
		progressbar.OptionShowIts(),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish(),
	)}
}

func (p *progress) update(done, total, found int) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar.GetMax() != total {
		p.bar.ChangeMax(total)
	}
	p.bar.Describe(fmt.Sprintf("scanning (%d miners found)", found))
	p.bar.Set(done)
}

// add counts n more done.
func (p *progress) add(n int) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.bar.Add(n)
}

func (p *progress) finish() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.bar.Finish()
}
