package sim

import (
	"net/http"
	"time"
)

// The Antminer web interface: lighttpd serving CGI scripts behind HTTP
// Digest authentication. Every path, the root included, wants credentials;
// the unauthenticated 401 with realm "antMiner Configuration" is how
// scanners recognise an Antminer. The simulator serves the page hearth
// identifies with, get_system_info.cgi.

// antWebUnauthorized is lighttpd's 401 page.
const antWebUnauthorized = `<?xml version="1.0" encoding="iso-8859-1"?>
<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN"
         "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en" lang="en">
 <head>
  <title>401 - Unauthorized</title>
 </head>
 <body>
  <h1>401 - Unauthorized</h1>
 </body>
</html>
`

// antWebNotFound is lighttpd's 404 page.
const antWebNotFound = `<?xml version="1.0" encoding="iso-8859-1"?>
<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN"
         "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en" lang="en">
 <head>
  <title>404 - Not Found</title>
 </head>
 <body>
  <h1>404 - Not Found</h1>
 </body>
</html>
`

// antWebRootPage stands in for the Antminer web UI's frame page.
const antWebRootPage = `<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<title>Antminer</title>
</head>
<body>
<div id="app">Antminer Configuration</div>
</body>
</html>
`

// antWebKernel is the system_kernel_version of the simulated control boards.
const antWebKernel = "Linux 4.9.113 #1 SMP PREEMPT Thu Oct 9 18:55:45 CST 2025"

// antWebReply answers one request to a simulated Antminer's web server,
// rendering into buf.
func (s *Sim) antWebReply(r *http.Request, m *miner, snap *snapshot, now time.Time, buf []byte) httpReply {
	switch s.auth.verify(r.Header.Get("Authorization"), r.Method, r.RequestURI, m.index, now) {
	case authOK:
	case authStale:
		return httpReply{status: http.StatusUnauthorized, contentType: "text/html",
			wwwAuth: s.auth.challenge(m.index, now, true), body: append(buf, antWebUnauthorized...)}
	default:
		return httpReply{status: http.StatusUnauthorized, contentType: "text/html",
			wwwAuth: s.auth.challenge(m.index, now, false), body: append(buf, antWebUnauthorized...)}
	}
	switch r.URL.Path {
	case "/", "/index.html":
		return httpReply{status: http.StatusOK, contentType: "text/html", body: append(buf, antWebRootPage...)}
	case "/cgi-bin/get_system_info.cgi":
		return httpReply{status: http.StatusOK, contentType: "application/json", body: appendSystemInfo(buf, m)}
	case "/cgi-bin/log.cgi":
		st := m.settingsAt(snap.t)
		return httpReply{status: http.StatusOK, contentType: "text/plain", body: appendAntLog(buf, m, snap, &st)}
	}
	if reply, ok := s.antControlReply(r, m, buf); ok {
		return reply
	}
	return httpReply{status: http.StatusNotFound, contentType: "text/html", body: append(buf, antWebNotFound...)}
}

// appendSystemInfo writes get_system_info.cgi's JSON, with the fields of
// the captured S21 fixture; hostname is the sim name and ipaddress the
// miner's loopback address.
func appendSystemInfo(b []byte, m *miner) []byte {
	b = append(b, '{')
	b = appendJSONField(b, true, "minertype", m.model.Name)
	b = appendJSONField(b, false, "nettype", "DHCP")
	b = appendJSONField(b, false, "netdevice", "eth0")
	b = appendJSONField(b, false, "macaddr", m.macString())
	b = appendJSONField(b, false, "hostname", m.name)
	b = appendJSONField(b, false, "ipaddress", m.addr.String())
	b = appendJSONField(b, false, "netmask", "255.255.255.0")
	b = appendJSONField(b, false, "gateway", "")
	b = appendJSONField(b, false, "dnsservers", "")
	b = appendJSONField(b, false, "system_mode", "GNU/Linux")
	b = appendJSONField(b, false, "system_kernel_version", antWebKernel)
	b = appendJSONField(b, false, "system_filesystem_version", m.model.fsVersion)
	b = appendJSONField(b, false, "firmware_type", "Release")
	b = appendJSONField(b, false, "serinum", m.serial)
	return append(b, '}')
}

// appendJSONField writes "name":"value" with JSON escaping, preceded by a
// comma unless it is the first field.
func appendJSONField(b []byte, first bool, name, value string) []byte {
	if !first {
		b = append(b, ',')
	}
	b = appendCJSONString(b, name)
	b = append(b, ':')
	return appendCJSONString(b, value)
}
