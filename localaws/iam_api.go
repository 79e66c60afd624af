package localaws

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The IAM query API subset appsctl uses: roles, managed policies and their
// versions, users, groups and access keys. State lives in <Dir>/iam.json.

const (
	iamDateLayout   = "2006-01-02T15:04:05Z"
	maxPolicyVers   = 5
	maxKeysPerUser  = 2
	awsManagedARN   = "arn:aws:iam::aws:policy/"
	iamPrefixRole   = "AROA"
	iamPrefixUser   = "AIDA"
	iamPrefixGroup  = "AGPA"
	iamPrefixPolicy = "ANPA"
	iamPrefixKey    = "AKIA"
)

var (
	iamNameRE = regexp.MustCompile(`^[\w+=,.@-]+$`)
	iamPathRE = regexp.MustCompile(`^(/|/[\x21-\x7e]*/)$`)
)

type iamRole struct {
	Name               string    `json:"name"`
	ID                 string    `json:"id"`
	Path               string    `json:"path"`
	Description        string    `json:"description,omitempty"`
	AssumeRolePolicy   string    `json:"assumeRolePolicy"`
	MaxSessionDuration int       `json:"maxSessionDuration"`
	Created            time.Time `json:"created"`
	Attached           []string  `json:"attached,omitempty"`
}

type iamPolicyVersion struct {
	ID       string    `json:"id"`
	Document string    `json:"document"`
	Created  time.Time `json:"created"`
}

type iamPolicy struct {
	Name           string              `json:"name"`
	ID             string              `json:"id"`
	Path           string              `json:"path"`
	Description    string              `json:"description,omitempty"`
	DefaultVersion string              `json:"defaultVersion"`
	NextVersion    int                 `json:"nextVersion"`
	Versions       []*iamPolicyVersion `json:"versions"`
	Created        time.Time           `json:"created"`
	Updated        time.Time           `json:"updated"`
}

type iamAccessKey struct {
	ID      string    `json:"id"`
	Secret  string    `json:"secret"`
	Status  string    `json:"status"`
	Created time.Time `json:"created"`
}

type iamUser struct {
	Name     string          `json:"name"`
	ID       string          `json:"id"`
	Path     string          `json:"path"`
	Created  time.Time       `json:"created"`
	Keys     []*iamAccessKey `json:"keys,omitempty"`
	Attached []string        `json:"attached,omitempty"`
}

type iamGroup struct {
	Name     string    `json:"name"`
	ID       string    `json:"id"`
	Path     string    `json:"path"`
	Created  time.Time `json:"created"`
	Users    []string  `json:"users,omitempty"`
	Attached []string  `json:"attached,omitempty"`
}

type iamState struct {
	Roles    map[string]*iamRole   `json:"roles"`
	Policies map[string]*iamPolicy `json:"policies"` // by ARN
	Users    map[string]*iamUser   `json:"users"`
	Groups   map[string]*iamGroup  `json:"groups"`
}

type iamStore struct {
	path string
	mu   sync.Mutex
	st   iamState
}

func loadIAMStore(path string) (*iamStore, error) {
	s := &iamStore{path: path}
	data, err := os.ReadFile(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return nil, fmt.Errorf("localaws: load IAM state: %w", err)
	default:
		if err := json.Unmarshal(data, &s.st); err != nil {
			return nil, fmt.Errorf("localaws: load IAM state %s: %w", path, err)
		}
	}
	if s.st.Roles == nil {
		s.st.Roles = map[string]*iamRole{}
	}
	if s.st.Policies == nil {
		s.st.Policies = map[string]*iamPolicy{}
	}
	if s.st.Users == nil {
		s.st.Users = map[string]*iamUser{}
	}
	if s.st.Groups == nil {
		s.st.Groups = map[string]*iamGroup{}
	}
	return s, nil
}

func (s *iamStore) save() error {
	data, err := json.MarshalIndent(&s.st, "", "  ")
	if err != nil {
		return fmt.Errorf("localaws: encode IAM state: %w", err)
	}
	return writeFileAtomic(s.path, data)
}

// iamError is an IAM error: HTTP status, code and message.
type iamError struct {
	status int
	code   string
	msg    string
}

func (e *iamError) Error() string { return e.code + ": " + e.msg }

func noSuchEntity(format string, a ...any) *iamError {
	return &iamError{http.StatusNotFound, "NoSuchEntity", fmt.Sprintf(format, a...)}
}

func alreadyExists(format string, a ...any) *iamError {
	return &iamError{http.StatusConflict, "EntityAlreadyExists", fmt.Sprintf(format, a...)}
}

func deleteConflict(msg string) *iamError {
	return &iamError{http.StatusConflict, "DeleteConflict", msg}
}

func limitExceeded(msg string) *iamError {
	return &iamError{http.StatusConflict, "LimitExceeded", msg}
}

