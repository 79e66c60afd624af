// Package localaws is a small, local stand-in for the parts of AWS that
// Mattermost Apps use: the AWS Lambda management and invoke API (REST/JSON,
// 2015-03-31), a Lambda execution environment (Runtime API for provided.al2 /
// provided.al2023 and the net/rpc protocol of the go1.x runtime), and the IAM
// query API subset appsctl needs.
//
// The real aws-sdk-go-v2 clients work against it unchanged when their
// BaseEndpoint points at Server.URL. Requests must carry a SigV4
// Authorization header (its signature is not verified).
//
// In tests:
//
//	srv, err := localaws.Start(ctx, localaws.Options{Dir: t.TempDir(), MaxInstances: 4})
//	...
//	defer srv.Close() // kills every instance and waits for them
//	client := lambda.NewFromConfig(cfg, func(o *lambda.Options) { o.BaseEndpoint = aws.String(srv.URL()) })
//
// For app developers, "appsctl lambda serve --addr 127.0.0.1:9071 --dir DIR"
// runs the same server and prints the environment to use
// (AWS_ENDPOINT_URL_LAMBDA, AWS_ENDPOINT_URL_IAM, ...).
//
// Each function runs in up to Options.MaxInstances processes, each in its own
// process group with the code unpacked in a private directory under
// <Dir>/run. provided, provided.al2 and provided.al2023 functions run
// "bootstrap" against a Runtime API served on a per-instance loopback port;
// go1.x functions run the Handler executable in RPC mode
// (_LAMBDA_SERVER_PORT). Function output is appended to
// <Dir>/logs/<function>.log.
package localaws

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Defaults for Options fields left zero.
const (
	DefaultAddr            = "127.0.0.1:0"
	DefaultRegion          = "us-east-1"
	DefaultMaxInstances    = 4
	DefaultTimeout         = 30 * time.Second
	DefaultInitTimeout     = 10 * time.Second
	DefaultMaxZipSize      = 50 << 20  // AWS direct-upload limit for zipped code
	DefaultMaxUnzippedSize = 250 << 20 // AWS limit for unzipped code
)

// AccountID is the AWS account every ARN produced by the server uses.
const AccountID = "000000000000"

const (
	maxSyncPayload  = 6 << 20 // AWS: 6 MB request and response for RequestResponse
	maxAsyncPayload = 1 << 20 // AWS: 1 MB for Event invocations
	maxPendingAsync = 10000
	sigV4Prefix     = "AWS4-HMAC-SHA256"
	internalPrefix  = "/_localaws/"
)

// Options configures a Server. Only Dir is required.
type Options struct {
	// Dir holds function code, configuration, IAM state and function logs
	// (logs/<function>.log). A server started on the same Dir reloads them.
	Dir string
	// Addr is the TCP listen address; default 127.0.0.1:0 (a free port).
	Addr string
	// Region appears in ARNs and in the functions' AWS_REGION; default us-east-1.
	Region string
	// MaxInstances caps the concurrently running instances of one function;
	// default 4. Invocations beyond it wait for a free instance.
	MaxInstances int
	// DefaultTimeout is the invocation timeout of functions created without
	// one; default 30s (AWS itself uses 3s).
	DefaultTimeout time.Duration
	// InitTimeout bounds the start of an instance (until it asks for its first
	// invocation); default 10s.
	InitTimeout time.Duration
	// MaxZipSize and MaxUnzippedSize bound function code; defaults 50 MiB and
	// 250 MiB.
	MaxZipSize      int64
	MaxUnzippedSize int64
	// Logger receives server diagnostics; nil discards them.
	Logger *slog.Logger
}

