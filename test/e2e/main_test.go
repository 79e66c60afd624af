// Package e2e runs the real plugin bundle in the test host: the binary in its
// own process, driven over the Mattermost plugin protocol.
package e2e

import (
	"fmt"
	"os"
	"testing"

	"github.com/mattermost-community/apps-plugin/test/mmhost"
	"github.com/mattermost-community/apps-plugin/test/testbundle"
)

const pluginID = "com.mattermost.apps"

var bundle testbundle.Builder

func TestMain(m *testing.M) {
	code := m.Run()
	bundle.Cleanup()
	os.Exit(code)
}

// world is a host running the plugin, with an admin, a user, a team and a
// channel both belong to.
type world struct {
	host       *mmhost.Host
	admin      string // user ids
	user       string
	adminToken string
	userToken  string
	teamID     string
	channelID  string
}

func bundlePath(t testing.TB) string {
	t.Helper()
	p, err := bundle.Path()
	if err != nil {
		t.Fatalf("plugin bundle: %v", err)
	}
	return p
}

// newWorld starts a host, installs the plugin after setup (which may change
// the server's configuration first) and creates the users.
func newWorld(t testing.TB, opts mmhost.Options, setup func(h *mmhost.Host)) *world {
	t.Helper()
	h := mmhost.NewTest(t, opts)
	if setup != nil {
		setup(h)
	}
	if _, err := h.Plugin(pluginID); err != nil { // setup may have installed its own bundle
		if _, err := h.InstallPlugin(bundlePath(t)); err != nil {
			t.Fatalf("install the plugin: %v", err)
		}
	}
	w := &world{host: h}
	admin := h.MM.CreateAdmin("admin")
	user := h.MM.CreateUser("alice")
	team := h.MM.CreateTeam("team")
	h.MM.AddTeamMember(team.Id, admin.Id, "")
	h.MM.AddTeamMember(team.Id, user.Id, "")
	ch := h.MM.CreateChannel(team.Id, "apps-e2e", "O", admin.Id)
	h.MM.AddChannelMember(ch.Id, admin.Id, "")
	h.MM.AddChannelMember(ch.Id, user.Id, "")
	w.admin, w.user, w.teamID, w.channelID = admin.Id, user.Id, team.Id, ch.Id
	w.adminToken = h.MM.LoginUser(admin.Id)
	w.userToken = h.MM.LoginUser(user.Id)
	return w
}

func pluginPath(p string) string { return fmt.Sprintf("/plugins/%s%s", pluginID, p) }
