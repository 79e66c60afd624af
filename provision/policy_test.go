package provision

import (
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"testing"
)

func TestMergeAllowLambda(t *testing.T) {
	base := InvokePolicyDocument("b")
	a1, a2 := "arn:aws:lambda:us-east-1:1:function:a", "arn:aws:lambda:us-east-1:1:function:b"
	for _, tc := range []struct {
		name      string
		doc       string
		arns      []string
		wantAdded []string
		wantRes   []string // AllowLambda resources after; nil = unchanged
	}{
		{"adds the statement", base, []string{a1}, []string{a1}, []string{a1}},
		{"URL-encoded, as IAM returns it", url.PathEscape(base), []string{a1}, []string{a1}, []string{a1}},
		{"keeps other functions", `{"Version":"2012-10-17","Statement":[{"Sid":"AllowLambda","Effect":"Allow","Action":"lambda:InvokeFunction","Resource":"` + a2 + `"}]}`,
			[]string{a1}, []string{a1}, []string{a1, a2}},
		{"already allowed", `{"Version":"2012-10-17","Statement":[{"Sid":"AllowLambda","Effect":"Allow","Action":["lambda:InvokeFunction"],"Resource":["` + a1 + `","` + a2 + `"]}]}`,
			[]string{a2, a1}, nil, nil},
		{"single statement object", `{"Version":"2012-10-17","Statement":{"Sid":"Other","Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}`,
			[]string{a1}, []string{a1}, []string{a1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc, err := decodePolicyDocument(tc.doc)
			if err != nil {
				t.Fatal(err)
			}
			before := len(doc.Statement)
			out, added, err := mergeAllowLambda(doc, tc.arns)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(added, tc.wantAdded) {
				t.Errorf("added %v, want %v", added, tc.wantAdded)
			}
			if tc.wantRes == nil {
				if out != "" {
					t.Errorf("unchanged policy rewritten: %s", out)
				}
				return
			}
			var got struct {
				Version   string
				Statement []statement
			}
			if err := json.Unmarshal([]byte(out), &got); err != nil {
				t.Fatalf("%v: %s", err, out)
			}
			var allow *statement
			for i := range got.Statement {
				if got.Statement[i].Sid == AllowLambdaSid {
					allow = &got.Statement[i]
				}
			}
			if allow == nil || !slices.Equal([]string(allow.Resource), tc.wantRes) || allow.Action[0] != "lambda:InvokeFunction" || allow.Effect != "Allow" {
				t.Errorf("AllowLambda: %+v in %s", allow, out)
			}
			if n := len(got.Statement); n < before || got.Version != "2012-10-17" {
				t.Errorf("statements %d (before %d), version %q", n, before, got.Version)
			}
			if strings.Contains(tc.doc, "AllowS3") && !strings.Contains(out, `"Sid":"AllowS3"`) {
				t.Errorf("other statements lost: %s", out)
			}
		})
	}
}
