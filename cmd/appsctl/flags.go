package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/mattermost-community/apps-plugin/provision"
)

// awsFlags are the flags that say how to reach AWS.
type awsFlags struct {
	region         string
	bucket         string
	s3Endpoint     string
	lambdaEndpoint string
	iamEndpoint    string
}

func (f *awsFlags) register(cmd *cobra.Command) {
	fs := cmd.Flags()
	fs.StringVar(&f.region, "region", "", "AWS region (default $"+provision.EnvRegion+", else "+provision.DefaultRegion+")")
	fs.StringVar(&f.bucket, "bucket", "", "S3 bucket of app manifests and static assets (default $"+provision.EnvBucket+", else "+provision.DefaultBucket+")")
	fs.StringVar(&f.s3Endpoint, "s3-endpoint", "", "S3 endpoint URL, e.g. MinIO (default: the AWS SDK's, e.g. $AWS_ENDPOINT_URL_S3); uses path-style addressing")
	fs.StringVar(&f.lambdaEndpoint, "lambda-endpoint", "", "Lambda endpoint URL, e.g. 'appsctl lambda serve' (default: the AWS SDK's, e.g. $AWS_ENDPOINT_URL_LAMBDA)")
	fs.StringVar(&f.iamEndpoint, "iam-endpoint", "", "IAM endpoint URL (default: the AWS SDK's, e.g. $AWS_ENDPOINT_URL_IAM)")
	_ = cmd.RegisterFlagCompletionFunc("region", completeRegions)
	for _, name := range []string{"bucket", "s3-endpoint", "lambda-endpoint", "iam-endpoint"} {
		_ = cmd.RegisterFlagCompletionFunc(name, cobra.NoFileCompletions)
	}
}

// config is the configuration from the environment, overridden by flags.
func (f *awsFlags) config() (provision.Config, error) {
	c, err := provision.ConfigFromEnv(nil)
	if err != nil {
		return c, err
	}
	if f.region != "" {
		c.Region = f.region
	}
	if f.bucket != "" {
		c.Bucket = f.bucket
	}
	c.S3Endpoint, c.LambdaEndpoint, c.IAMEndpoint = f.s3Endpoint, f.lambdaEndpoint, f.iamEndpoint
	return c, nil
}

func (f *awsFlags) clients(ctx context.Context) (*provision.Clients, error) {
	c, err := f.config()
	if err != nil {
		return nil, err
	}
	return c.NewClients(ctx)
}

var awsRegions = []string{
	"us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1",
	"eu-central-1", "eu-west-1", "eu-west-2", "eu-west-3", "eu-north-1", "eu-south-1",
	"ap-south-1", "ap-northeast-1", "ap-northeast-2", "ap-southeast-1", "ap-southeast-2", "sa-east-1",
}

func completeRegions(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return awsRegions, cobra.ShellCompDirectiveNoFileComp
}

// completeBundle completes the first argument with .zip files.
func completeBundle(_ *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
	if len(args) > 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	return []string{"zip"}, cobra.ShellCompDirectiveFilterFileExt
}

// provisionFlags are the provisioning options.
type provisionFlags struct {
	executeRole string
	policy      string
	memory      int32
	timeout     secondsValue
	env         []string
	concurrency int
}

// register adds the flags; withEnv adds --env K=V.
func (f *provisionFlags) register(cmd *cobra.Command, withEnv bool) {
	fs := cmd.Flags()
	f.timeout = secondsValue(provision.DefaultTimeout)
	fs.StringVar(&f.executeRole, "execute-role", provision.DefaultExecuteRole, "execution role of the functions (name or ARN)")
	fs.StringVar(&f.policy, "policy", provision.DefaultInvokePolicy, "invoke policy (name or ARN) that gets the functions in its AllowLambda statement; '' skips it")
	fs.Int32Var(&f.memory, "memory", provision.DefaultMemoryMB, "memory of the functions, in MB (128-10240)")
	fs.Var(&f.timeout, "timeout", "timeout of the functions: seconds or a duration like 45s, 2m (max 15m)")
	if withEnv {
		fs.StringArrayVar(&f.env, "env", nil, "environment variable K=V of the functions (repeatable); when given, it is the functions' whole environment")
		_ = cmd.RegisterFlagCompletionFunc("env", cobra.NoFileCompletions)
	}
	fs.IntVar(&f.concurrency, "concurrency", provision.DefaultConcurrency, "parallel S3 requests")
	_ = cmd.RegisterFlagCompletionFunc("memory", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return []string{"128", "256", "512", "1024", "2048"}, cobra.ShellCompDirectiveNoFileComp
	})
	_ = cmd.RegisterFlagCompletionFunc("timeout", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return []string{"30s", "60s", "120s", "5m", "15m"}, cobra.ShellCompDirectiveNoFileComp
	})
	for _, name := range []string{"execute-role", "policy", "concurrency"} {
		_ = cmd.RegisterFlagCompletionFunc(name, cobra.NoFileCompletions)
	}
}

func (f *provisionFlags) options(cmd *cobra.Command) (provision.Options, error) {
	o := provision.Options{
		ExecuteRole:  f.executeRole,
		InvokePolicy: f.policy,
		MemoryMB:     f.memory,
		Timeout:      time.Duration(f.timeout),
		Concurrency:  f.concurrency,
	}
	if cmd.Flags().Changed("policy") && strings.TrimSpace(f.policy) == "" {
		o.NoInvokePolicy = true
	}
	if f.concurrency < 1 {
		return o, provision.UsageError("--concurrency must be at least 1")
	}
	if len(f.env) > 0 {
		o.Env = map[string]string{}
		for _, kv := range f.env {
			k, v, ok := strings.Cut(kv, "=")
			if !ok || k == "" {
				return o, provision.UsageError("--env %q: use K=V", kv)
			}
			o.Env[k] = v
		}
	}
	return o, nil
}

// secondsValue is a duration flag that also takes plain seconds.
type secondsValue time.Duration

func (s *secondsValue) String() string { return time.Duration(*s).String() }
func (s *secondsValue) Type() string   { return "duration" }
func (s *secondsValue) Set(v string) error {
	if n, err := strconv.Atoi(v); err == nil {
		*s = secondsValue(time.Duration(n) * time.Second)
		return nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return fmt.Errorf("%q is neither seconds nor a duration (like 45s, 2m)", v)
	}
	*s = secondsValue(d)
	return nil
}

var _ pflag.Value = (*secondsValue)(nil)

// writeJSON writes v indented.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// size formats a byte count.
func size(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// dur formats a duration for progress lines.
func dur(d time.Duration) string {
	switch {
	case d >= time.Second:
		return fmt.Sprintf("%.1fs", d.Seconds())
	case d >= time.Millisecond:
		return fmt.Sprintf("%dms", d.Milliseconds())
	}
	return "0ms"
}

func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}

// errorJSON is the --json output of a command that failed without a report.
// jsonOnError, deferred by a --json command, prints the error it ended
// with as JSON.
func jsonOnError(out io.Writer, errp *error) {
	if *errp != nil {
		_ = writeJSON(out, errorJSON(*errp))
	}
}

func errorJSON(err error) any {
	return struct {
		Error    string `json:"error"`
		ExitCode int    `json:"exit_code"`
	}{err.Error(), exitCode(err)}
}
