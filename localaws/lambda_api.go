package localaws

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// createFunctionInput is the subset of CreateFunction's request we use.
type createFunctionInput struct {
	FunctionName string            `json:"FunctionName"`
	Runtime      string            `json:"Runtime"`
	Role         string            `json:"Role"`
	Handler      string            `json:"Handler"`
	Code         functionCode      `json:"Code"`
	Description  string            `json:"Description"`
	Timeout      *int32            `json:"Timeout"`
	MemorySize   *int32            `json:"MemorySize"`
	Environment  *environment      `json:"Environment"`
	PackageType  string            `json:"PackageType"`
	Tags         map[string]string `json:"Tags"`
}

type functionCode struct {
	ZipFile  []byte `json:"ZipFile"`
	S3Bucket string `json:"S3Bucket"`
	S3Key    string `json:"S3Key"`
	ImageURI string `json:"ImageUri"`
}

type updateCodeInput struct {
	ZipFile    []byte `json:"ZipFile"`
	S3Bucket   string `json:"S3Bucket"`
	S3Key      string `json:"S3Key"`
	ImageURI   string `json:"ImageUri"`
	DryRun     bool   `json:"DryRun"`
	RevisionID string `json:"RevisionId"`
}

type updateConfigInput struct {
	Role        *string      `json:"Role"`
	Handler     *string      `json:"Handler"`
	Description *string      `json:"Description"`
	Timeout     *int32       `json:"Timeout"`
	MemorySize  *int32       `json:"MemorySize"`
	Environment *environment `json:"Environment"`
	Runtime     *string      `json:"Runtime"`
	RevisionID  string       `json:"RevisionId"`
}

type addPermissionInput struct {
	StatementID      string `json:"StatementId"`
	Action           string `json:"Action"`
	Principal        string `json:"Principal"`
	SourceArn        string `json:"SourceArn"`
	SourceAccount    string `json:"SourceAccount"`
	EventSourceToken string `json:"EventSourceToken"`
	PrincipalOrgID   string `json:"PrincipalOrgID"`
	RevisionID       string `json:"RevisionId"`
}

// maxManagementBody bounds management request bodies (base64 zip + JSON).
func (l *lambdaStore) maxManagementBody() int64 {
	return l.srv.opts.MaxZipSize*4/3 + 1<<20
}

func (l *lambdaStore) decodeBody(w http.ResponseWriter, r *http.Request, v any) error {
	r.Body = http.MaxBytesReader(w, r.Body, l.maxManagementBody())
	dec := json.NewDecoder(r.Body)
	if err := dec.Decode(v); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return &lambdaError{http.StatusRequestEntityTooLarge, "RequestEntityTooLargeException",
				"Request must be smaller than " + strconv.FormatInt(mbe.Limit, 10) + " bytes for the CreateFunction/UpdateFunctionCode operation"}
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		return errInvalidParameter("Could not parse request body into json: %v", err)
	}
	return nil
}

func (l *lambdaStore) checkZip(zipData []byte, s3Bucket, imageURI string) error {
	switch {
	case imageURI != "":
		return errInvalidParameter("localaws does not support container images; upload Code.ZipFile")
	case s3Bucket != "":
		return errInvalidParameter("localaws does not support code in S3; upload Code.ZipFile")
	case len(zipData) == 0:
		return errInvalidParameter("Please provide a source for function code.")
	case int64(len(zipData)) > l.srv.opts.MaxZipSize:
		return &lambdaError{http.StatusRequestEntityTooLarge, "RequestEntityTooLargeException",
			fmt.Sprintf("Zipped size must be smaller than %d bytes", l.srv.opts.MaxZipSize)}
	}
	return nil
}

func (l *lambdaStore) unpackOrError(name string, zipData []byte) (*codeDir, error) {
	code, err := l.unpack(name, zipData)
	if errors.Is(err, errBadZip) {
		return nil, errInvalidParameter("Could not unzip uploaded file. Please check your file, then try to upload again. (%v)", err)
	}
	if err != nil {
		return nil, errService(fmt.Errorf("unpack code: %w", err))
	}
	return code, nil
}

