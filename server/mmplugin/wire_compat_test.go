package mmplugin

// Byte-compatibility of our wire types with the Mattermost server's (6.x–11.x,
// and 5.x where it differs). The server-side shapes live in
// wire_server_shapes_test.go; wire_table_test.go covers every Z_ struct and
// testdata/serverstreams holds gob streams written by a separate process.

import (
	"bytes"
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/mattermost-community/apps-plugin/server/mmplugin/model"
)

// ---- helpers ----

// gobEncode encodes v as one gob stream (type descriptions included, as on a
// fresh net/rpc connection).
func gobEncode(t *testing.T, v any) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(v); err != nil {
		t.Fatalf("gob encode %T: %v", v, err)
	}
	return buf.Bytes()
}

func gobDecode(t *testing.T, stream []byte, into any) {
	t.Helper()
	if err := gob.NewDecoder(bytes.NewReader(stream)).Decode(into); err != nil {
		t.Fatalf("gob decode into %T: %v", into, err)
	}
}

// gobCross encodes from and decodes the stream into a fresh value of into's
// type, which it returns (a pointer).
func gobCross(t *testing.T, from any, intoType reflect.Type) reflect.Value {
	t.Helper()
	out := reflect.New(intoType)
	gobDecode(t, gobEncode(t, from), out.Interface())
	return out
}

// gobName is how gob writes the registered name of a concrete type held by an
// interface: a uint length (one byte below 128) followed by the name bytes.
func gobName(name string) []byte {
	return append([]byte{byte(len(name))}, name...)
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

func ptr[T any](v T) *T { return &v }

// sampleProps is a props-style value: nested lists and maps of interface
// values, which need the []interface {} and map[string]interface {} names.
func sampleProps(n int) map[string]any {
	return map[string]any{
		"a": []any{"x", map[string]any{"b": 1.5}},
		"n": float64(n),
		"s": fmt.Sprintf("v%d", n),
		"t": true,
	}
}

var (
	urlType          = reflect.TypeFor[url.URL]()
	errorType        = reflect.TypeFor[error]()
	httpRequestType  = reflect.TypeFor[http.Request]()
	httpResponseType = reflect.TypeFor[http.Response]()
)

// filler sets every exported field of a value to a distinct non-zero value, so
// that nothing hides behind gob's "zero fields are not sent" rule.
type filler struct{ n int }

const maxFillDepth = 6

func (f *filler) next() int { f.n++; return f.n }

func fillValue(v any) any {
	(&filler{}).fill(reflect.ValueOf(v).Elem(), 0)
	return v
}

func (f *filler) fill(v reflect.Value, depth int) {
	switch v.Kind() {
	case reflect.String:
		v.SetString(fmt.Sprintf("s%d", f.next()))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(int64(f.next() % 100))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		v.SetUint(uint64(f.next()%100 + 1))
	case reflect.Float32, reflect.Float64:
		v.SetFloat(float64(f.next()) + 0.5)
	case reflect.Pointer:
		if depth > maxFillDepth {
			return
		}
		p := reflect.New(v.Type().Elem())
		f.fill(p.Elem(), depth+1)
		v.Set(p)
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			v.SetBytes([]byte(fmt.Sprintf("bytes%d", f.next())))
			return
		}
		if depth+1 > maxFillDepth {
			return // gob refuses nil elements, so no list rather than one of nils
		}
		s := reflect.MakeSlice(v.Type(), 2, 2)
		for i := 0; i < s.Len(); i++ {
			f.fill(s.Index(i), depth+1)
		}
		v.Set(s)
	case reflect.Array:
		for i := 0; i < v.Len(); i++ {
			f.fill(v.Index(i), depth+1)
		}
	case reflect.Map:
		if depth+1 > maxFillDepth {
			return
		}
		m := reflect.MakeMapWithSize(v.Type(), 2)
		for i := 0; i < 2; i++ {
			k := reflect.New(v.Type().Key()).Elem()
			f.fill(k, depth+1)
			e := reflect.New(v.Type().Elem()).Elem()
			f.fill(e, depth+1)
			m.SetMapIndex(k, e)
		}
		v.Set(m)
	case reflect.Interface:
		switch {
		case v.Type() == errorType:
			v.Set(reflect.ValueOf(&ErrorString{Code: 0, Err: fmt.Sprintf("error %d", f.next())}))
		case v.NumMethod() == 0:
			v.Set(reflect.ValueOf(sampleProps(f.next())))
		}
		// Other interfaces (io.ReadCloser bodies) are nil on the wire.
	case reflect.Struct:
		switch v.Type() {
		case urlType:
			v.Set(reflect.ValueOf(*mustURL(fmt.Sprintf("https://mm.example.com/api/v1/a%%2Fb?q=%d&x=y#frag", f.next()))))
		case httpRequestType:
			// The fields the server fills when it forwards a request (v5–v9
			// send a real *http.Request).
			n := f.next()
			v.Set(reflect.ValueOf(http.Request{
				Method: "POST", URL: mustURL(fmt.Sprintf("https://mm.example.com/api/x?n=%d", n)),
				Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
				Header: http.Header{"Mattermost-User-Id": {fmt.Sprint("user", n)}, "Accept": {"a", "b"}},
				Host:   "mm.example.com", RemoteAddr: "10.0.0.1:1234", RequestURI: fmt.Sprintf("/plugins/p/api/x?n=%d", n),
			}))
		case httpResponseType:
			// What the server's PluginResponseWriter.GenerateResponse builds
			// (Body set to nil before the reply is encoded).
			n := f.next()
			v.Set(reflect.ValueOf(http.Response{
				Status: "201 Created", StatusCode: 201, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
				Header: http.Header{"X-N": {fmt.Sprint(n)}},
			}))
		default:
			for i := 0; i < v.NumField(); i++ {
				if !v.Type().Field(i).IsExported() {
					continue
				}
				f.fill(v.Field(i), depth+1)
			}
		}
	}
}

// derefZero follows pointers; a nil pointer becomes the zero value of its
// element type (gob flattens pointers and does not send zero values).
func derefZero(v reflect.Value) reflect.Value {
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return reflect.Zero(v.Type().Elem())
		}
		v = v.Elem()
	}
	return v
}