func iamValidation(format string, a ...any) *iamError {
	return &iamError{http.StatusBadRequest, "ValidationError", fmt.Sprintf(format, a...)}
}

// iamRequest is a decoded query request.
type iamRequest struct {
	form url.Values
	akid string // access key id of the caller (from the SigV4 credential scope)
}

func (r *iamRequest) get(name string) string { return r.form.Get(name) }

// required returns the parameter or a ValidationError naming it as AWS does
// (lower camel case).
func (r *iamRequest) required(name string) (string, error) {
	v := r.form.Get(name)
	if v == "" {
		return "", iamValidation("1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not have null value",
			strings.ToLower(name[:1])+name[1:])
	}
	return v, nil
}

func (r *iamRequest) name(param string, maxLen int) (string, error) {
	v, err := r.required(param)
	if err != nil {
		return "", err
	}
	if len(v) > maxLen || !iamNameRE.MatchString(v) {
		return "", iamValidation("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+",
			v, strings.ToLower(param[:1])+param[1:])
	}
	return v, nil
}

func (r *iamRequest) path() (string, error) {
	p := r.form.Get("Path")
	if p == "" {
		return "/", nil
	}
	if len(p) > 512 || !iamPathRE.MatchString(p) {
		return "", iamValidation("The specified value for path is invalid. It must begin and end with / and contain only alphanumeric characters and/or / characters.")
	}
	return p, nil
}

type iamHandler func(*iamStore, *iamRequest) (any, error)

var iamActions = map[string]iamHandler{
	"CreateRole":                (*iamStore).createRole,
	"GetRole":                   (*iamStore).getRole,
	"DeleteRole":                (*iamStore).deleteRole,
	"AttachRolePolicy":          (*iamStore).attachRolePolicy,
	"DetachRolePolicy":          (*iamStore).detachRolePolicy,
	"ListAttachedRolePolicies":  (*iamStore).listAttachedRolePolicies,
	"CreatePolicy":              (*iamStore).createPolicy,
	"GetPolicy":                 (*iamStore).getPolicy,
	"DeletePolicy":              (*iamStore).deletePolicy,
	"ListPolicies":              (*iamStore).listPolicies,
	"GetPolicyVersion":          (*iamStore).getPolicyVersion,
	"CreatePolicyVersion":       (*iamStore).createPolicyVersion,
	"ListPolicyVersions":        (*iamStore).listPolicyVersions,
	"DeletePolicyVersion":       (*iamStore).deletePolicyVersion,
	"SetDefaultPolicyVersion":   (*iamStore).setDefaultPolicyVersion,
	"CreateUser":                (*iamStore).createUser,
	"GetUser":                   (*iamStore).getUser,
	"DeleteUser":                (*iamStore).deleteUser,
	"ListGroupsForUser":         (*iamStore).listGroupsForUser,
	"CreateAccessKey":           (*iamStore).createAccessKey,
	"DeleteAccessKey":           (*iamStore).deleteAccessKey,
	"ListAccessKeys":            (*iamStore).listAccessKeys,
	"CreateGroup":               (*iamStore).createGroup,
	"GetGroup":                  (*iamStore).getGroup,
	"DeleteGroup":               (*iamStore).deleteGroup,
	"AddUserToGroup":            (*iamStore).addUserToGroup,
	"RemoveUserFromGroup":       (*iamStore).removeUserFromGroup,
	"AttachGroupPolicy":         (*iamStore).attachGroupPolicy,
	"DetachGroupPolicy":         (*iamStore).detachGroupPolicy,
	"ListAttachedGroupPolicies": (*iamStore).listAttachedGroupPolicies,
}

// serve runs one IAM action and writes the XML answer.
func (s *iamStore) serve(w http.ResponseWriter, action string, form url.Values, authz string) {
	h, ok := iamActions[action]
	if !ok {
		if action == "" {
			writeQueryError(w, http.StatusBadRequest, "Sender", "MissingAction", "Missing Action", iamNamespace)
			return
		}
		writeQueryError(w, http.StatusBadRequest, "Sender", "InvalidAction",
			fmt.Sprintf("Could not find operation %s for version 2010-05-08", action), iamNamespace)
		return
	}
	req := &iamRequest{form: form, akid: credentialAKID(authz)}
	s.mu.Lock()
	res, err := h(s, req)
	readOnly := strings.HasPrefix(action, "Get") || strings.HasPrefix(action, "List")
	if err == nil && !readOnly {
		err = s.save()
	}
	s.mu.Unlock()
	if err != nil {
		var ie *iamError
		if !errors.As(err, &ie) {
			ie = &iamError{http.StatusInternalServerError, "ServiceFailure", err.Error()}
		}
		typ := "Sender"
		if ie.status >= 500 {
			typ = "Receiver"
		}
		writeQueryError(w, ie.status, typ, ie.code, ie.msg, iamNamespace)
		return
	}
	writeQueryResult(w, action, iamNamespace, res)
}

