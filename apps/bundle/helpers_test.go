package bundle_test

import (
	"archive/zip"
	"bytes"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/mattermost-community/apps-plugin/apps"
)

// The test Lambda function, built once per test binary run.
var (
	buildOnce   sync.Once
	buildDir    string
	buildBinary []byte
	buildErr    error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		_ = os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// lambdaBinary compiles testdata/lambdafn (a real aws-lambda-go function)
// for linux/amd64 and returns the executable.
func lambdaBinary(t testing.TB) []byte {
	t.Helper()
	buildOnce.Do(func() {
		goTool, err := exec.LookPath("go")
		if err != nil {
			// "go test" puts its own go first in PATH; this is a fallback.
			goTool = "/usr/local/go/bin/go"
		}
		buildDir, buildErr = os.MkdirTemp("", "lambdafn-")
		if buildErr != nil {
			return
		}
		out := filepath.Join(buildDir, "hello-lambda")
		cmd := exec.Command(goTool, "build", "-trimpath", "-ldflags=-s -w", "-o", out, "./testdata/lambdafn")
		cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH=amd64", "CGO_ENABLED=0", "GOFLAGS=-mod=readonly -buildvcs=false")
		if msg, err := cmd.CombinedOutput(); err != nil {
			buildErr = errors.New("go build: " + err.Error() + "\n" + string(msg))
			return
		}
		buildBinary, buildErr = os.ReadFile(out)
	})
	if buildErr != nil {
		t.Fatalf("building the test lambda: %v", buildErr)
	}
	return buildBinary
}

type entry struct {
	name   string
	data   []byte
	mode   fs.FileMode // 0: 0644 file
	method uint16      // 0: Deflate
}

func file(name, data string) entry { return entry{name: name, data: []byte(data)} }

// makeZip builds a zip archive from entries.
func makeZip(t testing.TB, entries ...entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e.name, Method: zip.Deflate}
		if e.method != 0 || strings.HasSuffix(e.name, "/") {
			h.Method = e.method
		}
		mode := e.mode
		if mode == 0 {
			mode = 0o644
			if strings.HasSuffix(e.name, "/") {
				mode = fs.ModeDir | 0o755
			}
		}
		h.SetMode(mode)
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(e.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// functionZip is a go1.x function archive: the handler binary at its root.
func functionZip(t testing.TB, handler string, bin []byte) []byte {
	return makeZip(t, entry{name: handler, data: bin, mode: 0o755})
}

// tinyFunctionZip is a valid (non-runnable) function archive.
func tinyFunctionZip(t testing.TB) []byte {
	return makeZip(t, file("index.js", "exports.handler = async () => ({statusCode: 200, body: '{}'})"))
}

func checkErr(t *testing.T, err error, want string, tooLarge bool) {
	t.Helper()
	if err == nil {
		t.Fatalf("expected an error containing %q", want)
	}
	if !errors.Is(err, apps.ErrInvalid) {
		t.Errorf("error does not match ErrInvalid: %v", err)
	}
	if tooLarge && !errors.Is(err, apps.ErrTooLarge) {
		t.Errorf("error does not match ErrTooLarge: %v", err)
	}
	if !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not contain %q", err, want)
	}
}

func writeTemp(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
