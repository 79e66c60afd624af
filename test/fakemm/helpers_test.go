package fakemm

import (
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/mattermost-community/apps-plugin/server/mmplugin"
	"github.com/mattermost-community/apps-plugin/server/mmplugin/model"
)

const testPluginID = "com.example.test"

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *fakeClock {
	return &fakeClock{t: time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func newTestServer(t *testing.T) (*Server, mmplugin.API, *fakeClock) {
	t.Helper()
	clk := newClock()
	s := New(Options{SiteURL: "http://127.0.0.1:8065", Now: clk.Now, Logf: t.Logf})
	api := s.ForPlugin(PluginManifest{Id: testPluginID, Name: "Test", Version: "1.0.0"}, "node-a", "/tmp/plugins/"+testPluginID)
	return s, api, clk
}

// recorder is a Listener (and PostListener, ConfigListener) that records
// every call as a string.
type recorder struct {
	mu     sync.Mutex
	calls  []string
	onCall func(call string)

	cmdResp    *model.CommandResponse
	cmdErr     error
	cmdArgs    []*model.CommandArgs
	httpFrom   []string
	httpPaths  []string
	clusterErr error
}

func (r *recorder) add(format string, args ...any) {
	call := fmt.Sprintf(format, args...)
	r.mu.Lock()
	r.calls = append(r.calls, call)
	onCall := r.onCall
	r.mu.Unlock()
	if onCall != nil {
		onCall(call)
	}
}

func (r *recorder) Calls() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.calls...)
}

func (r *recorder) Reset() {
	r.mu.Lock()
	r.calls = nil
	r.mu.Unlock()
}

func actorName(u *model.User) string {
	if u == nil {
		return "<nil>"
	}
	return u.Username
}

func (r *recorder) UserHasBeenCreated(u *model.User) { r.add("UserHasBeenCreated %s", u.Username) }
func (r *recorder) UserHasJoinedChannel(m *model.ChannelMember, actor *model.User) {
	r.add("UserHasJoinedChannel %s %s by %s", m.ChannelId, m.UserId, actorName(actor))
}
func (r *recorder) UserHasLeftChannel(m *model.ChannelMember, actor *model.User) {
	r.add("UserHasLeftChannel %s %s by %s", m.ChannelId, m.UserId, actorName(actor))
}
func (r *recorder) UserHasJoinedTeam(m *model.TeamMember, actor *model.User) {
	r.add("UserHasJoinedTeam %s %s by %s", m.TeamId, m.UserId, actorName(actor))
}
func (r *recorder) UserHasLeftTeam(m *model.TeamMember, actor *model.User) {
	r.add("UserHasLeftTeam %s %s by %s", m.TeamId, m.UserId, actorName(actor))
}
func (r *recorder) ChannelHasBeenCreated(ch *model.Channel) {
	r.add("ChannelHasBeenCreated %s", ch.Name)
}
func (r *recorder) PluginHTTP(from string, req *http.Request) *http.Response {
	r.mu.Lock()
	r.httpFrom = append(r.httpFrom, from)
	r.httpPaths = append(r.httpPaths, req.URL.Path)
	r.mu.Unlock()
	return textResponse(req, http.StatusTeapot, "routed")
}
func (r *recorder) ExecuteSlashCommand(args *model.CommandArgs) (*model.CommandResponse, error) {
	r.mu.Lock()
	r.cmdArgs = append(r.cmdArgs, args)
	r.mu.Unlock()
	r.add("ExecuteSlashCommand %s", args.Command)
	return r.cmdResp, r.cmdErr
}
func (r *recorder) PublishPluginClusterEvent(pluginID, fromNode string, ev model.PluginClusterEvent, opts model.PluginClusterEventSendOptions) error {
	r.add("PublishPluginClusterEvent %s %s %s %s %s", pluginID, fromNode, ev.Id, ev.Data, opts.SendType)
	return r.clusterErr
}
func (r *recorder) MessageHasBeenPosted(p *model.Post) {
	r.add("MessageHasBeenPosted %s %q", p.ChannelId, p.Message)
}
func (r *recorder) ConfigurationChanged() { r.add("ConfigurationChanged") }

func wantAppErr(t *testing.T, err *model.AppError, status int, id string) {
	t.Helper()
	if err == nil {
		t.Fatalf("want AppError %d %s, got nil", status, id)
	}
	if err.StatusCode != status || (id != "" && err.Id != id) {
		t.Fatalf("want AppError %d %s, got %d %s (%v)", status, id, err.StatusCode, err.Id, err)
	}
}

func noAppErr(t *testing.T, err *model.AppError) {
	t.Helper()
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
