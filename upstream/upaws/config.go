// Package upaws is the upstream of AWS apps: calls invoke the app's AWS
// Lambda functions, static assets and manifests are objects in S3.
package upaws

import (
	"strings"
)

// Environment variables read by ConfigFromEnv.
const (
	EnvBucket          = "MM_APPS_S3_BUCKET"
	EnvAccessKey       = "MM_APPS_AWS_ACCESS_KEY"
	EnvSecretKey       = "MM_APPS_AWS_SECRET_KEY"
	EnvLegacyAccessKey = "APPS_INVOKE_AWS_ACCESS_KEY" // v0.2–v0.6; Cloud
	EnvLegacySecretKey = "APPS_INVOKE_AWS_SECRET_KEY"
	EnvRegion          = "MM_APPS_AWS_REGION"
	EnvEndpoint        = "AWS_ENDPOINT_URL" // SDK standard, all services
	EnvEndpointS3      = "AWS_ENDPOINT_URL_S3"
	EnvEndpointLambda  = "AWS_ENDPOINT_URL_LAMBDA"
	EnvCABundle        = "AWS_CA_BUNDLE" // SDK standard: PEM file of extra CAs
)

// Defaults.
const (
	DefaultBucket = "mattermost-apps-bucket"
	DefaultRegion = "us-east-1"
)

// Config is how the plugin reaches AWS.
type Config struct {
	Region    string
	Bucket    string
	AccessKey string
	SecretKey string
	// CredentialsEnv names the variable the access key came from
	// (EnvAccessKey or EnvLegacyAccessKey), "" if none.
	CredentialsEnv string
	// S3Endpoint and LambdaEndpoint override the AWS endpoints (MinIO,
	// localaws); "" means AWS.
	S3Endpoint     string
	LambdaEndpoint string
	// CABundle is a PEM file of extra certificate authorities.
	CABundle string
}

// ConfigFromEnv reads the Config from environment variables (getenv is
// usually os.Getenv).
//
// Credentials: MM_APPS_AWS_ACCESS_KEY/MM_APPS_AWS_SECRET_KEY when either is
// set, else the legacy APPS_INVOKE_AWS_ACCESS_KEY/APPS_INVOKE_AWS_SECRET_KEY.
// Endpoints: AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL_LAMBDA, else
// AWS_ENDPOINT_URL for both.
func ConfigFromEnv(getenv func(string) string) Config {
	env := func(name string) string { return strings.TrimSpace(getenv(name)) }
	c := Config{
		Region:         env(EnvRegion),
		Bucket:         env(EnvBucket),
		S3Endpoint:     env(EnvEndpointS3),
		LambdaEndpoint: env(EnvEndpointLambda),
		CABundle:       env(EnvCABundle),
	}
	if c.Region == "" {
		c.Region = DefaultRegion
	}
	if c.Bucket == "" {
		c.Bucket = DefaultBucket
	}
	if global := env(EnvEndpoint); global != "" {
		if c.S3Endpoint == "" {
			c.S3Endpoint = global
		}
		if c.LambdaEndpoint == "" {
			c.LambdaEndpoint = global
		}
	}
	switch {
	case env(EnvAccessKey) != "" || env(EnvSecretKey) != "":
		c.AccessKey, c.SecretKey, c.CredentialsEnv = env(EnvAccessKey), env(EnvSecretKey), EnvAccessKey
	case env(EnvLegacyAccessKey) != "" || env(EnvLegacySecretKey) != "":
		c.AccessKey, c.SecretKey, c.CredentialsEnv = env(EnvLegacyAccessKey), env(EnvLegacySecretKey), EnvLegacyAccessKey
	}
	return c
}

// Configured reports whether credentials are present (both keys).
func (c Config) Configured() bool { return c.AccessKey != "" && c.SecretKey != "" }

// Legacy reports whether the credentials came from the legacy
// APPS_INVOKE_AWS_* variables (upstream treats that as Cloud mode).
func (c Config) Legacy() bool { return c.CredentialsEnv == EnvLegacyAccessKey }

// Describe is a one-line summary for /apps info. It shows only the last 4
// characters of the access key and never the secret.
func (c Config) Describe() string {
	var b strings.Builder
	b.WriteString("AWS: ")
	switch {
	case c.Configured():
		b.WriteString("access key " + maskKey(c.AccessKey) + " (" + c.CredentialsEnv + ")")
	case c.AccessKey != "":
		b.WriteString("not configured: access key " + maskKey(c.AccessKey) + " set but no secret key")
	case c.SecretKey != "":
		b.WriteString("not configured: secret key set but no access key")
	default:
		b.WriteString("not configured (set " + EnvAccessKey + " and " + EnvSecretKey + ")")
	}
	b.WriteString(", region " + c.Region + ", bucket " + c.Bucket)
	b.WriteString(", S3 endpoint " + orDefault(c.S3Endpoint))
	b.WriteString(", Lambda endpoint " + orDefault(c.LambdaEndpoint))
	if c.CABundle != "" {
		b.WriteString(", CA bundle " + c.CABundle)
	}
	return b.String()
}

func maskKey(k string) string {
	if len(k) <= 4 {
		return "****"
	}
	return "****" + k[len(k)-4:]
}

func orDefault(endpoint string) string {
	if endpoint == "" {
		return "AWS default"
	}
	return endpoint
}
