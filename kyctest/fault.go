package kyctest

import (
	"bufio"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"time"
)

// Fault is a failure the server injects into matching requests. A fault may combine a Latency
// with one answer; the answer is chosen in the order Drop, Truncate, Status, Code. A fault with
// only a Latency delays the request, which then goes on to the next matching fault or to its
// normal answer.
type Fault struct {
	Endpoint string        // endpoint name (an Endpoint* constant or an API 3.0 action); "" matches every endpoint
	Times    int           // how many matching requests it affects; 0 (or less) = every one until ClearFaults
	Latency  time.Duration // real time to wait before answering; the wait ends early when the request's context ends
	Status   int           // answer this HTTP status (e.g. 502) with a short plain-text body
	Code     string        // answer HTTP 200 with this code in the normal envelope (e.g. "999999", "400101"; API 3.0 actions: "RequestLimitExceeded" in Response.Error)

	// Drop reads the request, then closes the connection without answering (the handler does
	// not run). Note that net/http resends an idempotent request (a GET without a body) once
	// when this happens on a reused keep-alive connection; the resend is counted and matched
	// like any other request, so use Times 0 or 2 for a GET to fail through a warm client.
	Drop bool

	// Truncate handles the request normally (its effects happen: a token fetch mints a token)
	// and sends the start of the answer under a Content-Length larger than what is written,
	// then closes the connection, so that reading the body fails with io.ErrUnexpectedEOF.
	Truncate bool
}

// answers reports whether the fault ends the request rather than only delaying it.
func (f Fault) answers() bool {
	return f.Drop || f.Truncate || f.Status != 0 || f.Code != ""
}

type activeFault struct {
	Fault
	left int // requests it still affects when Times > 0
}

// Fail adds a fault. Faults apply in the order added: each request takes the matching faults in
// turn, stopping at the first one that answers.
func (s *Server) Fail(f Fault) {
	s.statsMu.Lock()
	defer s.statsMu.Unlock()
	s.faults = append(s.faults, &activeFault{Fault: f, left: f.Times})
}

// ClearFaults removes every fault.
func (s *Server) ClearFaults() {
	s.statsMu.Lock()
	defer s.statsMu.Unlock()
	s.faults = nil
}

// takeFaults returns the faults that apply to one request of endpoint and counts them down.
func (s *Server) takeFaults(endpoint string) []Fault {
	s.statsMu.Lock()
	defer s.statsMu.Unlock()
	var taken []Fault
	kept := s.faults[:0]
	stopped := false
	for _, f := range s.faults {
		if !stopped && (f.Endpoint == "" || f.Endpoint == endpoint) {
			taken = append(taken, f.Fault)
			stopped = f.answers()
			if f.Times > 0 {
				f.left--
				if f.left == 0 {
					continue // used up
				}
			}
		}
		kept = append(kept, f)
	}
	clear(s.faults[len(kept):]) // let the used-up faults be collected
	s.faults = kept
	return taken
}

// applyFaults runs the faults that match the request and reports whether one of them answered
// it (or the request ended while waiting), in which case the handler must not run.
func (s *Server) applyFaults(w http.ResponseWriter, r *http.Request, rt *route) bool {
	for _, f := range s.takeFaults(rt.endpoint) {
		if f.Latency > 0 && !s.wait(r, f.Latency) {
			return true
		}
		switch {
		case f.Drop:
			drop(w)
		case f.Truncate:
			s.truncate(w, r, rt)
		case f.Status != 0:
			text := http.StatusText(f.Status)
			if text == "" {
				text = "kyctest fault"
			}
			http.Error(w, text, f.Status)
		case f.Code != "" && rt.code != nil:
			rt.code(w, f.Code)
		case f.Code != "":
			s.writeCode(w, f.Code)
		default:
			continue // latency only
		}
		return true
	}
	return false
}

// wait sleeps d of real time and reports whether the request should go on: false when its
// context ended or the server is closing.
func (s *Server) wait(r *http.Request, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	case <-s.closed:
		return false
	}
}

// drop closes the connection without writing anything.
func drop(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler) // net/http closes the connection without answering
	}
	conn.Close()
}

// truncate handles the request into a buffer and sends the first half of the answer under the
// full Content-Length, then closes the connection.
func (s *Server) truncate(w http.ResponseWriter, r *http.Request, rt *route) {
	rec := httptest.NewRecorder()
	s.serve(rec, r, rt)
	body := rec.Body.Bytes()
	if len(body) < 2 {
		body = []byte(`{"code":"0"}`)
	}
	part := body[:len(body)/2]
	header := rec.Header().Clone()
	header.Set("Content-Length", strconv.Itoa(len(body)))
	header.Set("Connection", "close")

	conn, buf, err := http.NewResponseController(w).Hijack()
	if err != nil {
		for k, v := range header {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		w.Write(part)
		http.NewResponseController(w).Flush()
		panic(http.ErrAbortHandler)
	}
	defer conn.Close()
	writeRawResponse(buf, rec.Code, header, part)
}

func writeRawResponse(buf *bufio.ReadWriter, status int, header http.Header, body []byte) {
	fmt.Fprintf(buf, "HTTP/1.1 %03d %s\r\n", status, http.StatusText(status))
	header.Write(buf)
	buf.WriteString("\r\n")
	buf.Write(body)
	buf.Flush()
}
