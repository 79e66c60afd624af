// Package testbundle gives end-to-end tests the plugin bundle to run: the one
// `make dist` built (APPS_PLUGIN_BUNDLE, as `make test` sets it), or else a
// bundle for this machine's platform built from source on first use, so plain
// `go test ./...` works too.
package testbundle

import (
	"archive/tar"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
)

// EnvBundle names a prebuilt bundle to test instead of building one.
const EnvBundle = "APPS_PLUGIN_BUNDLE"

// Version is what a bundle built here reports.
const Version = "1.3.0"

// Builder builds the bundle once per test binary.
type Builder struct {
	once sync.Once
	path string
	err  error
	dir  string
}

// Path returns the bundle (.tar.gz), building it on first use.
func (b *Builder) Path() (string, error) {
	b.once.Do(func() {
		if p := os.Getenv(EnvBundle); p != "" {
			if _, err := os.Stat(p); err != nil {
				b.err = fmt.Errorf("%s=%s: %w", EnvBundle, p, err)
				return
			}
			b.path = p
			return
		}
		b.path, b.err = b.build()
	})
	return b.path, b.err
}

// Cleanup removes what Path built.
func (b *Builder) Cleanup() {
	if b.dir != "" {
		_ = os.RemoveAll(b.dir)
	}
}

// RepoRoot is the module root (where go.mod is).
func RepoRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("find the module root: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", fmt.Errorf("not inside the module")
	}
	return filepath.Dir(gomod), nil
}

func (b *Builder) build() (string, error) {
	root, err := RepoRoot()
	if err != nil {
		return "", err
	}
	b.dir, err = os.MkdirTemp("", "apps-testbundle-")
	if err != nil {
		return "", err
	}
	raw, err := os.ReadFile(filepath.Join(root, "plugin.json"))
	if err != nil {
		return "", err
	}
	var manifest map[string]any
	if err := json.Unmarshal(raw, &manifest); err != nil {
		return "", fmt.Errorf("decode plugin.json: %w", err)
	}
	id, _ := manifest["id"].(string)
	bundleDir := filepath.Join(b.dir, id)
	platform := runtime.GOOS + "-" + runtime.GOARCH
	exe := "server/dist/plugin-" + platform
	if runtime.GOOS == "windows" {
		exe += ".exe"
	}
	cmd := exec.Command("go", "build", "-trimpath",
		"-ldflags", "-X main.pluginID="+id+" -X main.version="+fmt.Sprint(manifest["version"])+" -X main.buildHash=testbundle",
		"-o", filepath.Join(bundleDir, filepath.FromSlash(exe)), "./server")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build the plugin: %w\n%s", err, out)
	}
	manifest["server"] = map[string]any{"executables": map[string]string{platform: exe}}
	delete(manifest, "webapp")
	mb, _ := json.MarshalIndent(manifest, "", "  ")
	if err := os.WriteFile(filepath.Join(bundleDir, "plugin.json"), mb, 0o644); err != nil {
		return "", err
	}
	if err := copyDir(filepath.Join(root, "assets"), filepath.Join(bundleDir, "assets")); err != nil {
		return "", err
	}
	archive := filepath.Join(b.dir, id+".tar.gz")
	if err := writeTarGz(archive, b.dir, id); err != nil {
		return "", err
	}
	return archive, nil
}

func copyDir(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
}

// writeTarGz packs base/name into archive with its modes (exec bits matter).
func writeTarGz(archive, base, name string) error {
	f, err := os.Create(archive)
	if err != nil {
		return err
	}
	defer f.Close()
	gz := gzip.NewWriter(f)
	tw := tar.NewWriter(gz)
	err = filepath.WalkDir(filepath.Join(base, name), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(base, p)
		h, err := tar.FileInfoHeader(info, "")
		if err != nil {
			return err
		}
		h.Name = filepath.ToSlash(rel)
		if d.IsDir() {
			h.Name += "/"
		}
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		_, err = tw.Write(data)
		return err
	})
	if err != nil {
		return err
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return gz.Close()
}
