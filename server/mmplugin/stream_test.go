package mmplugin

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"net/rpc"
	"sync"
	"testing"
	"testing/iotest"
	"time"

	"github.com/hashicorp/yamux"
)

// ---- pull protocol (request bodies) ----

// streamPair returns the two ends of one yamux stream, the transport the
// protocol really runs on (go-plugin's broker streams). It buffers, which the
// pull protocol needs (the reader may send its next request while the server
// is still writing the previous answer: over an unbuffered net.Pipe that
// deadlocks), and Close is a half-close that lets data in flight arrive. Over
// plain TCP the protocol loses data: the serving side closes with the reader's
// next requests unread, so the kernel sends a reset that discards what the
// reader has not read yet (the server's own serveIOReader does the same).
func streamPair(t *testing.T) (reader, server net.Conn) {
	t.Helper()
	a, b := net.Pipe()
	cfg := yamux.DefaultConfig()
	cfg.LogOutput = io.Discard
	cs, err := yamux.Client(a, cfg)
	if err != nil {
		t.Fatal(err)
	}
	ss, err := yamux.Server(b, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cs.Close(); ss.Close() })
	accepted := make(chan net.Conn, 1)
	go func() {
		st, err := ss.AcceptStream()
		if err != nil {
			accepted <- nil
			return
		}
		accepted <- st
	}()
	reader, err = cs.OpenStream()
	if err != nil {
		t.Fatal(err)
	}
	server = <-accepted
	if server == nil {
		t.Fatal("accept failed")
	}
	return reader, server
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	r := rand.New(rand.NewPCG(uint64(n), 42))
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// readAllWith reads r to EOF with a buffer of exactly bufSize bytes.
func readAllWith(r io.Reader, bufSize int) ([]byte, error) {
	var out []byte
	buf := make([]byte, bufSize)
	for {
		n, err := r.Read(buf)
		out = append(out, buf[:n]...)
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
	}
}

func TestPullStream(t *testing.T) {
	const mib = 1 << 20
	type bodyKind struct {
		name string
		wrap func(io.Reader) io.Reader
	}
	plain := bodyKind{"plain", func(r io.Reader) io.Reader { return r }}
	half := bodyKind{"half-reads", iotest.HalfReader}
	oneByte := bodyKind{"one-byte-reads", iotest.OneByteReader}
	cases := []struct {
		size, buf int
		body      bodyKind
	}{
		{0, 1, plain}, {0, 4096, plain},
		{1, 1, plain}, {1, 4096, plain},
		{7, 7, plain}, {512, 512, plain}, {4096, 4096, half}, {64 << 10, 64 << 10, plain},
		{64<<10 + 1, 64 << 10, plain}, {1000, 3, oneByte}, {5000, 1, plain},
		{mib + 7, 512, plain}, {mib + 7, 256 << 10, half}, {mib + 7, 2 * mib, plain},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%dB/buf%d/%s", c.size, c.buf, c.body.name), func(t *testing.T) {
			want := randomBytes(c.size)
			cconn, sconn := streamPair(t)
			served := make(chan struct{})
			go func() {
				defer close(served)
				servePull(sconn, c.body.wrap(bytes.NewReader(want)))
			}()
			r := newPullReader(cconn)
			got, err := readAllWith(r, c.buf)
			if err != nil {
				t.Fatalf("read: %v", err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("got %d bytes, want %d (first difference at %d)", len(got), len(want), firstDiff(got, want))
			}
			if n, err := r.Read(make([]byte, 10)); n != 0 || err != io.EOF {
				t.Errorf("read after EOF = %d, %v", n, err)
			}
			select {
			case <-served:
			case <-time.After(5 * time.Second):
				t.Fatal("servePull did not return after the body ended")
			}
			if err := r.Close(); err != nil {
				t.Errorf("close: %v", err)
			}
		})
	}
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// TestPullReaderWire: each read first sends len(p) as a SIGNED (zig-zag)
// varint, exactly binary.PutVarint's bytes, then returns what arrives.
func TestPullReaderWire(t *testing.T) {
	for _, c := range []struct {
		n    int
		wire []byte
	}{
		{1, []byte{0x02}},
		{63, []byte{0x7e}},
		{64, []byte{0x80, 0x01}}, // an unsigned varint would be 0x40
		{300, []byte{0xd8, 0x04}},
		{32 << 10, []byte{0x80, 0x80, 0x04}},
	} {
		t.Run(fmt.Sprint(c.n), func(t *testing.T) {
			if got := binary.AppendVarint(nil, int64(c.n)); !bytes.Equal(got, c.wire) {
				t.Fatalf("test table wrong: PutVarint(%d) = % x", c.n, got)
			}
			a, b := net.Pipe()
			defer a.Close()
			defer b.Close()
			r := newPullReader(a)
			type result struct {
				data []byte
				err  error
			}
			done := make(chan result, 1)
			go func() {
				buf := make([]byte, c.n)
				n, err := r.Read(buf)
				done <- result{buf[:n], err}
			}()
			req := make([]byte, len(c.wire))
			if _, err := io.ReadFull(b, req); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(req, c.wire) {
				t.Fatalf("request bytes % x, want % x", req, c.wire)
			}
			if _, err := b.Write([]byte("x")); err != nil {
				t.Fatal(err)
			}
			if res := <-done; res.err != nil || string(res.data) != "x" {
				t.Fatalf("read = %q, %v", res.data, res.err)
			}
			// The peer closes at the end of the body: the next read is EOF.
			b.Close()
			if n, err := r.Read(make([]byte, 4)); n != 0 || err != io.EOF {
				t.Errorf("read after close = %d, %v", n, err)
			}
		})
	}
	// An empty read sends nothing and returns at once.
	a, b := net.Pipe()
	defer b.Close()
	if n, err := newPullReader(a).Read(nil); n != 0 || err != nil {
		t.Errorf("empty read = %d, %v", n, err)
	}
	a.Close()
}