func (o *Options) setDefaults() error {
	if o.Dir == "" {
		return errors.New("localaws: Options.Dir is required")
	}
	dir, err := filepath.Abs(o.Dir)
	if err != nil {
		return fmt.Errorf("localaws: resolve data dir: %w", err)
	}
	o.Dir = dir
	if o.Addr == "" {
		o.Addr = DefaultAddr
	}
	if o.Region == "" {
		o.Region = DefaultRegion
	}
	if o.MaxInstances <= 0 {
		o.MaxInstances = DefaultMaxInstances
	}
	if o.DefaultTimeout <= 0 {
		o.DefaultTimeout = DefaultTimeout
	}
	if o.InitTimeout <= 0 {
		o.InitTimeout = DefaultInitTimeout
	}
	if o.MaxZipSize <= 0 {
		o.MaxZipSize = DefaultMaxZipSize
	}
	if o.MaxUnzippedSize <= 0 {
		o.MaxUnzippedSize = DefaultMaxUnzippedSize
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return nil
}

// Server is a running local AWS endpoint. Create it with Start and stop it
// with Close.
type Server struct {
	opts      Options
	ln        net.Listener
	httpSrv   *http.Server
	url       string
	codeToken string
	log       *slog.Logger

	lambda *lambdaStore
	iam    *iamStore

	ctx    context.Context // canceled by Close; parent of async invocations
	cancel context.CancelFunc
	wg     sync.WaitGroup // instance lifecycles and async invocations
	async  chan struct{}  // semaphore for pending Event invocations

	bgMu    sync.Mutex
	closing bool

	closeOnce sync.Once
	closeErr  error
	serveDone chan struct{}

	pidMu sync.Mutex
	pids  []int // every instance process started, for diagnostics and tests
}

// Start loads the state kept in opts.Dir, listens on opts.Addr and serves
// until Close. ctx bounds the start-up only.
func Start(ctx context.Context, opts Options) (*Server, error) {
	if err := opts.setDefaults(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(opts.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("localaws: create data dir: %w", err)
	}
	token := make([]byte, 16)
	if _, err := rand.Read(token); err != nil {
		return nil, fmt.Errorf("localaws: generate token: %w", err)
	}
	sctx, cancel := context.WithCancel(context.Background())
	s := &Server{
		opts:      opts,
		codeToken: hex.EncodeToString(token),
		log:       opts.Logger,
		ctx:       sctx,
		cancel:    cancel,
		async:     make(chan struct{}, maxPendingAsync),
		serveDone: make(chan struct{}),
	}
	var err error
	if s.iam, err = loadIAMStore(filepath.Join(opts.Dir, "iam.json")); err != nil {
		cancel()
		return nil, err
	}
	if s.lambda, err = newLambdaStore(s); err != nil {
		cancel()
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		s.lambda.closeAll()
		cancel()
		return nil, fmt.Errorf("localaws: start: %w", err)
	}
	var lc net.ListenConfig
	s.ln, err = lc.Listen(ctx, "tcp", opts.Addr)
	if err != nil {
		s.lambda.closeAll()
		cancel()
		return nil, fmt.Errorf("localaws: listen on %s: %w", opts.Addr, err)
	}
	s.url = "http://" + s.ln.Addr().String()
	if err := s.lambda.load(); err != nil {
		_ = s.ln.Close()
		s.lambda.closeAll()
		cancel()
		return nil, err
	}
	s.httpSrv = &http.Server{
		Handler:           s.routes(),
		ReadHeaderTimeout: 30 * time.Second,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelDebug),
		BaseContext:       func(net.Listener) context.Context { return sctx },
	}
	go func() {
		defer close(s.serveDone)
		if err := s.httpSrv.Serve(s.ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("localaws: serve", "err", err)
		}
	}()
	s.log.Info("localaws: serving", "url", s.url, "dir", opts.Dir)
	return s, nil
}

// URL is the endpoint to give the SDK clients (BaseEndpoint), e.g.
// http://127.0.0.1:40123.
func (s *Server) URL() string { return s.url }

// Addr is the address the server listens on.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Region is the region in ARNs and in the functions' environment.
func (s *Server) Region() string { return s.opts.Region }

// Dir is the absolute data directory.
func (s *Server) Dir() string { return s.opts.Dir }

// LogPath is the file that receives the output of function name.
func (s *Server) LogPath(name string) string {
	return filepath.Join(s.opts.Dir, "logs", name+".log")
}

// FunctionARN is the ARN of function name.
func (s *Server) FunctionARN(name string) string {
	return "arn:aws:lambda:" + s.opts.Region + ":" + AccountID + ":function:" + name
}

// Close stops serving, kills every function instance and waits until they are
// reaped and all background work has ended. State on disk is kept.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		s.bgMu.Lock()
		s.closing = true
		s.bgMu.Unlock()
		s.cancel()
		// Stop accepting; in-flight invocations fail when their instances die.
		lnErr := s.ln.Close()
		s.lambda.closeAll()
		if err := s.httpSrv.Close(); err != nil {
			s.closeErr = fmt.Errorf("localaws: close http server: %w", err)
		}
		<-s.serveDone
		s.wg.Wait()
		if err := os.RemoveAll(s.lambda.runRoot); err != nil && s.closeErr == nil {
			s.closeErr = fmt.Errorf("localaws: remove run dir: %w", err)
		}
		if lnErr != nil && !errors.Is(lnErr, net.ErrClosed) && s.closeErr == nil {
			s.closeErr = fmt.Errorf("localaws: close listener: %w", lnErr)
		}
	})
	return s.closeErr
}

