package proxy

import (
	"context"
	"fmt"
	"testing"

	"github.com/mattermost-community/apps-plugin/apps"
)

// The plugin's own work, in process (the in-memory Mattermost as the API, an
// upstream that answers at once): what /api/v1/call and /api/v1/bindings add
// besides the server round trip and the app. test/e2e has the end-to-end
// figures.

// BenchmarkInvokeCall: a call with a channel context and expand acting_user=id.
func BenchmarkInvokeCall(b *testing.B) {
	w := newTestWorld(b)
	w.install(b, "app", apps.Permissions{apps.PermissionActAsBot}, nil)
	creq := apps.CallRequest{
		Call:    apps.Call{Path: "/send", Expand: &apps.Expand{ActingUser: apps.ExpandID}},
		Values:  map[string]any{"name": "x"},
		Context: apps.Context{UserAgentContext: apps.UserAgentContext{AppID: "app", ChannelID: w.channel}},
	}
	in := Incoming{ActingUserID: w.alice}
	if _, err := w.p.InvokeCall(context.Background(), in, creq); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := w.p.InvokeCall(context.Background(), in, creq); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGetBindingsCached: 10 apps, all cached.
func BenchmarkGetBindingsCached(b *testing.B) {
	w := newTestWorld(b)
	for i := range 10 {
		w.install(b, fmt.Sprintf("app%02d", i), nil, apps.Locations{apps.LocationCommand, apps.LocationChannelHeader})
	}
	w.up.respond = func(app apps.App, creq apps.CallRequest) (apps.CallResponse, error) {
		id := string(app.AppID)
		return apps.NewDataResponse([]apps.Binding{
			{Location: apps.LocationCommand, Bindings: []apps.Binding{{Label: id, Icon: "icon.png", Bindings: []apps.Binding{
				{Label: "send", Submit: apps.NewCall("/send")},
				{Label: "form", Form: &apps.Form{Submit: apps.NewCall("/form"), Fields: []apps.Field{{Name: "a"}, {Name: "b", Type: apps.FieldTypeBool}}}},
			}}}},
			{Location: apps.LocationChannelHeader, Bindings: []apps.Binding{{Location: "send", Label: "Send", Icon: "icon.png", Submit: apps.NewCall("/send")}}},
		}), nil
	}
	uac := apps.Context{UserAgentContext: apps.UserAgentContext{ChannelID: w.channel, TeamID: w.team, UserAgent: "webapp"}}
	in := Incoming{ActingUserID: w.alice}
	if bb, _, err := w.p.GetBindings(context.Background(), in, uac); err != nil || len(bb) != 2 {
		b.Fatalf("%v %v", bb, err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, _, err := w.p.GetBindings(context.Background(), in, uac); err != nil {
			b.Fatal(err)
		}
	}
}