// TestServePullWire drives servePull with raw varints, as the server's reader
// does: each request gets at most n bytes; a zero or negative request gets
// nothing but does not end the stream (the server's serveIOReader behaves so).
func TestServePullWire(t *testing.T) {
	body := []byte("0123456789abcdef")
	cconn, sconn := streamPair(t)
	served := make(chan struct{})
	go func() { defer close(served); servePull(sconn, bytes.NewReader(body)) }()

	ask := func(n int64) {
		t.Helper()
		if _, err := cconn.Write(binary.AppendVarint(nil, n)); err != nil {
			t.Fatal(err)
		}
	}
	read := func(n int) string {
		t.Helper()
		buf := make([]byte, n)
		if _, err := io.ReadFull(cconn, buf); err != nil {
			t.Fatal(err)
		}
		return string(buf)
	}
	ask(3)
	if got := read(3); got != "012" {
		t.Errorf("got %q", got)
	}
	ask(0)
	ask(-5)
	ask(4)
	if got := read(4); got != "3456" {
		t.Errorf("after zero/negative requests got %q", got)
	}
	ask(100) // more than is left: the rest, then the server closes
	if got := read(9); got != "789abcdef" {
		t.Errorf("got %q", got)
	}
	if n, err := cconn.Read(make([]byte, 1)); n != 0 || err != io.EOF {
		t.Errorf("after the body: %d, %v", n, err)
	}
	<-served

	// A reader that goes away mid-body ends servePull.
	cconn2, sconn2 := streamPair(t)
	served2 := make(chan struct{})
	go func() { defer close(served2); servePull(sconn2, bytes.NewReader(randomBytes(1<<20))) }()
	if _, err := cconn2.Write(binary.AppendVarint(nil, 10)); err != nil {
		t.Fatal(err)
	}
	cconn2.Close()
	select {
	case <-served2:
	case <-time.After(5 * time.Second):
		t.Fatal("servePull did not notice the reader left")
	}
}

// ---- response writer ----

// statusRecorder is a ResponseRecorder that also records every status the
// server side applied and counts body writes.
type statusRecorder struct {
	*httptest.ResponseRecorder
	mu       sync.Mutex
	statuses []int
	writes   int
}

func newStatusRecorder() *statusRecorder {
	return &statusRecorder{ResponseRecorder: httptest.NewRecorder()}
}