func isIntKind(k reflect.Kind) bool {
	return k >= reflect.Int && k <= reflect.Int64
}

func isUintKind(k reflect.Kind) bool {
	return k >= reflect.Uint && k <= reflect.Uintptr
}

// compareCommon compares a and b field by field over the exported fields both
// declare (gob matches structs by field name), the way gob sees them: pointers
// flattened, nil and empty slices/maps equal, named and unnamed types alike.
func compareCommon(t *testing.T, path string, a, b reflect.Value) {
	t.Helper()
	a, b = derefZero(a), derefZero(b)
	if a.Kind() == reflect.Interface || b.Kind() == reflect.Interface {
		if a.Kind() != b.Kind() {
			t.Errorf("%s: interface vs concrete (%s, %s)", path, a.Type(), b.Type())
			return
		}
		if a.IsNil() != b.IsNil() {
			t.Errorf("%s: nil mismatch: %v vs %v", path, a, b)
			return
		}
		if !a.IsNil() && !reflect.DeepEqual(a.Elem().Interface(), b.Elem().Interface()) {
			t.Errorf("%s: %#v != %#v", path, a.Elem().Interface(), b.Elem().Interface())
		}
		return
	}
	switch a.Kind() {
	case reflect.Struct:
		if b.Kind() != reflect.Struct {
			t.Errorf("%s: struct vs %s", path, b.Kind())
			return
		}
		if a.Type() == urlType || b.Type() == urlType {
			au, bu := a.Interface().(url.URL), b.Interface().(url.URL)
			if au.String() != bu.String() {
				t.Errorf("%s: URL %q != %q", path, au.String(), bu.String())
			}
			return
		}
		for i := 0; i < a.NumField(); i++ {
			sf := a.Type().Field(i)
			if !sf.IsExported() || sf.Type.Kind() == reflect.Func || sf.Type.Kind() == reflect.Chan {
				continue
			}
			if _, ok := b.Type().FieldByName(sf.Name); !ok {
				continue
			}
			compareCommon(t, path+"."+sf.Name, a.Field(i), b.FieldByName(sf.Name))
		}
	case reflect.Slice, reflect.Array:
		if b.Kind() != reflect.Slice && b.Kind() != reflect.Array {
			t.Errorf("%s: list vs %s", path, b.Kind())
			return
		}
		if a.Len() != b.Len() {
			t.Errorf("%s: length %d != %d", path, a.Len(), b.Len())
			return
		}
		for i := 0; i < a.Len(); i++ {
			compareCommon(t, fmt.Sprintf("%s[%d]", path, i), a.Index(i), b.Index(i))
		}
	case reflect.Map:
		if b.Kind() != reflect.Map {
			t.Errorf("%s: map vs %s", path, b.Kind())
			return
		}
		if a.Len() != b.Len() {
			t.Errorf("%s: %d entries != %d", path, a.Len(), b.Len())
			return
		}
		for _, k := range a.MapKeys() {
			bv := b.MapIndex(k.Convert(b.Type().Key()))
			if !bv.IsValid() {
				t.Errorf("%s: key %v missing", path, k)
				continue
			}
			compareCommon(t, fmt.Sprintf("%s[%v]", path, k), a.MapIndex(k), bv)
		}
	case reflect.String:
		if b.Kind() != reflect.String || a.String() != b.String() {
			t.Errorf("%s: %v != %v", path, a, b)
		}
	case reflect.Bool:
		if b.Kind() != reflect.Bool || a.Bool() != b.Bool() {
			t.Errorf("%s: %v != %v", path, a, b)
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if !isIntKind(b.Kind()) || a.Int() != b.Int() {
			t.Errorf("%s: %v != %v", path, a, b)
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		if !isUintKind(b.Kind()) || a.Uint() != b.Uint() {
			t.Errorf("%s: %v != %v", path, a, b)
		}
	case reflect.Float32, reflect.Float64:
		if (b.Kind() != reflect.Float32 && b.Kind() != reflect.Float64) || a.Float() != b.Float() {
			t.Errorf("%s: %v != %v", path, a, b)
		}
	case reflect.Func, reflect.Chan:
	default:
		t.Errorf("%s: unexpected kind %s", path, a.Kind())
	}
}

// fieldsMissingOnServer lists the exported fields of ours (recursively) that
// the server type does not declare: such fields are never filled by the server.
func fieldsMissingOnServer(ours, srv reflect.Type, path string, seen map[[2]reflect.Type]bool, out *[]string) {
	for ours.Kind() == reflect.Pointer {
		ours = ours.Elem()
	}
	for srv.Kind() == reflect.Pointer {
		srv = srv.Elem()
	}
	if seen[[2]reflect.Type{ours, srv}] {
		return
	}
	seen[[2]reflect.Type{ours, srv}] = true
	switch ours.Kind() {
	case reflect.Slice, reflect.Array:
		if srv.Kind() == reflect.Slice || srv.Kind() == reflect.Array {
			fieldsMissingOnServer(ours.Elem(), srv.Elem(), path+"[]", seen, out)
		}
	case reflect.Map:
		if srv.Kind() == reflect.Map {
			fieldsMissingOnServer(ours.Elem(), srv.Elem(), path+"[]", seen, out)
		}
	case reflect.Struct:
		if ours == urlType || srv.Kind() != reflect.Struct {
			return
		}
		for i := 0; i < ours.NumField(); i++ {
			f := ours.Field(i)
			if !f.IsExported() {
				continue
			}
			sf, ok := srv.FieldByName(f.Name)
			if !ok {
				*out = append(*out, strings.TrimPrefix(path+"."+f.Name, "."))
				continue
			}
			fieldsMissingOnServer(f.Type, sf.Type, path+"."+f.Name, seen, out)
		}
	}
}

// ---- model types ----

// modelPairs pairs each of our wire types with the server's shape (several
// server versions where they differ). onlyOurs lists our fields that server
// shape lacks; everything else we declare must exist on the server.
var modelPairs = []struct {
	name     string
	srv      any
	ours     any
	onlyOurs []string
}{
	{"User", &srvUser{}, &model.User{}, nil},
	{"Bot", &srvBot{}, &model.Bot{}, nil},
	{"BotPatch", &srvBotPatch{}, &model.BotPatch{}, nil},
	{"BotGetOptions", &srvBotGetOptions{}, &model.BotGetOptions{}, nil},
	{"UserAccessToken", &srvUserAccessToken{}, &model.UserAccessToken{}, nil},
	{"Session", &srvSession{}, &model.Session{}, nil},
	{"OAuthApp", &srvOAuthApp{}, &model.OAuthApp{}, nil},
	{"Channel", &srvChannel{}, &model.Channel{}, nil},
	{"ChannelMember", &srvChannelMember{}, &model.ChannelMember{}, nil},
	{"ChannelMembers", &srvChannelMembers{}, &model.ChannelMembers{}, nil},
	{"Team", &srvTeam{}, &model.Team{}, nil},
	{"TeamMember", &srvTeamMember{}, &model.TeamMember{}, nil},
	{"Post", &srvPost{}, &model.Post{}, nil},
	{"Post/v5", &srv5Post{}, &model.Post{}, []string{"ReplyCount", "LastReplyAt", "IsFollowing"}},
	{"SlackAttachment", &srvSlackAttachment{}, &model.SlackAttachment{}, nil},
	{"Command", &srvCommand{}, &model.Command{}, nil},
	{"AutocompleteData", &srvAutocompleteData{}, &model.AutocompleteData{}, nil},
	{"AutocompleteTextArg", &srvAutocompleteTextArg{}, &model.AutocompleteTextArg{}, nil},
	{"AutocompleteStaticListArg", &srvAutocompleteStaticListArg{}, &model.AutocompleteStaticListArg{}, nil},
	{"AutocompleteDynamicListArg", &srvAutocompleteDynamicListArg{}, &model.AutocompleteDynamicListArg{}, nil},
	{"CommandArgs", &srvCommandArgs{}, &model.CommandArgs{}, nil},
	{"CommandArgs/v5", &srv5CommandArgs{}, &model.CommandArgs{}, nil},
	{"CommandResponse", &srvCommandResponse{}, &model.CommandResponse{}, nil},
	{"AppError", &srvAppError{}, &model.AppError{}, nil},
	{"ErrorString", &srvErrorString{}, &ErrorString{}, nil},
	{"ErrorString/v5", &srv5ErrorString{}, &ErrorString{}, []string{"Code"}},
	{"PluginKVSetOptions", &srvPluginKVSetOptions{}, &model.PluginKVSetOptions{}, nil},
	{"PluginClusterEvent", &srvPluginClusterEvent{}, &model.PluginClusterEvent{}, nil},
	{"PluginClusterEventSendOptions", &srvPluginClusterEventSendOptions{}, &model.PluginClusterEventSendOptions{}, nil},
	{"WebsocketBroadcast", &srvWebsocketBroadcast{}, &model.WebsocketBroadcast{}, nil},
	{"Permission", &srvPermission{}, &model.Permission{}, nil},
	{"PluginStatus", &srvPluginStatus{}, &model.PluginStatus{}, nil},
	{"Manifest", &srvManifest{}, &model.Manifest{}, nil},
	{"OnInstallEvent", &srvOnInstallEvent{}, &model.OnInstallEvent{}, nil},
	{"OpenDialogRequest", &srvOpenDialogRequest{}, &model.OpenDialogRequest{}, nil},
	{"Config", &srvConfig{}, &model.Config{}, nil},
	{"Context", &srvContext{}, &Context{}, []string{"IpAddress"}},
	{"Context/v6", &srv6Context{}, &Context{}, []string{"IpAddress", "ConnectionId"}},
	{"Context/v5", &srv5Context{}, &Context{}, []string{"IPAddress", "ConnectionId"}},
	{"HTTPRequestSubset", &srvHTTPRequestSubset{}, &HTTPRequestSubset{}, nil},
	{"HTTPRequestSubset/http.Request", &http.Request{}, &HTTPRequestSubset{}, nil},
	{"HTTPResponseSubset/http.Response", &http.Response{}, &HTTPResponseSubset{}, nil},
}

// TestWireModelDeclaresOnlyServerFields: every field we declare exists on the
// server with that name (a misspelt field would silently never be filled).
func TestWireModelDeclaresOnlyServerFields(t *testing.T) {
	for _, p := range modelPairs {
		t.Run(p.name, func(t *testing.T) {
			var missing []string
			fieldsMissingOnServer(reflect.TypeOf(p.ours), reflect.TypeOf(p.srv), "", map[[2]reflect.Type]bool{}, &missing)
			if strings.Join(missing, ",") != strings.Join(p.onlyOurs, ",") {
				t.Errorf("our fields absent on the server: %v, want %v", missing, p.onlyOurs)
			}
		})
	}
}

// TestWireModelRoundTrip: every model type, fully populated, server → ours and
// ours → server, compared field by field; and all-zero values stay zero.
func TestWireModelRoundTrip(t *testing.T) {
	for _, p := range modelPairs {
		t.Run(p.name, func(t *testing.T) {
			srvT, oursT := reflect.TypeOf(p.srv).Elem(), reflect.TypeOf(p.ours).Elem()

			t.Run("server→ours", func(t *testing.T) {
				srv := fillValue(reflect.New(srvT).Interface())
				got := gobCross(t, srv, oursT)
				compareCommon(t, p.name, reflect.ValueOf(srv), got)
			})
			t.Run("ours→server", func(t *testing.T) {
				ours := fillValue(reflect.New(oursT).Interface())
				got := gobCross(t, ours, srvT)
				compareCommon(t, p.name, reflect.ValueOf(ours), got)
			})
			t.Run("zero", func(t *testing.T) {
				if got := gobCross(t, reflect.New(srvT).Interface(), oursT); !got.Elem().IsZero() {
					t.Errorf("zero server value decoded as %+v", got.Elem().Interface())
				}
				if got := gobCross(t, reflect.New(oursT).Interface(), srvT); !got.Elem().IsZero() {
					t.Errorf("zero value of ours decoded on the server as %+v", got.Elem().Interface())
				}
			})
		})
	}
}

// TestWireZeroValuesNotTransmitted pins down the gob rules PLUGIN_PROTOCOL.md
// §5.1 relies on: pointers to zero values, empty maps and empty slices arrive
// as nil, and fields absent from the stream keep whatever the destination held
// (hence a fresh Returns struct per call).
func TestWireZeroValuesNotTransmitted(t *testing.T) {
	srv := &srvUser{Id: "u1", AuthData: ptr(""), RemoteId: ptr("remote"), Props: srvStringMap{}, Timezone: srvStringMap{"useAutomaticTimezone": "true"}}
	var u model.User
	gobDecode(t, gobEncode(t, srv), &u)
	if u.AuthData != nil {
		t.Errorf("AuthData pointing at \"\" arrived as %q, want nil", *u.AuthData)
	}
	if u.RemoteId == nil || *u.RemoteId != "remote" {
		t.Errorf("RemoteId = %v", u.RemoteId)
	}
	// Unlike empty slices, an empty non-nil map IS transmitted (encode.go:
	// "We send zero-length (but non-nil) maps"); PLUGIN_PROTOCOL.md §5.1 says
	// otherwise. Either way the plugin must treat nil and empty alike.
	if u.Props == nil || len(u.Props) != 0 {
		t.Errorf("empty Props arrived as %#v, want an empty map", u.Props)
	}
	var p model.Post
	gobDecode(t, gobEncode(t, &srvPost{FileIds: srvStringArray{}, Filenames: srvStringArray{}, Props: srvStringInterface{}}), &p)
	if p.FileIds != nil {
		t.Errorf("empty FileIds arrived as %#v, want nil", p.FileIds)
	}
	if u.Timezone["useAutomaticTimezone"] != "true" {
		t.Errorf("Timezone = %v", u.Timezone)
	}

	cfg := &srvConfig{
		ServiceSettings: srvServiceSettings{SiteURL: ptr("https://mm.example.com"), EnableDeveloper: ptr(false), EnableTesting: ptr(true)},
		PluginSettings: srvPluginSettings{
			Plugins:      map[string]map[string]any{"com.example.apps": {"developermode": true, "list": []any{"a", 1.5}}},
			PluginStates: map[string]*srvPluginState{"com.example.apps": {Enable: true}, "off": {Enable: false}},
		},
		FeatureFlags: &srvFeatureFlags{AppsEnabled: true, TestFeature: "off"},
	}
	var c model.Config
	gobDecode(t, gobEncode(t, cfg), &c)
	if model.String(c.ServiceSettings.SiteURL) != "https://mm.example.com" {
		t.Errorf("SiteURL = %v", c.ServiceSettings.SiteURL)
	}
	if c.ServiceSettings.EnableDeveloper != nil {
		t.Errorf("*bool false arrived as %v, want nil (gob does not send false)", *c.ServiceSettings.EnableDeveloper)
	}
	if !model.Bool(c.ServiceSettings.EnableTesting) || c.ServiceSettings.EnableBotAccountCreation != nil {
		t.Errorf("EnableTesting=%v EnableBotAccountCreation=%v", c.ServiceSettings.EnableTesting, c.ServiceSettings.EnableBotAccountCreation)
	}
	if st := c.PluginSettings.PluginStates["off"]; st == nil || st.Enable {
		t.Errorf("PluginStates[off] = %+v, want a non-nil disabled state", st)
	}
	if !reflect.DeepEqual(c.PluginSettings.Plugins["com.example.apps"], map[string]any{"developermode": true, "list": []any{"a", 1.5}}) {
		t.Errorf("Plugins = %#v", c.PluginSettings.Plugins)
	}
	if c.FeatureFlags == nil || !c.FeatureFlags.AppsEnabled {
		t.Errorf("FeatureFlags = %+v", c.FeatureFlags)
	}

	// A reused Returns struct keeps stale values: the second reply has a nil
	// AppError and an empty key list, neither of which is transmitted.
	ret := Z_KVListReturns{A: []string{"stale"}, B: &model.AppError{Message: "stale"}}
	gobDecode(t, gobEncode(t, &struct {
		A []string
		B *srvAppError
	}{}), &ret)
	if len(ret.A) != 1 || ret.B == nil {
		t.Errorf("decoding into a used struct changed it: %+v (gob should leave it alone)", ret)
	}
}

// TestWireContextVersions: v5 servers send IpAddress (and SourcePluginId), v6+
// IPAddress, current servers also ConnectionId; one Context reads them all.
func TestWireContextVersions(t *testing.T) {
	var c5, c6, cur Context
	gobDecode(t, gobEncode(t, &srv5Context{SessionId: "s", RequestId: "r", IpAddress: "10.0.0.5", AcceptLanguage: "de", UserAgent: "ua", SourcePluginId: "other"}), &c5)
	if c5 != (Context{SessionId: "s", RequestId: "r", IpAddress: "10.0.0.5", AcceptLanguage: "de", UserAgent: "ua"}) {
		t.Errorf("v5 context = %+v", c5)
	}
	gobDecode(t, gobEncode(t, &srv6Context{SessionId: "s", IPAddress: "10.0.0.6"}), &c6)
	if c6 != (Context{SessionId: "s", IPAddress: "10.0.0.6"}) {
		t.Errorf("v6 context = %+v", c6)
	}
	gobDecode(t, gobEncode(t, &srvContext{RequestId: "r", IPAddress: "::1", ConnectionId: "conn"}), &cur)
	if cur != (Context{RequestId: "r", IPAddress: "::1", ConnectionId: "conn"}) {
		t.Errorf("current context = %+v", cur)
	}
	// Inter-plugin requests carry a context with only RequestId and UserAgent.
	var ip Context
	gobDecode(t, gobEncode(t, &srvContext{RequestId: "r", UserAgent: "Go"}), &ip)
	if ip != (Context{RequestId: "r", UserAgent: "Go"}) {
		t.Errorf("inter-plugin context = %+v", ip)
	}
}

// TestWireCommandArgsFuncFieldIgnored: the server's CommandArgs has a func
// field T (i18n.TranslateFunc) and, on v5, a Session value; gob must skip both.
func TestWireCommandArgsFuncFieldIgnored(t *testing.T) {
	srv := &srv5CommandArgs{
		UserId: "u", ChannelId: "c", TeamId: "t", RootId: "root", TriggerId: "trig", Command: "/apps x", SiteURL: "https://mm",
		T:            func(id string, _ ...any) string { return id },
		Session:      srvSession{Id: "sess", Props: srvStringMap{"a": "b"}, TeamMembers: []*srvTeamMember{{TeamId: "t"}}},
		UserMentions: srvUserMentionMap{"bob": "uid"}, ChannelMentions: srvChannelMentionMap{"town": "cid"},
	}
	var got model.CommandArgs
	gobDecode(t, gobEncode(t, srv), &got)
	want := model.CommandArgs{UserId: "u", ChannelId: "c", TeamId: "t", RootId: "root", TriggerId: "trig", Command: "/apps x", SiteURL: "https://mm",
		UserMentions: map[string]string{"bob": "uid"}, ChannelMentions: map[string]string{"town": "cid"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
	// And the other way: the server's T stays nil, the rest arrives.
	var back srvCommandArgs
	gobDecode(t, gobEncode(t, &want), &back)
	if back.T != nil || back.Command != "/apps x" || back.UserMentions["bob"] != "uid" {
		t.Errorf("server got %+v", back)
	}
}

// ---- interface fields: registered names ----

// wireNameProbe shows gob.Register's naming rule for pointer types:
// "*<package name>.<Type>". The server's gob.Register(&ErrorString{}) in package
// plugin and gob.Register(&AppError{}) in package model therefore produce
// "*plugin.ErrorString" and "*model.AppError", the names our package registers.
type wireNameProbe struct{ X int }

func (*wireNameProbe) Error() string { return "probe" }

func init() { gob.Register(&wireNameProbe{}) }

func TestWireRegisteredNames(t *testing.T) {
	type holder struct {
		E error
		V any
	}
	cases := []struct {
		name string
		v    holder
	}{
		{"*model.AppError", holder{E: &model.AppError{Id: "id", Message: "m", StatusCode: 404}}},
		{"*plugin.ErrorString", holder{E: &ErrorString{Code: 2, Err: "sql: no rows in result set"}}},
		{"[]interface {}", holder{V: []any{"a", 1.5}}},
		{"map[string]interface {}", holder{V: map[string]any{"k": "v"}}},
		{"[]*model.SlackAttachment", holder{V: []*model.SlackAttachment{{Text: "t"}}}},
		{"*model.AutocompleteTextArg", holder{V: &model.AutocompleteTextArg{Hint: "h"}}},
		{"*model.AutocompleteStaticListArg", holder{V: &model.AutocompleteStaticListArg{PossibleArguments: []model.AutocompleteListItem{{Item: "i"}}}}},
		{"*model.AutocompleteDynamicListArg", holder{V: &model.AutocompleteDynamicListArg{FetchURL: "/x"}}},
		{"*mmplugin.wireNameProbe", holder{E: &wireNameProbe{X: 1}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			stream := gobEncode(t, &c.v)
			if !bytes.Contains(stream, gobName(c.name)) {
				t.Fatalf("stream does not carry the name %q:\n%q", c.name, stream)
			}
			var back holder
			gobDecode(t, stream, &back)
			if !reflect.DeepEqual(back, c.v) {
				t.Errorf("round trip: %#v != %#v", back, c.v)
			}
		})
	}
}

// TestWireErrorFields: what an `error` field carries both ways. A nil error
// sends nothing; *model.AppError and *ErrorString arrive as our types.
func TestWireErrorFields(t *testing.T) {
	// nil: no interface value, no type name in the stream.
	stream := gobEncode(t, &Z_OnActivateReturns{A: nil})
	if bytes.Contains(stream, []byte("ErrorString")) || bytes.Contains(stream, []byte("AppError")) {
		t.Errorf("nil error put a type name on the wire: %q", stream)
	}
	var r Z_OnActivateReturns
	gobDecode(t, stream, &r)
	if r.A != nil {
		t.Errorf("nil error decoded as %#v", r.A)
	}

	ae := &model.AppError{Id: "app.plugin.x", Message: "msg", DetailedError: "detail", RequestId: "req", StatusCode: 403, Where: "Plugin.X", IsOAuth: true, SkipTranslation: true}
	var r2 Z_GetBundlePathReturns
	gobDecode(t, gobEncode(t, &Z_GetBundlePathReturns{A: "/p", B: ae}), &r2)
	got, ok := r2.B.(*model.AppError)
	if !ok || !reflect.DeepEqual(got, ae) || r2.A != "/p" {
		t.Errorf("AppError in an error field came back as %#v", r2.B)
	}

	var r3 Z_EnsureBotUserReturns
	gobDecode(t, gobEncode(t, &Z_EnsureBotUserReturns{B: &ErrorString{Code: 1, Err: "EOF"}}), &r3)
	es, ok := r3.B.(*ErrorString)
	if !ok || es.Code != 1 || es.Err != "EOF" || !errors.Is(r3.B, io.EOF) {
		t.Errorf("ErrorString came back as %#v", r3.B)
	}

	// The server's concrete AppError shape (with fields we may not know, and
	// unexported params/wrapped) in fields declared *model.AppError.
	srv := &struct {
		A *srvBot
		B *srvAppError
	}{B: &srvAppError{Id: "api.bot.x", Message: "no", StatusCode: 400, Where: "CreateBot", params: map[string]any{"x": 1}, wrapped: io.EOF}}
	var r4 Z_CreateBotReturns
	gobDecode(t, gobEncode(t, srv), &r4)
	if r4.A != nil || r4.B == nil || r4.B.StatusCode != 400 || r4.B.Where != "CreateBot" || r4.B.Id != "api.bot.x" {
		t.Errorf("CreateBot returns = %+v / %+v", r4.A, r4.B)
	}
}

// ---- props, attachments, autocomplete ----

func TestWirePostPropsAndAttachments(t *testing.T) {
	attachments := []*model.SlackAttachment{{
		Id: 7, Fallback: "fb", Color: "#ff0000", Title: "title", Text: "text", Timestamp: int64(1700000000),
		Fields: []*model.SlackAttachmentField{{Title: "f", Value: "v", Short: true}, {Title: "n", Value: 3.5}},
		Actions: []*model.PostAction{{
			Id: "act", Type: "button", Name: "Go", Style: "primary",
			Options:     []*model.PostActionOptions{{Text: "o", Value: "1"}},
			Integration: &model.PostActionIntegration{URL: "/plugins/p/act", Context: map[string]any{"app_id": "a", "list": []any{"x"}}},
		}},
	}}
	props := map[string]any{
		"a":           []any{"x", map[string]any{"b": 1.5}},
		"attachments": attachments,
		"from_plugin": "true",
		"count":       int64(3),
	}
	srv := &srvPost{Id: "p1", ChannelId: "c1", UserId: "bot", Message: "hi", Props: srvStringInterface(props), RemoteId: ptr(""), IsFollowing: ptr(true)}
	stream := gobEncode(t, srv)
	for _, name := range []string{"[]interface {}", "map[string]interface {}", "[]*model.SlackAttachment"} {
		if !bytes.Contains(stream, gobName(name)) {
			t.Errorf("stream lacks %q", name)
		}
	}
	var post model.Post
	gobDecode(t, stream, &post)
	if !reflect.DeepEqual(post.Props, props) {
		t.Errorf("props = %#v\nwant %#v", post.Props, props)
	}
	got, ok := post.GetProp("attachments").([]*model.SlackAttachment)
	if !ok || len(got) != 1 || got[0].Actions[0].Integration.Context["app_id"] != "a" || got[0].Fields[1].Value != 3.5 {
		t.Errorf("attachments = %#v", post.GetProp("attachments"))
	}
	if post.RemoteId != nil || post.IsFollowing == nil || !*post.IsFollowing {
		t.Errorf("RemoteId=%v IsFollowing=%v", post.RemoteId, post.IsFollowing)
	}

	// Ours → server (CreatePost): the same names, the same values.
	var back srvPost
	gobDecode(t, gobEncode(t, &post), &back)
	if !reflect.DeepEqual(map[string]any(back.Props), props) || back.Message != "hi" {
		t.Errorf("server got props %#v", back.Props)
	}

	// Attachments sent as JSON-shaped maps (the other form the server accepts).
	jsonShaped := &model.Post{Props: map[string]any{"attachments": []any{map[string]any{"text": "t", "fields": []any{map[string]any{"title": "x", "value": "y"}}}}}}
	var srvJSON srvPost
	gobDecode(t, gobEncode(t, jsonShaped), &srvJSON)
	if !reflect.DeepEqual(map[string]any(srvJSON.Props), jsonShaped.Props) {
		t.Errorf("JSON-shaped attachments arrived as %#v", srvJSON.Props)
	}
}

// TestWireAutocompleteData: RegisterCommand with all three argument types in
// the Data interface field and a subcommand.
func TestWireAutocompleteData(t *testing.T) {
	ad := model.NewAutocompleteData("apps", "[command]", "Apps")
	sub := model.NewAutocompleteData("install", "[app]", "Install an app")
	sub.AddTextArgument("The app id", "[id]", `^\w+$`)
	sub.AddNamedTextArgument("name", "A name", "[name]", "", false)
	sub.AddStaticListArgument("Where", true, []model.AutocompleteListItem{{Item: "http", Hint: "h", HelpText: "HTTP"}, {Item: "aws"}})
	sub.AddDynamicListArgument("Which", "/plugins/com.example.apps/lookup", false)
	ad.AddCommand(sub)
	cmd := &model.Command{Trigger: "apps", AutoComplete: true, AutoCompleteDesc: "d", AutoCompleteHint: "h", DisplayName: "Apps", AutocompleteData: ad, AutocompleteIconData: "PHN2Zz4="}

	stream := gobEncode(t, &Z_RegisterCommandArgs{A: cmd})
	for _, name := range []string{"*model.AutocompleteTextArg", "*model.AutocompleteStaticListArg", "*model.AutocompleteDynamicListArg"} {
		if !bytes.Contains(stream, gobName(name)) {
			t.Errorf("stream lacks %q", name)
		}
	}
	var srv struct{ A *srvCommand }
	gobDecode(t, stream, &srv)
	compareCommon(t, "Command", reflect.ValueOf(cmd), reflect.ValueOf(srv.A))
	args := srv.A.AutocompleteData.SubCommands[0].Arguments
	if len(args) != 4 {
		t.Fatalf("server got %d arguments", len(args))
	}
	if d, ok := args[0].Data.(*model.AutocompleteTextArg); !ok || d.Pattern != `^\w+$` {
		t.Errorf("text arg data = %#v", args[0].Data)
	}
	if d, ok := args[2].Data.(*model.AutocompleteStaticListArg); !ok || len(d.PossibleArguments) != 2 || d.PossibleArguments[0].HelpText != "HTTP" {
		t.Errorf("static list data = %#v", args[2].Data)
	}
	if d, ok := args[3].Data.(*model.AutocompleteDynamicListArg); !ok || d.FetchURL != "/plugins/com.example.apps/lookup" {
		t.Errorf("dynamic list data = %#v", args[3].Data)
	}
	// And back, as the server would send it.
	var ours Z_RegisterCommandArgs
	gobDecode(t, gobEncode(t, &srv), &ours)
	if !reflect.DeepEqual(ours.A.AutocompleteData.SubCommands[0].Arguments, sub.Arguments) {
		t.Errorf("arguments changed on the way back")
	}
}

// ---- HTTP shapes ----

// TestWireServeHTTPArgs: the request as v5–v9 servers send it (a real
// *http.Request, extra fields set) and as current servers send it
// (HTTPRequestSubset), with the Context and both stream ids.
func TestWireServeHTTPArgs(t *testing.T) {
	u := mustURL("https://mm.example.com/api/v1/a%2Fb?access=1&b=%20c")
	hdr := http.Header{"Mattermost-User-Id": {"uid"}, "Mattermost-Plugin-Id": {"other"}, "Accept": {"a", "b"}}
	legacy := &struct {
		ResponseWriterStream uint32
		Request              *http.Request
		Context              *srv6Context
		RequestBodyStream    uint32
	}{
		ResponseWriterStream: 7,
		Request: &http.Request{Method: "PUT", URL: u, Proto: "HTTP/2.0", ProtoMajor: 2, Header: hdr, Host: "mm.example.com",
			RemoteAddr: "10.1.1.1:555", RequestURI: "/plugins/p/api/v1/a%2Fb?access=1&b=%20c",
			ContentLength: 12, TransferEncoding: []string{"chunked"}, Close: true, Trailer: http.Header{"T": {"x"}}},
		Context:           &srv6Context{RequestId: "req", IPAddress: "10.1.1.1", SessionId: "sess"},
		RequestBodyStream: 9,
	}
	current := &struct {
		ResponseWriterStream uint32
		Request              *srvHTTPRequestSubset
		Context              *srvContext
		RequestBodyStream    uint32
	}{
		ResponseWriterStream: 7,
		Request: &srvHTTPRequestSubset{Method: "PUT", URL: u, Proto: "HTTP/2.0", ProtoMajor: 2, Header: hdr, Host: "mm.example.com",
			RemoteAddr: "10.1.1.1:555", RequestURI: "/plugins/p/api/v1/a%2Fb?access=1&b=%20c"},
		Context:           &srvContext{RequestId: "req", IPAddress: "10.1.1.1", SessionId: "sess"},
		RequestBodyStream: 9,
	}
	for name, srv := range map[string]any{"http.Request": legacy, "HTTPRequestSubset": current} {
		t.Run(name, func(t *testing.T) {
			var a Z_ServeHTTPArgs
			gobDecode(t, gobEncode(t, srv), &a)
			if a.ResponseWriterStream != 7 || a.RequestBodyStream != 9 || a.Context == nil || a.Context.RequestId != "req" || a.Context.IPAddress != "10.1.1.1" {
				t.Fatalf("args = %+v", a)
			}
			r := a.Request.toRequest(t.Context(), nil)
			if r.URL.String() != u.String() || r.URL.Path != "/api/v1/a/b" || r.URL.RawPath != "/api/v1/a%2Fb" || r.URL.Query().Get("b") != " c" {
				t.Errorf("URL = %#v", r.URL)
			}
			if r.Header.Get("Mattermost-User-Id") != "uid" || r.Header.Get("Mattermost-Plugin-ID") != "other" || len(r.Header["Accept"]) != 2 {
				t.Errorf("Header = %v", r.Header)
			}
			if r.Method != "PUT" || r.Proto != "HTTP/2.0" || r.ProtoMajor != 2 || r.Host != "mm.example.com" || r.RemoteAddr != "10.1.1.1:555" || r.RequestURI != "/plugins/p/api/v1/a%2Fb?access=1&b=%20c" {
				t.Errorf("request = %+v", r)
			}
			if r.Body != http.NoBody {
				t.Errorf("Body = %v", r.Body)
			}
		})
	}

	// The empty path of exactly /plugins/<id> and a request without URL.
	var a Z_ServeHTTPArgs
	gobDecode(t, gobEncode(t, &struct{ Request *srvHTTPRequestSubset }{&srvHTTPRequestSubset{Method: "GET", URL: &url.URL{}}}), &a)
	if r := a.Request.toRequest(t.Context(), nil); r.URL == nil || r.URL.Path != "" || r.Header == nil {
		t.Errorf("empty-path request = %+v", r)
	}
}

// TestWirePluginHTTP: what we send for inter-plugin requests decodes into the
// server's *http.Request, and the buffered reply's *http.Response into ours.
func TestWirePluginHTTP(t *testing.T) {
	req, _ := http.NewRequest("POST", "/com.other.plugin/api/x?y=1", nil)
	req.Header.Set("Content-Type", "application/json")
	sub := requestSubset(req)

	var stream struct {
		ResponseBodyStream uint32
		Request            *http.Request
		RequestBodyStream  uint32
	}
	gobDecode(t, gobEncode(t, &Z_PluginHTTPStreamArgs{ResponseBodyStream: 3, Request: sub, RequestBodyStream: 5}), &stream)
	if stream.ResponseBodyStream != 3 || stream.RequestBodyStream != 5 || stream.Request.URL.Path != "/com.other.plugin/api/x" ||
		stream.Request.URL.RawQuery != "y=1" || stream.Request.Header.Get("Content-Type") != "application/json" || stream.Request.Method != "POST" {
		t.Errorf("server got %+v / %+v", stream, stream.Request)
	}

	var buffered struct {
		Request     *srvHTTPRequestSubset
		RequestBody []byte
	}
	gobDecode(t, gobEncode(t, &Z_PluginHTTPArgs{Request: sub, RequestBody: []byte(`{"a":1}`)}), &buffered)
	if string(buffered.RequestBody) != `{"a":1}` || buffered.Request.URL.String() != "/com.other.plugin/api/x?y=1" {
		t.Errorf("server got %+v", buffered)
	}

	// The server's reply: GenerateResponse leaves Status empty and sets Body
	// to nil before encoding.
	srvReply := &struct {
		Response     *http.Response
		ResponseBody []byte
	}{&http.Response{StatusCode: 418, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1, Header: http.Header{"X-A": {"b"}}}, []byte("teapot")}
	var ret Z_PluginHTTPReturns
	gobDecode(t, gobEncode(t, srvReply), &ret)
	if ret.Response == nil || ret.Response.StatusCode != 418 || ret.Response.Header.Get("X-A") != "b" || string(ret.ResponseBody) != "teapot" {
		t.Errorf("reply = %+v %q", ret.Response, ret.ResponseBody)
	}
	var sret Z_PluginHTTPStreamReturns
	gobDecode(t, gobEncode(t, &struct {
		StatusCode int
		Header     http.Header
	}{204, http.Header{"X-B": {"c"}}}), &sret)
	if sret.StatusCode != 204 || sret.Header.Get("X-B") != "c" {
		t.Errorf("stream reply = %+v", sret)
	}
}

// ---- interface values inside fields we do not declare ----

// containsInterface reports whether a value of type t can hold an interface
// value (in exported fields, elements or map entries).
func containsInterface(t reflect.Type, seen map[reflect.Type]bool) bool {
	if seen[t] {
		return false
	}
	seen[t] = true
	switch t.Kind() {
	case reflect.Interface:
		return true
	case reflect.Pointer, reflect.Slice, reflect.Array:
		return containsInterface(t.Elem(), seen)
	case reflect.Map:
		return containsInterface(t.Key(), seen) || containsInterface(t.Elem(), seen)
	case reflect.Struct:
		for i := 0; i < t.NumField(); i++ {
			if f := t.Field(i); f.IsExported() && containsInterface(f.Type, seen) {
				return true
			}
		}
	}
	return false
}

// ignoredInterfaceFields lists the server fields that can carry interface
// values but that ours does not declare, so gob must skip them.
func ignoredInterfaceFields(srv, ours reflect.Type, path string, seen map[[2]reflect.Type]bool, out *[]string) {
	for srv.Kind() == reflect.Pointer || srv.Kind() == reflect.Slice || srv.Kind() == reflect.Array || srv.Kind() == reflect.Map {
		srv = srv.Elem()
	}
	for ours.Kind() == reflect.Pointer || ours.Kind() == reflect.Slice || ours.Kind() == reflect.Array || ours.Kind() == reflect.Map {
		ours = ours.Elem()
	}
	if srv.Kind() != reflect.Struct || ours.Kind() != reflect.Struct || seen[[2]reflect.Type{srv, ours}] {
		return
	}
	seen[[2]reflect.Type{srv, ours}] = true
	for i := 0; i < srv.NumField(); i++ {
		f := srv.Field(i)
		if !f.IsExported() {
			continue
		}
		of, ok := ours.FieldByName(f.Name)
		if !ok {
			if containsInterface(f.Type, map[reflect.Type]bool{}) {
				*out = append(*out, path+"."+f.Name)
			}
			continue
		}
		ignoredInterfaceFields(f.Type, of.Type, path+"."+f.Name, seen, out)
	}
}

// TestWireNoIgnoredNestedInterfaces guards against golang/go#34879: gob fails
// ("bad data: field numbers out of bounds") when it skips an interface value
// that itself holds interface values of a type not yet seen on the stream, and
// the connection's decoder then also rejects later values of that type. So
// every server field that can hold lists/maps of interface values must be
// declared on our side (props, plugin settings, setting defaults…); the ones
// left out are listed here with the reason they are safe.
func TestWireNoIgnoredNestedInterfaces(t *testing.T) {
	allowed := map[string]string{
		"Post.Metadata":                     "servers hand plugins posts stripped of Metadata (Post.ForPlugin); an older server sending a permalink embed (*model.PreviewPost, whose Post.Props hold interfaces) would hit the gob bug",
		"Post/v5.Metadata":                  "same as Post.Metadata",
		"HTTPRequestSubset.Body":            "always nil on the wire",
		"HTTPRequestSubset/http.Request.":   "the server fills only the HTTPRequestSubset fields",
		"HTTPResponseSubset/http.Response.": "the server sends StatusCode/Header/Proto only (Body set to nil)",
	}
	for _, p := range modelPairs {
		var found []string
		ignoredInterfaceFields(reflect.TypeOf(p.srv), reflect.TypeOf(p.ours), p.name, map[[2]reflect.Type]bool{}, &found)
	next:
		for _, f := range found {
			for prefix, why := range allowed {
				if f == prefix || strings.HasSuffix(prefix, ".") && strings.HasPrefix(f, prefix) {
					t.Logf("skipped by gob: %s (%s)", f, why)
					continue next
				}
			}
			t.Errorf("server field %s can hold interface values but is not declared on our side", f)
		}
	}
}

// TestWireManifestNestedInterfaces: setting defaults and plugin settings that
// are lists and maps (nested interface values) decode, and leave the stream's
// type table intact for the next reply on the same connection.
func TestWireManifestNestedInterfaces(t *testing.T) {
	srv := []*srvManifest{{
		Id: "com.example.ai", Version: "1.0.0",
		SettingsSchema: &srvPluginSettingsSchema{
			Settings: []*srvPluginSetting{{Key: "Config", Type: "custom", Default: map[string]any{"services": []any{map[string]any{"name": "x"}}}}},
			Sections: []*srvPluginSettingsSection{{Key: "s", Settings: []*srvPluginSetting{{Key: "L", Default: []any{"a", 1.5}}}}},
		},
		RequiredConfig: &srvConfig{PluginSettings: srvPluginSettings{Plugins: map[string]map[string]any{"x": {"k": []any{map[string]any{"a": true}}}}}},
		Props:          map[string]any{"p": []any{"q"}},
	}}
	var buf bytes.Buffer
	enc := gob.NewEncoder(&buf)
	if err := enc.Encode(&struct {
		A []*srvManifest
		B *srvAppError
	}{A: srv}); err != nil {
		t.Fatal(err)
	}
	// A later reply on the same connection reuses the types defined above.
	if err := enc.Encode(&struct{ A map[string]any }{map[string]any{"l": []any{"z"}}}); err != nil {
		t.Fatal(err)
	}
	dec := gob.NewDecoder(&buf)
	var ret Z_GetPluginsReturns
	if err := dec.Decode(&ret); err != nil {
		t.Fatalf("GetPlugins reply: %v", err)
	}
	if len(ret.A) != 1 || ret.A[0].SettingsSchema.Settings[0].Default == nil || ret.A[0].RequiredConfig == nil || !reflect.DeepEqual(ret.A[0].Props, map[string]any{"p": []any{"q"}}) {
		t.Errorf("manifest = %+v", ret.A)
	}
	var next Z_GetPluginConfigReturns
	if err := dec.Decode(&next); err != nil || !reflect.DeepEqual(next.A, map[string]any{"l": []any{"z"}}) {
		t.Errorf("next reply: %v %#v", err, next.A)
	}
}

// TestGobIgnoredNestedInterfaceHazard documents the gob bug the guard above is
// about, on the Go version in use (it only logs once Go has fixed it).
func TestGobIgnoredNestedInterfaceHazard(t *testing.T) {
	type wire struct {
		Id string
		V  any
	}
	type local struct{ Id string }
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(&wire{Id: "1", V: map[string]any{"a": []any{"x"}}}); err != nil {
		t.Fatal(err)
	}
	var l local
	if err := gob.NewDecoder(&buf).Decode(&l); err != nil {
		t.Logf("as expected on this Go version, skipping a nested interface value fails: %v", err)
	} else {
		t.Logf("this Go version skips nested interface values correctly (golang/go#34879 fixed)")
	}
}
