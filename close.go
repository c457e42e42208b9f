package kyc

import (
	"context"
	"fmt"
)

// Close releases what the client holds: it stops the ticket timers and ends background
// refreshes and store re-reads (waiting for them), and closes the idle connections of the HTTP
// transport New made (never those of a client passed with WithHTTPClient). The ticket store is
// the caller's and stays open. Calls made after Close fail with an error matching ErrClosed;
// calls in flight finish as they would have. Close is safe to call more than once.
func (c *Client) Close() error {
	c.bgMu.Lock()
	already := c.closed.Swap(true)
	c.bgMu.Unlock()
	if already {
		return nil
	}
	c.stopBG()
	c.tickets.stop()
	c.bgWG.Wait()
	if c.ownTransport {
		c.hc.CloseIdleConnections()
	}
	return nil
}

// goBackground runs f in a goroutine that Close ends (through ctx) and waits for. It reports
// false, running nothing, once the client is closed.
func (c *Client) goBackground(f func(ctx context.Context)) bool {
	c.bgMu.Lock()
	defer c.bgMu.Unlock()
	if c.closed.Load() {
		return false
	}
	c.bgWG.Add(1)
	go func() {
		defer c.bgWG.Done()
		f(c.bg)
	}()
	return true
}

// errClosed is what calls made after Close return.
func errClosed(op string) error {
	if op == "" {
		return fmt.Errorf("kyc: %w", ErrClosed)
	}
	return fmt.Errorf("kyc: %s: %w", op, ErrClosed)
}