// credentialAKID extracts the access key id from a SigV4 Authorization header.
func credentialAKID(authz string) string {
	_, rest, ok := strings.Cut(authz, "Credential=")
	if !ok {
		return ""
	}
	akid, _, _ := strings.Cut(rest, "/")
	return akid
}

// --- ids, ARNs and XML shapes ---

const idAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

func iamID(prefix string, n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = idAlphabet[int(b[i])%len(idAlphabet)]
	}
	return prefix + string(b)
}

func secretKey() string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	b := make([]byte, 40)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

func iamARN(kind, path, name string) string {
	return "arn:aws:iam::" + AccountID + ":" + kind + path + name
}

func iamDate(t time.Time) string { return t.UTC().Format(iamDateLayout) }

// encodeDocument URL-encodes a policy document as IAM returns it.
func encodeDocument(doc string) string {
	return strings.ReplaceAll(url.QueryEscape(doc), "+", "%20")
}

func checkPolicyDocument(doc string) error {
	var v map[string]any
	if err := json.Unmarshal([]byte(doc), &v); err != nil {
		return &iamError{http.StatusBadRequest, "MalformedPolicyDocument", "Syntax errors in policy."}
	}
	return nil
}

type xmlRole struct {
	Path                     string `xml:"Path"`
	RoleName                 string `xml:"RoleName"`
	RoleID                   string `xml:"RoleId"`
	Arn                      string `xml:"Arn"`
	CreateDate               string `xml:"CreateDate"`
	AssumeRolePolicyDocument string `xml:"AssumeRolePolicyDocument"`
	Description              string `xml:"Description,omitempty"`
	MaxSessionDuration       int    `xml:"MaxSessionDuration"`
}

func (r *iamRole) xml() xmlRole {
	return xmlRole{r.Path, r.Name, r.ID, iamARN("role", r.Path, r.Name), iamDate(r.Created),
		encodeDocument(r.AssumeRolePolicy), r.Description, r.MaxSessionDuration}
}

type xmlPolicy struct {
	PolicyName                    string `xml:"PolicyName"`
	PolicyID                      string `xml:"PolicyId"`
	Arn                           string `xml:"Arn"`
	Path                          string `xml:"Path"`
	DefaultVersionID              string `xml:"DefaultVersionId"`
	AttachmentCount               int    `xml:"AttachmentCount"`
	PermissionsBoundaryUsageCount int    `xml:"PermissionsBoundaryUsageCount"`
	IsAttachable                  bool   `xml:"IsAttachable"`
	Description                   string `xml:"Description,omitempty"`
	CreateDate                    string `xml:"CreateDate"`
	UpdateDate                    string `xml:"UpdateDate"`
}

type xmlPolicyVersion struct {
	Document         string `xml:"Document,omitempty"`
	VersionID        string `xml:"VersionId"`
	IsDefaultVersion bool   `xml:"IsDefaultVersion"`
	CreateDate       string `xml:"CreateDate"`
}

type xmlUser struct {
	Path       string `xml:"Path"`
	UserName   string `xml:"UserName"`
	UserID     string `xml:"UserId"`
	Arn        string `xml:"Arn"`
	CreateDate string `xml:"CreateDate"`
}

func (u *iamUser) xml() xmlUser {
	return xmlUser{u.Path, u.Name, u.ID, iamARN("user", u.Path, u.Name), iamDate(u.Created)}
}

type xmlGroup struct {
	Path       string `xml:"Path"`
	GroupName  string `xml:"GroupName"`
	GroupID    string `xml:"GroupId"`
	Arn        string `xml:"Arn"`
	CreateDate string `xml:"CreateDate"`
}

func (g *iamGroup) xml() xmlGroup {
	return xmlGroup{g.Path, g.Name, g.ID, iamARN("group", g.Path, g.Name), iamDate(g.Created)}
}

type xmlAttachedPolicy struct {
	PolicyName string `xml:"PolicyName"`
	PolicyArn  string `xml:"PolicyArn"`
}

type xmlAccessKey struct {
	UserName        string `xml:"UserName"`
	AccessKeyID     string `xml:"AccessKeyId"`
	Status          string `xml:"Status"`
	SecretAccessKey string `xml:"SecretAccessKey,omitempty"`
	CreateDate      string `xml:"CreateDate"`
}

// page applies Marker (an offset) and MaxItems (default 100) to n items.
func page(r *iamRequest, n int) (start, end int, marker string, err error) {
	if m := r.get("Marker"); m != "" {
		if start, err = strconv.Atoi(m); err != nil || start < 0 || start > n {
			return 0, 0, "", iamValidation("Invalid Marker.")
		}
	}
	maxItems := 100
	if m := r.get("MaxItems"); m != "" {
		if maxItems, err = strconv.Atoi(m); err != nil || maxItems < 1 || maxItems > 1000 {
			return 0, 0, "", iamValidation("1 validation error detected: Value '%s' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 1000", m)
		}
	}
	end = min(n, start+maxItems)
	if end < n {
		marker = strconv.Itoa(end)
	}
	return start, end, marker, nil
}

