package sim

import "time"

// logWriter renders a firmware log whose lines are stamped relative to
// the start of the mining process, so that a log generated from a
// snapshot tells the same story (boot, boards, pools, warnings) as the
// readings of that snapshot.
type logWriter struct {
	b      []byte
	boot   time.Time
	layout string // time layout of each line's stamp, followed by a space
}

// newLogWriter starts a log into b for the process that started uptime
// seconds before snapshot s.
func newLogWriter(b []byte, s *snapshot, layout string) *logWriter {
	return &logWriter{b: b, boot: time.Unix(s.unix-int64(s.uptime), 0).UTC(), layout: layout}
}

// line appends one line stamped offset seconds after the start.
func (w *logWriter) line(offset int, text ...string) {
	w.b = w.boot.Add(time.Duration(offset)*time.Second).AppendFormat(w.b, w.layout)
	w.b = append(w.b, ' ')
	for _, t := range text {
		w.b = append(w.b, t...)
	}
	w.b = append(w.b, '\n')
}