// goAsync runs f in the background (an Event invocation) unless the server
// is closing or too many are pending.
func (s *Server) goAsync(f func()) bool {
	select {
	case s.async <- struct{}{}:
	default:
		return false
	}
	s.bgMu.Lock()
	if s.closing {
		s.bgMu.Unlock()
		<-s.async
		return false
	}
	s.wg.Add(1)
	s.bgMu.Unlock()
	go func() {
		defer s.wg.Done()
		defer func() { <-s.async }()
		f()
	}()
	return true
}

func (s *Server) recordPID(pid int) {
	s.pidMu.Lock()
	s.pids = append(s.pids, pid)
	s.pidMu.Unlock()
}

// startedPIDs returns the PIDs of every instance process started so far.
func (s *Server) startedPIDs() []int {
	s.pidMu.Lock()
	defer s.pidMu.Unlock()
	return append([]int(nil), s.pids...)
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	l := s.lambda
	const fns = "/2015-03-31/functions"
	mux.HandleFunc("POST "+fns, l.handleCreate)
	mux.HandleFunc("POST "+fns+"/{$}", l.handleCreate)
	mux.HandleFunc("GET "+fns, l.handleList)
	mux.HandleFunc("GET "+fns+"/{$}", l.handleList)
	mux.HandleFunc("GET "+fns+"/{name}", l.handleGet)
	mux.HandleFunc("DELETE "+fns+"/{name}", l.handleDelete)
	mux.HandleFunc("GET "+fns+"/{name}/configuration", l.handleGetConfiguration)
	mux.HandleFunc("PUT "+fns+"/{name}/configuration", l.handleUpdateConfiguration)
	mux.HandleFunc("PUT "+fns+"/{name}/code", l.handleUpdateCode)
	mux.HandleFunc("POST "+fns+"/{name}/invocations", l.handleInvoke)
	mux.HandleFunc("POST "+fns+"/{name}/policy", l.handleAddPermission)
	mux.HandleFunc("GET "+fns+"/{name}/policy", l.handleGetPolicy)
	mux.HandleFunc("DELETE "+fns+"/{name}/policy/{sid}", l.handleRemovePermission)
	mux.HandleFunc("POST /{$}", s.handleQuery)
	mux.HandleFunc("GET "+internalPrefix+"code/{name}", l.handleDownloadCode)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeLambdaError(w, http.StatusNotFound, "UnknownOperationException",
			"localaws does not implement "+r.Method+" "+r.URL.Path)
	})
	mux.HandleFunc("GET "+internalPrefix+"health", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"status":"ok"}`)
	})

	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, internalPrefix) &&
			!strings.HasPrefix(r.Header.Get("Authorization"), sigV4Prefix) {
			s.writeMissingAuth(w, r)
			return
		}
		mux.ServeHTTP(w, r)
	})
}

// isQueryProtocol reports whether r is an AWS query-protocol (IAM, STS) call.
func isQueryProtocol(r *http.Request) bool {
	return r.URL.Path == "/" && r.Method == http.MethodPost
}

func (s *Server) writeMissingAuth(w http.ResponseWriter, r *http.Request) {
	if isQueryProtocol(r) {
		writeQueryError(w, http.StatusForbidden, "Sender", "MissingAuthenticationToken",
			"Request is missing Authentication Token", iamNamespace)
		return
	}
	writeLambdaError(w, http.StatusForbidden, "MissingAuthenticationTokenException", "Missing Authentication Token")
}

// handleQuery dispatches AWS query-protocol requests (form body with Action).
func (s *Server) handleQuery(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
	if err := r.ParseForm(); err != nil {
		writeQueryError(w, http.StatusBadRequest, "Sender", "MalformedQueryString", "cannot parse form: "+err.Error(), iamNamespace)
		return
	}
	action := r.PostForm.Get("Action")
	if action == "GetCallerIdentity" {
		writeQueryResult(w, action, stsNamespace, callerIdentity{
			UserID:  "AIDA" + strings.Repeat("X", 17),
			Account: AccountID,
			Arn:     "arn:aws:iam::" + AccountID + ":user/localaws",
		})
		return
	}
	s.iam.serve(w, action, r.PostForm, r.Header.Get("Authorization"))
}

type callerIdentity struct {
	UserID  string `xml:"UserId"`
	Account string `xml:"Account"`
	Arn     string `xml:"Arn"`
}

// newRequestID returns a random UUID-formatted request id.
func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = (b[6] & 0x0f) | 0x40
	b[8] = (b[8] & 0x3f) | 0x80
	var out [36]byte
	hex.Encode(out[0:8], b[0:4])
	out[8] = '-'
	hex.Encode(out[9:13], b[4:6])
	out[13] = '-'
	hex.Encode(out[14:18], b[6:8])
	out[18] = '-'
	hex.Encode(out[19:23], b[8:10])
	out[23] = '-'
	hex.Encode(out[24:], b[10:])
	return string(out[:])
}

// lambdaError is an error answered in the Lambda REST/JSON error format.
type lambdaError struct {
	Status  int
	Code    string
	Message string
}

func (e *lambdaError) Error() string { return e.Code + ": " + e.Message }

func errNotFound(format string, a ...any) *lambdaError {
	return &lambdaError{http.StatusNotFound, "ResourceNotFoundException", fmt.Sprintf(format, a...)}
}

func errInvalidParameter(format string, a ...any) *lambdaError {
	return &lambdaError{http.StatusBadRequest, "InvalidParameterValueException", fmt.Sprintf(format, a...)}
}

func errValidation(format string, a ...any) *lambdaError {
	return &lambdaError{http.StatusBadRequest, "ValidationException", fmt.Sprintf(format, a...)}
}

func errConflict(format string, a ...any) *lambdaError {
	return &lambdaError{http.StatusConflict, "ResourceConflictException", fmt.Sprintf(format, a...)}
}

func errService(err error) *lambdaError {
	return &lambdaError{http.StatusInternalServerError, "ServiceException", err.Error()}
}

// writeLambdaError answers like the Lambda service: the error code in the
// X-Amzn-ErrorType header and in the body's __type, the message in
// Message/message.
func writeLambdaError(w http.ResponseWriter, status int, code, msg string) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Amzn-ErrorType", code)
	h.Set("X-Amzn-RequestId", newRequestID())
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{
		"__type":  code,
		"Type":    "User",
		"Message": msg,
		"message": msg,
	})
}

func writeLambdaErr(w http.ResponseWriter, err error) {
	var le *lambdaError
	if !errors.As(err, &le) {
		le = errService(err)
	}
	writeLambdaError(w, le.Status, le.Code, le.Message)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Amzn-RequestId", newRequestID())
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

const (
	iamNamespace = "https://iam.amazonaws.com/doc/2010-05-08/"
	stsNamespace = "https://sts.amazonaws.com/doc/2011-06-15/"
)

// writeQueryResult writes <ActionResponse><ActionResult>v</ActionResult>
// <ResponseMetadata/></ActionResponse>; v may be nil for result-less actions.
func writeQueryResult(w http.ResponseWriter, action, ns string, v any) {
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, xml.Header)
	enc := xml.NewEncoder(w)
	root := xml.StartElement{Name: xml.Name{Local: action + "Response"}, Attr: []xml.Attr{{Name: xml.Name{Local: "xmlns"}, Value: ns}}}
	_ = enc.EncodeToken(root)
	if v != nil {
		_ = enc.EncodeElement(v, xml.StartElement{Name: xml.Name{Local: action + "Result"}})
	}
	_ = enc.EncodeElement(struct {
		RequestID string `xml:"RequestId"`
	}{newRequestID()}, xml.StartElement{Name: xml.Name{Local: "ResponseMetadata"}})
	_ = enc.EncodeToken(root.End())
	_ = enc.Flush()
}

type queryErrorBody struct {
	XMLName   xml.Name `xml:"ErrorResponse"`
	Xmlns     string   `xml:"xmlns,attr"`
	Type      string   `xml:"Error>Type"`
	Code      string   `xml:"Error>Code"`
	Message   string   `xml:"Error>Message"`
	RequestID string   `xml:"RequestId"`
}

func writeQueryError(w http.ResponseWriter, status int, typ, code, msg, ns string) {
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, xml.Header)
	_ = xml.NewEncoder(w).Encode(queryErrorBody{Xmlns: ns, Type: typ, Code: code, Message: msg, RequestID: newRequestID()})
}

// tokenOK compares the code-download token in constant time.
func (s *Server) tokenOK(tok string) bool {
	return subtle.ConstantTimeCompare([]byte(tok), []byte(s.codeToken)) == 1
}
