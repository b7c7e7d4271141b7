package http

import (
	"net/http"

	"github.com/hearth-fleet/hearth"
)

// CredentialList is the body of GET /api/v1/credentials: every stored
// credential, without its password.
type CredentialList struct {
	Credentials []*hearth.MinerCredential `json:"credentials"`
}

// handleListCredentials serves GET /api/v1/credentials.
func (s *Server) handleListCredentials(w http.ResponseWriter, r *http.Request) {
	if s.CredentialService == nil {
		s.writeError(w, r, hearth.Errorf(hearth.ENOTFOUND, "Credentials are not enabled on this server."))
		return
	}
	list, err := s.CredentialService.FindCredentials(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	for _, c := range list {
		c.Password = ""
	}
	writeJSON(w, http.StatusOK, CredentialList{Credentials: list})
}

// handleSetCredential serves PUT /api/v1/credentials. The password is
// stored encrypted and the reply leaves it out.
func (s *Server) handleSetCredential(w http.ResponseWriter, r *http.Request) {
	if s.CredentialService == nil {
		s.writeError(w, r, hearth.Errorf(hearth.ENOTFOUND, "Credentials are not enabled on this server."))
		return
	}
	var c hearth.MinerCredential
	if err := decodeJSON(w, r, &c); err != nil {
		s.writeDecodeError(w, r, err)
		return
	}
	if err := s.CredentialService.SetCredential(r.Context(), &c); err != nil {
		s.writeError(w, r, err)
		return
	}
	c.Password = ""
	s.logger().InfoContext(r.Context(), "credential set", "family", string(c.Family), "site", c.Site, "miner", c.MinerID, "user", c.User)
	writeJSON(w, http.StatusOK, &c)
}

// handleDeleteCredential serves DELETE /api/v1/credentials?family=&site=&miner=.
func (s *Server) handleDeleteCredential(w http.ResponseWriter, r *http.Request) {
	if s.CredentialService == nil {
		s.writeError(w, r, hearth.Errorf(hearth.ENOTFOUND, "Credentials are not enabled on this server."))
		return
	}
	q := r.URL.Query()
	family := q.Get("family")
	if family == "" {
		s.writeError(w, r, hearth.Errorf(hearth.EINVALID, "Give the credential's family (and its site or miner, if it has one)."))
		return
	}
	if err := s.CredentialService.DeleteCredential(r.Context(), hearth.Family(family), q.Get("site"), q.Get("miner")); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
