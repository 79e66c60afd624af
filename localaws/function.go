package localaws

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Supported runtimes.
const (
	runtimeProvided        = "provided"
	runtimeProvidedAL2     = "provided.al2"
	runtimeProvidedAL2023  = "provided.al2023"
	runtimeGo1x            = "go1.x"
	lastModifiedLayout     = "2006-01-02T15:04:05.000-0700"
	latestVersion          = "$LATEST"
	defaultMemorySize      = 128
	minTimeout, maxTimeout = 1, 900
	minMemory, maxMemory   = 128, 10240
)

var (
	functionNameRE = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,64}$`)
	roleARNRE      = regexp.MustCompile(`^arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+$`)
	envKeyRE       = regexp.MustCompile(`^[a-zA-Z]([a-zA-Z0-9_])*$`)
	statementIDRE  = regexp.MustCompile(`^([a-zA-Z0-9-_.]+)$`)
)

// reservedEnv are the keys AWS does not let a function configure.
var reservedEnv = map[string]bool{
	"_HANDLER": true, "_X_AMZN_TRACE_ID": true, "AWS_DEFAULT_REGION": true, "AWS_REGION": true,
	"AWS_EXECUTION_ENV": true, "AWS_LAMBDA_FUNCTION_NAME": true, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": true,
	"AWS_LAMBDA_FUNCTION_VERSION": true, "AWS_LAMBDA_INITIALIZATION_TYPE": true,
	"AWS_LAMBDA_LOG_GROUP_NAME": true, "AWS_LAMBDA_LOG_STREAM_NAME": true, "AWS_ACCESS_KEY": true,
	"AWS_ACCESS_KEY_ID": true, "AWS_SECRET_ACCESS_KEY": true, "AWS_SESSION_TOKEN": true,
	"AWS_LAMBDA_RUNTIME_API": true, "LAMBDA_TASK_ROOT": true, "LAMBDA_RUNTIME_DIR": true,
	"_LAMBDA_SERVER_PORT": true,
}

func supportedRuntime(rt string) bool {
	switch rt {
	case runtimeProvided, runtimeProvidedAL2, runtimeProvidedAL2023, runtimeGo1x:
		return true
	}
	return false
}

// functionConfig is Lambda's FunctionConfiguration, as answered by the API and
// as persisted.
type functionConfig struct {
	FunctionName     string           `json:"FunctionName"`
	FunctionArn      string           `json:"FunctionArn"`
	Runtime          string           `json:"Runtime"`
	Role             string           `json:"Role"`
	Handler          string           `json:"Handler,omitempty"`
	CodeSize         int64            `json:"CodeSize"`
	Description      string           `json:"Description"`
	Timeout          int32            `json:"Timeout"`
	MemorySize       int32            `json:"MemorySize"`
	LastModified     string           `json:"LastModified"`
	CodeSha256       string           `json:"CodeSha256"`
	Version          string           `json:"Version"`
	Environment      *environment     `json:"Environment,omitempty"`
	TracingConfig    tracingConfig    `json:"TracingConfig"`
	RevisionID       string           `json:"RevisionId"`
	State            string           `json:"State"`
	LastUpdateStatus string           `json:"LastUpdateStatus"`
	PackageType      string           `json:"PackageType"`
	Architectures    []string         `json:"Architectures"`
	EphemeralStorage ephemeralStorage `json:"EphemeralStorage"`
	LoggingConfig    loggingConfig    `json:"LoggingConfig"`
}

type environment struct {
	Variables map[string]string `json:"Variables"`
}

type tracingConfig struct {
	Mode string `json:"Mode"`
}

type ephemeralStorage struct {
	Size int32 `json:"Size"`
}

type loggingConfig struct {
	LogFormat string `json:"LogFormat"`
	LogGroup  string `json:"LogGroup"`
}

// policyStatement is one resource-policy statement added by AddPermission.
type policyStatement struct {
	Sid       string         `json:"Sid"`
	Effect    string         `json:"Effect"`
	Principal any            `json:"Principal"`
	Action    string         `json:"Action"`
	Resource  string         `json:"Resource"`
	Condition map[string]any `json:"Condition,omitempty"`
}

// functionRecord is what function.json holds.
type functionRecord struct {
	Config         functionConfig    `json:"config"`
	Policy         []policyStatement `json:"policy,omitempty"`
	PolicyRevision string            `json:"policyRevision,omitempty"`
	Tags           map[string]string `json:"tags,omitempty"`
}

// function is a stored function and its instance pool.
type function struct {
	dir  string // <Dir>/functions/<name>
	rec  functionRecord
	pool *pool
}

// lambdaStore holds the functions. Management calls are serialized by opMu;
// mu guards the map and records for the (hot) invoke lookups.
type lambdaStore struct {
	srv     *Server
	root    string // <Dir>/functions
	runRoot string // <Dir>/run: unpacked code
	logRoot string // <Dir>/logs

	opMu   sync.Mutex
	mu     sync.RWMutex
	fns    map[string]*function
	closed bool
	seq    atomic.Int64 // code dir names
}

func newLambdaStore(s *Server) (*lambdaStore, error) {
	l := &lambdaStore{
		srv:     s,
		root:    filepath.Join(s.opts.Dir, "functions"),
		runRoot: filepath.Join(s.opts.Dir, "run"),
		logRoot: filepath.Join(s.opts.Dir, "logs"),
		fns:     make(map[string]*function),
	}
	// Unpacked code of a previous run is stale: start afresh.
	if err := os.RemoveAll(l.runRoot); err != nil {
		return nil, fmt.Errorf("localaws: clean run dir: %w", err)
	}
	for _, d := range []string{l.root, l.runRoot, l.logRoot} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, fmt.Errorf("localaws: create %s: %w", d, err)
		}
	}
	return l, nil
}

// load restores the functions persisted under root.
func (l *lambdaStore) load() error {
	entries, err := os.ReadDir(l.root)
	if err != nil {
		return fmt.Errorf("localaws: read functions dir: %w", err)
	}
	for _, e := range entries {
		if !e.IsDir() || !functionNameRE.MatchString(e.Name()) {
			continue
		}
		dir := filepath.Join(l.root, e.Name())
		data, err := os.ReadFile(filepath.Join(dir, "function.json"))
		if errors.Is(err, os.ErrNotExist) {
			continue // an interrupted create
		}
		if err != nil {
			return fmt.Errorf("localaws: load function %s: %w", e.Name(), err)
		}
		var rec functionRecord
		if err := json.Unmarshal(data, &rec); err != nil {
			return fmt.Errorf("localaws: load function %s: decode function.json: %w", e.Name(), err)
		}
		if rec.Config.FunctionName != e.Name() {
			return fmt.Errorf("localaws: load function %s: function.json names %q", e.Name(), rec.Config.FunctionName)
		}
		// Region may differ from the previous run.
		rec.Config.FunctionArn = l.srv.FunctionARN(rec.Config.FunctionName)
		zipData, err := os.ReadFile(filepath.Join(dir, "code.zip"))
		if err != nil {
			return fmt.Errorf("localaws: load function %s: %w", e.Name(), err)
		}
		code, err := l.unpack(rec.Config.FunctionName, zipData)
		if err != nil {
			return fmt.Errorf("localaws: load function %s: %w", e.Name(), err)
		}
		fn := &function{dir: dir, rec: rec}
		fn.pool, err = newPool(l.srv, l.newSpec(&rec.Config, code), l.logPath(rec.Config.FunctionName))
		if err != nil {
			code.release()
			return err
		}
		l.fns[rec.Config.FunctionName] = fn
	}
	return nil
}

func (l *lambdaStore) logPath(name string) string {
	return filepath.Join(l.logRoot, name+".log")
}

// closeAll stops every pool (kills and reaps every instance).
func (l *lambdaStore) closeAll() {
	l.mu.Lock()
	l.closed = true
	fns := make([]*function, 0, len(l.fns))
	for _, fn := range l.fns {
		fns = append(fns, fn)
	}
	l.mu.Unlock()
	var wg sync.WaitGroup
	for _, fn := range fns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fn.pool.close()
		}()
	}
	wg.Wait()
}

// unpack extracts zipData into a fresh private directory under runRoot.
func (l *lambdaStore) unpack(name string, zipData []byte) (*codeDir, error) {
	dir := filepath.Join(l.runRoot, name+"-"+strconv.FormatInt(l.seq.Add(1), 10))
	if err := unzipSafe(zipData, dir, l.srv.opts.MaxUnzippedSize); err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	return newCodeDir(dir), nil
}

// newSpec derives the immutable instance spec from a configuration.
func (l *lambdaStore) newSpec(cfg *functionConfig, code *codeDir) *spec {
	o := l.srv.opts
	env := []string{
		"PATH=/usr/local/bin:/usr/bin:/bin",
		"LANG=en_US.UTF-8",
		"TZ=:UTC",
		"AWS_LAMBDA_FUNCTION_NAME=" + cfg.FunctionName,
		"AWS_LAMBDA_FUNCTION_VERSION=" + latestVersion,
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=" + strconv.Itoa(int(cfg.MemorySize)),
		"AWS_LAMBDA_LOG_GROUP_NAME=/aws/lambda/" + cfg.FunctionName,
		"AWS_LAMBDA_INITIALIZATION_TYPE=on-demand",
		"AWS_REGION=" + o.Region,
		"AWS_DEFAULT_REGION=" + o.Region,
		"_HANDLER=" + cfg.Handler,
		"LAMBDA_TASK_ROOT=" + code.path,
		"LAMBDA_RUNTIME_DIR=" + code.path,
	}
	if cfg.Runtime == runtimeGo1x {
		env = append(env, "AWS_EXECUTION_ENV=AWS_Lambda_go1.x")
	}
	if cfg.Environment != nil {
		keys := make([]string, 0, len(cfg.Environment.Variables))
		for k := range cfg.Environment.Variables {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			env = append(env, k+"="+cfg.Environment.Variables[k])
		}
	}
	return &spec{
		name:    cfg.FunctionName,
		arn:     cfg.FunctionArn,
		runtime: cfg.Runtime,
		handler: cfg.Handler,
		code:    code,
		env:     env,
		timeout: time.Duration(cfg.Timeout) * time.Second,
	}
}

// lookup resolves a FunctionName path parameter (name, partial or full ARN,
// optionally with a qualifier) and a Qualifier query parameter.
func (l *lambdaStore) lookup(ref, qualifier string) (*function, error) {
	name, qual, err := l.parseFunctionRef(ref)
	if err != nil {
		return nil, err
	}
	if qualifier != "" {
		if qual != "" && qual != qualifier {
			return nil, errInvalidParameter("The derived qualifier from the function name does not match the specified qualifier.")
		}
		qual = qualifier
	}
	l.mu.RLock()
	fn := l.fns[name]
	l.mu.RUnlock()
	arn := l.srv.FunctionARN(name)
	if fn == nil {
		return nil, errNotFound("Function not found: %s", arn)
	}
	if qual != "" && qual != latestVersion {
		return nil, errNotFound("Function not found: %s:%s", arn, qual)
	}
	return fn, nil
}

func (l *lambdaStore) parseFunctionRef(ref string) (name, qualifier string, err error) {
	if ref == "" {
		return "", "", errValidation("1 validation error detected: Value null at 'functionName' failed to satisfy constraint: Member must not have null value")
	}
	parts := strings.Split(ref, ":")
	switch {
	case strings.HasPrefix(ref, "arn:"):
		// arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]
		if len(parts) < 7 || len(parts) > 8 || parts[2] != "lambda" || parts[5] != "function" {
			return "", "", errValidation("1 validation error detected: Value '%s' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern", ref)
		}
		if parts[3] != l.srv.opts.Region || parts[4] != AccountID {
			return "", "", errNotFound("Function not found: %s", ref)
		}
		name = parts[6]
		if len(parts) == 8 {
			qualifier = parts[7]
		}
	case len(parts) >= 3 && parts[1] == "function":
		// <account>:function:<name>[:<qualifier>]
		if len(parts) > 4 || parts[0] != AccountID {
			return "", "", errNotFound("Function not found: %s", ref)
		}
		name = parts[2]
		if len(parts) == 4 {
			qualifier = parts[3]
		}
	case len(parts) <= 2:
		name = parts[0]
		if len(parts) == 2 {
			qualifier = parts[1]
		}
	default:
		return "", "", errValidation("1 validation error detected: Value '%s' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern", ref)
	}
	if !functionNameRE.MatchString(name) {
		return "", "", errValidation("1 validation error detected: Value '%s' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?", ref)
	}
	return name, qualifier, nil
}

// persist writes function.json atomically.
func (fn *function) persist() error {
	data, err := json.MarshalIndent(&fn.rec, "", "  ")
	if err != nil {
		return fmt.Errorf("localaws: encode function %s: %w", fn.rec.Config.FunctionName, err)
	}
	return writeFileAtomic(filepath.Join(fn.dir, "function.json"), data)
}

func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-"+filepath.Base(path)+"-*")
	if err != nil {
		return fmt.Errorf("localaws: write %s: %w", path, err)
	}
	_, werr := tmp.Write(data)
	cerr := tmp.Close()
	if werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(tmp.Name(), path)
	}
	if werr != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("localaws: write %s: %w", path, werr)
	}
	return nil
}

func codeSHA256(zipData []byte) string {
	sum := sha256.Sum256(zipData)
	return base64.StdEncoding.EncodeToString(sum[:])
}

func nowLastModified() string {
	return time.Now().UTC().Format(lastModifiedLayout)
}

// validateEnv checks configured environment variables as AWS does.
func validateEnv(env *environment) error {
	if env == nil {
		return nil
	}
	var reserved []string
	size := 0
	for k, v := range env.Variables {
		if !envKeyRE.MatchString(k) {
			return errValidation("1 validation error detected: Value at 'environment.variables' failed to satisfy constraint: Map keys must satisfy constraint: [Member must satisfy regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+]")
		}
		if reservedEnv[k] {
			reserved = append(reserved, k)
		}
		size += len(k) + len(v)
	}
	if len(reserved) > 0 {
		sort.Strings(reserved)
		return errInvalidParameter("Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: %s", strings.Join(reserved, ", "))
	}
	if size > 4096 {
		return errInvalidParameter("Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: %d", size)
	}
	return nil
}