func (r *statusRecorder) WriteHeader(code int) {
	r.mu.Lock()
	r.statuses = append(r.statuses, code)
	r.mu.Unlock()
	if code >= 200 { // httptest treats 1xx as informational; keep it simple
		r.ResponseRecorder.WriteHeader(code)
	}
}

func (r *statusRecorder) Write(p []byte) (int, error) {
	r.mu.Lock()
	r.writes++
	r.mu.Unlock()
	return r.ResponseRecorder.Write(p)
}

func (r *statusRecorder) recorded() ([]int, int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]int(nil), r.statuses...), r.writes
}

// writerPair serves w as the server does (service "Plugin" on one end of a
// pipe) and returns the plugin-side writer on the other end.
func writerPair(t *testing.T, w http.ResponseWriter) (*rpcResponseWriter, *rpc.Client) {
	t.Helper()
	srvConn, cliConn := net.Pipe()
	s := rpc.NewServer()
	if err := s.RegisterName("Plugin", NewResponseWriterServer(w)); err != nil {
		t.Fatal(err)
	}
	go s.ServeConn(srvConn)
	client := rpc.NewClient(cliConn)
	t.Cleanup(func() { client.Close() })
	return newRPCResponseWriter(client), client
}

func TestResponseWriterHeaders(t *testing.T) {
	t.Run("fetched headers are synced", func(t *testing.T) {
		rec := newStatusRecorder()
		rec.Header().Set("X-Server", "s")
		rec.Header().Set("X-Remove", "r")
		w, _ := writerPair(t, rec)

		h := w.Header()
		if h.Get("X-Server") != "s" {
			t.Fatalf("fetched header lacks the server's: %v", h)
		}
		h.Set("X-Plugin", "p")
		h.Add("X-Multi", "1")
		h.Add("X-Multi", "2")
		h.Del("X-Remove")
		w.WriteHeader(http.StatusCreated)
		h.Set("X-Late", "too late") // after WriteHeader, like net/http
		if _, err := w.Write([]byte("body")); err != nil {
			t.Fatal(err)
		}
		w.Flush()

		res := rec.Result()
		if res.StatusCode != http.StatusCreated {
			t.Errorf("status %d", res.StatusCode)
		}
		if res.Header.Get("X-Server") != "s" || res.Header.Get("X-Plugin") != "p" || len(res.Header["X-Multi"]) != 2 {
			t.Errorf("headers %v", res.Header)
		}
		if _, ok := res.Header["X-Remove"]; ok {
			t.Errorf("deleted header still there: %v", res.Header)
		}
		if _, ok := res.Header["X-Late"]; ok {
			t.Errorf("header set after WriteHeader was sent: %v", res.Header)
		}
		if rec.Body.String() != "body" {
			t.Errorf("body %q", rec.Body.String())
		}
	})

	t.Run("a handler that never calls Header keeps the server's headers", func(t *testing.T) {
		rec := newStatusRecorder()
		rec.Header().Set("X-Server", "s")
		rec.Header().Set("Content-Security-Policy", "frame-ancestors 'self'")
		w, _ := writerPair(t, rec)
		if _, err := w.Write([]byte("x")); err != nil {
			t.Fatal(err)
		}
		w.Flush()
		res := rec.Result()
		if res.Header.Get("X-Server") != "s" || res.Header.Get("Content-Security-Policy") == "" {
			t.Errorf("server headers wiped: %v", res.Header)
		}
		if statuses, _ := rec.recorded(); len(statuses) != 1 || statuses[0] != http.StatusOK {
			t.Errorf("statuses %v, want [200]", statuses)
		}
	})

	t.Run("SyncHeader replaces the whole map", func(t *testing.T) {
		rec := newStatusRecorder()
		rec.Header().Set("X-Gone", "1")
		_, client := writerPair(t, rec)
		if err := client.Call("Plugin.SyncHeader", http.Header{"X-New": {"a", "b"}}, nil); err != nil {
			t.Fatal(err)
		}
		var h http.Header
		if err := client.Call("Plugin.Header", struct{}{}, &h); err != nil {
			t.Fatal(err)
		}
		if len(h) != 1 || len(h["X-New"]) != 2 {
			t.Errorf("header after sync: %v", h)
		}
		// An empty map deletes everything (the official SDK's behaviour when
		// a handler never fetched the headers; ours does not send it then).
		if err := client.Call("Plugin.SyncHeader", http.Header{}, nil); err != nil {
			t.Fatal(err)
		}
		if len(rec.Header()) != 0 {
			t.Errorf("header after empty sync: %v", rec.Header())
		}
	})
}

