package openadr

// TargetResourceName is the 3.0.1 target type naming a VEN's resources;
// hearth reports each site as a resource named after it.
const TargetResourceName = "RESOURCE_NAME"

// eventSites returns the sites of pc that event e applies to. An event
// whose targets name some of the program's sites, as RESOURCE_NAME values
// (3.0.1) or as plain target labels (3.1.0), applies to those sites only.
// An event whose targets name none of them applies to all: the VTN sent it
// to this VEN, and its targets are groups or names hearth cannot map.
func eventSites(e *Event, pc *ProgramConfig) []string {
	named := map[string]bool{}
	for _, t := range e.Targets {
		switch {
		case t.Type == "":
			named[t.Value] = true
		case t.Type == TargetResourceName:
			for _, v := range t.Values {
				named[v] = true
			}
		}
	}
	var out []string
	for _, site := range pc.Sites {
		if named[site] {
			out = append(out, site)
		}
	}
	if len(out) == 0 {
		return append([]string(nil), pc.Sites...)
	}
	return out
}
