package upaws

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// Client tuning.
const (
	// MaxAttempts is how often the SDK tries a request (standard retryer).
	MaxAttempts = 3
	// MaxBackoff caps the wait between attempts.
	MaxBackoff = time.Second
	// MaxIdleConnsPerHost bounds the keep-alive pool per AWS endpoint.
	MaxIdleConnsPerHost = 32
	// ConnectTimeout bounds connecting to an AWS endpoint.
	ConnectTimeout = 5 * time.Second
)

// Clients are the AWS clients of the plugin, made once per configuration.
type Clients struct {
	Config Config
	S3     *s3.Client
	Lambda *lambda.Client
}

// NewClients makes the S3 and Lambda clients for cfg. They share one pooled
// HTTP client. cfg must have credentials.
func NewClients(cfg Config) (*Clients, error) {
	if !cfg.Configured() {
		return nil, fmt.Errorf("AWS is not configured: set %s and %s", EnvAccessKey, EnvSecretKey)
	}
	if cfg.Region == "" {
		cfg.Region = DefaultRegion
	}
	if cfg.Bucket == "" {
		cfg.Bucket = DefaultBucket
	}
	httpClient, err := newHTTPClient(cfg.CABundle)
	if err != nil {
		return nil, err
	}
	awsCfg := aws.Config{
		Region:      cfg.Region,
		Credentials: credentials.NewStaticCredentialsProvider(cfg.AccessKey, cfg.SecretKey, ""),
		HTTPClient:  httpClient,
		Retryer: func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.MaxAttempts = MaxAttempts
				o.MaxBackoff = MaxBackoff
				o.RateLimiter = ratelimit.None
			})
		},
		// Checksums only when an operation requires them: works with MinIO
		// and other S3-compatible servers.
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
	}
	s3Client := s3.NewFromConfig(awsCfg, func(o *s3.Options) {
		if cfg.S3Endpoint != "" {
			o.BaseEndpoint = aws.String(cfg.S3Endpoint)
			o.UsePathStyle = true
		}
	})
	lambdaClient := lambda.NewFromConfig(awsCfg, func(o *lambda.Options) {
		if cfg.LambdaEndpoint != "" {
			o.BaseEndpoint = aws.String(cfg.LambdaEndpoint)
		}
		// A retried Invoke may run the function again: try at most twice.
		o.Retryer = retry.AddWithMaxAttempts(o.Retryer, 2)
	})
	return &Clients{Config: cfg, S3: s3Client, Lambda: lambdaClient}, nil
}

// newHTTPClient returns the SDK's buildable client with a bounded pool
// (a plain *http.Client is refused by the SDK when AWS_CA_BUNDLE is set).
func newHTTPClient(caBundle string) (*awshttp.BuildableClient, error) {
	var roots *x509.CertPool
	if caBundle != "" {
		pem, err := os.ReadFile(caBundle)
		if err != nil {
			return nil, fmt.Errorf("AWS: read %s %s: %w", EnvCABundle, caBundle, err)
		}
		if roots, err = x509.SystemCertPool(); err != nil || roots == nil {
			roots = x509.NewCertPool()
		}
		if !roots.AppendCertsFromPEM(pem) {
			return nil, errors.New("AWS: " + EnvCABundle + " " + caBundle + " has no PEM certificates")
		}
	}
	return awshttp.NewBuildableClient().
		WithDialerOptions(func(d *net.Dialer) { d.Timeout = ConnectTimeout }).
		WithTransportOptions(func(t *http.Transport) {
			t.MaxIdleConns = 4 * MaxIdleConnsPerHost
			t.MaxIdleConnsPerHost = MaxIdleConnsPerHost
			if roots != nil {
				if t.TLSClientConfig == nil {
					t.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
				}
				t.TLSClientConfig.RootCAs = roots
			}
		}), nil
}
