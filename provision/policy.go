package provision

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strings"
)

// AllowLambdaSid is the Sid of the invoke policy statement that lists the
// app functions the plugin may invoke.
const AllowLambdaSid = "AllowLambda"

// InvokePolicyDocument is the invoke policy "appsctl aws init" creates: read
// manifests and static assets and list the bucket. Provisioning adds the
// AllowLambda statement.
func InvokePolicyDocument(bucket string) string {
	doc := policyDocument{
		Version: "2012-10-17",
		Statement: []json.RawMessage{
			mustJSON(statement{Sid: "AllowS3", Effect: "Allow", Action: []string{"s3:GetObject"},
				Resource: []string{"arn:aws:s3:::" + bucket + "/manifests/*", "arn:aws:s3:::" + bucket + "/static/*"}}),
			mustJSON(statement{Sid: "AllowS3list", Effect: "Allow", Action: []string{"s3:ListBucket"},
				Resource: []string{"arn:aws:s3:::" + bucket}}),
		},
	}
	return string(mustJSON(doc))
}

// AssumeRolePolicyDocument lets AWS Lambda assume the execute role.
const AssumeRolePolicyDocument = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

type policyDocument struct {
	Version   string            `json:"Version"`
	ID        string            `json:"Id,omitempty"`
	Statement []json.RawMessage `json:"Statement"`
}

type statement struct {
	Sid      string      `json:"Sid,omitempty"`
	Effect   string      `json:"Effect"`
	Action   stringOrSet `json:"Action"`
	Resource stringOrSet `json:"Resource"`
}

// stringOrSet is an IAM policy value that may be a string or a list.
type stringOrSet []string

func (s *stringOrSet) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*s = []string{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return err
	}
	*s = many
	return nil
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// decodePolicyDocument decodes an IAM policy document as returned by
// GetPolicyVersion (URL-encoded) or as given (plain JSON).
func decodePolicyDocument(raw string) (*policyDocument, error) {
	text := strings.TrimSpace(raw)
	if !strings.HasPrefix(text, "{") {
		dec, err := url.PathUnescape(text)
		if err != nil {
			return nil, fmt.Errorf("decode policy document: %w", err)
		}
		text = dec
	}
	var wire struct {
		Version   string          `json:"Version"`
		ID        string          `json:"Id,omitempty"`
		Statement json.RawMessage `json:"Statement"`
	}
	if err := json.Unmarshal([]byte(text), &wire); err != nil {
		return nil, fmt.Errorf("decode policy document: %w", err)
	}
	doc := policyDocument{Version: wire.Version, ID: wire.ID}
	st := bytes.TrimSpace(wire.Statement)
	switch {
	case len(st) == 0 || string(st) == "null":
	case st[0] == '{': // a single statement may be an object
		doc.Statement = []json.RawMessage{st}
	default:
		if err := json.Unmarshal(st, &doc.Statement); err != nil {
			return nil, fmt.Errorf("decode policy document statements: %w", err)
		}
	}
	return &doc, nil
}

// mergeAllowLambda returns doc with the AllowLambda statement allowing
// lambda:InvokeFunction on its current resources plus arns, and the ARNs
// that were added (none: doc already allows them, and the returned
// document is unchanged).
func mergeAllowLambda(doc *policyDocument, arns []string) (string, []string, error) {
	idx := -1
	var st statement
	for i, raw := range doc.Statement {
		var s statement
		if err := json.Unmarshal(raw, &s); err != nil {
			continue
		}
		if s.Sid == AllowLambdaSid {
			idx, st = i, s
			break
		}
	}
	have := map[string]bool{}
	for _, r := range st.Resource {
		have[r] = true
	}
	var added []string
	for _, a := range arns {
		if !have[a] {
			have[a] = true
			added = append(added, a)
		}
	}
	sort.Strings(added)
	if len(added) == 0 && idx >= 0 {
		return "", nil, nil
	}
	resources := make([]string, 0, len(have))
	for r := range have {
		resources = append(resources, r)
	}
	sort.Strings(resources)
	out := statement{Sid: AllowLambdaSid, Effect: "Allow", Action: []string{"lambda:InvokeFunction"}, Resource: resources}
	newDoc := *doc
	newDoc.Statement = append([]json.RawMessage(nil), doc.Statement...)
	if idx >= 0 {
		newDoc.Statement[idx] = mustJSON(out)
	} else {
		newDoc.Statement = append(newDoc.Statement, mustJSON(out))
	}
	if newDoc.Version == "" {
		newDoc.Version = "2012-10-17"
	}
	return string(mustJSON(newDoc)), added, nil
}
