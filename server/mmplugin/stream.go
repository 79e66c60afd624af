package mmplugin

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/rpc"
	"sync"
)

// pullReader reads a body served by the peer with the pull protocol: before
// every read it asks for up to len(p) bytes by writing a signed varint; the
// peer copies at most that many and closes the stream at the end.
type pullReader struct {
	conn net.Conn
	req  [binary.MaxVarintLen64]byte
}

func newPullReader(conn net.Conn) *pullReader { return &pullReader{conn: conn} }

func (r *pullReader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	n := binary.PutVarint(r.req[:], int64(len(p)))
	if _, err := r.conn.Write(r.req[:n]); err != nil {
		// The peer closes after the last byte; a refused request means EOF.
		return 0, io.EOF
	}
	return r.conn.Read(p)
}

func (r *pullReader) Close() error { return r.conn.Close() }

// servePull serves body on conn with the pull protocol until the body is
// exhausted or the reader goes away, then closes conn. Like the server's
// serveIOReader it answers a zero or negative request with nothing and keeps
// serving: a Read with an empty buffer is not the end of the body.
func servePull(conn net.Conn, body io.Reader) {
	defer conn.Close()
	br := bufio.NewReader(conn)
	for {
		want, err := binary.ReadVarint(br)
		if err != nil {
			return
		}
		if want <= 0 {
			continue
		}
		n, err := io.CopyN(conn, body, want)
		if err != nil || n < want {
			return
		}
	}
}

// rpcResponseWriter is the plugin side of the response-writer stream: an
// http.ResponseWriter whose header, status and body go to the server by RPC.
// Body bytes are buffered so a handler's many small writes cost one RPC.
type rpcResponseWriter struct {
	client      *rpc.Client
	header      http.Header
	wroteHeader bool
	status      int
	buf         []byte
	err         error
}

const responseBufferSize = 64 << 10

func newRPCResponseWriter(client *rpc.Client) *rpcResponseWriter {
	return &rpcResponseWriter{client: client}
}

// Header fetches the server's header map once (it may hold headers the server
// already set) and returns it for editing.
func (w *rpcResponseWriter) Header() http.Header {
	if w.header == nil {
		var h http.Header
		if err := w.client.Call("Plugin.Header", struct{}{}, &h); err != nil {
			w.setErr(fmt.Errorf("fetch response header: %w", err))
		}
		if h == nil {
			h = http.Header{}
		}
		w.header = h
	}
	return w.header
}

func (w *rpcResponseWriter) WriteHeader(status int) {
	if w.wroteHeader {
		return
	}
	w.wroteHeader = true
	w.status = status
	// SyncHeader replaces the server's whole map, so only send it when the
	// handler looked at (and so fetched) the headers.
	if w.header != nil {
		if err := w.client.Call("Plugin.SyncHeader", w.header, nil); err != nil {
			w.setErr(fmt.Errorf("sync response header: %w", err))
		}
	}
	if err := w.client.Call("Plugin.WriteHeader", status, nil); err != nil {
		w.setErr(fmt.Errorf("write status %d: %w", status, err))
	}
}

func (w *rpcResponseWriter) Write(p []byte) (int, error) {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	if w.err != nil {
		return 0, w.err
	}
	if len(w.buf)+len(p) > responseBufferSize {
		w.Flush()
		if len(p) > responseBufferSize {
			return w.send(p)
		}
	}
	w.buf = append(w.buf, p...)
	return len(p), nil
}

// Flush sends buffered body bytes to the server now.
func (w *rpcResponseWriter) Flush() {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	if len(w.buf) == 0 {
		return
	}
	_, _ = w.send(w.buf)
	w.buf = w.buf[:0]
}

func (w *rpcResponseWriter) send(p []byte) (int, error) {
	if w.err != nil {
		return 0, w.err
	}
	if err := w.client.Call("Plugin.Write", p, nil); err != nil {
		w.setErr(fmt.Errorf("write response body: %w", err))
		return 0, w.err
	}
	return len(p), nil
}

func (w *rpcResponseWriter) setErr(err error) {
	if w.err == nil {
		w.err = err
	}
}

// ResponseWriterServer is the server side of the response-writer stream: the
// methods the plugin calls, applied to a real http.ResponseWriter.
type ResponseWriterServer struct {
	w  http.ResponseWriter
	mu sync.Mutex
}

// NewResponseWriterServer serves w to a plugin.
func NewResponseWriterServer(w http.ResponseWriter) *ResponseWriterServer {
	return &ResponseWriterServer{w: w}
}

// Header returns the current header map.
func (s *ResponseWriterServer) Header(args struct{}, reply *http.Header) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	*reply = s.w.Header().Clone()
	return nil
}

// SyncHeader replaces the header map: keys absent from args are deleted.
func (s *ResponseWriterServer) SyncHeader(args http.Header, reply *struct{}) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	dst := s.w.Header()
	for k := range dst {
		if _, ok := args[k]; !ok {
			delete(dst, k)
		}
	}
	for k, v := range args {
		dst[k] = v
	}
	return nil
}

// WriteHeader sends the status; like the server it refuses codes outside 100–999.
func (s *ResponseWriterServer) WriteHeader(status int, reply *struct{}) error {
	if status < 100 || status > 999 {
		return fmt.Errorf("invalid status code %d", status)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.w.WriteHeader(status)
	return nil
}

// Write writes body bytes.
func (s *ResponseWriterServer) Write(args []byte, reply *struct{}) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, err := s.w.Write(args)
	return err
}
