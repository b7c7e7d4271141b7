package sim

import (
	"context"
	"io"
	"log"
	"net/http"
	"time"
)

// epicAPIKey marks, in a request's context, a request that arrived on the
// RPC port, where ePIC's UMC serves its HTTP API (port 80 has its web
// dashboard).
type epicAPIKey struct{}

// onEPICAPIPort reports whether r came through the ePIC API server.
func onEPICAPIPort(r *http.Request) bool {
	on, _ := r.Context().Value(epicAPIKey{}).(bool)
	return on
}

// startEPICHTTP starts the HTTP server that answers on the RPC port of the
// simulated ePIC UMC miners and sets s.fw.epic and s.fw.stopEPIC. The
// RPC accept loop hands it the connections to ePIC miners; it serves them
// through serveHTTP, so faults, reboots and the miner lookup are those of
// the web port, with the request marked as one to the API port.
func (s *Sim) startEPICHTTP() {
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s.serveHTTP(w, r.WithContext(context.WithValue(r.Context(), epicAPIKey{}, true)))
		}),
		ReadHeaderTimeout: httpReadHeaderTimeout,
		IdleTimeout:       httpIdleTimeout,
		ErrorLog:          log.New(io.Discard, "", 0),
	}
	ln := newHandoffListener(s.rpcLn.Addr())
	s.fw.epic = ln
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		srv.Serve(ln)
	}()
	s.fw.stopEPIC = func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
		srv.Close()
	}
}
