package s3test

import (
	"bufio"
	"bytes"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"hash"
	"hash/crc32"
	"hash/crc64"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// s3Error is an S3 error response.
type s3Error struct {
	Status  int
	Code    string
	Message string
}

func (e *s3Error) Error() string { return e.Code + ": " + e.Message }

func errf(status int, code, format string, args ...any) *s3Error {
	return &s3Error{Status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

const (
	sigAlgorithm   = "AWS4-HMAC-SHA256"
	amzDateFormat  = "20060102T150405Z"
	maxClockSkew   = 15 * time.Minute
	maxPresignTime = 7 * 24 * time.Hour
	unsignedBody   = "UNSIGNED-PAYLOAD"
)

// verifier checks AWS Signature Version 4 against one key pair.
type verifier struct {
	accessKey, secretKey, region string
	clockOffset                  atomic.Int64 // tests move the server's clock
}

func (v *verifier) now() time.Time {
	return time.Now().Add(time.Duration(v.clockOffset.Load()))
}

// authenticate verifies r's signature (Authorization header or presigned
// query) and its payload hash, and leaves r.Body as the decoded payload:
// aws-chunked bodies are decoded, and checksums in x-amz-checksum-* headers
// or trailers are verified. Unsigned requests are refused.
func (v *verifier) authenticate(r *http.Request) *s3Error {
	query := r.URL.Query()
	var (
		cred          string
		amzDate       string
		signedHeaders string
		signature     string
		payloadHash   string
		presigned     bool
		expires       time.Duration
	)
	switch auth := r.Header.Get("Authorization"); {
	case query.Get("X-Amz-Algorithm") != "":
		if auth != "" {
			return errf(400, "InvalidArgument", "Only one auth mechanism allowed")
		}
		presigned = true
		if query.Get("X-Amz-Algorithm") != sigAlgorithm {
			return errf(400, "AuthorizationQueryParametersError", "X-Amz-Algorithm only supports %q", sigAlgorithm)
		}
		cred, amzDate = query.Get("X-Amz-Credential"), query.Get("X-Amz-Date")
		signedHeaders, signature = query.Get("X-Amz-SignedHeaders"), query.Get("X-Amz-Signature")
		secs, err := strconv.Atoi(query.Get("X-Amz-Expires"))
		if cred == "" || amzDate == "" || signedHeaders == "" || signature == "" || err != nil {
			return errf(400, "AuthorizationQueryParametersError", "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.")
		}
		expires = time.Duration(secs) * time.Second
		if expires < 0 || expires > maxPresignTime {
			return errf(400, "AuthorizationQueryParametersError", "X-Amz-Expires must be between 0 and 604800 seconds")
		}
		payloadHash = r.Header.Get("X-Amz-Content-Sha256")
		if payloadHash == "" {
			payloadHash = unsignedBody
		}
	case auth == "":
		return errf(403, "AccessDenied", "Access Denied: anonymous (unsigned) requests are refused")
	case strings.HasPrefix(auth, sigAlgorithm+" "):
		for _, field := range strings.Split(strings.TrimPrefix(auth, sigAlgorithm+" "), ",") {
			k, val, _ := strings.Cut(strings.TrimSpace(field), "=")
			switch k {
			case "Credential":
				cred = val
			case "SignedHeaders":
				signedHeaders = val
			case "Signature":
				signature = val
			}
		}
		if cred == "" || signedHeaders == "" || signature == "" {
			return errf(400, "AuthorizationHeaderMalformed", "The authorization header is malformed; it needs Credential, SignedHeaders and Signature.")
		}
		amzDate = r.Header.Get("X-Amz-Date")
		if amzDate == "" {
			return errf(403, "AccessDenied", "AWS authentication requires a valid X-Amz-Date header")
		}
		payloadHash = r.Header.Get("X-Amz-Content-Sha256")
		if payloadHash == "" {
			return errf(400, "InvalidRequest", "Missing required header for this request: x-amz-content-sha256")
		}
	default:
		return errf(400, "InvalidArgument", "Unsupported Authorization Type: only %s is accepted", sigAlgorithm)
	}

	// Credential: <access key>/<yyyymmdd>/<region>/s3/aws4_request
	parts := strings.Split(cred, "/")
	if len(parts) != 5 || parts[4] != "aws4_request" || parts[3] != "s3" {
		return errf(400, "AuthorizationHeaderMalformed", "malformed credential %q", cred)
	}
	if parts[0] != v.accessKey {
		return errf(403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.")
	}
	if parts[2] != v.region {
		return errf(400, "AuthorizationHeaderMalformed", "the region %q is wrong; expecting %q", parts[2], v.region)
	}
	t, err := time.Parse(amzDateFormat, amzDate)
	if err != nil || t.Format("20060102") != parts[1] {
		return errf(403, "AccessDenied", "X-Amz-Date %q is malformed or does not match the credential scope", amzDate)
	}
	now := v.now()
	switch {
	case presigned && now.After(t.Add(expires)):
		return errf(403, "AccessDenied", "Request has expired")
	case t.After(now.Add(maxClockSkew)) || (!presigned && t.Before(now.Add(-maxClockSkew))):
		return errf(403, "RequestTimeTooSkewed", "The difference between the request time and the current time is too large.")
	}

	headers := strings.Split(signedHeaders, ";")
	signed := map[string]bool{}
	for _, h := range headers {
		signed[h] = true
	}
	if !signed["host"] {
		return errf(403, "AccessDenied", "the host header must be signed")
	}
	for name := range r.Header {
		if n := strings.ToLower(name); strings.HasPrefix(n, "x-amz-") && !signed[n] {
			return errf(403, "AccessDenied", "There were headers present in the request which were not signed: %s", n)
		}
	}

	scope := strings.Join(parts[1:], "/")
	creq := canonicalRequest(r, headers, payloadHash, presigned)
	sum := sha256.Sum256([]byte(creq))
	stringToSign := sigAlgorithm + "\n" + amzDate + "\n" + scope + "\n" + hex.EncodeToString(sum[:])
	key := signingKey(v.secretKey, parts[1], parts[2])
	want := hex.EncodeToString(hmacSHA256(key, stringToSign))
	if !hmac.Equal([]byte(want), []byte(signature)) {
		return errf(403, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your key and signing method.")
	}
	return v.checkPayload(r, payloadHash)
}

// checkPayload verifies the body against payloadHash and the checksum
// headers/trailers, and replaces r.Body with the plain payload.
func (v *verifier) checkPayload(r *http.Request, payloadHash string) *s3Error {
	if r.Body == nil || r.Body == http.NoBody {
		r.Body = http.NoBody
	}
	var body []byte
	trailers := http.Header{}
	switch {
	case payloadHash == unsignedBody:
		if !hasChecksumHeader(r.Header) {
			return nil // stream it through untouched
		}
		b, err := io.ReadAll(r.Body)
		if err != nil {
			return errf(400, "IncompleteBody", "reading the body: %v", err)
		}
		body = b
	case payloadHash == "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
		payloadHash == "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
		payloadHash == "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER":
		b, err := decodeAWSChunked(r.Body, trailers)
		if err != nil {
			return errf(400, "IncompleteBody", "malformed aws-chunked body: %v", err)
		}
		if dl := r.Header.Get("X-Amz-Decoded-Content-Length"); dl != "" && dl != strconv.Itoa(len(b)) {
			return errf(400, "IncompleteBody", "x-amz-decoded-content-length is %s, body has %d bytes", dl, len(b))
		}
		body = b
		r.Header.Del("X-Amz-Decoded-Content-Length")
		r.Header.Del("X-Amz-Trailer")
		var enc []string
		for _, e := range strings.Split(r.Header.Get("Content-Encoding"), ",") {
			if e = strings.TrimSpace(e); e != "" && e != "aws-chunked" {
				enc = append(enc, e)
			}
		}
		if len(enc) == 0 {
			r.Header.Del("Content-Encoding")
		} else {
			r.Header.Set("Content-Encoding", strings.Join(enc, ","))
		}
	case len(payloadHash) == 64:
		b, err := io.ReadAll(r.Body)
		if err != nil {
			return errf(400, "IncompleteBody", "reading the body: %v", err)
		}
		sum := sha256.Sum256(b)
		if hex.EncodeToString(sum[:]) != strings.ToLower(payloadHash) {
			return errf(400, "XAmzContentSHA256Mismatch", "The provided 'x-amz-content-sha256' header does not match what was computed.")
		}
		body = b
	default:
		return errf(400, "InvalidArgument", "x-amz-content-sha256 %q is not supported", payloadHash)
	}
	for alg, newHash := range checksumAlgorithms {
		want := trailers.Get("X-Amz-Checksum-" + alg)
		if want == "" {
			want = r.Header.Get("X-Amz-Checksum-" + alg)
		}
		if want == "" {
			continue
		}
		h := newHash()
		h.Write(body)
		if got := base64.StdEncoding.EncodeToString(h.Sum(nil)); got != want {
			return errf(400, "BadDigest", "The %s you specified did not match the calculated checksum.", strings.ToUpper(alg))
		}
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	r.Header.Set("Content-Length", strconv.Itoa(len(body)))
	// gofakes3 must not try to decode the (already decoded) body again.
	r.Header.Set("X-Amz-Content-Sha256", unsignedBody)
	return nil
}

// checksumAlgorithms are the x-amz-checksum-<name> algorithms S3 accepts.
var checksumAlgorithms = map[string]func() hash.Hash{
	"crc32":     func() hash.Hash { return crc32.NewIEEE() },
	"crc32c":    func() hash.Hash { return crc32.New(crc32.MakeTable(crc32.Castagnoli)) },
	"crc64nvme": func() hash.Hash { return crc64.New(crc64NVME) },
	"sha1":      sha1.New,
	"sha256":    sha256.New,
}

// crc64NVME is CRC-64/NVME (reflected polynomial 0xAD93D23594C93659).
var crc64NVME = crc64.MakeTable(0x9a6c9329ac4bc9b5)

func hasChecksumHeader(h http.Header) bool {
	for alg := range checksumAlgorithms {
		if h.Get("X-Amz-Checksum-"+alg) != "" {
			return true
		}
	}
	return false
}

// decodeAWSChunked reads an aws-chunked body:
//
//	<hex size>[;chunk-signature=<sig>]\r\n<data>\r\n ... 0[;...]\r\n[<trailer>:<value>\r\n]...\r\n
//
// Chunk signatures are not verified.
func decodeAWSChunked(r io.Reader, trailers http.Header) ([]byte, error) {
	br := bufio.NewReader(r)
	var out bytes.Buffer
	for {
		line, err := readCRLFLine(br)
		if err != nil {
			return nil, err
		}
		sizeHex, _, _ := strings.Cut(line, ";")
		size, err := strconv.ParseInt(strings.TrimSpace(sizeHex), 16, 64)
		if err != nil || size < 0 {
			return nil, fmt.Errorf("bad chunk size %q", line)
		}
		if size == 0 {
			break
		}
		if _, err := io.CopyN(&out, br, size); err != nil {
			return nil, err
		}
		if crlf, err := readCRLFLine(br); err != nil || crlf != "" {
			return nil, fmt.Errorf("chunk of %d bytes not followed by CRLF", size)
		}
	}
	for {
		line, err := readCRLFLine(br)
		if err == io.EOF || (err == nil && line == "") {
			return out.Bytes(), nil
		}
		if err != nil {
			return nil, err
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			return nil, fmt.Errorf("bad trailer %q", line)
		}
		trailers.Add(strings.TrimSpace(name), strings.TrimSpace(value))
	}
}

func readCRLFLine(br *bufio.Reader) (string, error) {
	line, err := br.ReadString('\n')
	if err != nil {
		if err == io.EOF && line == "" {
			return "", io.EOF
		}
		return "", io.ErrUnexpectedEOF
	}
	return strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r"), nil
}

// canonicalRequest is SigV4's canonical request for S3 (the path as sent, not
// escaped again).
func canonicalRequest(r *http.Request, signedHeaders []string, payloadHash string, presigned bool) string {
	path := r.RequestURI
	if u, err := url.ParseRequestURI(r.RequestURI); err == nil && u.IsAbs() {
		path = u.EscapedPath()
	} else if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	if path == "" {
		path = "/"
	}

	type kv struct{ k, v string }
	var params []kv
	for k, vs := range r.URL.Query() {
		if presigned && k == "X-Amz-Signature" {
			continue
		}
		for _, val := range vs {
			params = append(params, kv{uriEncode(k), uriEncode(val)})
		}
	}
	sort.Slice(params, func(i, j int) bool {
		if params[i].k != params[j].k {
			return params[i].k < params[j].k
		}
		return params[i].v < params[j].v
	})
	query := make([]string, len(params))
	for i, p := range params {
		query[i] = p.k + "=" + p.v
	}

	var b strings.Builder
	b.WriteString(r.Method + "\n" + path + "\n" + strings.Join(query, "&") + "\n")
	for _, h := range signedHeaders {
		var values []string
		switch h {
		case "host":
			values = []string{r.Host}
		case "content-length":
			values = append(values, r.Header.Values(h)...)
			if len(values) == 0 && r.ContentLength >= 0 {
				values = []string{strconv.FormatInt(r.ContentLength, 10)}
			}
		case "transfer-encoding":
			values = append(values, r.TransferEncoding...)
		default:
			values = append(values, r.Header.Values(h)...) // a copy: trimmed below
		}
		for i, val := range values {
			values[i] = strings.Join(strings.Fields(val), " ")
		}
		b.WriteString(h + ":" + strings.Join(values, ",") + "\n")
	}
	b.WriteString("\n" + strings.Join(signedHeaders, ";") + "\n" + payloadHash)
	return b.String()
}

// uriEncode is SigV4's URI encoding: everything but A-Z a-z 0-9 - _ . ~.
func uriEncode(s string) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' {
			b.WriteByte(c)
		} else {
			b.WriteByte('%')
			b.WriteByte(hexDigits[c>>4])
			b.WriteByte(hexDigits[c&15])
		}
	}
	return b.String()
}

func signingKey(secret, date, region string) []byte {
	k := hmacSHA256([]byte("AWS4"+secret), date)
	k = hmacSHA256(k, region)
	k = hmacSHA256(k, "s3")
	return hmacSHA256(k, "aws4_request")
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}
