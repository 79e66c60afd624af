package provision

import (
	"context"
	"errors"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// Environment variables read by ConfigFromEnv.
const (
	// EnvAccessKey and EnvSecretKey are the provisioning credentials (the
	// names of upstream appsctl v0.2–v0.6).
	EnvAccessKey = "APPS_PROVISION_AWS_ACCESS_KEY"
	EnvSecretKey = "APPS_PROVISION_AWS_SECRET_KEY"
	// EnvMMProvisionAccessKey and EnvMMProvisionSecretKey are the v0.7 names.
	EnvMMProvisionAccessKey = "MM_APPS_PROVISION_AWS_ACCESS_KEY"
	EnvMMProvisionSecretKey = "MM_APPS_PROVISION_AWS_SECRET_KEY"
	// EnvMMDeployAccessKey and EnvMMDeploySecretKey are the v1 names.
	EnvMMDeployAccessKey = "MM_APPS_DEPLOY_AWS_ACCESS_KEY"
	EnvMMDeploySecretKey = "MM_APPS_DEPLOY_AWS_SECRET_KEY"
	// EnvBucket is the S3 bucket of manifests and static assets.
	EnvBucket = "MM_APPS_S3_BUCKET"
	// EnvRegion is the AWS region.
	EnvRegion = "MM_APPS_AWS_REGION"
)

// Defaults.
const (
	DefaultBucket = "mattermost-apps-bucket"
	DefaultRegion = "us-east-1"
)

// credentialEnvPairs are the credential variable pairs, in priority order.
var credentialEnvPairs = [][2]string{
	{EnvAccessKey, EnvSecretKey},
	{EnvMMProvisionAccessKey, EnvMMProvisionSecretKey},
	{EnvMMDeployAccessKey, EnvMMDeploySecretKey},
}

// CredentialsHelp says where credentials come from; errors about missing
// credentials include it.
const CredentialsHelp = "set " + EnvAccessKey + " and " + EnvSecretKey +
	" (or " + EnvMMProvisionAccessKey + "/" + EnvMMProvisionSecretKey +
	", or " + EnvMMDeployAccessKey + "/" + EnvMMDeploySecretKey +
	"), or configure the AWS SDK's default chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, ...)"

// Config says how to reach AWS.
type Config struct {
	// Region; default DefaultRegion.
	Region string
	// Bucket is the S3 bucket for manifests and static assets; default
	// DefaultBucket.
	Bucket string
	// AccessKey and SecretKey are static credentials; when empty the AWS
	// SDK's default credential chain is used.
	AccessKey    string
	SecretKey    string
	SessionToken string
	// CredentialsFrom names where AccessKey came from (for messages).
	CredentialsFrom string
	// S3Endpoint, LambdaEndpoint and IAMEndpoint override the service
	// endpoints (e.g. MinIO, "appsctl lambda serve"). Without them the SDK's
	// own settings apply (AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL_LAMBDA,
	// AWS_ENDPOINT_URL_IAM, AWS_ENDPOINT_URL).
	S3Endpoint     string
	LambdaEndpoint string
	IAMEndpoint    string
	// S3PathStyle forces path-style S3 addressing. It is also used whenever
	// a custom S3 endpoint is configured (here or in the environment), as
	// MinIO and other S3-compatible stores need it.
	S3PathStyle bool
	// RetryMaxAttempts overrides the SDK's retry attempts when > 0.
	RetryMaxAttempts int
}

// ConfigFromEnv reads the configuration from the environment (getenv; nil
// means os.Getenv): credentials from the first complete pair of
// APPS_PROVISION_AWS_*, MM_APPS_PROVISION_AWS_*, MM_APPS_DEPLOY_AWS_*;
// MM_APPS_S3_BUCKET; MM_APPS_AWS_REGION. A pair with only one half set is a
// usage error.
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	c := Config{
		Region: strings.TrimSpace(getenv(EnvRegion)),
		Bucket: strings.TrimSpace(getenv(EnvBucket)),
	}
	for _, p := range credentialEnvPairs {
		ak, sk := strings.TrimSpace(getenv(p[0])), strings.TrimSpace(getenv(p[1]))
		switch {
		case ak == "" && sk == "":
			continue
		case ak == "":
			return c, UsageError("%s is set but %s is not: set both (or neither, to use the AWS SDK's default credentials)", p[1], p[0])
		case sk == "":
			return c, UsageError("%s is set but %s is not: set both (or neither, to use the AWS SDK's default credentials)", p[0], p[1])
		}
		c.AccessKey, c.SecretKey, c.CredentialsFrom = ak, sk, p[0]
		break
	}
	return c.withDefaults(), nil
}

