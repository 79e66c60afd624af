package s3test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// MinIOEnv names the environment variable holding the MinIO binary's path
// (the Makefile sets it to $(MINIO) for test-go and bench).
const MinIOEnv = "APPS_TEST_MINIO"

const (
	minioStartTimeout = 15 * time.Second
	minioStopTimeout  = 10 * time.Second
)

// MinIOPath is the MinIO binary to run: $APPS_TEST_MINIO if set (whether or
// not the file exists), else the .tools/minio-<MINIO_VERSION> that
// `make minio` builds under the module root (the version read from the
// Makefile), else the newest .tools/minio-* there, else "".
func MinIOPath() string {
	if p := os.Getenv(MinIOEnv); p != "" {
		return p
	}
	root := moduleRoot()
	if root == "" {
		return ""
	}
	tools := filepath.Join(root, ".tools")
	if v := makefileMinIOVersion(filepath.Join(root, "Makefile")); v != "" {
		if p := filepath.Join(tools, "minio-"+v); isExecutable(p) {
			return p
		}
	}
	matches, _ := filepath.Glob(filepath.Join(tools, "minio-*"))
	var best string
	var bestTime time.Time
	for _, m := range matches {
		fi, err := os.Stat(m)
		if err != nil || !isExecutable(m) {
			continue
		}
		if best == "" || fi.ModTime().After(bestTime) {
			best, bestTime = m, fi.ModTime()
		}
	}
	return best
}

// moduleRoot is the nearest directory at or above the working directory that
// holds a go.mod, or "".
func moduleRoot() string {
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

var minioVersionLine = regexp.MustCompile(`(?m)^MINIO_VERSION\s*:?=\s*(\S+)\s*$`)

func makefileMinIOVersion(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	if m := minioVersionLine.FindSubmatch(b); m != nil {
		return string(m[1])
	}
	return ""
}

func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0
}

// StartMinIO runs MinIO ([MinIOPath]) for the test and stops it, removing its
// data, at cleanup; the cleanup fails the test if the process outlives it.
// It skips the test when there is no MinIO binary.
func StartMinIO(t testing.TB) *Server {
	t.Helper()
	bin := MinIOPath()
	if bin == "" {
		t.Skipf("s3test: no MinIO binary: run `make minio` (builds .tools/minio-<version>) or set %s", MinIOEnv)
	}
	if !isExecutable(bin) {
		t.Skipf("s3test: MinIO binary %q is missing or not executable: run `make minio` or fix %s", bin, MinIOEnv)
	}
	s, err := NewMinIO(bin)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
		if t.Failed() {
			t.Logf("s3test: MinIO output:\n%s", s.minio.log.String())
		}
	})
	return s
}

// minioProc is a running MinIO process.
type minioProc struct {
	cmd    *exec.Cmd
	dir    string // removed at Close: data/, certs/, home/
	exited chan struct{}
	log    *tailBuffer
}

// NewMinIO runs the MinIO binary on a free 127.0.0.1 port with a fresh data
// directory and random root credentials, and returns once MinIO reports
// ready. Close stops it (SIGTERM, then SIGKILL), checks that the process is
// gone and removes the data.
func NewMinIO(binary string) (*Server, error) {
	if !isExecutable(binary) {
		return nil, fmt.Errorf("s3test: MinIO binary %q is missing or not executable (run `make minio`)", binary)
	}
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		s, retry, err := startMinIO(binary)
		if err == nil {
			return s, nil
		}
		lastErr = err
		if !retry {
			break
		}
	}
	return nil, lastErr
}

