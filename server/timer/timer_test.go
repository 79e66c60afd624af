package timer

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mattermost-community/apps-plugin/apps"
	"github.com/mattermost-community/apps-plugin/server/mmplugin"
	"github.com/mattermost-community/apps-plugin/test/fakemm"
)

type fired struct {
	mu  sync.Mutex
	ids []string
	n   atomic.Int64
}

func (f *fired) invoke(ctx context.Context, t Timer) error {
	f.mu.Lock()
	f.ids = append(f.ids, t.ID)
	f.mu.Unlock()
	f.n.Add(1)
	return nil
}

func (f *fired) list() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.ids...)
}

func newKV(t *testing.T) (*fakemm.Server, func(node string) mmplugin.API) {
	mm := fakemm.New(fakemm.Options{})
	return mm, func(node string) mmplugin.API {
		return mm.ForPlugin(fakemm.PluginManifest{Id: "com.mattermost.apps"}, node, "")
	}
}

// put stores a timer due at (bypassing Create's "in the future" rule).
func put(t *testing.T, s *Service, at time.Time, app string) string {
	t.Helper()
	tm := Timer{ID: fmt.Sprintf("%013d-%s", at.UnixMilli(), app+"xxxxxxxxxxxxxxxxxxxxxxxxxx"[:26-len(app)]), AppID: apps.AppID(app), UserID: "u", At: at.UnixMilli(), Call: apps.Call{Path: "/t"}}
	if err := s.records.Put(tm.ID, tm); err != nil {
		t.Fatal(err)
	}
	return tm.ID
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestPastDueTimersFireOnStartOncePerCluster(t *testing.T) {
	_, api := newKV(t)
	var f fired
	nodes := []*Service{
		New(Options{API: api("node1"), Invoke: f.invoke, Poll: time.Hour}),
		New(Options{API: api("node2"), Invoke: f.invoke, Poll: time.Hour}),
	}
	past := put(t, nodes[0], time.Now().Add(-time.Minute), "appa")
	soon := put(t, nodes[0], time.Now().Add(100*time.Millisecond), "appb")
	later := put(t, nodes[0], time.Now().Add(2*time.Hour), "appc")
	for _, n := range nodes {
		n.Start()
		defer n.Stop()
	}
	waitFor(t, "two timers", func() bool { return f.n.Load() >= 2 })
	time.Sleep(150 * time.Millisecond) // a duplicate would show by now
	if got := f.list(); len(got) != 2 || got[0] != past || got[1] != soon {
		t.Fatalf("fired %v, want [%s %s] once each", got, past, soon)
	}
	ids, _ := nodes[0].records.IDs()
	if len(ids) != 1 || ids[0] != later {
		t.Fatalf("left %v, want only %s", ids, later)
	}
}

func TestTimersSurviveARestart(t *testing.T) {
	_, api := newKV(t)
	var f fired
	s := New(Options{API: api("node1"), Invoke: f.invoke, Poll: time.Hour})
	s.Start()
	id := put(t, s, time.Now().Add(300*time.Millisecond), "appa")
	s.Stop() // before it fires; nothing was armed for it (poll is an hour)
	time.Sleep(400 * time.Millisecond)
	if f.n.Load() != 0 {
		t.Fatal("fired while stopped")
	}
	s2 := New(Options{API: api("node1"), Invoke: f.invoke, Poll: time.Hour})
	s2.Start()
	defer s2.Stop()
	waitFor(t, "the timer after restart", func() bool { return f.n.Load() == 1 })
	if got := f.list(); got[0] != id {
		t.Fatalf("fired %v", got)
	}
}

func TestAClaimedTimerWaitsForItsLease(t *testing.T) {
	_, api := newKV(t)
	var f fired
	block := make(chan struct{})
	var calls atomic.Int64
	slow := func(ctx context.Context, tm Timer) error {
		calls.Add(1)
		select {
		case <-block:
		case <-ctx.Done():
		}
		return ctx.Err()
	}
	a := New(Options{API: api("node1"), Invoke: slow, Poll: time.Hour, CallTimeout: time.Hour})
	id := put(t, a, time.Now().Add(-time.Second), "appa")
	a.Start()
	waitFor(t, "node1 to claim", func() bool { return calls.Load() == 1 })
	// node1 stops mid-call: the claim stays, node2 must not fire before the lease.
	a.Stop()
	b := New(Options{API: api("node2"), Invoke: f.invoke, Poll: 20 * time.Millisecond})
	b.Start()
	defer b.Stop()
	time.Sleep(100 * time.Millisecond)
	if f.n.Load() != 0 {
		t.Fatal("fired during another node's lease")
	}
	// Once the lease is over, it fires.
	if _, _, err := b.records.Update(id, func(tm *Timer) bool { tm.ClaimedUntil = time.Now().Add(-time.Second).UnixMilli(); return true }); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the timer after the lease", func() bool { return f.n.Load() == 1 })
}

func TestCreateValidatesAndRemoveAppDeletes(t *testing.T) {
	mm, api := newKV(t)
	user := mm.CreateUser("alice")
	var f fired
	s := New(Options{API: api("node1"), Invoke: f.invoke, Poll: time.Hour, Check: func(appID apps.AppID, c apps.Call) error {
		if c.Path == "/reserved" {
			return errors.New("reserved")
		}
		return nil
	}})
	s.Start()
	defer s.Stop()
	at := time.Now().Add(time.Hour).UnixMilli()
	for name, req := range map[string]Request{
		"past":        {At: time.Now().UnixMilli(), Call: apps.Call{Path: "/t"}},
		"no path":     {At: at},
		"bad path":    {At: at, Call: apps.Call{Path: "t"}},
		"reserved":    {At: at, Call: apps.Call{Path: "/reserved"}},
		"not member":  {At: at, Call: apps.Call{Path: "/t"}, ChannelID: "nochannel"},
		"not in team": {At: at, Call: apps.Call{Path: "/t"}, TeamID: "noteam"},
	} {
		if _, err := s.Create("appa", user.Id, req); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	t1, err := s.Create("appa", user.Id, Request{At: at, Call: apps.Call{Path: "/t"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Create("appb", user.Id, Request{At: at, Call: apps.Call{Path: "/t"}}); err != nil {
		t.Fatal(err)
	}
	if err := s.RemoveApp("appa"); err != nil {
		t.Fatal(err)
	}
	all, _ := s.List()
	if len(all) != 1 || all[0].AppID != "appb" || all[0].ID == t1.ID {
		t.Fatalf("after RemoveApp: %+v", all)
	}
	for k := range mm.KV("com.mattermost.apps") {
		if len(k) > 50 {
			t.Errorf("key %q is %d bytes", k, len(k))
		}
	}
}