func TestResponseWriterStatus(t *testing.T) {
	t.Run("defaults to 200", func(t *testing.T) {
		rec := newStatusRecorder()
		w, _ := writerPair(t, rec)
		w.Flush() // what ServeHTTP does after a handler that wrote nothing
		if statuses, _ := rec.recorded(); len(statuses) != 1 || statuses[0] != http.StatusOK {
			t.Errorf("statuses %v, want [200]", statuses)
		}
	})
	t.Run("only the first status counts", func(t *testing.T) {
		rec := newStatusRecorder()
		w, _ := writerPair(t, rec)
		w.WriteHeader(http.StatusAccepted)
		w.WriteHeader(http.StatusTeapot)
		w.Flush()
		if statuses, _ := rec.recorded(); len(statuses) != 1 || statuses[0] != http.StatusAccepted {
			t.Errorf("statuses %v", statuses)
		}
	})
	for _, code := range []int{100, 999} {
		t.Run(fmt.Sprintf("%d accepted", code), func(t *testing.T) {
			rec := newStatusRecorder()
			_, client := writerPair(t, rec)
			if err := client.Call("Plugin.WriteHeader", code, nil); err != nil {
				t.Errorf("WriteHeader(%d): %v", code, err)
			}
			if statuses, _ := rec.recorded(); len(statuses) != 1 || statuses[0] != code {
				t.Errorf("statuses %v", statuses)
			}
		})
	}
	for _, code := range []int{0, 99, 1000, -200} {
		t.Run(fmt.Sprintf("%d refused", code), func(t *testing.T) {
			rec := newStatusRecorder()
			w, client := writerPair(t, rec)
			var se rpc.ServerError
			if err := client.Call("Plugin.WriteHeader", code, nil); !errors.As(err, &se) {
				t.Errorf("WriteHeader(%d) RPC error = %v, want a server error", code, err)
			}
			// Through the writer: the error sticks and later writes fail.
			w.WriteHeader(code)
			if _, err := w.Write([]byte("x")); err == nil {
				t.Errorf("Write after WriteHeader(%d) succeeded", code)
			}
			w.Flush()
			if statuses, writes := rec.recorded(); len(statuses) != 0 || writes != 0 {
				t.Errorf("server applied statuses %v and %d writes", statuses, writes)
			}
		})
	}
}

// TestResponseWriterBody: many small writes (and a few large ones) arrive in
// order and byte-exact, buffered into few RPCs.
func TestResponseWriterBody(t *testing.T) {
	rec := newStatusRecorder()
	w, _ := writerPair(t, rec)
	rng := rand.New(rand.NewPCG(1, 2))
	var want bytes.Buffer
	calls := 0
	for i := 0; i < 20000; i++ {
		var chunk []byte
		switch {
		case i == 5000:
			chunk = randomBytes(200 << 10) // larger than the buffer: sent directly
		case i == 12000:
			chunk = randomBytes(responseBufferSize) // exactly the buffer size
		default:
			chunk = randomBytes(rng.IntN(50))
		}
		want.Write(chunk)
		n, err := w.Write(chunk)
		if err != nil || n != len(chunk) {
			t.Fatalf("write %d: %d, %v", i, n, err)
		}
		calls++
	}
	w.Flush()
	if !bytes.Equal(rec.Body.Bytes(), want.Bytes()) {
		t.Fatalf("body differs: %d bytes, want %d (first difference at %d)", rec.Body.Len(), want.Len(), firstDiff(rec.Body.Bytes(), want.Bytes()))
	}
	statuses, writes := rec.recorded()
	if len(statuses) != 1 || statuses[0] != http.StatusOK {
		t.Errorf("statuses %v", statuses)
	}
	if maxRPCs := want.Len()/responseBufferSize + 4; writes > maxRPCs {
		t.Errorf("%d writes took %d RPCs, want at most %d", calls, writes, maxRPCs)
	}
}
