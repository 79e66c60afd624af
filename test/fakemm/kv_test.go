package fakemm

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mattermost-community/apps-plugin/server/mmplugin/model"
)

func TestKVSetWithOptions(t *testing.T) {
	type kvState map[string]string // key -> value before the call ("" = absent)
	tests := []struct {
		name     string
		before   kvState
		key      string
		value    []byte
		opts     model.PluginKVSetOptions
		wantOK   bool
		wantErr  int // status; 0 = none
		wantLeft map[string]string
	}{
		{name: "plain set", key: "k", value: []byte("v"), wantOK: true, wantLeft: map[string]string{"k": "v"}},
		{name: "plain overwrite", before: kvState{"k": "old"}, key: "k", value: []byte("v"), wantOK: true, wantLeft: map[string]string{"k": "v"}},
		{name: "nil value deletes", before: kvState{"k": "old"}, key: "k", value: nil, wantOK: true, wantLeft: map[string]string{}},
		{name: "empty value deletes", before: kvState{"k": "old"}, key: "k", value: []byte{}, wantOK: true, wantLeft: map[string]string{}},
		{name: "old value without atomic", before: kvState{"k": "old"}, key: "k", value: []byte("v"), opts: model.PluginKVSetOptions{OldValue: []byte("old")}, wantErr: http.StatusBadRequest, wantLeft: map[string]string{"k": "old"}},
		{name: "atomic insert absent", key: "k", value: []byte("v"), opts: model.PluginKVSetOptions{Atomic: true}, wantOK: true, wantLeft: map[string]string{"k": "v"}},
		{name: "atomic insert present", before: kvState{"k": "old"}, key: "k", value: []byte("v"), opts: model.PluginKVSetOptions{Atomic: true}, wantOK: false, wantLeft: map[string]string{"k": "old"}},
		{name: "CAS match", before: kvState{"k": "old"}, key: "k", value: []byte("v"), opts: model.PluginKVSetOptions{Atomic: true, OldValue: []byte("old")}, wantOK: true, wantLeft: map[string]string{"k": "v"}},
		{name: "CAS mismatch", before: kvState{"k": "other"}, key: "k", value: []byte("v"), opts: model.PluginKVSetOptions{Atomic: true, OldValue: []byte("old")}, wantOK: false, wantLeft: map[string]string{"k": "other"}},
		{name: "CAS absent", key: "k", value: []byte("v"), opts: model.PluginKVSetOptions{Atomic: true, OldValue: []byte("old")}, wantOK: false, wantLeft: map[string]string{}},
		{name: "atomic delete match", before: kvState{"k": "old"}, key: "k", value: nil, opts: model.PluginKVSetOptions{Atomic: true, OldValue: []byte("old")}, wantOK: true, wantLeft: map[string]string{}},
		{name: "atomic delete mismatch", before: kvState{"k": "x"}, key: "k", value: nil, opts: model.PluginKVSetOptions{Atomic: true, OldValue: []byte("old")}, wantOK: false, wantLeft: map[string]string{"k": "x"}},
		{name: "atomic delete nil old", before: kvState{"k": "x"}, key: "k", value: nil, opts: model.PluginKVSetOptions{Atomic: true}, wantOK: false, wantLeft: map[string]string{"k": "x"}},
		{name: "empty key", key: "", value: []byte("v"), wantErr: http.StatusBadRequest, wantLeft: map[string]string{}},
		{name: "key at limit", key: strings.Repeat("é", KVKeyMaxRunes), value: []byte("v"), wantOK: true, wantLeft: map[string]string{strings.Repeat("é", KVKeyMaxRunes): "v"}},
		{name: "key over limit", key: strings.Repeat("k", KVKeyMaxRunes+1), value: []byte("v"), wantErr: http.StatusBadRequest, wantLeft: map[string]string{}},
		{name: "opaque key", key: "a/b c\x00?&", value: []byte("v"), wantOK: true, wantLeft: map[string]string{"a/b c\x00?&": "v"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, api, _ := newTestServer(t)
			for k, v := range tc.before {
				s.SetKV(testPluginID, k, []byte(v))
			}
			ok, err := api.KVSetWithOptions(tc.key, tc.value, tc.opts)
			if tc.wantErr != 0 {
				wantAppErr(t, err, tc.wantErr, "")
			} else {
				noAppErr(t, err)
			}
			if ok != tc.wantOK {
				t.Errorf("ok = %v, want %v", ok, tc.wantOK)
			}
			got := map[string]string{}
			for k, v := range s.KV(testPluginID) {
				got[k] = string(v)
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.wantLeft) {
				t.Errorf("store = %v, want %v", got, tc.wantLeft)
			}
		})
	}
}

