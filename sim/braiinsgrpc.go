package sim

// startBraiinsGRPC starts the gRPC server of the simulated Braiins OS
// miners and sets s.fw.grpc and s.fw.stopGRPC.
func (s *Sim) startBraiinsGRPC() {}
