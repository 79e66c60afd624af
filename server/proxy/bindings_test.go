package proxy

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/mattermost-community/apps-plugin/apps"
)

const pluginURL = "http://mm.test/plugins/com.mattermost.apps"

func submit(path string) *apps.Call { return apps.NewCall(path) }

func TestCleanBinding(t *testing.T) {
	app := apps.App{Manifest: apps.Manifest{AppID: "a"}, GrantedLocations: apps.Locations{apps.LocationCommand, "/channel_header/only"}}
	form := &apps.Form{Submit: submit("/f")}
	for _, tc := range []struct {
		name   string
		parent apps.Location
		in     apps.Binding
		agent  string
		want   *apps.Binding // nil: dropped
	}{
		{name: "location from label", parent: "/command", in: apps.Binding{Label: "send", Submit: submit("/s")},
			want: &apps.Binding{AppID: "a", Location: "send", Label: "send", Submit: submit("/s")}},
		{name: "label from location", parent: "/command", in: apps.Binding{Location: "send", Submit: submit("/s")},
			want: &apps.Binding{AppID: "a", Location: "send", Label: "send", Submit: submit("/s")}},
		{name: "command label two words", parent: "/command", in: apps.Binding{Label: "two words", Location: "tw", Submit: submit("/s")}},
		{name: "nothing", parent: "/command", in: apps.Binding{}},
		{name: "no action", parent: "/command", in: apps.Binding{Label: "x"}},
		{name: "two actions", parent: "/command", in: apps.Binding{Label: "x", Submit: submit("/s"), Form: form}},
		{name: "bad call", parent: "/command", in: apps.Binding{Label: "x", Submit: submit("s")}},
		{name: "form without call", parent: "/command", in: apps.Binding{Label: "x", Form: &apps.Form{}}},
		{name: "not granted", parent: "/channel_header", in: apps.Binding{Location: "other", Label: "O", Icon: "i.png", Submit: submit("/s")}},
		{name: "granted below", parent: "/channel_header", in: apps.Binding{Location: "only", Label: "O", Icon: "i.png", Submit: submit("/s")},
			want: &apps.Binding{AppID: "a", Location: "only", Label: "O", Icon: pluginURL + "/apps/a/static/i.png", Submit: submit("/s")}},
		{name: "header without icon for the webapp", parent: "/channel_header", agent: "webapp", in: apps.Binding{Location: "only", Label: "O", Submit: submit("/s")}},
		{name: "header without icon for mobile", parent: "/channel_header", agent: "mobile", in: apps.Binding{Location: "only", Label: "O", Submit: submit("/s")},
			want: &apps.Binding{AppID: "a", Location: "only", Label: "O", Submit: submit("/s")}},
		{name: "absolute icon", parent: "/command", in: apps.Binding{Label: "x", Icon: "https://cdn.test/i.png", Submit: submit("/s")},
			want: &apps.Binding{AppID: "a", Location: "x", Label: "x", Icon: "https://cdn.test/i.png", Submit: submit("/s")}},
		{name: "icon climbing out", parent: "/command", in: apps.Binding{Label: "x", Icon: "../../etc/passwd", Submit: submit("/s")},
			want: &apps.Binding{AppID: "a", Location: "x", Label: "x", Submit: submit("/s")}},
		{name: "javascript icon stays a static path", parent: "/command", in: apps.Binding{Label: "x", Icon: "javascript:alert(1)", Submit: submit("/s")},
			want: &apps.Binding{AppID: "a", Location: "x", Label: "x", Icon: pluginURL + "/apps/a/static/javascript:alert%281%29", Submit: submit("/s")}},
		{name: "icon name escaped", parent: "/command", in: apps.Binding{Label: "x", Icon: "my icon.png", Submit: submit("/s")},
			want: &apps.Binding{AppID: "a", Location: "x", Label: "x", Icon: pluginURL + "/apps/a/static/my%20icon.png", Submit: submit("/s")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, _ := cleanBinding(app, tc.in, tc.parent, apps.Location("/"+strings.Split(string(tc.parent), "/")[1]), tc.agent, pluginURL)
			switch {
			case tc.want == nil && got != nil:
				t.Fatalf("kept %+v, want it dropped", got)
			case tc.want != nil && got == nil:
				t.Fatal("dropped")
			case tc.want != nil && (got.AppID != tc.want.AppID || got.Location != tc.want.Location || got.Label != tc.want.Label || got.Icon != tc.want.Icon):
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestCleanAppBindingsAndMerge(t *testing.T) {
	a := apps.App{Manifest: apps.Manifest{AppID: "a"}, GrantedLocations: apps.Locations{apps.LocationCommand, apps.LocationPostMenu}}
	b := apps.App{Manifest: apps.Manifest{AppID: "b"}, GrantedLocations: apps.Locations{apps.LocationCommand}}
	inA := []apps.Binding{
		{Location: "/command", Bindings: []apps.Binding{{Label: "cmd", Bindings: []apps.Binding{
			{Label: "one", Submit: submit("/1")},
			{Label: "ONE", Submit: submit("/1b")},                 // same label, case-insensitive for commands
			{Label: "two", Location: "one", Submit: submit("/2")}, // same location
			{Label: "three", Submit: submit("/3")},
		}}}},
		{Location: "/command", Bindings: []apps.Binding{{Label: "other", Submit: submit("/o")}}}, // merged into /command
		{Location: "/post_menu", Bindings: []apps.Binding{{Label: "Do", Submit: submit("/d")}}},
		{Location: "/channel_header", Bindings: []apps.Binding{{Label: "H", Icon: "i.png", Submit: submit("/h")}}}, // not granted
		{Location: "/nowhere", Bindings: []apps.Binding{{Label: "N", Submit: submit("/n")}}},
		{Location: "/command", Bindings: []apps.Binding{{Label: "empty", Bindings: []apps.Binding{{Label: "bad label"}}}}},
	}
	cleanA, problems := cleanAppBindings(a, inA, "webapp", pluginURL)
	if len(cleanA) != 2 || cleanA[0].Location != "/command" || cleanA[1].Location != "/post_menu" {
		t.Fatalf("cleaned = %+v", cleanA)
	}
	cmd := cleanA[0].Bindings
	if len(cmd) != 2 || cmd[0].Label != "cmd" || cmd[1].Label != "other" {
		t.Fatalf("commands = %+v", cmd)
	}
	var subs []string
	for _, s := range cmd[0].Bindings {
		subs = append(subs, s.Label)
	}
	if strings.Join(subs, ",") != "one,three" {
		t.Errorf("subcommands = %v", subs)
	}
	if len(problems) < 5 {
		t.Errorf("problems = %v, want each drop explained", problems)
	}

	cleanB, _ := cleanAppBindings(b, []apps.Binding{{Location: "/command", Bindings: []apps.Binding{
		{Label: "Cmd", Submit: submit("/x")}, {Label: "bee", Submit: submit("/b")},
	}}}, "webapp", pluginURL)
	merged, problems := mergeBindings([][]apps.Binding{cleanA, cleanB})
	if len(merged) != 2 || merged[0].Location != "/command" || merged[0].AppID != "" {
		t.Fatalf("merged = %+v", merged)
	}
	var got []string
	for _, c := range merged[0].Bindings {
		got = append(got, string(c.AppID)+":"+c.Label)
	}
	if strings.Join(got, " ") != "a:cmd a:other b:bee" {
		t.Errorf("merged commands = %v (b's /Cmd clashes with a's /cmd)", got)
	}
	if len(problems) != 1 || !strings.Contains(problems[0].Error(), "already used by app a") {
		t.Errorf("merge problems = %v", problems)
	}
}

func TestCleanForm(t *testing.T) {
	for _, tc := range []struct {
		name       string
		in         apps.Form
		fields     []string
		wantErr    bool
		wantIcon   string
		wantButton string
	}{
		{name: "no call", in: apps.Form{Fields: []apps.Field{{Name: "a"}}}, wantErr: true},
		{name: "bad call", in: apps.Form{Submit: submit("x")}, wantErr: true},
		{name: "source only", in: apps.Form{Source: submit("/src")}},
		{name: "fields", in: apps.Form{Submit: submit("/s"), Icon: "i.png", SubmitButtons: "gone", Fields: []apps.Field{
			{Name: "a"},
			{Name: "a"},               // duplicate name
			{Name: "b", Label: "A"},   // duplicate label (case-insensitive)
			{Name: "two words"},       // not one word
			{Name: "c", Label: "c d"}, // label not one word
			{Name: "sel", Type: apps.FieldTypeStaticSelect}, // no options
			{Name: "sel2", Type: apps.FieldTypeStaticSelect, Options: []apps.SelectOption{{Value: "x"}, {Value: "x"}, {Label: "no value"}}},
			{Name: "dyn", Type: apps.FieldTypeDynamicSelect}, // no lookup
			{Name: "dyn2", Type: apps.FieldTypeDynamicSelect, Lookup: submit("/q")},
			{Type: apps.FieldTypeMarkdown, Description: "text"},
			{Name: "weird", Type: "color"},
		}}, fields: []string{"a", "sel2", "dyn2", ""}, wantIcon: pluginURL + "/apps/a/static/i.png"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, _, err := cleanForm(tc.in, pluginURL, "a")
			if (err != nil) != tc.wantErr {
				t.Fatalf("error %v, want %t", err, tc.wantErr)
			}
			if err != nil {
				return
			}
			var names []string
			for _, f := range out.Fields {
				names = append(names, f.Name)
			}
			if strings.Join(names, ",") != strings.Join(tc.fields, ",") || out.Icon != tc.wantIcon || out.SubmitButtons != tc.wantButton {
				t.Fatalf("fields %v icon %q buttons %q", names, out.Icon, out.SubmitButtons)
			}
			for _, f := range out.Fields {
				if f.Name == "sel2" && (len(f.Options) != 1 || f.Options[0].Label != "x") {
					t.Errorf("options = %+v", f.Options)
				}
			}
		})
	}
}

func TestGetBindingsCachesAndTimesOut(t *testing.T) {
	w := newTestWorld(t)
	w.install(t, "fast", nil, apps.Locations{apps.LocationCommand})
	w.install(t, "slow", nil, apps.Locations{apps.LocationCommand})
	w.install(t, "broken", nil, apps.Locations{apps.LocationCommand})
	w.install(t, "hidden", nil, nil)
	bindings := func(label string) apps.CallResponse {
		return apps.NewDataResponse([]apps.Binding{{Location: apps.LocationCommand, Bindings: []apps.Binding{{Label: label, Submit: submit("/x")}}}})
	}
	w.up.respond = func(app apps.App, creq apps.CallRequest) (apps.CallResponse, error) {
		switch app.AppID {
		case "slow":
			time.Sleep(600 * time.Millisecond)
			return bindings("slow"), nil
		case "broken":
			return apps.CallResponse{}, errors.New("connection refused")
		case "hidden":
			t.Error("an app without granted locations was asked")
		}
		return bindings(string(app.AppID)), nil
	}
	uac := apps.Context{UserAgentContext: apps.UserAgentContext{ChannelID: w.channel}}
	in := Incoming{ActingUserID: w.alice}
	start := time.Now()
	bb, omitted, err := w.p.GetBindings(context.Background(), in, uac)
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 500*time.Millisecond {
		t.Errorf("took %s with a 200ms timeout", took)
	}
	if len(bb) != 1 || len(bb[0].Bindings) != 1 || bb[0].Bindings[0].Label != "fast" {
		t.Fatalf("bindings = %+v", bb)
	}
	reasons := map[apps.AppID]string{}
	for _, o := range omitted {
		reasons[o.AppID] = o.Reason
	}
	if reasons["slow"] != OmittedTimeout || reasons["broken"] != OmittedFailed || len(reasons) != 2 {
		t.Errorf("omitted = %+v", omitted)
	}
	st := w.p.BindingsStats()
	if st.TimedOut != 1 || st.Failed != 1 || st.Fetched != 3 {
		t.Errorf("stats = %+v", st)
	}

	// Cached: fast is not asked again; slow is paused, broken asked again.
	time.Sleep(500 * time.Millisecond) // the slow app's call ends
	calls := w.up.count()
	_, omitted, _ = w.p.GetBindings(context.Background(), in, uac)
	if w.up.count() != calls+1 {
		t.Errorf("second request asked %d apps, want 1 (broken)", w.up.count()-calls)
	}
	if st := w.p.BindingsStats(); st.Cached != 1 || st.Skipped != 1 {
		t.Errorf("stats = %+v", st)
	}
	if len(omitted) != 2 {
		t.Errorf("omitted = %+v", omitted)
	}
	// Invalidation: the app's own, and everything.
	w.p.InvalidateBindings("fast")
	w.p.GetBindings(context.Background(), in, uac)
	if st := w.p.BindingsStats(); st.Cached != 1 {
		t.Errorf("after invalidation: %+v", st)
	}
	// Not a member.
	if _, _, err := w.p.GetBindings(context.Background(), Incoming{ActingUserID: w.bob}, uac); !errors.Is(err, ErrForbidden) {
		t.Errorf("non-member: %v", err)
	}
}
