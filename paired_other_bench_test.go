//go:build !unix

package kyc_test

import "time"

// processCPU is not read here: paired benchmarks report wall time only.
func processCPU() time.Duration { return 0 }
