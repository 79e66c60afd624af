package store

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mattermost-community/apps-plugin/apps"
	"github.com/mattermost-community/apps-plugin/test/fakemm"
)

func newAPI(t *testing.T) (*fakemm.Server, func() *InstalledApps) {
	t.Helper()
	mm := fakemm.New(fakemm.Options{})
	api := mm.ForPlugin(fakemm.PluginManifest{Id: "com.mattermost.apps"}, "node1", "")
	return mm, func() *InstalledApps { return NewInstalledApps(api) }
}

func app(id string) apps.App {
	return apps.App{Manifest: apps.Manifest{AppID: apps.AppID(id), Version: "1.0.0", DisplayName: id}, DeployType: apps.DeployHTTP}
}

func TestInstalledAppsSurviveReload(t *testing.T) {
	mm, open := newAPI(t)
	s := open()
	for _, id := range []string{"zeta", "alpha", "mid"} {
		if err := s.Save(id, app(id)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Delete("mid"); err != nil {
		t.Fatal(err)
	}
	// A second store over the same KV (a restart, or another node).
	s2 := open()
	if err := s2.Load(); err != nil {
		t.Fatal(err)
	}
	got := s2.List()
	if len(got) != 2 || got[0].AppID != "alpha" || got[1].AppID != "zeta" {
		t.Fatalf("after reload: %+v", got)
	}
	if _, ok := mm.KV("com.mattermost.apps")["ia.mid"]; ok {
		t.Error("deleted record still stored")
	}
}

func TestConcurrentSavesKeepEveryIndexEntry(t *testing.T) {
	_, open := newAPI(t)
	var wg sync.WaitGroup
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := open() // separate writers, as on separate nodes
			id := fmt.Sprintf("app%02d", i)
			if err := s.Save(id, app(id)); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	s := open()
	if err := s.Load(); err != nil {
		t.Fatal(err)
	}
	if n := len(s.List()); n != 16 {
		t.Fatalf("apps after concurrent saves = %d, want 16", n)
	}
}

func TestBadRecordIsSkippedAndReported(t *testing.T) {
	mm, open := newAPI(t)
	s := open()
	if err := s.Save("good", app("good")); err != nil {
		t.Fatal(err)
	}
	if err := s.Save("bad", app("bad")); err != nil {
		t.Fatal(err)
	}
	mm.SetKV("com.mattermost.apps", "ia.bad", []byte("{not json"))
	mm.SetKV("com.mattermost.apps", "ia.good", mm.KV("com.mattermost.apps")["ia.good"])
	s2 := open()
	err := s2.Load()
	if err == nil {
		t.Fatal("want an error naming the bad record")
	}
	if _, ok := s2.Get("good"); !ok {
		t.Fatal("the good record was not loaded")
	}
	mm.SetKV("com.mattermost.apps", "ia.bad", []byte(`{"schema":99,"data":{}}`))
	if _, err := open().records.Get("bad"); err == nil || !strings.Contains(err.Error(), "newer version") {
		t.Fatalf("future schema: err = %v", err)
	}
}

func TestLockIsExclusive(t *testing.T) {
	mm := fakemm.New(fakemm.Options{})
	api := mm.ForPlugin(fakemm.PluginManifest{Id: "p"}, "node1", "")
	a, b := NewLock(api, "install.x"), NewLock(api, "install.x")
	ctx := context.Background()
	if err := a.Acquire(ctx, time.Minute); err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	if err := b.Acquire(short, time.Minute); err == nil {
		t.Fatal("b took a held lock")
	}
	b.Release() // not the holder: no effect
	if err := b.Acquire(short, time.Minute); err == nil {
		t.Fatal("b's release freed a's lock")
	}
	a.Release()
	if err := b.Acquire(ctx, time.Minute); err != nil {
		t.Fatalf("after release: %v", err)
	}
}
