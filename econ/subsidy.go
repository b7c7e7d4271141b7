package econ

// Consensus constants of Bitcoin that the planner's arithmetic rests on.
const (
	// HalvingInterval is the number of blocks between subsidy halvings.
	HalvingInterval = 210_000
	// InitialSubsidySat is the block subsidy before the first halving, in satoshis.
	InitialSubsidySat = 50 * SatPerBTC
	// SatPerBTC is the number of satoshis in one bitcoin.
	SatPerBTC = 100_000_000
	// RetargetBlocks is the number of blocks between difficulty adjustments.
	RetargetBlocks = 2016
	// TargetSpacingSeconds is the block interval the difficulty aims for.
	TargetSpacingSeconds = 600
	// BlocksPerDay is the number of blocks a day at the target spacing.
	BlocksPerDay = 86400 / TargetSpacingSeconds
	// TwoPow32 is the expected number of hashes per unit of difficulty
	// (2^48/(2^16−1), rounded as every mining tool does).
	TwoPow32 = 4294967296.0
)

// SubsidySat returns the block subsidy at height h in satoshis, exactly as
// Bitcoin Core computes it: 50 BTC shifted right once per 210,000 blocks, and
// zero from the 64th halving on (a shift that would be undefined).
func SubsidySat(h int64) int64 {
	if h < 0 {
		return 0
	}
	n := h / HalvingInterval
	if n >= 64 {
		return 0
	}
	return InitialSubsidySat >> n
}

// SubsidyBTC returns the block subsidy at height h in bitcoin.
func SubsidyBTC(h int64) float64 { return float64(SubsidySat(h)) / SatPerBTC }
