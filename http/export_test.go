package http

// APIRoutes returns the REST API's operations as "METHOD /pattern", for the
// test that holds the OpenAPI document to the routes served.
func APIRoutes() []string {
	var out []string
	for _, rt := range (&Server{}).apiRoutes() {
		out = append(out, rt.method+" "+rt.pattern)
	}
	return out
}