func validateTimeoutMemory(timeout, memory *int32) error {
	if timeout != nil && (*timeout < minTimeout || *timeout > maxTimeout) {
		return errValidation("1 validation error detected: Value '%d' at 'timeout' failed to satisfy constraint: Member must have value between %d and %d", *timeout, minTimeout, maxTimeout)
	}
	if memory != nil && (*memory < minMemory || *memory > maxMemory) {
		return errValidation("1 validation error detected: Value '%d' at 'memorySize' failed to satisfy constraint: Member must have value between %d and %d", *memory, minMemory, maxMemory)
	}
	return nil
}

func validateRuntime(rt, handler string) error {
	if !supportedRuntime(rt) {
		return errInvalidParameter("The runtime parameter of %s is not supported by localaws; use provided.al2023, provided.al2, provided or go1.x", rt)
	}
	if rt == runtimeGo1x && handler == "" {
		return errInvalidParameter("The handler is required for the go1.x runtime (the name of the executable)")
	}
	return nil
}

func (l *lambdaStore) handleCreate(w http.ResponseWriter, r *http.Request) {
	var in createFunctionInput
	if err := l.decodeBody(w, r, &in); err != nil {
		writeLambdaErr(w, err)
		return
	}
	cfg, err := l.create(&in)
	if err != nil {
		writeLambdaErr(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, cfg)
}

func (l *lambdaStore) create(in *createFunctionInput) (*functionConfig, error) {
	name := in.FunctionName
	switch {
	case name == "":
		return nil, errValidation("1 validation error detected: Value null at 'functionName' failed to satisfy constraint: Member must not have null value")
	case !functionNameRE.MatchString(name):
		return nil, errValidation("1 validation error detected: Value '%s' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9-_]+ and length 1..64", name)
	case in.Role == "":
		return nil, errValidation("1 validation error detected: Value null at 'role' failed to satisfy constraint: Member must not have null value")
	case !roleARNRE.MatchString(in.Role):
		return nil, errValidation("1 validation error detected: Value '%s' at 'role' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+", in.Role)
	case in.PackageType != "" && in.PackageType != "Zip":
		return nil, errInvalidParameter("localaws supports only PackageType Zip")
	}
	if err := validateRuntime(in.Runtime, in.Handler); err != nil {
		return nil, err
	}
	if err := validateTimeoutMemory(in.Timeout, in.MemorySize); err != nil {
		return nil, err
	}
	if err := validateEnv(in.Environment); err != nil {
		return nil, err
	}
	if err := l.checkZip(in.Code.ZipFile, in.Code.S3Bucket, in.Code.ImageURI); err != nil {
		return nil, err
	}

	l.opMu.Lock()
	defer l.opMu.Unlock()
	l.mu.RLock()
	_, exists := l.fns[name]
	l.mu.RUnlock()
	if exists {
		return nil, errConflict("Function already exist: %s", name)
	}

	code, err := l.unpackOrError(name, in.Code.ZipFile)
	if err != nil {
		return nil, err
	}
	cfg := functionConfig{
		FunctionName:     name,
		FunctionArn:      l.srv.FunctionARN(name),
		Runtime:          in.Runtime,
		Role:             in.Role,
		Handler:          in.Handler,
		CodeSize:         int64(len(in.Code.ZipFile)),
		Description:      in.Description,
		Timeout:          int32(l.srv.opts.DefaultTimeout / 1e9),
		MemorySize:       defaultMemorySize,
		LastModified:     nowLastModified(),
		CodeSha256:       codeSHA256(in.Code.ZipFile),
		Version:          latestVersion,
		TracingConfig:    tracingConfig{Mode: "PassThrough"},
		RevisionID:       newRequestID(),
		State:            "Active",
		LastUpdateStatus: "Successful",
		PackageType:      "Zip",
		Architectures:    []string{"x86_64"},
		EphemeralStorage: ephemeralStorage{Size: 512},
		LoggingConfig:    loggingConfig{LogFormat: "Text", LogGroup: "/aws/lambda/" + name},
	}
	if cfg.Timeout < 1 {
		cfg.Timeout = 1
	}
	if in.Timeout != nil {
		cfg.Timeout = *in.Timeout
	}
	if in.MemorySize != nil {
		cfg.MemorySize = *in.MemorySize
	}
	if in.Environment != nil {
		cfg.Environment = &environment{Variables: copyMap(in.Environment.Variables)}
	}
	fn := &function{
		dir: filepath.Join(l.root, name),
		rec: functionRecord{Config: cfg, Tags: in.Tags},
	}
	fail := func(err error) (*functionConfig, error) {
		code.release()
		_ = os.RemoveAll(fn.dir)
		return nil, errService(err)
	}
	if err := os.MkdirAll(fn.dir, 0o700); err != nil {
		return fail(fmt.Errorf("create function dir: %w", err))
	}
	if err := writeFileAtomic(filepath.Join(fn.dir, "code.zip"), in.Code.ZipFile); err != nil {
		return fail(err)
	}
	if err := fn.persist(); err != nil {
		return fail(err)
	}
	fn.pool, err = newPool(l.srv, l.newSpec(&fn.rec.Config, code), l.logPath(name))
	if err != nil {
		return fail(err)
	}
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		fn.pool.close()
		return nil, errService(errPoolClosed)
	}
	l.fns[name] = fn
	out := fn.rec.Config
	l.mu.Unlock()
	return &out, nil
}

