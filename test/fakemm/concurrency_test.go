package fakemm

import (
	"fmt"
	"strconv"
	"sync"
	"testing"

	"github.com/mattermost-community/apps-plugin/server/mmplugin/model"
)

// Run with -race: many goroutines on one server, as a plugin's RPC calls are.
func TestConcurrentUse(t *testing.T) {
	s, api, _ := newTestServer(t)
	s.SetListener(&recorder{})
	admin := s.CreateAdmin("admin")
	team := s.CreateTeam("team")
	ch := s.CreateChannel(team.Id, "dev", model.ChannelTypeOpen, admin.Id)

	const workers, rounds = 8, 25
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < rounds; i++ {
				// CAS counter.
				for {
					old, _ := api.KVGet("counter")
					n := 0
					if old != nil {
						n, _ = strconv.Atoi(string(old))
					}
					ok, err := api.KVCompareAndSet("counter", old, []byte(strconv.Itoa(n+1)))
					if err != nil {
						t.Error(err)
						return
					}
					if ok {
						break
					}
				}
				u := s.CreateUser(fmt.Sprintf("user-%d-%d", w, i))
				if _, err := api.CreateTeamMember(team.Id, u.Id); err != nil {
					t.Error(err)
				}
				if _, err := api.CreatePost(&model.Post{UserId: u.Id, ChannelId: ch.Id, Message: "m"}); err != nil {
					t.Error(err)
				}
				_ = api.RegisterCommand(&model.Command{Trigger: fmt.Sprintf("cmd%d", w)})
				api.PublishWebSocketEvent("ev", map[string]any{"i": i}, &model.WebsocketBroadcast{})
				api.HasPermissionToChannel(u.Id, ch.Id, model.PermissionReadChannel)
				_ = s.Config()
				s.SetPluginSetting(testPluginID, "k", i)
				_, _ = api.KVList(0, 10)
			}
		}(w)
	}
	wg.Wait()
	v, _ := api.KVGet("counter")
	if string(v) != strconv.Itoa(workers*rounds) {
		t.Fatalf("counter = %s, want %d", v, workers*rounds)
	}
	if n := len(s.Posts(ch.Id)); n != workers*rounds {
		t.Fatalf("posts = %d", n)
	}
	if n := len(s.WebsocketEvents()); n != workers*rounds {
		t.Fatalf("events = %d", n)
	}
}
