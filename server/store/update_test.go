package store

import (
	"context"
	"testing"
	"time"

	"github.com/mattermost-community/apps-plugin/test/fakemm"
)

func TestRecordsUpdateIsCompareAndSet(t *testing.T) {
	mm := fakemm.New(fakemm.Options{})
	api := mm.ForPlugin(fakemm.PluginManifest{Id: "com.mattermost.apps"}, "node1", "")
	r := NewRecords[int](api, "n", "n.", "idx.n")
	if _, ok, err := r.Update("a", func(*int) bool { return true }); ok || err != nil {
		t.Fatalf("missing record: ok=%v %v", ok, err)
	}
	if err := r.Put("a", 1); err != nil {
		t.Fatal(err)
	}
	if v, ok, err := r.Update("a", func(v *int) bool { *v++; return true }); !ok || err != nil || v != 2 {
		t.Fatalf("update: %d %v %v", v, ok, err)
	}
	if _, ok, _ := r.Update("a", func(*int) bool { return false }); ok {
		t.Fatal("declined update reported done")
	}
	// A writer in between makes the update lose.
	_, ok, err := r.Update("a", func(v *int) bool {
		if err := r.Put("a", 10); err != nil {
			t.Fatal(err)
		}
		*v = 3
		return true
	})
	if ok || err != nil {
		t.Fatalf("lost update: ok=%v %v", ok, err)
	}
	if v, _ := r.Get("a"); v != 10 {
		t.Fatalf("value = %d, want the other writer's 10", v)
	}
}

func TestLockRefreshExtendsItAndNoticesALoss(t *testing.T) {
	now := time.Now()
	mm := fakemm.New(fakemm.Options{Now: func() time.Time { return now }})
	api := mm.ForPlugin(fakemm.PluginManifest{Id: "p"}, "node1", "")
	a, b := NewLock(api, "long"), NewLock(api, "long")
	short, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := a.Acquire(context.Background(), time.Minute); err != nil {
		t.Fatal(err)
	}
	now = now.Add(50 * time.Second)
	if ok, err := a.Refresh(time.Minute); !ok || err != nil {
		t.Fatalf("refresh: %v %v", ok, err)
	}
	now = now.Add(50 * time.Second) // past the first TTL, within the refreshed one
	if err := b.Acquire(short, time.Minute); err == nil {
		t.Fatal("b took a refreshed lock")
	}
	now = now.Add(20 * time.Second)
	if err := b.Acquire(context.Background(), time.Minute); err != nil {
		t.Fatalf("after expiry: %v", err)
	}
	if ok, _ := a.Refresh(time.Minute); ok {
		t.Fatal("a refreshed a lock b holds")
	}
}
