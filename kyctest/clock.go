package kyctest

import (
	"sync/atomic"
	"time"
)

// Clock is real time plus an offset that tests move forward. It decides every lifetime the fake
// server enforces (tokens, tickets, the one-minute overlap), and its Now method satisfies the
// client's clock interface, so one Clock can drive both sides: kyc.WithClock(srv.Clock).
// It is safe for concurrent use; the zero value follows real time.
type Clock struct {
	offset atomic.Int64 // nanoseconds added to time.Now
}

// NewClock returns a clock that follows real time (offset 0).
func NewClock() *Clock { return &Clock{} }

// Now returns real time plus the offset.
func (c *Clock) Now() time.Time {
	return time.Now().Add(time.Duration(c.offset.Load()))
}

// Advance moves the clock forward by d (a negative d moves it back). Real time keeps flowing
// underneath.
func (c *Clock) Advance(d time.Duration) {
	c.offset.Add(int64(d))
}