// --- roles ---

func (s *iamStore) role(r *iamRequest) (*iamRole, error) {
	name, err := r.required("RoleName")
	if err != nil {
		return nil, err
	}
	role := s.st.Roles[name]
	if role == nil {
		return nil, noSuchEntity("The role with name %s cannot be found.", name)
	}
	return role, nil
}

func (s *iamStore) createRole(r *iamRequest) (any, error) {
	name, err := r.name("RoleName", 64)
	if err != nil {
		return nil, err
	}
	doc, err := r.required("AssumeRolePolicyDocument")
	if err != nil {
		return nil, err
	}
	if err := checkPolicyDocument(doc); err != nil {
		return nil, err
	}
	path, err := r.path()
	if err != nil {
		return nil, err
	}
	if s.st.Roles[name] != nil {
		return nil, alreadyExists("Role with name %s already exists.", name)
	}
	maxSession := 3600
	if v := r.get("MaxSessionDuration"); v != "" {
		if maxSession, err = strconv.Atoi(v); err != nil || maxSession < 3600 || maxSession > 43200 {
			return nil, iamValidation("1 validation error detected: Value '%s' at 'maxSessionDuration' failed to satisfy constraint: Member must have value between 3600 and 43200", v)
		}
	}
	role := &iamRole{Name: name, ID: iamID(iamPrefixRole, 17), Path: path, Description: r.get("Description"),
		AssumeRolePolicy: doc, MaxSessionDuration: maxSession, Created: time.Now()}
	s.st.Roles[name] = role
	return struct {
		Role xmlRole `xml:"Role"`
	}{role.xml()}, nil
}

func (s *iamStore) getRole(r *iamRequest) (any, error) {
	role, err := s.role(r)
	if err != nil {
		return nil, err
	}
	return struct {
		Role xmlRole `xml:"Role"`
	}{role.xml()}, nil
}

func (s *iamStore) deleteRole(r *iamRequest) (any, error) {
	role, err := s.role(r)
	if err != nil {
		return nil, err
	}
	if len(role.Attached) > 0 {
		return nil, deleteConflict("Cannot delete entity, must detach all policies first.")
	}
	delete(s.st.Roles, role.Name)
	return nil, nil
}

// policyForAttach resolves PolicyArn for an attach call.
func (s *iamStore) policyForAttach(r *iamRequest) (string, error) {
	arn, err := r.required("PolicyArn")
	if err != nil {
		return "", err
	}
	if strings.HasPrefix(arn, awsManagedARN) || s.st.Policies[arn] != nil {
		return arn, nil
	}
	return "", noSuchEntity("Policy %s does not exist or is not attachable.", arn)
}

func attach(list []string, arn string) []string {
	for _, a := range list {
		if a == arn {
			return list
		}
	}
	return append(list, arn)
}

func detach(list []string, arn string) ([]string, error) {
	for i, a := range list {
		if a == arn {
			return append(list[:i:i], list[i+1:]...), nil
		}
	}
	return list, noSuchEntity("Policy %s was not found.", arn)
}

// attachTo attaches the request's policy to an entity's attached list.
func (s *iamStore) attachTo(r *iamRequest, attached *[]string) (any, error) {
	arn, err := s.policyForAttach(r)
	if err != nil {
		return nil, err
	}
	*attached = attach(*attached, arn)
	return nil, nil
}

// detachFrom detaches the request's PolicyArn from an entity's attached list.
func detachFrom(r *iamRequest, attached *[]string) (any, error) {
	arn, err := r.required("PolicyArn")
	if err != nil {
		return nil, err
	}
	*attached, err = detach(*attached, arn)
	return nil, err
}

func (s *iamStore) attachRolePolicy(r *iamRequest) (any, error) {
	role, err := s.role(r)
	if err != nil {
		return nil, err
	}
	return s.attachTo(r, &role.Attached)
}

func (s *iamStore) detachRolePolicy(r *iamRequest) (any, error) {
	role, err := s.role(r)
	if err != nil {
		return nil, err
	}
	return detachFrom(r, &role.Attached)
}

type attachedPoliciesResult struct {
	AttachedPolicies []xmlAttachedPolicy `xml:"AttachedPolicies>member"`
	IsTruncated      bool                `xml:"IsTruncated"`
	Marker           string              `xml:"Marker,omitempty"`
}

