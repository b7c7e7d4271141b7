package braiins

// Full gRPC method names of the Braiins OS public API (package
// braiins.bos.v1) the driver calls.
const (
	methodLogin          = "/braiins.bos.v1.AuthenticationService/Login"
	methodMinerDetails   = "/braiins.bos.v1.MinerService/GetMinerDetails"
	methodMinerStats     = "/braiins.bos.v1.MinerService/GetMinerStats"
	methodHashboards     = "/braiins.bos.v1.MinerService/GetHashboards"
	methodCoolingState   = "/braiins.bos.v1.CoolingService/GetCoolingState"
	methodTunerState     = "/braiins.bos.v1.PerformanceService/GetTunerState"
	methodPoolGroups     = "/braiins.bos.v1.PoolService/GetPoolGroups"
	methodReboot         = "/braiins.bos.v1.ActionsService/Reboot"
	methodRestart        = "/braiins.bos.v1.ActionsService/Restart"
	methodPause          = "/braiins.bos.v1.ActionsService/PauseMining"
	methodResume         = "/braiins.bos.v1.ActionsService/ResumeMining"
	methodSetLocate      = "/braiins.bos.v1.ActionsService/SetLocateDeviceStatus"
	methodSetPowerTarget = "/braiins.bos.v1.PerformanceService/SetPowerTarget"
	methodSetPoolGroups  = "/braiins.bos.v1.PoolService/SetPoolGroups"
	methodSetCoolingMode = "/braiins.bos.v1.CoolingService/SetCoolingMode"
	methodGetLog         = "/braiins.bos.v1.MinerService/GetLog"
)