// startMinIO makes one attempt; retry reports a lost race for the port.
func startMinIO(binary string) (_ *Server, retry bool, _ error) {
	port, err := freePort()
	if err != nil {
		return nil, false, err
	}
	dir, err := os.MkdirTemp("", "s3test-minio-*")
	if err != nil {
		return nil, false, err
	}
	for _, sub := range []string{"data", "certs", "home"} {
		if err := os.Mkdir(filepath.Join(dir, sub), 0o700); err != nil {
			os.RemoveAll(dir)
			return nil, false, err
		}
	}

	s := newServer()
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	s.Endpoint = "http://" + addr
	p := &minioProc{dir: dir, exited: make(chan struct{}), log: &tailBuffer{max: 64 << 10}}
	s.minio = p

	cmd := exec.Command(binary, "server", "--quiet", "--address", addr,
		"--certs-dir", filepath.Join(dir, "certs"), filepath.Join(dir, "data"))
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = p.log, p.log
	cmd.SysProcAttr = childProcAttr()
	env := []string{}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "MINIO_") && !strings.HasPrefix(kv, "HOME=") {
			env = append(env, kv)
		}
	}
	cmd.Env = append(env,
		"HOME="+filepath.Join(dir, "home"), // MinIO creates ~/.minio
		"MINIO_ROOT_USER="+s.AccessKey,
		"MINIO_ROOT_PASSWORD="+s.SecretKey,
		"MINIO_REGION="+s.Region,
		"MINIO_BROWSER=off", // no console listener
		"MINIO_UPDATE=off",
		"MINIO_CI_CD=on", // no root-drive checks for a temp dir
	)
	p.cmd = cmd
	if err := cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, false, fmt.Errorf("s3test: start MinIO: %w", err)
	}
	go func() {
		_ = cmd.Wait()
		close(p.exited)
	}()
	s.close = p.stop

	if err := waitReady(s.Endpoint, p.exited); err != nil {
		_ = p.stop()
		out := p.log.String()
		return nil, strings.Contains(out, "already in use"),
			fmt.Errorf("s3test: MinIO at %s: %w\nMinIO output:\n%s", addr, err, out)
	}
	// MinIO reports ready before it serves signed requests (a first one can
	// get 503): wait until one succeeds, so tests need no retries.
	if err := waitSigned(s); err != nil {
		_ = p.stop()
		return nil, false, fmt.Errorf("s3test: MinIO at %s: %w\nMinIO output:\n%s", addr, err, p.log.String())
	}
	return s, false, nil
}

func waitSigned(s *Server) error {
	client := s.Client()
	deadline := time.Now().Add(minioStartTimeout)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		_, err := client.ListBuckets(ctx, &s3.ListBucketsInput{})
		cancel()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("signed requests still fail after %v: %w", minioStartTimeout, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func waitReady(endpoint string, exited <-chan struct{}) error {
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(minioStartTimeout)
	for {
		resp, err := client.Get(endpoint + "/minio/health/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-exited:
			return errors.New("process exited before it was ready")
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not ready after %v", minioStartTimeout)
		}
	}
}

// stop ends the process, checks it is gone and removes its directory.
func (p *minioProc) stop() error {
	var errs []error
	select {
	case <-p.exited:
	default:
		_ = p.cmd.Process.Signal(terminateSignal)
		select {
		case <-p.exited:
		case <-time.After(minioStopTimeout):
			_ = p.cmd.Process.Kill()
			select {
			case <-p.exited:
			case <-time.After(minioStopTimeout):
				errs = append(errs, fmt.Errorf("s3test: MinIO pid %d still running after SIGKILL", p.cmd.Process.Pid))
			}
		}
	}
	if processAlive(p.cmd.Process.Pid) {
		errs = append(errs, fmt.Errorf("s3test: MinIO pid %d leaked", p.cmd.Process.Pid))
	}
	if err := os.RemoveAll(p.dir); err != nil {
		errs = append(errs, fmt.Errorf("s3test: remove MinIO data: %w", err))
	}
	return errors.Join(errs...)
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
	max int
}

func (b *tailBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf.Write(p)
	if over := b.buf.Len() - b.max; over > 0 {
		b.buf.Next(over)
	}
	return len(p), nil
}

func (b *tailBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
