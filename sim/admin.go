package sim

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// AdminHelp documents the admin HTTP API served by AdminHandler. Paths are
// relative to wherever the handler is mounted (use http.StripPrefix to put
// it under a prefix).
const AdminHelp = `Simulator admin API (JSON replies; errors are {"error": "..."}):

  GET    /                       this help and the fault list
  GET    /miners                 every miner: index, name, address, model,
                                 family, ports, MAC, serial, faults.
                                 ?faulted=true lists only miners with faults;
                                 ?offset=N&limit=M pages through the fleet.
  GET    /miners/{index}         one miner
  PUT    /miners/{index}/faults  replace the miner's faults
  POST   /miners/{index}/faults  add faults to the miner
  DELETE /miners/{index}/faults  clear the miner's faults
  POST   /faults                 add faults by spec, e.g. 3:hot,7:offline@30s
  DELETE /faults                 clear every fault

A miner's faults are sent as a comma-separated list of FAULT[@DELAY]
("low-hashrate@60s,hot") or as a JSON array of such strings
(["low-hashrate@60s","hot"]). Delays set here count from the request.
Writes answer with the miners they changed.

`

// AdminHandler returns the HTTP handler of the admin API (AdminHelp): a way
// to look at the fleet and to inject or clear faults while it runs. It is
// not served by Start; the caller mounts it where it wants, typically on a
// loopback port of its own.
func (s *Sim) AdminHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, AdminHelp+FaultHelp+"\n")
	})
	mux.HandleFunc("GET /miners", s.adminListMiners)
	mux.HandleFunc("GET /miners/{index}", func(w http.ResponseWriter, r *http.Request) {
		mi, ok := s.adminMiner(w, r)
		if ok {
			writeAdminJSON(w, http.StatusOK, mi)
		}
	})
	mux.HandleFunc("PUT /miners/{index}/faults", func(w http.ResponseWriter, r *http.Request) {
		s.adminSetFaults(w, r, true)
	})
	mux.HandleFunc("POST /miners/{index}/faults", func(w http.ResponseWriter, r *http.Request) {
		s.adminSetFaults(w, r, false)
	})
	mux.HandleFunc("DELETE /miners/{index}/faults", func(w http.ResponseWriter, r *http.Request) {
		mi, ok := s.adminMiner(w, r)
		if !ok {
			return
		}
		s.ClearFaults(mi.Index)
		mi, _ = s.Miner(mi.Index)
		writeAdminJSON(w, http.StatusOK, mi)
	})
	mux.HandleFunc("POST /faults", s.adminAddSpec)
	mux.HandleFunc("DELETE /faults", func(w http.ResponseWriter, r *http.Request) {
		s.ClearAllFaults()
		writeAdminJSON(w, http.StatusOK, map[string]string{"status": "all faults cleared"})
	})
	return mux
}

// adminMaxBody caps what the admin API reads from a request.
const adminMaxBody = 1 << 20

type adminMinerList struct {
	Total  int         `json:"total"`
	Miners []MinerInfo `json:"miners"`
}

func (s *Sim) adminListMiners(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	faulted := q.Get("faulted") == "true" || q.Get("faulted") == "1"
	offset, err1 := queryInt(q.Get("offset"), 0)
	limit, err2 := queryInt(q.Get("limit"), -1)
	if err1 != nil || err2 != nil {
		writeAdminError(w, http.StatusBadRequest, "offset and limit must be non-negative integers")
		return
	}
	ports := s.ports()
	list := adminMinerList{Miners: []MinerInfo{}}
	for _, m := range s.miners {
		if faulted && len(m.faults.Load().list(m.index)) == 0 {
			continue
		}
		list.Total++
		if list.Total <= offset || (limit >= 0 && len(list.Miners) >= limit) {
			continue
		}
		list.Miners = append(list.Miners, s.info(m, ports))
	}
	writeAdminJSON(w, http.StatusOK, list)
}

func queryInt(v string, def int) (int, error) {
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("bad number %q", v)
	}
	return n, nil
}

// adminMiner resolves the {index} path value, answering 400 or 404 itself.
func (s *Sim) adminMiner(w http.ResponseWriter, r *http.Request) (MinerInfo, bool) {
	text := r.PathValue("index")
	i, err := strconv.Atoi(text)
	if err != nil {
		writeAdminError(w, http.StatusBadRequest, fmt.Sprintf("miner index %q is not a number", text))
		return MinerInfo{}, false
	}
	mi, ok := s.Miner(i)
	if !ok {
		writeAdminError(w, http.StatusNotFound, fmt.Sprintf("no miner %d (the fleet has %d)", i, len(s.miners)))
		return MinerInfo{}, false
	}
	return mi, true
}