func copyMap(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// config returns a copy of fn's configuration.
func (l *lambdaStore) config(fn *function) functionConfig {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return fn.rec.Config
}

func (l *lambdaStore) handleGet(w http.ResponseWriter, r *http.Request) {
	fn, err := l.lookup(r.PathValue("name"), r.URL.Query().Get("Qualifier"))
	if err != nil {
		writeLambdaErr(w, err)
		return
	}
	l.mu.RLock()
	cfg := fn.rec.Config
	tags := copyMap(fn.rec.Tags)
	l.mu.RUnlock()
	writeJSON(w, http.StatusOK, map[string]any{
		"Configuration": cfg,
		"Code": map[string]string{
			"RepositoryType": "S3",
			"Location":       l.srv.url + internalPrefix + "code/" + cfg.FunctionName + "?token=" + l.srv.codeToken,
		},
		"Tags": tags,
	})
}

func (l *lambdaStore) handleGetConfiguration(w http.ResponseWriter, r *http.Request) {
	fn, err := l.lookup(r.PathValue("name"), r.URL.Query().Get("Qualifier"))
	if err != nil {
		writeLambdaErr(w, err)
		return
	}
	writeJSON(w, http.StatusOK, l.config(fn))
}

// handleDownloadCode serves the code zip at the Location GetFunction returns
// (authorized by the server's token, like a presigned URL).
func (l *lambdaStore) handleDownloadCode(w http.ResponseWriter, r *http.Request) {
	if !l.srv.tokenOK(r.URL.Query().Get("token")) {
		http.Error(w, "AccessDenied", http.StatusForbidden)
		return
	}
	fn, err := l.lookup(r.PathValue("name"), "")
	if err != nil {
		http.Error(w, "NoSuchKey", http.StatusNotFound)
		return
	}
	l.opMu.Lock()
	data, err := os.ReadFile(filepath.Join(fn.dir, "code.zip"))
	l.opMu.Unlock()
	if err != nil {
		http.Error(w, "NoSuchKey", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "application/zip")
	_, _ = w.Write(data)
}

func (l *lambdaStore) handleList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	maxItems := 50
	if s := q.Get("MaxItems"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 10000 {
			writeLambdaErr(w, errValidation("1 validation error detected: Value '%s' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 10000", s))
			return
		}
		maxItems = min(n, 50)
	}
	marker := q.Get("Marker")
	l.mu.RLock()
	names := make([]string, 0, len(l.fns))
	for name := range l.fns {
		names = append(names, name)
	}
	sort.Strings(names)
	start := 0
	if marker != "" {
		start = sort.SearchStrings(names, marker)
	}
	out := struct {
		Functions  []functionConfig `json:"Functions"`
		NextMarker string           `json:"NextMarker,omitempty"`
	}{Functions: []functionConfig{}}
	for i := start; i < len(names); i++ {
		if len(out.Functions) == maxItems {
			out.NextMarker = names[i]
			break
		}
		out.Functions = append(out.Functions, l.fns[names[i]].rec.Config)
	}
	l.mu.RUnlock()
	writeJSON(w, http.StatusOK, out)
}

func (l *lambdaStore) handleDelete(w http.ResponseWriter, r *http.Request) {
	if err := l.delete(r.PathValue("name"), r.URL.Query().Get("Qualifier")); err != nil {
		writeLambdaErr(w, err)
		return
	}
	w.Header().Set("X-Amzn-RequestId", newRequestID())
	w.WriteHeader(http.StatusNoContent)
}

func (l *lambdaStore) delete(ref, qualifier string) error {
	l.opMu.Lock()
	defer l.opMu.Unlock()
	fn, err := l.lookup(ref, "")
	if err != nil {
		return err
	}
	if qualifier != "" {
		if qualifier == latestVersion {
			return errInvalidParameter("$LATEST version cannot be deleted without deleting the function.")
		}
		return errNotFound("Function not found: %s:%s", fn.rec.Config.FunctionArn, qualifier)
	}
	l.mu.Lock()
	delete(l.fns, fn.rec.Config.FunctionName)
	l.mu.Unlock()
	fn.pool.close() // kills and reaps the instances
	if err := os.RemoveAll(fn.dir); err != nil {
		return errService(fmt.Errorf("remove function dir: %w", err))
	}
	return nil
}

func (l *lambdaStore) handleUpdateCode(w http.ResponseWriter, r *http.Request) {
	var in updateCodeInput
	if err := l.decodeBody(w, r, &in); err != nil {
		writeLambdaErr(w, err)
		return
	}
	cfg, err := l.updateCode(r.PathValue("name"), &in)
	if err != nil {
		writeLambdaErr(w, err)
		return
	}
	writeJSON(w, http.StatusOK, cfg)
}

func (l *lambdaStore) updateCode(ref string, in *updateCodeInput) (*functionConfig, error) {
	if err := l.checkZip(in.ZipFile, in.S3Bucket, in.ImageURI); err != nil {
		return nil, err
	}
	l.opMu.Lock()
	defer l.opMu.Unlock()
	fn, err := l.lookup(ref, "")
	if err != nil {
		return nil, err
	}
	if in.RevisionID != "" && in.RevisionID != fn.rec.Config.RevisionID {
		return nil, &lambdaError{http.StatusPreconditionFailed, "PreconditionFailedException",
			"The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id"}
	}
	code, err := l.unpackOrError(fn.rec.Config.FunctionName, in.ZipFile)
	if err != nil {
		return nil, err
	}
	if in.DryRun {
		code.release()
		cfg := fn.rec.Config
		cfg.CodeSha256 = codeSHA256(in.ZipFile)
		cfg.CodeSize = int64(len(in.ZipFile))
		return &cfg, nil
	}
	if err := writeFileAtomic(filepath.Join(fn.dir, "code.zip"), in.ZipFile); err != nil {
		code.release()
		return nil, errService(err)
	}
	l.mu.Lock()
	c := &fn.rec.Config
	c.CodeSha256 = codeSHA256(in.ZipFile)
	c.CodeSize = int64(len(in.ZipFile))
	c.LastModified = nowLastModified()
	c.RevisionID = newRequestID()
	c.LastUpdateStatus = "Successful"
	out := *c
	sp := l.newSpec(c, code)
	l.mu.Unlock()
	fn.pool.setSpec(sp)
	if err := fn.persist(); err != nil {
		return nil, errService(err)
	}
	return &out, nil
}

func (l *lambdaStore) handleUpdateConfiguration(w http.ResponseWriter, r *http.Request) {
	var in updateConfigInput
	if err := l.decodeBody(w, r, &in); err != nil {
		writeLambdaErr(w, err)
		return
	}
	cfg, err := l.updateConfiguration(r.PathValue("name"), &in)
	if err != nil {
		writeLambdaErr(w, err)
		return
	}
	writeJSON(w, http.StatusOK, cfg)
}

func (l *lambdaStore) updateConfiguration(ref string, in *updateConfigInput) (*functionConfig, error) {
	if err := validateTimeoutMemory(in.Timeout, in.MemorySize); err != nil {
		return nil, err
	}
	if err := validateEnv(in.Environment); err != nil {
		return nil, err
	}
	if in.Role != nil && !roleARNRE.MatchString(*in.Role) {
		return nil, errValidation("1 validation error detected: Value '%s' at 'role' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+", *in.Role)
	}
	l.opMu.Lock()
	defer l.opMu.Unlock()
	fn, err := l.lookup(ref, "")
	if err != nil {
		return nil, err
	}
	if in.RevisionID != "" && in.RevisionID != fn.rec.Config.RevisionID {
		return nil, &lambdaError{http.StatusPreconditionFailed, "PreconditionFailedException",
			"The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id"}
	}
	c := fn.rec.Config
	if in.Runtime != nil {
		c.Runtime = *in.Runtime
	}
	if in.Handler != nil {
		c.Handler = *in.Handler
	}
	if err := validateRuntime(c.Runtime, c.Handler); err != nil {
		return nil, err
	}
	if in.Role != nil {
		c.Role = *in.Role
	}
	if in.Description != nil {
		c.Description = *in.Description
	}
	if in.Timeout != nil {
		c.Timeout = *in.Timeout
	}
	if in.MemorySize != nil {
		c.MemorySize = *in.MemorySize
	}
	if in.Environment != nil {
		c.Environment = &environment{Variables: copyMap(in.Environment.Variables)}
	}
	c.LastModified = nowLastModified()
	c.RevisionID = newRequestID()
	c.LastUpdateStatus = "Successful"

	// The new spec shares the unpacked code (and the pool's reference to it).
	sp := l.newSpec(&c, fn.pool.currentSpec().code)
	l.mu.Lock()
	fn.rec.Config = c
	l.mu.Unlock()
	fn.pool.setSpec(sp)
	if err := fn.persist(); err != nil {
		return nil, errService(err)
	}
	return &c, nil
}

// --- permissions (resource policy) ---

func principalJSON(p string) any {
	switch {
	case p == "*":
		return "*"
	case strings.HasSuffix(p, ".amazonaws.com") || strings.HasSuffix(p, ".amazonaws.com.cn"):
		return map[string]string{"Service": p}
	case len(p) == 12 && strings.Trim(p, "0123456789") == "":
		return map[string]string{"AWS": "arn:aws:iam::" + p + ":root"}
	default:
		return map[string]string{"AWS": p}
	}
}

func (l *lambdaStore) handleAddPermission(w http.ResponseWriter, r *http.Request) {
	var in addPermissionInput
	if err := l.decodeBody(w, r, &in); err != nil {
		writeLambdaErr(w, err)
		return
	}
	st, err := l.addPermission(r.PathValue("name"), r.URL.Query().Get("Qualifier"), &in)
	if err != nil {
		writeLambdaErr(w, err)
		return
	}
	b, _ := json.Marshal(st)
	writeJSON(w, http.StatusCreated, map[string]string{"Statement": string(b)})
}

func (l *lambdaStore) addPermission(ref, qualifier string, in *addPermissionInput) (*policyStatement, error) {
	switch {
	case in.StatementID == "" || !statementIDRE.MatchString(in.StatementID) || len(in.StatementID) > 100:
		return nil, errValidation("1 validation error detected: Value '%s' at 'statementId' failed to satisfy constraint: Member must satisfy regular expression pattern: ([a-zA-Z0-9-_.]+)", in.StatementID)
	case in.Action == "" || !(in.Action == "*" || strings.HasPrefix(in.Action, "lambda:")):
		return nil, errValidation("1 validation error detected: Value '%s' at 'action' failed to satisfy constraint: Member must satisfy regular expression pattern: (lambda:[*]|lambda:[a-zA-Z]+|[*])", in.Action)
	case in.Principal == "":
		return nil, errValidation("1 validation error detected: Value null at 'principal' failed to satisfy constraint: Member must not have null value")
	}
	l.opMu.Lock()
	defer l.opMu.Unlock()
	fn, err := l.lookup(ref, qualifier)
	if err != nil {
		return nil, err
	}
	if in.RevisionID != "" && in.RevisionID != fn.rec.PolicyRevision {
		return nil, &lambdaError{http.StatusPreconditionFailed, "PreconditionFailedException",
			"The Revision Id provided does not match the latest Revision Id."}
	}
	for _, st := range fn.rec.Policy {
		if st.Sid == in.StatementID {
			return nil, errConflict("The statement id (%s) provided already exists. Please provide a new statement id, or remove the existing statement.", in.StatementID)
		}
	}
	st := policyStatement{
		Sid:       in.StatementID,
		Effect:    "Allow",
		Principal: principalJSON(in.Principal),
		Action:    in.Action,
		Resource:  fn.rec.Config.FunctionArn,
	}
	cond := map[string]any{}
	if in.SourceArn != "" {
		cond["ArnLike"] = map[string]string{"AWS:SourceArn": in.SourceArn}
	}
	if in.SourceAccount != "" {
		cond["StringEquals"] = map[string]string{"AWS:SourceAccount": in.SourceAccount}
	}
	if in.PrincipalOrgID != "" {
		cond["StringEquals"] = map[string]string{"aws:PrincipalOrgID": in.PrincipalOrgID}
	}
	if in.EventSourceToken != "" {
		cond["StringEquals"] = map[string]string{"lambda:EventSourceToken": in.EventSourceToken}
	}
	if len(cond) > 0 {
		st.Condition = cond
	}
	l.mu.Lock()
	fn.rec.Policy = append(fn.rec.Policy, st)
	fn.rec.PolicyRevision = newRequestID()
	l.mu.Unlock()
	if err := fn.persist(); err != nil {
		return nil, errService(err)
	}
	return &st, nil
}

func (l *lambdaStore) handleGetPolicy(w http.ResponseWriter, r *http.Request) {
	fn, err := l.lookup(r.PathValue("name"), r.URL.Query().Get("Qualifier"))
	if err != nil {
		writeLambdaErr(w, err)
		return
	}
	l.mu.RLock()
	stmts := append([]policyStatement(nil), fn.rec.Policy...)
	rev := fn.rec.PolicyRevision
	l.mu.RUnlock()
	if len(stmts) == 0 {
		writeLambdaErr(w, errNotFound("The resource you requested does not exist."))
		return
	}
	doc, _ := json.Marshal(map[string]any{"Version": "2012-10-17", "Id": "default", "Statement": stmts})
	writeJSON(w, http.StatusOK, map[string]string{"Policy": string(doc), "RevisionId": rev})
}

func (l *lambdaStore) handleRemovePermission(w http.ResponseWriter, r *http.Request) {
	err := func() error {
		l.opMu.Lock()
		defer l.opMu.Unlock()
		fn, err := l.lookup(r.PathValue("name"), r.URL.Query().Get("Qualifier"))
		if err != nil {
			return err
		}
		if rev := r.URL.Query().Get("RevisionId"); rev != "" && rev != fn.rec.PolicyRevision {
			return &lambdaError{http.StatusPreconditionFailed, "PreconditionFailedException",
				"The Revision Id provided does not match the latest Revision Id."}
		}
		sid := r.PathValue("sid")
		l.mu.Lock()
		idx := -1
		for i, st := range fn.rec.Policy {
			if st.Sid == sid {
				idx = i
			}
		}
		if idx >= 0 {
			fn.rec.Policy = append(fn.rec.Policy[:idx], fn.rec.Policy[idx+1:]...)
			fn.rec.PolicyRevision = newRequestID()
		}
		l.mu.Unlock()
		if idx < 0 {
			return errNotFound("Statement %s is not found in resource policy.", sid)
		}
		return fn.persist()
	}()
	if err != nil {
		writeLambdaErr(w, err)
		return
	}
	w.Header().Set("X-Amzn-RequestId", newRequestID())
	w.WriteHeader(http.StatusNoContent)
}

// --- Invoke ---

func (l *lambdaStore) handleInvoke(w http.ResponseWriter, r *http.Request) {
	qualifier := ""
	if r.URL.RawQuery != "" {
		qualifier = r.URL.Query().Get("Qualifier")
	}
	fn, err := l.lookup(r.PathValue("name"), qualifier)
	if err != nil {
		writeLambdaErr(w, err)
		return
	}
	invType := r.Header.Get("X-Amz-Invocation-Type")
	limit := int64(maxSyncPayload)
	if invType == "Event" {
		limit = maxAsyncPayload
	}
	var payload []byte
	if r.ContentLength > limit {
		payload, err = nil, errRequestTooLarge(r.ContentLength, limit)
	} else {
		payload, err = readBody(r.Body, r.ContentLength, limit)
	}
	if err != nil {
		writeLambdaErr(w, err)
		return
	}
	if len(payload) > 0 && !json.Valid(payload) {
		writeLambdaError(w, http.StatusBadRequest, "InvalidRequestContentException",
			"Could not parse request body into json: Unexpected character")
		return
	}
	inv := newInvocation(payload)
	if cc := r.Header.Get("X-Amz-Client-Context"); cc != "" {
		dec, err := base64.StdEncoding.DecodeString(cc)
		if err != nil || !json.Valid(dec) {
			writeLambdaError(w, http.StatusBadRequest, "InvalidRequestContentException", "Client context must be a valid Base64-encoded JSON object.")
			return
		}
		inv.clientContext = string(dec)
	}

	h := w.Header()
	h["X-Amzn-Requestid"] = []string{inv.id}
	switch invType {
	case "", "RequestResponse":
		res, err := fn.pool.invoke(r.Context(), inv)
		if err != nil {
			switch {
			case r.Context().Err() != nil:
				return // the caller left
			case errors.Is(err, errPoolClosed):
				writeLambdaErr(w, errNotFound("Function not found: %s", fn.pool.currentSpec().arn))
			default:
				writeLambdaErr(w, errService(err))
			}
			return
		}
		h["X-Amz-Executed-Version"] = []string{latestVersion}
		if res.functionError != "" {
			h["X-Amz-Function-Error"] = []string{res.functionError}
		}
		h["Content-Type"] = []string{"application/json"}
		h["Content-Length"] = []string{strconv.Itoa(len(res.payload))}
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(res.payload)
	case "Event":
		if !l.srv.goAsync(func() {
			res, err := fn.pool.invoke(l.srv.ctx, inv)
			switch {
			case err != nil:
				fn.pool.logf("%s async invocation failed: %v", inv.id, err)
			case res.functionError != "":
				fn.pool.logf("%s async invocation failed: %s", inv.id, res.payload)
			}
		}) {
			writeLambdaError(w, http.StatusTooManyRequests, "TooManyRequestsException", "Rate Exceeded.")
			return
		}
		w.WriteHeader(http.StatusAccepted)
	case "DryRun":
		w.WriteHeader(http.StatusNoContent)
	default:
		writeLambdaErr(w, errValidation("1 validation error detected: Value '%s' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [Event, RequestResponse, DryRun]", invType))
	}
}

func errRequestTooLarge(n, limit int64) error {
	return &lambdaError{http.StatusRequestEntityTooLarge, "RequestTooLargeException",
		fmt.Sprintf("Request must be smaller than %d bytes for the InvokeFunction operation", limit)}
}

// readBody reads a request body of at most limit bytes, in one allocation when
// the length is known.
func readBody(body io.Reader, length, limit int64) ([]byte, error) {
	if length >= 0 {
		buf := make([]byte, length)
		if _, err := io.ReadFull(body, buf); err != nil {
			return nil, fmt.Errorf("read request body: %w", err)
		}
		return buf, nil
	}
	buf, err := io.ReadAll(io.LimitReader(body, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read request body: %w", err)
	}
	if int64(len(buf)) > limit {
		return nil, errRequestTooLarge(int64(len(buf)), limit)
	}
	return buf, nil
}
