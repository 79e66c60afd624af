package mmhost

import (
	"archive/tar"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"strings"
)

// Manifest is the part of plugin.json the host needs.
type Manifest struct {
	Id               string `json:"id"`
	Name             string `json:"name"`
	Version          string `json:"version"`
	MinServerVersion string `json:"min_server_version"`
	Server           struct {
		Executables map[string]string `json:"executables"`
		Executable  string            `json:"executable"`
	} `json:"server"`
	Webapp struct {
		BundlePath string `json:"bundle_path"`
	} `json:"webapp"`
	SettingsSchema struct {
		Settings []struct {
			Key     string `json:"key"`
			Default any    `json:"default"`
		} `json:"settings"`
	} `json:"settings_schema"`
}

// ReadManifest reads <bundleDir>/plugin.json.
func ReadManifest(bundleDir string) (*Manifest, error) {
	b, err := os.ReadFile(filepath.Join(bundleDir, "plugin.json"))
	if err != nil {
		return nil, fmt.Errorf("read plugin manifest: %w", err)
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("decode %s/plugin.json: %w", bundleDir, err)
	}
	if m.Id == "" {
		return nil, fmt.Errorf("%s/plugin.json has no id", bundleDir)
	}
	return &m, nil
}

// Executable resolves the server executable for this OS and architecture the
// way the server does: the executables map, else the single executable, with
// paths escaping the bundle rejected.
func (m *Manifest) Executable(bundleDir string) (string, error) {
	rel := m.Server.Executables[runtime.GOOS+"-"+runtime.GOARCH]
	if rel == "" {
		rel = m.Server.Executable
	}
	if rel == "" {
		return "", fmt.Errorf("plugin %s has no server executable for %s-%s", m.Id, runtime.GOOS, runtime.GOARCH)
	}
	clean := path.Clean(path.Join(".", rel))
	if strings.HasPrefix(clean, "..") {
		return "", fmt.Errorf("plugin %s: executable path %q leaves the bundle", m.Id, rel)
	}
	return filepath.Join(bundleDir, filepath.FromSlash(clean)), nil
}

// ExtractBundle unpacks a plugin .tar.gz into dir/<id> as the server does:
// only directories and regular files, modes from the archive, no path may
// leave the target, and a single top-level directory is the bundle root.
// It returns the bundle directory.
func ExtractBundle(archive, dir string) (string, error) {
	f, err := os.Open(archive)
	if err != nil {
		return "", fmt.Errorf("open plugin bundle: %w", err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return "", fmt.Errorf("plugin bundle %s is not gzip: %w", archive, err)
	}
	tmp, err := os.MkdirTemp(dir, "unpack-")
	if err != nil {
		return "", err
	}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return "", fmt.Errorf("read plugin bundle %s: %w", archive, err)
		}
		name := path.Clean(h.Name)
		if path.IsAbs(name) || name == ".." || strings.HasPrefix(name, "../") {
			return "", fmt.Errorf("plugin bundle entry %q leaves the bundle", h.Name)
		}
		target := filepath.Join(tmp, filepath.FromSlash(name))
		switch h.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(target, 0o755); err != nil {
				return "", err
			}
		case tar.TypeReg:
			if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
				return "", err
			}
			out, err := os.OpenFile(target, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, os.FileMode(h.Mode)&0o777)
			if err != nil {
				return "", err
			}
			_, cerr := io.Copy(out, tr)
			if err := errors.Join(cerr, out.Close()); err != nil {
				return "", fmt.Errorf("extract %s: %w", h.Name, err)
			}
		default:
			// The server skips links and special files.
		}
	}
	root := tmp
	if entries, err := os.ReadDir(tmp); err == nil && len(entries) == 1 && entries[0].IsDir() {
		root = filepath.Join(tmp, entries[0].Name())
	}
	m, err := ReadManifest(root)
	if err != nil {
		return "", err
	}
	final := filepath.Join(dir, strings.ToLower(m.Id))
	if err := os.RemoveAll(final); err != nil {
		return "", err
	}
	if err := os.Rename(root, final); err != nil {
		return "", fmt.Errorf("install bundle into %s: %w", final, err)
	}
	_ = os.RemoveAll(tmp)
	return final, nil
}
