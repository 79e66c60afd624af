package e2e

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/mattermost-community/apps-plugin/server/mmplugin"
	"github.com/mattermost-community/apps-plugin/server/mmplugin/model"
	"github.com/mattermost-community/apps-plugin/test/fakemm"
	"github.com/mattermost-community/apps-plugin/test/mmhost"
)

func TestClusterEventReachesTheOtherNodesOnly(t *testing.T) {
	w := newWorld(t, mmhost.Options{Nodes: 3}, nil)
	p, err := w.host.Plugin(pluginID)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Instances) != 3 {
		t.Fatalf("instances = %d, want 3", len(p.Instances))
	}
	received := func() int {
		n := 0
		for _, l := range w.host.MM.Logs() {
			if strings.Contains(l.Message, "another cluster node") {
				n++
			}
		}
		return n
	}
	before := received()
	// node1 tells the cluster to reload.
	api := w.host.MM.ForPlugin(fakemm.PluginManifest{Id: pluginID}, p.Instances[0].Node, p.BundleDir)
	if err := api.PublishPluginClusterEvent(model.PluginClusterEvent{Id: "apps_reload"}, model.PluginClusterEventSendOptions{SendType: model.PluginClusterEventSendTypeReliable}); err != nil {
		t.Fatal(err)
	}
	if got := received() - before; got != 2 {
		t.Fatalf("nodes that handled the event = %d, want 2 (every node but the sender)", got)
	}
}

func httptestRecorder() *httptest.ResponseRecorder { return httptest.NewRecorder() }

func pluginCtx() *mmplugin.Context { return &mmplugin.Context{} }

func httptestRequest(method, path, userID string) *http.Request {
	r := httptest.NewRequest(method, path, nil)
	r.Header.Set("Mattermost-User-Id", userID)
	return r
}