func (s *iamStore) attachedPolicies(r *iamRequest, arns []string) (any, error) {
	prefix := r.get("PathPrefix")
	var out []xmlAttachedPolicy
	for _, arn := range arns {
		name := arn[strings.LastIndex(arn, "/")+1:]
		if p := s.st.Policies[arn]; p != nil && !strings.HasPrefix(p.Path, prefix) {
			continue
		}
		out = append(out, xmlAttachedPolicy{PolicyName: name, PolicyArn: arn})
	}
	start, end, marker, err := page(r, len(out))
	if err != nil {
		return nil, err
	}
	return attachedPoliciesResult{out[start:end], marker != "", marker}, nil
}

func (s *iamStore) listAttachedRolePolicies(r *iamRequest) (any, error) {
	role, err := s.role(r)
	if err != nil {
		return nil, err
	}
	return s.attachedPolicies(r, role.Attached)
}

// --- managed policies ---

func (s *iamStore) attachmentCount(arn string) int {
	n := 0
	for _, x := range s.st.Roles {
		n += count(x.Attached, arn)
	}
	for _, x := range s.st.Users {
		n += count(x.Attached, arn)
	}
	for _, x := range s.st.Groups {
		n += count(x.Attached, arn)
	}
	return n
}

func count(list []string, s string) int {
	n := 0
	for _, x := range list {
		if x == s {
			n++
		}
	}
	return n
}

func (s *iamStore) policyXML(arn string, p *iamPolicy) xmlPolicy {
	return xmlPolicy{
		PolicyName: p.Name, PolicyID: p.ID, Arn: arn, Path: p.Path, DefaultVersionID: p.DefaultVersion,
		AttachmentCount: s.attachmentCount(arn), IsAttachable: true, Description: p.Description,
		CreateDate: iamDate(p.Created), UpdateDate: iamDate(p.Updated),
	}
}

