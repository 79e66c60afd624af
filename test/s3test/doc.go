// Package s3test runs S3 servers for tests and the offline demo.
//
// Two kinds of server share one type, [Server]:
//
//   - [StartMinIO] / [NewMinIO] run a real MinIO process (built from the Go
//     module proxy by `make minio` into .tools/minio-<version>; its path comes
//     from $APPS_TEST_MINIO or, failing that, [MinIOPath] finds it under the
//     module root). MinIO checks SigV4 fully and implements the whole S3 API
//     the project uses. StartMinIO skips the test when the binary is missing.
//   - [StartInProcess] / [NewInProcess] run an in-memory S3 server in this
//     process: github.com/johannesboyne/gofakes3 v1.2.0 with its s3mem
//     backend, served by httptest on 127.0.0.1, behind a wrapper.
//
// The wrapper (inprocess.go, sigv4.go) adds what gofakes3 lacks:
//
//   - SigV4 verification against the server's one key pair, for the
//     Authorization header and presigned URLs (unsigned requests, unknown
//     access keys, bad signatures, wrong region, clock skew > 15 min,
//     expired URLs and unsigned x-amz-* headers are refused with S3's error
//     codes), and the payload's x-amz-content-sha256;
//   - checksums: x-amz-checksum-crc32/crc32c/crc64nvme/sha1/sha256, as
//     headers or aws-chunked trailers, are verified (BadDigest);
//   - aws-chunked bodies (STREAMING-UNSIGNED-PAYLOAD-TRAILER and
//     STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]) are decoded before
//     gofakes3 sees them (gofakes3 alone would store the framing);
//   - object tagging: Put/Get/DeleteObjectTagging, x-amz-tagging on
//     PutObject, tags copied by CopyObject (unless REPLACE), dropped when
//     the object is overwritten or deleted, x-amz-tagging-count on GET/HEAD.
//
// Both listen on 127.0.0.1 only, with random root credentials, in region
// "us-east-1". Clients must use path-style addressing ([Server.Client] sets
// s3.Options.UsePathStyle; users of [Server.AWSConfig] or [Server.Env] set it
// themselves).
//
// # Checksums and aws-sdk-go-v2
//
// Since service/s3 v1.73.0 (January 2025) the SDK computes a CRC32 request checksum for every
// upload by default (RequestChecksumCalculation "when supported") and asks
// for response checksums on GetObject. Over plain HTTP, as here, it sends
// the checksum as an x-amz-checksum-* header next to the body's SHA-256
// (the aws-chunked form with a trailing checksum is used only over HTTPS).
// Both servers accept this with the SDK's defaults, so [Server.AWSConfig]
// keeps them: tests exercise the settings production code uses. Setting
// RequestChecksumCalculation / ResponseChecksumValidation to "when
// required" works too (the tests cover both). The in-process server stores
// no checksums, so GetObject responses carry none and the SDK skips
// validating them (it logs that at debug level only).
//
// The one thing that needs care over HTTP: a body that cannot seek (a pipe,
// io.MultiReader) cannot be hashed for the signature; pass [UnsignedPayload]
// to the client for such uploads.
//
// # Limits of the in-process server
//
// Chunk signatures of STREAMING-AWS4-HMAC-SHA256-PAYLOAD bodies are not
// verified (the seed signature in the Authorization header is). Tags given
// on CreateMultipartUpload are ignored (a completed upload has no tags);
// tagging ignores versionId; bucket tagging answers NotImplemented. The rest
// is gofakes3's behaviour: no bucket policies, ACLs or IAM; everything is in
// memory and lost at Close.
package s3test
