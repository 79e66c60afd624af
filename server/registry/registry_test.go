package registry

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mattermost-community/apps-plugin/apps"
	"github.com/mattermost-community/apps-plugin/server/store"
	"github.com/mattermost-community/apps-plugin/test/fakemm"
)

var errMissing = errors.New("no such key")

// memS3 serves manifests from memory; down makes it unreachable.
type memS3 struct {
	mu    sync.Mutex
	objs  map[string][]byte
	down  atomic.Bool
	calls atomic.Int32
}

func (s *memS3) GetManifest(_ context.Context, id apps.AppID, v apps.AppVersion) ([]byte, error) {
	s.calls.Add(1)
	if s.down.Load() {
		return nil, errors.New("dial tcp 127.0.0.1:9: connection refused")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.objs[apps.ManifestS3Key(id, v)]
	if !ok {
		return nil, fmt.Errorf("get %s: %w", apps.ManifestS3Key(id, v), errMissing)
	}
	return b, nil
}

func manifestJSON(id, version string) []byte {
	return []byte(fmt.Sprintf(`{"app_id":%q,"version":%q,"display_name":%q,"homepage_url":"https://example.com","http":{"root_url":"https://example.com/app"}}`, id, version, id))
}

func newRegistry(t *testing.T, listing string, s3 *memS3) *Registry {
	t.Helper()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "assets"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "assets", "manifests.json"), []byte(listing), 0o644); err != nil {
		t.Fatal(err)
	}
	_ = os.WriteFile(filepath.Join(dir, "assets", "local.json"), manifestJSON("fromfile", "2.0.0"), 0o644)
	api := fakemm.New(fakemm.Options{}).ForPlugin(fakemm.PluginManifest{Id: "com.mattermost.apps"}, "node1", dir)
	r := New(Options{
		API: api, BundlePath: dir, S3: s3, IsNotFound: func(err error) bool { return errors.Is(err, errMissing) },
		Locals: store.NewLocalManifests(api), RetryMin: 10 * time.Millisecond, RetryMax: 50 * time.Millisecond,
	})
	t.Cleanup(r.Stop)
	return r
}

func TestSyncSkipsBadEntries(t *testing.T) {
	s3 := &memS3{objs: map[string][]byte{
		"manifests/good1_1.0.0.json": manifestJSON("good1", "1.0.0"),
		"manifests/good2_0.1.0.json": manifestJSON("good2", "0.1.0"),
		"manifests/wrongid_1.0.json": manifestJSON("other", "1.0"),
		"manifests/invalid_1.0.json": []byte(`{"app_id":"invalid","version":"1.0"}`),
	}}
	r := newRegistry(t, `{"good1":"1.0.0","good2":"s3:0.1.0","wrongid":"1.0","invalid":"1.0","missing":"9.9","fromfile":"file:local.json","escape":"file:../plugin.json"}`, s3)
	if err := r.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := map[apps.AppID]bool{}
	for _, m := range r.List() {
		got[m.AppID] = true
	}
	if len(got) != 3 || !got["good1"] || !got["good2"] || !got["fromfile"] {
		t.Fatalf("listed = %v, want good1, good2, fromfile", got)
	}
	st := r.Status()
	for _, bad := range []string{"wrongid", "invalid", "missing", "escape"} {
		if st.Failed[bad] == "" {
			t.Errorf("status does not explain why %s was skipped: %+v", bad, st.Failed)
		}
	}
	if len(st.Pending) != 0 {
		t.Errorf("pending = %v, want none (missing manifests are not retried)", st.Pending)
	}
}

func TestUnreachableS3IsRetriedUntilItAnswers(t *testing.T) {
	s3 := &memS3{objs: map[string][]byte{"manifests/late_1.0.0.json": manifestJSON("late", "1.0.0")}}
	s3.down.Store(true)
	r := newRegistry(t, `{"late":"1.0.0"}`, s3)
	if err := r.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, ok := r.Get("late"); ok {
		t.Fatal("listed while S3 is down")
	}
	if st := r.Status(); len(st.Pending) != 1 {
		t.Fatalf("pending = %v, want [late]", st.Pending)
	}
	s3.down.Store(false)
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, ok := r.Get("late"); ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not listed 5 s after S3 came back (calls: %d)", s3.calls.Load())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if st := r.Status(); len(st.Pending) != 0 {
		t.Fatalf("still pending: %v", st.Pending)
	}
}

func TestLocalOverridesGlobal(t *testing.T) {
	s3 := &memS3{objs: map[string][]byte{"manifests/app_1.0.0.json": manifestJSON("app", "1.0.0")}}
	r := newRegistry(t, `{"app":"1.0.0"}`, s3)
	if err := r.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	local, err := apps.DecodeManifest(manifestJSON("app", "2.0.0"))
	if err != nil {
		t.Fatal(err)
	}
	if err := r.AddLocal(*local); err != nil {
		t.Fatal(err)
	}
	if m, _ := r.Get("app"); m.Version != "2.0.0" {
		t.Fatalf("version = %s, want the local 2.0.0", m.Version)
	}
	if err := r.RemoveLocal("app"); err != nil {
		t.Fatal(err)
	}
	if m, _ := r.Get("app"); m.Version != "1.0.0" {
		t.Fatalf("after removing the local listing: %s, want 1.0.0", m.Version)
	}
}