func (c Config) withDefaults() Config {
	if c.Region == "" {
		c.Region = DefaultRegion
	}
	if c.Bucket == "" {
		c.Bucket = DefaultBucket
	}
	return c
}

// Clients are the AWS service clients provisioning uses.
type Clients struct {
	S3     *s3.Client
	Lambda *lambda.Client
	IAM    *iam.Client
	// Region and Bucket are the configured ones.
	Region string
	Bucket string
}

// maxConnsPerHost is the idle-connection pool per host, above the upload
// concurrency so that parallel uploads reuse connections.
const maxConnsPerHost = 64

// HTTPClient is the HTTP client of the AWS clients: the SDK's buildable
// client (which the SDK can still adjust, e.g. for AWS_CA_BUNDLE) with a
// larger per-host connection pool.
func HTTPClient() *awshttp.BuildableClient {
	return awshttp.NewBuildableClient().WithTransportOptions(func(t *http.Transport) {
		t.MaxIdleConnsPerHost = maxConnsPerHost
		t.MaxIdleConns = 2 * maxConnsPerHost
	})
}

// NewClients loads the AWS configuration (the SDK's shared config and
// environment, overridden by c) and makes the clients. It checks that
// credentials can be found, failing with a KindUsage error that names the
// variables to set.
func (c Config) NewClients(ctx context.Context) (*Clients, error) {
	c = c.withDefaults()
	opts := []func(*config.LoadOptions) error{
		config.WithRegion(c.Region),
		config.WithHTTPClient(HTTPClient()),
	}
	if c.AccessKey != "" {
		opts = append(opts, config.WithCredentialsProvider(
			credentials.NewStaticCredentialsProvider(c.AccessKey, c.SecretKey, c.SessionToken)))
	}
	if c.RetryMaxAttempts > 0 {
		opts = append(opts, config.WithRetryMaxAttempts(c.RetryMaxAttempts))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, UsageError("load AWS configuration: %w", err)
	}
	if c.AccessKey == "" {
		cctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		_, err := cfg.Credentials.Retrieve(cctx)
		cancel()
		if err != nil {
			return nil, UsageError("no AWS credentials: %s (%w)", CredentialsHelp, err)
		}
	}
	pathStyle := c.S3PathStyle || c.S3Endpoint != "" || os.Getenv("AWS_ENDPOINT_URL_S3") != "" || os.Getenv("AWS_ENDPOINT_URL") != ""
	return &Clients{
		S3: s3.NewFromConfig(cfg, func(o *s3.Options) {
			if c.S3Endpoint != "" {
				o.BaseEndpoint = aws.String(c.S3Endpoint)
			}
			o.UsePathStyle = pathStyle
			// Objects uploaded without checksums are normal; do not log
			// about them on every download.
			o.DisableLogOutputChecksumValidationSkipped = true
		}),
		Lambda: lambda.NewFromConfig(cfg, func(o *lambda.Options) {
			if c.LambdaEndpoint != "" {
				o.BaseEndpoint = aws.String(c.LambdaEndpoint)
			}
		}),
		IAM: iam.NewFromConfig(cfg, func(o *iam.Options) {
			if c.IAMEndpoint != "" {
				o.BaseEndpoint = aws.String(c.IAMEndpoint)
			}
		}),
		Region: c.Region,
		Bucket: c.Bucket,
	}, nil
}

// isNotFound reports whether err is an AWS "does not exist" error.
func isNotFound(err error) bool {
	var re interface{ HTTPStatusCode() int }
	if errors.As(err, &re) && re.HTTPStatusCode() == http.StatusNotFound {
		return true
	}
	var ae interface{ ErrorCode() string }
	if errors.As(err, &ae) {
		switch ae.ErrorCode() {
		case "NotFound", "NoSuchKey", "NoSuchBucket", "NoSuchEntity", "ResourceNotFoundException", "NoSuchTagSet":
			return true
		}
	}
	return false
}

// errorCode is the AWS error code of err, or "".
func errorCode(err error) string {
	var ae interface{ ErrorCode() string }
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}