// awsManagedPolicy stands in for an AWS managed policy (any arn:aws:iam::aws:policy/...).
func awsManagedPolicy(arn string) *iamPolicy {
	name := arn[strings.LastIndex(arn, "/")+1:]
	path := strings.TrimSuffix(strings.TrimPrefix(arn, awsManagedARN[:len(awsManagedARN)-1]), name)
	created := time.Date(2015, 4, 9, 15, 3, 43, 0, time.UTC)
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["logs:CreateLogGroup","logs:CreateLogStream","logs:PutLogEvents"],"Resource":"*"}]}`
	return &iamPolicy{Name: name, ID: "ANPAJNCQGXC42545SKXIK", Path: path, DefaultVersion: "v1",
		Versions: []*iamPolicyVersion{{ID: "v1", Document: doc, Created: created}}, Created: created, Updated: created}
}

func (s *iamStore) policy(r *iamRequest) (string, *iamPolicy, error) {
	arn, err := r.required("PolicyArn")
	if err != nil {
		return "", nil, err
	}
	if p := s.st.Policies[arn]; p != nil {
		return arn, p, nil
	}
	if strings.HasPrefix(arn, awsManagedARN) {
		return arn, awsManagedPolicy(arn), nil
	}
	return "", nil, noSuchEntity("Policy %s was not found.", arn)
}

func (s *iamStore) localPolicy(r *iamRequest) (string, *iamPolicy, error) {
	arn, p, err := s.policy(r)
	if err == nil && s.st.Policies[arn] == nil {
		return "", nil, &iamError{http.StatusForbidden, "AccessDenied", "AWS managed policies cannot be modified."}
	}
	return arn, p, err
}

func (s *iamStore) createPolicy(r *iamRequest) (any, error) {
	name, err := r.name("PolicyName", 128)
	if err != nil {
		return nil, err
	}
	doc, err := r.required("PolicyDocument")
	if err != nil {
		return nil, err
	}
	if err := checkPolicyDocument(doc); err != nil {
		return nil, err
	}
	path, err := r.path()
	if err != nil {
		return nil, err
	}
	arn := iamARN("policy", path, name)
	for a, p := range s.st.Policies {
		if p.Name == name || a == arn {
			return nil, alreadyExists("A policy called %s already exists. Duplicate names are not allowed.", name)
		}
	}
	now := time.Now()
	p := &iamPolicy{Name: name, ID: iamID(iamPrefixPolicy, 17), Path: path, Description: r.get("Description"),
		DefaultVersion: "v1", NextVersion: 2, Created: now, Updated: now,
		Versions: []*iamPolicyVersion{{ID: "v1", Document: doc, Created: now}}}
	s.st.Policies[arn] = p
	return struct {
		Policy xmlPolicy `xml:"Policy"`
	}{s.policyXML(arn, p)}, nil
}

func (s *iamStore) getPolicy(r *iamRequest) (any, error) {
	arn, p, err := s.policy(r)
	if err != nil {
		return nil, err
	}
	return struct {
		Policy xmlPolicy `xml:"Policy"`
	}{s.policyXML(arn, p)}, nil
}

func (s *iamStore) deletePolicy(r *iamRequest) (any, error) {
	arn, p, err := s.localPolicy(r)
	if err != nil {
		return nil, err
	}
	if s.attachmentCount(arn) > 0 {
		return nil, deleteConflict("Cannot delete a policy attached to entities.")
	}
	if len(p.Versions) > 1 {
		return nil, deleteConflict("This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.")
	}
	delete(s.st.Policies, arn)
	return nil, nil
}

func (s *iamStore) listPolicies(r *iamRequest) (any, error) {
	scope := r.get("Scope")
	if scope == "" {
		scope = "All"
	}
	onlyAttached := r.get("OnlyAttached") == "true"
	prefix := r.get("PathPrefix")
	var arns []string
	if scope == "All" || scope == "Local" {
		for arn, p := range s.st.Policies {
			if strings.HasPrefix(p.Path, prefix) && (!onlyAttached || s.attachmentCount(arn) > 0) {
				arns = append(arns, arn)
			}
		}
	}
	sort.Strings(arns)
	start, end, marker, err := page(r, len(arns))
	if err != nil {
		return nil, err
	}
	out := struct {
		Policies    []xmlPolicy `xml:"Policies>member"`
		IsTruncated bool        `xml:"IsTruncated"`
		Marker      string      `xml:"Marker,omitempty"`
	}{IsTruncated: marker != "", Marker: marker}
	for _, arn := range arns[start:end] {
		out.Policies = append(out.Policies, s.policyXML(arn, s.st.Policies[arn]))
	}
	return out, nil
}

func (p *iamPolicy) version(id string) *iamPolicyVersion {
	for _, v := range p.Versions {
		if v.ID == id {
			return v
		}
	}
	return nil
}

func (s *iamStore) getPolicyVersion(r *iamRequest) (any, error) {
	arn, p, err := s.policy(r)
	if err != nil {
		return nil, err
	}
	id, err := r.required("VersionId")
	if err != nil {
		return nil, err
	}
	v := p.version(id)
	if v == nil {
		return nil, noSuchEntity("Policy %s version %s does not exist or is not attachable.", arn, id)
	}
	return struct {
		PolicyVersion xmlPolicyVersion `xml:"PolicyVersion"`
	}{xmlPolicyVersion{encodeDocument(v.Document), v.ID, v.ID == p.DefaultVersion, iamDate(v.Created)}}, nil
}

func (s *iamStore) createPolicyVersion(r *iamRequest) (any, error) {
	_, p, err := s.localPolicy(r)
	if err != nil {
		return nil, err
	}
	doc, err := r.required("PolicyDocument")
	if err != nil {
		return nil, err
	}
	if err := checkPolicyDocument(doc); err != nil {
		return nil, err
	}
	if len(p.Versions) >= maxPolicyVers {
		return nil, limitExceeded("A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.")
	}
	now := time.Now()
	v := &iamPolicyVersion{ID: "v" + strconv.Itoa(p.NextVersion), Document: doc, Created: now}
	p.NextVersion++
	p.Versions = append(p.Versions, v)
	p.Updated = now
	if r.get("SetAsDefault") == "true" {
		p.DefaultVersion = v.ID
	}
	return struct {
		PolicyVersion xmlPolicyVersion `xml:"PolicyVersion"`
	}{xmlPolicyVersion{VersionID: v.ID, IsDefaultVersion: v.ID == p.DefaultVersion, CreateDate: iamDate(v.Created)}}, nil
}

func (s *iamStore) listPolicyVersions(r *iamRequest) (any, error) {
	_, p, err := s.policy(r)
	if err != nil {
		return nil, err
	}
	start, end, marker, err := page(r, len(p.Versions))
	if err != nil {
		return nil, err
	}
	out := struct {
		Versions    []xmlPolicyVersion `xml:"Versions>member"`
		IsTruncated bool               `xml:"IsTruncated"`
		Marker      string             `xml:"Marker,omitempty"`
	}{IsTruncated: marker != "", Marker: marker}
	// Newest first, as IAM lists them.
	for i := len(p.Versions) - 1 - start; i >= len(p.Versions)-end; i-- {
		v := p.Versions[i]
		out.Versions = append(out.Versions, xmlPolicyVersion{VersionID: v.ID, IsDefaultVersion: v.ID == p.DefaultVersion, CreateDate: iamDate(v.Created)})
	}
	return out, nil
}

func (s *iamStore) deletePolicyVersion(r *iamRequest) (any, error) {
	arn, p, err := s.localPolicy(r)
	if err != nil {
		return nil, err
	}
	id, err := r.required("VersionId")
	if err != nil {
		return nil, err
	}
	if id == p.DefaultVersion {
		return nil, deleteConflict("Cannot delete the default version of a policy.")
	}
	for i, v := range p.Versions {
		if v.ID == id {
			p.Versions = append(p.Versions[:i], p.Versions[i+1:]...)
			return nil, nil
		}
	}
	return nil, noSuchEntity("Policy %s version %s does not exist or is not attachable.", arn, id)
}

func (s *iamStore) setDefaultPolicyVersion(r *iamRequest) (any, error) {
	arn, p, err := s.localPolicy(r)
	if err != nil {
		return nil, err
	}
	id, err := r.required("VersionId")
	if err != nil {
		return nil, err
	}
	if p.version(id) == nil {
		return nil, noSuchEntity("Policy %s version %s does not exist or is not attachable.", arn, id)
	}
	p.DefaultVersion = id
	return nil, nil
}

// --- users and access keys ---

func (s *iamStore) user(r *iamRequest) (*iamUser, error) {
	name, err := r.required("UserName")
	if err != nil {
		return nil, err
	}
	u := s.st.Users[name]
	if u == nil {
		return nil, noSuchEntity("The user with name %s cannot be found.", name)
	}
	return u, nil
}

// callerUser is the user owning the caller's access key, if any.
func (s *iamStore) callerUser(r *iamRequest) *iamUser {
	for _, u := range s.st.Users {
		for _, k := range u.Keys {
			if k.ID == r.akid {
				return u
			}
		}
	}
	return nil
}

// userOrCaller resolves UserName, defaulting to the caller as IAM does.
func (s *iamStore) userOrCaller(r *iamRequest) (*iamUser, error) {
	if r.get("UserName") != "" {
		return s.user(r)
	}
	if u := s.callerUser(r); u != nil {
		return u, nil
	}
	return nil, iamValidation("Must specify userName when calling with non-User credentials")
}

func (s *iamStore) createUser(r *iamRequest) (any, error) {
	name, err := r.name("UserName", 64)
	if err != nil {
		return nil, err
	}
	path, err := r.path()
	if err != nil {
		return nil, err
	}
	if s.st.Users[name] != nil {
		return nil, alreadyExists("User with name %s already exists.", name)
	}
	u := &iamUser{Name: name, ID: iamID(iamPrefixUser, 17), Path: path, Created: time.Now()}
	s.st.Users[name] = u
	return struct {
		User xmlUser `xml:"User"`
	}{u.xml()}, nil
}

func (s *iamStore) getUser(r *iamRequest) (any, error) {
	var u *iamUser
	if r.get("UserName") != "" {
		var err error
		if u, err = s.user(r); err != nil {
			return nil, err
		}
	} else if u = s.callerUser(r); u == nil {
		// Credentials that are not an IAM user's: answer for the account.
		u = &iamUser{Name: "localaws", ID: AccountID, Path: "/", Created: time.Unix(0, 0)}
	}
	return struct {
		User xmlUser `xml:"User"`
	}{u.xml()}, nil
}

func (s *iamStore) deleteUser(r *iamRequest) (any, error) {
	u, err := s.user(r)
	if err != nil {
		return nil, err
	}
	if len(u.Keys) > 0 {
		return nil, deleteConflict("Cannot delete entity, must delete access keys first.")
	}
	if len(u.Attached) > 0 {
		return nil, deleteConflict("Cannot delete entity, must detach all policies first.")
	}
	for _, g := range s.st.Groups {
		if count(g.Users, u.Name) > 0 {
			return nil, deleteConflict("Cannot delete entity, must remove users from group first.")
		}
	}
	delete(s.st.Users, u.Name)
	return nil, nil
}

func (s *iamStore) listGroupsForUser(r *iamRequest) (any, error) {
	u, err := s.user(r)
	if err != nil {
		return nil, err
	}
	var names []string
	for name, g := range s.st.Groups {
		if count(g.Users, u.Name) > 0 {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	start, end, marker, err := page(r, len(names))
	if err != nil {
		return nil, err
	}
	out := struct {
		Groups      []xmlGroup `xml:"Groups>member"`
		IsTruncated bool       `xml:"IsTruncated"`
		Marker      string     `xml:"Marker,omitempty"`
	}{IsTruncated: marker != "", Marker: marker}
	for _, name := range names[start:end] {
		out.Groups = append(out.Groups, s.st.Groups[name].xml())
	}
	return out, nil
}

func (s *iamStore) createAccessKey(r *iamRequest) (any, error) {
	u, err := s.userOrCaller(r)
	if err != nil {
		return nil, err
	}
	if len(u.Keys) >= maxKeysPerUser {
		return nil, limitExceeded("Cannot exceed quota for AccessKeysPerUser: 2")
	}
	k := &iamAccessKey{ID: iamID(iamPrefixKey, 16), Secret: secretKey(), Status: "Active", Created: time.Now()}
	u.Keys = append(u.Keys, k)
	return struct {
		AccessKey xmlAccessKey `xml:"AccessKey"`
	}{xmlAccessKey{u.Name, k.ID, k.Status, k.Secret, iamDate(k.Created)}}, nil
}

func (s *iamStore) deleteAccessKey(r *iamRequest) (any, error) {
	id, err := r.required("AccessKeyId")
	if err != nil {
		return nil, err
	}
	var users []*iamUser
	if r.get("UserName") != "" {
		u, err := s.user(r)
		if err != nil {
			return nil, err
		}
		users = []*iamUser{u}
	} else {
		for _, u := range s.st.Users {
			users = append(users, u)
		}
	}
	for _, u := range users {
		for i, k := range u.Keys {
			if k.ID == id {
				u.Keys = append(u.Keys[:i], u.Keys[i+1:]...)
				return nil, nil
			}
		}
	}
	return nil, noSuchEntity("The Access Key with id %s cannot be found.", id)
}

func (s *iamStore) listAccessKeys(r *iamRequest) (any, error) {
	u, err := s.userOrCaller(r)
	if err != nil {
		return nil, err
	}
	out := struct {
		AccessKeyMetadata []xmlAccessKey `xml:"AccessKeyMetadata>member"`
		IsTruncated       bool           `xml:"IsTruncated"`
	}{}
	for _, k := range u.Keys {
		out.AccessKeyMetadata = append(out.AccessKeyMetadata, xmlAccessKey{UserName: u.Name, AccessKeyID: k.ID, Status: k.Status, CreateDate: iamDate(k.Created)})
	}
	return out, nil
}

// --- groups ---

func (s *iamStore) group(r *iamRequest) (*iamGroup, error) {
	name, err := r.required("GroupName")
	if err != nil {
		return nil, err
	}
	g := s.st.Groups[name]
	if g == nil {
		return nil, noSuchEntity("The group with name %s cannot be found.", name)
	}
	return g, nil
}

func (s *iamStore) createGroup(r *iamRequest) (any, error) {
	name, err := r.name("GroupName", 128)
	if err != nil {
		return nil, err
	}
	path, err := r.path()
	if err != nil {
		return nil, err
	}
	if s.st.Groups[name] != nil {
		return nil, alreadyExists("Group with name %s already exists.", name)
	}
	g := &iamGroup{Name: name, ID: iamID(iamPrefixGroup, 17), Path: path, Created: time.Now()}
	s.st.Groups[name] = g
	return struct {
		Group xmlGroup `xml:"Group"`
	}{g.xml()}, nil
}

func (s *iamStore) getGroup(r *iamRequest) (any, error) {
	g, err := s.group(r)
	if err != nil {
		return nil, err
	}
	start, end, marker, err := page(r, len(g.Users))
	if err != nil {
		return nil, err
	}
	out := struct {
		Group       xmlGroup  `xml:"Group"`
		Users       []xmlUser `xml:"Users>member"`
		IsTruncated bool      `xml:"IsTruncated"`
		Marker      string    `xml:"Marker,omitempty"`
	}{Group: g.xml(), IsTruncated: marker != "", Marker: marker}
	for _, name := range g.Users[start:end] {
		if u := s.st.Users[name]; u != nil {
			out.Users = append(out.Users, u.xml())
		}
	}
	return out, nil
}

func (s *iamStore) deleteGroup(r *iamRequest) (any, error) {
	g, err := s.group(r)
	if err != nil {
		return nil, err
	}
	if len(g.Users) > 0 {
		return nil, deleteConflict("Cannot delete entity, must remove users from group first.")
	}
	if len(g.Attached) > 0 {
		return nil, deleteConflict("Cannot delete entity, must detach all policies first.")
	}
	delete(s.st.Groups, g.Name)
	return nil, nil
}

func (s *iamStore) addUserToGroup(r *iamRequest) (any, error) {
	g, err := s.group(r)
	if err != nil {
		return nil, err
	}
	u, err := s.user(r)
	if err != nil {
		return nil, err
	}
	g.Users = attach(g.Users, u.Name)
	return nil, nil
}

func (s *iamStore) removeUserFromGroup(r *iamRequest) (any, error) {
	g, err := s.group(r)
	if err != nil {
		return nil, err
	}
	u, err := s.user(r)
	if err != nil {
		return nil, err
	}
	if count(g.Users, u.Name) == 0 {
		return nil, noSuchEntity("The user with name %s cannot be found.", u.Name)
	}
	g.Users, _ = detach(g.Users, u.Name)
	return nil, nil
}

func (s *iamStore) attachGroupPolicy(r *iamRequest) (any, error) {
	g, err := s.group(r)
	if err != nil {
		return nil, err
	}
	return s.attachTo(r, &g.Attached)
}

func (s *iamStore) detachGroupPolicy(r *iamRequest) (any, error) {
	g, err := s.group(r)
	if err != nil {
		return nil, err
	}
	return detachFrom(r, &g.Attached)
}

func (s *iamStore) listAttachedGroupPolicies(r *iamRequest) (any, error) {
	g, err := s.group(r)
	if err != nil {
		return nil, err
	}
	return s.attachedPolicies(r, g.Attached)
}