func TestKVCompareAndSetAndDelete(t *testing.T) {
	s, api, _ := newTestServer(t)
	ok, err := api.KVCompareAndSet("k", nil, []byte("1"))
	noAppErr(t, err)
	if !ok {
		t.Fatal("insert-if-absent failed")
	}
	if ok, _ := api.KVCompareAndSet("k", nil, []byte("2")); ok {
		t.Fatal("insert-if-absent over an existing key succeeded")
	}
	if ok, _ := api.KVCompareAndSet("k", []byte("1"), []byte("2")); !ok {
		t.Fatal("CAS 1->2 failed")
	}
	if ok, _ := api.KVCompareAndDelete("k", []byte("1")); ok {
		t.Fatal("CAD with stale value succeeded")
	}
	if ok, _ := api.KVCompareAndDelete("k", nil); ok {
		t.Fatal("CAD with nil old value succeeded")
	}
	if ok, _ := api.KVCompareAndDelete("k", []byte("2")); !ok {
		t.Fatal("CAD failed")
	}
	if len(s.KV(testPluginID)) != 0 {
		t.Fatalf("store not empty: %v", s.KV(testPluginID))
	}
}

func TestKVTTL(t *testing.T) {
	s, api, clk := newTestServer(t)
	noAppErr(t, api.KVSetWithExpiry("short", []byte("v"), 10))
	noAppErr(t, api.KVSet("forever", []byte("v")))
	if ok, _ := api.KVSetWithOptions("cas", []byte("1"), model.PluginKVSetOptions{Atomic: true, ExpireInSeconds: 5}); !ok {
		t.Fatal("atomic insert with TTL failed")
	}

	clk.Advance(9 * time.Second)
	if v, _ := api.KVGet("short"); string(v) != "v" {
		t.Fatalf("before expiry: %q", v)
	}
	clk.Advance(1 * time.Second) // exactly at expiry: gone (alive only while ExpireAt > now)
	if v, err := api.KVGet("short"); v != nil || err != nil {
		t.Fatalf("after expiry: %q, %v", v, err)
	}
	keys, _ := api.KVList(0, 100)
	if !equalStrings(keys, []string{"forever"}) {
		t.Fatalf("list after expiry = %v", keys)
	}
	if _, ok := s.KV(testPluginID)["cas"]; ok {
		t.Fatal("snapshot includes an expired key")
	}
	// An expired key counts as absent for insert-if-absent, and CAS/CAD do not see it.
	if ok, _ := api.KVCompareAndSet("cas", []byte("1"), []byte("2")); ok {
		t.Fatal("CAS matched an expired value")
	}
	if ok, _ := api.KVCompareAndDelete("cas", []byte("1")); ok {
		t.Fatal("CAD matched an expired value")
	}
	if ok, _ := api.KVCompareAndSet("cas", nil, []byte("new")); !ok {
		t.Fatal("insert over an expired key failed")
	}
	if v, _ := api.KVGet("cas"); string(v) != "new" {
		t.Fatalf("cas = %q", v)
	}
	// Setting without a TTL clears the TTL.
	noAppErr(t, api.KVSetWithExpiry("ttl", []byte("a"), 1))
	noAppErr(t, api.KVSet("ttl", []byte("b")))
	clk.Advance(time.Hour)
	if v, _ := api.KVGet("ttl"); string(v) != "b" {
		t.Fatalf("ttl = %q", v)
	}
}

func TestKVListPaging(t *testing.T) {
	s, api, _ := newTestServer(t)
	for _, k := range []string{"e", "a", "d", "c", "b"} {
		noAppErr(t, api.KVSet(k, []byte("v")))
	}
	s.SetKV("other.plugin", "zzz", []byte("x"))
	tests := []struct {
		page, perPage int
		want          []string
	}{
		{0, 2, []string{"a", "b"}},
		{1, 2, []string{"c", "d"}},
		{2, 2, []string{"e"}},
		{3, 2, []string{}},
		{0, 0, []string{"a", "b", "c", "d", "e"}}, // perPage <= 0 means the server's default of 10
		{-1, 3, []string{"a", "b", "c"}},
	}
	for _, tc := range tests {
		got, err := api.KVList(tc.page, tc.perPage)
		noAppErr(t, err)
		if got == nil || !equalStrings(got, tc.want) {
			t.Errorf("KVList(%d, %d) = %#v, want %v", tc.page, tc.perPage, got, tc.want)
		}
	}
}

func TestKVNamespacesAndCopies(t *testing.T) {
	s, api, _ := newTestServer(t)
	other := s.ForPlugin(PluginManifest{Id: "other.plugin"}, "node-a", "")
	in := []byte("value")
	noAppErr(t, api.KVSet("k", in))
	in[0] = 'X'
	got, _ := api.KVGet("k")
	if string(got) != "value" {
		t.Fatalf("stored value aliased the caller's slice: %q", got)
	}
	got[0] = 'Y'
	again, _ := api.KVGet("k")
	if string(again) != "value" {
		t.Fatalf("returned value aliased stored memory: %q", again)
	}
	if v, _ := other.KVGet("k"); v != nil {
		t.Fatalf("other plugin sees %q", v)
	}
	noAppErr(t, other.KVSet("k", []byte("o")))
	noAppErr(t, api.KVDeleteAll())
	if len(s.KV(testPluginID)) != 0 {
		t.Fatal("KVDeleteAll left keys")
	}
	if v, _ := other.KVGet("k"); string(v) != "o" {
		t.Fatal("KVDeleteAll touched another plugin")
	}
	noAppErr(t, other.KVDelete("k"))
	noAppErr(t, other.KVDelete("missing")) // not an error
	if v, _ := other.KVGet("k"); v != nil {
		t.Fatal("KVDelete left the key")
	}
}
