package apps_test

import (
	"testing"

	"github.com/mattermost-community/apps-plugin/apps"
)

func TestParseExpandLevel(t *testing.T) {
	for _, tc := range []struct {
		in       apps.ExpandLevel
		required bool
		level    apps.ExpandLevel
		wantErr  string
	}{
		{in: ""},
		{in: "+", required: true},
		{in: "id", level: "id"},
		{in: "+id", required: true, level: "id"},
		{in: "summary", level: "summary"},
		{in: "+summary", required: true, level: "summary"},
		{in: "all", level: "all"},
		{in: "+all", required: true, level: "all"},
		{in: "none", wantErr: `"none" is not a known expand level`},
		{in: "-all", wantErr: `"-all" is not a known expand level`},
		{in: "++all", wantErr: `"+all" is not a known expand level`},
		{in: "garbage", wantErr: `"garbage"`},
		{in: "ALL", wantErr: `"ALL"`},
	} {
		required, level, err := apps.ParseExpandLevel(tc.in)
		checkErr(t, err, tc.wantErr)
		if err == nil && (required != tc.required || level != tc.level) {
			t.Errorf("ParseExpandLevel(%q) = %v, %q", tc.in, required, level)
		}
	}
	if apps.ExpandAll.Required() != "+all" || apps.ExpandLevel("+all").Required() != "+all" ||
		!apps.ExpandLevel("+id").IsRequired() || apps.ExpandID.IsRequired() || apps.ExpandLevel("+id").Level() != "id" {
		t.Error("level helpers")
	}
	checkErr(t, apps.Expand{App: "all", User: "+summary", Post: "id"}.Validate(), "")
	checkErr(t, apps.Expand{App: "all", Team: "everything"}.Validate(), `expand.team: "everything"`)
}
