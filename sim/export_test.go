package sim

// MixDetailForTest folds one event detail into a fresh data hash.
func MixDetailForTest(s string) uint64 { return mixDetail(0, s) }
