package sim

// startEPICHTTP starts the HTTP server that answers on the RPC port of the
// simulated ePIC UMC miners and sets s.fw.epic and s.fw.stopEPIC.
func (s *Sim) startEPICHTTP() {}