func (s *Sim) adminSetFaults(w http.ResponseWriter, r *http.Request, replace bool) {
	mi, ok := s.adminMiner(w, r)
	if !ok {
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, adminMaxBody))
	if err != nil {
		writeAdminError(w, http.StatusBadRequest, "reading the request: "+err.Error())
		return
	}
	items, err := faultItems(body)
	if err != nil {
		writeAdminError(w, http.StatusBadRequest, err.Error())
		return
	}
	var faults []Fault
	for _, item := range items {
		f, err := parseFault(strconv.Itoa(mi.Index) + ":" + item)
		if err != nil {
			writeAdminError(w, http.StatusBadRequest, fmt.Sprintf("fault %q: %v", item, err))
			return
		}
		faults = append(faults, f)
	}
	if err := s.setFaults(mi.Index, faults, replace); err != nil {
		writeAdminError(w, http.StatusBadRequest, err.Error())
		return
	}
	mi, _ = s.Miner(mi.Index)
	writeAdminJSON(w, http.StatusOK, mi)
}

// faultItems reads a fault list: a JSON array of strings or plain text
// separated by commas.
func faultItems(body []byte) ([]string, error) {
	text := strings.TrimSpace(string(body))
	var items []string
	if strings.HasPrefix(text, "[") {
		if err := json.Unmarshal([]byte(text), &items); err != nil {
			return nil, fmt.Errorf("fault list: want a JSON array of strings: %v", err)
		}
	} else if text != "" {
		items = strings.Split(text, ",")
	}
	for i := range items {
		items[i] = strings.TrimSpace(items[i])
		if strings.Contains(items[i], ":") {
			return nil, fmt.Errorf("fault %q: give FAULT[@DELAY] without an index; the path names the miner", items[i])
		}
	}
	return items, nil
}

// setFaults validates faults for miner i and then applies them together,
// replacing the miner's faults or adding to them.
func (s *Sim) setFaults(i int, faults []Fault, replace bool) error {
	m := s.miners[i]
	for _, f := range faults {
		if err := checkFaultFits(f.Kind, m.model); err != nil {
			return fmt.Errorf("fault %s on %s: %w", f, m.name, err)
		}
	}
	t := s.elapsed()
	s.changeFaults(m, t, func(old []scheduledFault) []scheduledFault {
		var out []scheduledFault
		for _, o := range old {
			if replace {
				break
			}
			keep := true
			for _, f := range faults {
				keep = keep && o.kind != f.Kind
			}
			if keep {
				out = append(out, o)
			}
		}
		for _, f := range faults {
			out = append(out, scheduledFault{kind: f.Kind, bit: bitOf(f.Kind), at: t + f.Delay.Seconds()})
		}
		return out
	})
	return nil
}

func (s *Sim) adminAddSpec(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, adminMaxBody))
	if err != nil {
		writeAdminError(w, http.StatusBadRequest, "reading the request: "+err.Error())
		return
	}
	faults, err := ParseFaults(string(body))
	if err != nil {
		writeAdminError(w, http.StatusBadRequest, err.Error())
		return
	}
	// Check everything first so that a bad item changes nothing.
	for _, f := range faults {
		if f.Index >= len(s.miners) {
			writeAdminError(w, http.StatusBadRequest, fmt.Sprintf("fault %s: no miner %d (the fleet has %d)", f, f.Index, len(s.miners)))
			return
		}
		if err := checkFaultFits(f.Kind, s.miners[f.Index].model); err != nil {
			writeAdminError(w, http.StatusBadRequest, fmt.Sprintf("fault %s: %v", f, err))
			return
		}
	}
	changed := []MinerInfo{}
	seen := map[int]bool{}
	for _, f := range faults {
		if err := s.SetFault(f); err != nil {
			writeAdminError(w, http.StatusBadRequest, err.Error())
			return
		}
		seen[f.Index] = true
	}
	for _, f := range faults {
		if seen[f.Index] {
			mi, _ := s.Miner(f.Index)
			changed = append(changed, mi)
			seen[f.Index] = false
		}
	}
	writeAdminJSON(w, http.StatusOK, changed)
}

func writeAdminJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

func writeAdminError(w http.ResponseWriter, status int, msg string) {
	writeAdminJSON(w, status, map[string]string{"error": msg})
}
