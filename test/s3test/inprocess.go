package s3test

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"unicode/utf8"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

const s3Namespace = "http://s3.amazonaws.com/doc/2006-03-01/"

// StartInProcess runs an in-process S3 server ([NewInProcess]) for the test
// and closes it at cleanup.
func StartInProcess(t testing.TB) *Server {
	t.Helper()
	s, err := NewInProcess()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	})
	return s
}

// NewInProcess runs an in-memory S3 server (gofakes3 behind SigV4
// verification and object tagging, see the package doc) on a free 127.0.0.1
// port. Close stops it and drops the data.
func NewInProcess() (*Server, error) {
	s := newServer()
	backend := s3mem.New()
	f := &fakeS3{
		backend: backend,
		next:    gofakes3.New(backend).Server(),
		tags:    map[string]map[string][]tag{},
	}
	f.accessKey, f.secretKey, f.region = s.AccessKey, s.SecretKey, s.Region
	hs := httptest.NewUnstartedServer(f)
	hs.Start()
	if !strings.HasPrefix(hs.URL, "http://127.0.0.1:") {
		hs.Close()
		return nil, fmt.Errorf("s3test: in-process server is not on 127.0.0.1: %s", hs.URL)
	}
	s.Endpoint = hs.URL
	s.fake = f
	s.close = func() error {
		hs.Close()
		return nil
	}
	return s, nil
}

// fakeS3 is the in-process server's handler: it authenticates every request,
// serves object tagging and hands the rest to gofakes3.
type fakeS3 struct {
	verifier
	backend  gofakes3.Backend
	next     http.Handler
	requests atomic.Int64

	mu   sync.Mutex
	tags map[string]map[string][]tag // bucket -> key -> tags
}

type tag struct {
	Key   string `xml:"Key"`
	Value string `xml:"Value"`
}

type tagging struct {
	XMLName xml.Name `xml:"Tagging"`
	Xmlns   string   `xml:"xmlns,attr,omitempty"`
	TagSet  []tag    `xml:"TagSet>Tag"`
}

func (f *fakeS3) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	id := fmt.Sprintf("%016X", f.requests.Add(1))
	if err := f.authenticate(r); err != nil {
		writeError(w, r, id, err)
		return
	}
	path := strings.TrimPrefix(r.URL.Path, "/")
	bucket, key, _ := strings.Cut(path, "/")
	q := r.URL.Query()
	isObject := bucket != "" && key != ""

	if q.Has("tagging") {
		if !isObject {
			writeError(w, r, id, errf(501, "NotImplemented", "bucket tagging is not implemented by the in-process server"))
			return
		}
		if err := f.objectTagging(w, r, bucket, key); err != nil {
			writeError(w, r, id, err)
		}
		return
	}

	switch {
	case isObject && r.Method == http.MethodPut && !q.Has("uploadId") && !q.Has("partNumber"):
		// PutObject or CopyObject: the new object's tags replace the old.
		newTags, err := parseTagHeader(r.Header.Get("X-Amz-Tagging"))
		if err != nil {
			writeError(w, r, id, err)
			return
		}
		r.Header.Del("X-Amz-Tagging")
		if src := r.Header.Get("X-Amz-Copy-Source"); src != "" && !strings.EqualFold(r.Header.Get("X-Amz-Tagging-Directive"), "REPLACE") {
			newTags = f.copySourceTags(src)
		}
		if f.serve(w, r) {
			f.setTags(bucket, key, newTags)
		}
	case isObject && r.Method == http.MethodDelete && !q.Has("uploadId"):
		if f.serve(w, r) {
			f.setTags(bucket, key, nil)
		}
	case isObject && r.Method == http.MethodPost && q.Has("uploadId"):
		// CompleteMultipartUpload: a new object, without tags.
		if f.serve(w, r) {
			f.setTags(bucket, key, nil)
		}
	case !isObject && bucket != "" && r.Method == http.MethodPost && q.Has("delete"):
		body, err := io.ReadAll(r.Body)
		if err != nil {
			writeError(w, r, id, errf(400, "IncompleteBody", "%v", err))
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		var del struct {
			Objects []struct {
				Key string `xml:"Key"`
			} `xml:"Object"`
		}
		_ = xml.Unmarshal(body, &del) // gofakes3 reports malformed bodies
		if f.serve(w, r) {
			for _, o := range del.Objects {
				f.setTags(bucket, o.Key, nil)
			}
		}
	case !isObject && bucket != "" && r.Method == http.MethodDelete:
		if f.serve(w, r) {
			f.mu.Lock()
			delete(f.tags, bucket)
			f.mu.Unlock()
		}
	case isObject && (r.Method == http.MethodGet || r.Method == http.MethodHead):
		if n := len(f.getTags(bucket, key)); n > 0 {
			w.Header().Set("X-Amz-Tagging-Count", strconv.Itoa(n))
		}
		f.next.ServeHTTP(w, r)
	default:
		f.next.ServeHTTP(w, r)
	}
}

// serve passes r to gofakes3 and reports whether it succeeded.
func (f *fakeS3) serve(w http.ResponseWriter, r *http.Request) bool {
	rec := &statusRecorder{ResponseWriter: w}
	f.next.ServeHTTP(rec, r)
	return rec.status == 0 || rec.status < 300
}

