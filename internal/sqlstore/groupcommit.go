package sqlstore

import (
	"context"
	"database/sql"
	"sync"
	"time"
)

// Execer is what a grouped write runs its statements on: the shared
// transaction of a group, or the write pool when the write is retried on
// its own.
type Execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// groupCommitter commits the small writes of many concurrent callers in
// one transaction. The command journal and the audit log take two to
// four writes per command sent to a miner, and every commit waits for
// the disk: a thousand miners changed at once would otherwise queue a
// few thousand fsyncs behind each other. Each caller still returns only
// once its own write is committed, so nothing acknowledged is lost.
//
// There is no background goroutine: the first caller to find the group
// idle leads it, committing what has queued meanwhile, batch after
// batch, until the queue is empty. The zero value is ready to use.
type groupCommitter struct {
	mu      sync.Mutex
	pending []*groupWrite
	leading bool
	// lastCommit is when the last group was committed: writes are
	// flowing while it is recent, and a new leader then waits for
	// company.
	lastCommit time.Time
}

// groupWrite is one caller's write waiting for its commit.
type groupWrite struct {
	ctx  context.Context
	fn   func(context.Context, Execer) error
	done chan error
}

// groupLinger is how long a new leader waits for other writes to join its
// first transaction. It is far below a person's notice and below a miner's
// round trip, yet long enough for a burst of finishing commands to share
// a commit.
const groupLinger = 4 * time.Millisecond

// groupBusy is how recent the last commit must be for a new leader to
// linger: a write that comes alone after a quiet spell (an operator's
// single command) commits at once, while the writes of a burst (a fleet's
// commands finishing) wait for each other.
const groupBusy = 25 * time.Millisecond

// maxGroup bounds the writes of one transaction, so that a long queue is
// committed in steps and the first callers are not held by the last.
const maxGroup = 512

// do runs fn in a transaction shared with the other callers waiting at the
// same time and returns its outcome once committed. fn may run twice:
// when another write of the group fails, the transaction is rolled back
// and every write is retried in its own, so one caller's bad value costs
// the others nothing. fn must therefore set its results afresh each time.
func (g *groupCommitter) do(ctx context.Context, db *DB, fn func(context.Context, Execer) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	w := &groupWrite{ctx: context.WithoutCancel(ctx), fn: fn, done: make(chan error, 1)}
	g.mu.Lock()
	g.pending = append(g.pending, w)
	if g.leading {
		g.mu.Unlock()
		return <-w.done
	}
	g.leading = true
	// A leader that finds itself alone while writes are flowing waits a
	// moment for company: writes that arrive one by one, as a fleet's
	// commands finish, would otherwise each pay for a transaction and a
	// disk flush of their own.
	if g.lingers(time.Now()) {
		g.mu.Unlock()
		time.Sleep(groupLinger)
		g.mu.Lock()
	}
	for len(g.pending) > 0 {
		n := min(len(g.pending), maxGroup)
		batch := g.pending[:n:n]
		g.pending = g.pending[n:]
		g.mu.Unlock()
		commitGroup(db, batch)
		g.mu.Lock()
	}
	g.pending = nil
	g.leading = false
	g.lastCommit = time.Now()
	g.mu.Unlock()
	return <-w.done
}

// lingers reports whether a new leader at now waits for company: its
// group is not full and the last commit was less than groupBusy ago.
// g.mu is held.
func (g *groupCommitter) lingers(now time.Time) bool {
	return len(g.pending) < maxGroup && now.Sub(g.lastCommit) < groupBusy
}

// commitGroup commits batch in one transaction, or each write alone when
// that fails, and tells every caller its outcome.
func commitGroup(db *DB, batch []*groupWrite) {
	if len(batch) == 1 {
		w := batch[0]
		w.done <- w.fn(w.ctx, db.Write())
		return
	}
	if err := commitTogether(db, batch); err == nil {
		for _, w := range batch {
			w.done <- nil
		}
		return
	}
	for _, w := range batch {
		w.done <- w.fn(w.ctx, db.Write())
	}
}

// commitTogether runs every write of batch in one transaction and commits
// it; any error rolls it all back. Each distinct statement is prepared
// once for the whole batch: hundreds of journal entries share two or
// three statements, and preparing costs more than running them.
func commitTogether(db *DB, batch []*groupWrite) error {
	ctx := batch[0].ctx
	tx, err := db.BeginWrite(ctx, NoLock)
	if err != nil {
		return err
	}
	x := &preparedTx{tx: tx, stmts: map[string]*sql.Stmt{}}
	defer x.close()
	for _, w := range batch {
		if err := w.fn(w.ctx, x); err != nil {
			_ = tx.Rollback()
			return err
		}
	}
	return tx.Commit()
}

// preparedTx is an Execer over a transaction that prepares each query
// once and reuses the statement.
type preparedTx struct {
	tx    *sql.Tx
	stmts map[string]*sql.Stmt
}

// stmt returns the prepared statement of query.
func (x *preparedTx) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := x.stmts[query]; ok {
		return st, nil
	}
	st, err := x.tx.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	x.stmts[query] = st
	return st, nil
}

// ExecContext runs query as a prepared statement.
func (x *preparedTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, err := x.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

// QueryRowContext runs query as a prepared statement. A statement that
// cannot be prepared is run unprepared, so that its error reaches the
// caller through Scan as it would without preparing.
func (x *preparedTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := x.stmt(ctx, query)
	if err != nil {
		return x.tx.QueryRowContext(ctx, query, args...)
	}
	return st.QueryRowContext(ctx, args...)
}

// close releases the statements.
func (x *preparedTx) close() {
	for _, st := range x.stmts {
		st.Close()
	}
}