func (f *fakeS3) objectTagging(w http.ResponseWriter, r *http.Request, bucket, key string) *s3Error {
	if err := f.checkObject(bucket, key); err != nil {
		return err
	}
	switch r.Method {
	case http.MethodGet:
		tags := f.getTags(bucket, key)
		if tags == nil {
			tags = []tag{}
		}
		out, err := xml.Marshal(tagging{Xmlns: s3Namespace, TagSet: tags})
		if err != nil {
			return errf(500, "InternalError", "%v", err)
		}
		w.Header().Set("Content-Type", "application/xml")
		_, _ = w.Write(append([]byte(xml.Header), out...))
	case http.MethodPut:
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return errf(400, "IncompleteBody", "%v", err)
		}
		var in tagging
		if err := xml.Unmarshal(body, &in); err != nil {
			return errf(400, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema.")
		}
		if err := validateTags(in.TagSet); err != nil {
			return err
		}
		f.setTags(bucket, key, in.TagSet)
		w.WriteHeader(http.StatusOK)
	case http.MethodDelete:
		f.setTags(bucket, key, nil)
		w.WriteHeader(http.StatusNoContent)
	default:
		return errf(405, "MethodNotAllowed", "The specified method is not allowed against this resource.")
	}
	return nil
}

func (f *fakeS3) checkObject(bucket, key string) *s3Error {
	ok, err := f.backend.BucketExists(bucket)
	if err != nil {
		return errf(500, "InternalError", "%v", err)
	}
	if !ok {
		return errf(404, "NoSuchBucket", "The specified bucket does not exist")
	}
	obj, err := f.backend.HeadObject(bucket, key)
	if err != nil {
		if gofakes3.HasErrorCode(err, gofakes3.ErrNoSuchKey) {
			return errf(404, "NoSuchKey", "The specified key does not exist.")
		}
		return errf(500, "InternalError", "%v", err)
	}
	if obj != nil && obj.Contents != nil {
		obj.Contents.Close()
	}
	return nil
}

func (f *fakeS3) getTags(bucket, key string) []tag {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]tag(nil), f.tags[bucket][key]...)
}

func (f *fakeS3) setTags(bucket, key string, tags []tag) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(tags) == 0 {
		delete(f.tags[bucket], key)
		return
	}
	if f.tags[bucket] == nil {
		f.tags[bucket] = map[string][]tag{}
	}
	f.tags[bucket][key] = append([]tag(nil), tags...)
}

// copySourceTags are the tags of x-amz-copy-source ("[/]bucket/key[?versionId=...]", URL-encoded).
func (f *fakeS3) copySourceTags(src string) []tag {
	src, _, _ = strings.Cut(src, "?")
	if u, err := url.PathUnescape(src); err == nil {
		src = u
	}
	bucket, key, _ := strings.Cut(strings.TrimPrefix(src, "/"), "/")
	return f.getTags(bucket, key)
}

// parseTagHeader parses x-amz-tagging ("k1=v1&k2=v2", URL-encoded).
func parseTagHeader(h string) ([]tag, *s3Error) {
	if h == "" {
		return nil, nil
	}
	var tags []tag
	for _, pair := range strings.Split(h, "&") {
		k, v, _ := strings.Cut(pair, "=")
		ku, err1 := url.QueryUnescape(k)
		vu, err2 := url.QueryUnescape(v)
		if err1 != nil || err2 != nil {
			return nil, errf(400, "InvalidArgument", "The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates.")
		}
		tags = append(tags, tag{Key: ku, Value: vu})
	}
	return tags, validateTags(tags)
}

// validateTags applies S3's limits on object tags.
func validateTags(tags []tag) *s3Error {
	if len(tags) > 10 {
		return errf(400, "BadRequest", "Object tags cannot be greater than 10")
	}
	seen := map[string]bool{}
	for _, t := range tags {
		switch {
		case t.Key == "" || utf8.RuneCountInString(t.Key) > 128:
			return errf(400, "InvalidTag", "The TagKey you have provided is invalid")
		case utf8.RuneCountInString(t.Value) > 256:
			return errf(400, "InvalidTag", "The TagValue you have provided is invalid")
		case strings.HasPrefix(t.Key, "aws:"):
			return errf(400, "InvalidTag", "Your TagKey cannot be prefixed with aws:")
		case seen[t.Key]:
			return errf(400, "InvalidTag", "Cannot provide multiple Tags with the same key")
		}
		seen[t.Key] = true
	}
	return nil
}

func writeError(w http.ResponseWriter, r *http.Request, requestID string, e *s3Error) {
	w.Header().Set("X-Amz-Request-Id", requestID)
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(e.Status)
	if r.Method == http.MethodHead {
		return
	}
	out, _ := xml.Marshal(struct {
		XMLName   xml.Name `xml:"Error"`
		Code      string   `xml:"Code"`
		Message   string   `xml:"Message"`
		Resource  string   `xml:"Resource"`
		RequestID string   `xml:"RequestId"`
	}{Code: e.Code, Message: e.Message, Resource: r.URL.Path, RequestID: requestID})
	_, _ = w.Write(append([]byte(xml.Header), out...))
}

// statusRecorder notes the status a handler writes.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }
