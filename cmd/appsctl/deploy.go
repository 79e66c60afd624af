package main

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/mattermost-community/apps-plugin/provision"
)

// newDeployCommand is "appsctl deploy".
func newDeployCommand() *cobra.Command {
	cmd := groupCommand("deploy", "Deploy app bundles continuously (the Cloud deployer)")
	cmd.AddCommand(newDeployWatchCommand())
	return cmd
}

func newDeployWatchCommand() *cobra.Command {
	var (
		af           awsFlags
		pf           provisionFlags
		bundleBucket string
		environment  string
		once, asJSON bool
		interval     time.Duration
	)
	cmd := &cobra.Command{
		Use:   "watch --bundle-bucket <bucket> [--env NAME] [--once | --interval 1h]",
		Short: "Provision every new bundle of a bucket, and tag it deployed",
		Long: `Watch a bucket of app bundles and deploy them (the Cloud deployer).

Each pass lists every *.zip in the bundle bucket (all pages), skips those
tagged deployed_<env>=true, provisions each of the others like
'appsctl provision app --update' (functions, static assets, invoke policy,
manifest last), and tags it deployed_<env>=true. A bad bundle is reported and
left untagged, and the pass goes on with the next one; it is tried again on
the next pass. One line is printed per bundle (and per step of a deployed
one), or a JSON report per pass with --json.

With --once, one pass runs and the exit code says whether every bundle
deployed (1 if any failed on AWS, 2 if any was a bad bundle). Otherwise a pass
runs every --interval until interrupted.

` + credentialsHelp,
		Example: `  appsctl deploy watch --bundle-bucket my-app-bundles --env staging --once
  appsctl deploy watch --bundle-bucket my-app-bundles --interval 15m`,
		Args:              usageArgs(cobra.NoArgs),
		ValidArgsFunction: cobra.NoFileCompletions,
		RunE: func(cmd *cobra.Command, _ []string) (err error) {
			out := cmd.OutOrStdout()
			if asJSON {
				defer func() {
					if err != nil && !isPassError(err) {
						_ = writeJSON(out, errorJSON(err))
					}
				}()
			}
			if bundleBucket == "" {
				return provision.UsageError("--bundle-bucket is required")
			}
			if !once && interval <= 0 {
				return provision.UsageError("--interval must be positive")
			}
			opts, err := pf.options(cmd)
			if err != nil {
				return err
			}
			clients, err := af.clients(cmd.Context())
			if err != nil {
				return err
			}
			var mu sync.Mutex // events and results print in order
			d := &provision.Deployer{
				Clients:      clients,
				Options:      opts,
				BundleBucket: bundleBucket,
				Environment:  environment,
			}
			if !asJSON {
				d.Options.OnEvent = func(e provision.Event) {
					mu.Lock()
					defer mu.Unlock()
					printEvent(out, "  ", e)
				}
				d.OnBundle = func(r provision.BundleResult) {
					mu.Lock()
					defer mu.Unlock()
					printBundle(out, d, r)
				}
				fmt.Fprintf(out, "Deploying bundles of s3://%s to %q (apps bucket %s, region %s)\n",
					bundleBucket, d.TagKey()[len(provision.DeployedTagPrefix):], clients.Bucket, clients.Region)
			}
			report := func(rep *provision.WatchReport, err error) {
				if asJSON {
					if err != nil {
						_ = writeJSON(out, struct {
							*provision.WatchReport
							Error string `json:"error"`
						}{rep, err.Error()})
						return
					}
					_ = writeJSON(out, rep)
					return
				}
				if err != nil {
					fmt.Fprintf(out, "Pass failed: %v\n", err)
					return
				}
				fmt.Fprintf(out, "Pass done in %s: %d deployed, %d skipped, %d failed.\n",
					dur(time.Duration(rep.DurationMS)*time.Millisecond), rep.Deployed, rep.Skipped, rep.Failed)
			}
			if once {
				rep, err := d.RunOnce(cmd.Context())
				if err != nil {
					return err
				}
				report(rep, nil)
				if err := rep.Err(); err != nil {
					return passError{err}
				}
				return nil
			}
			return d.Watch(cmd.Context(), interval, func(rep *provision.WatchReport, err error) {
				report(rep, err)
				if !asJSON {
					fmt.Fprintf(out, "Next pass in %s.\n", interval)
				}
			})
		},
	}
	af.register(cmd)
	pf.register(cmd, false)
	f := cmd.Flags()
	f.StringVar(&bundleBucket, "bundle-bucket", "", "S3 bucket holding the bundles (*.zip) (required)")
	f.StringVar(&environment, "env", provision.DefaultEnvironment, "environment name: bundles are tagged deployed_<env>=true")
	f.BoolVar(&once, "once", false, "run one pass and exit")
	f.DurationVar(&interval, "interval", time.Hour, "time between passes")
	f.BoolVar(&asJSON, "json", false, "print a JSON report per pass")
	cmd.MarkFlagsMutuallyExclusive("once", "interval")
	for _, name := range []string{"bundle-bucket", "env", "interval"} {
		_ = cmd.RegisterFlagCompletionFunc(name, cobra.NoFileCompletions)
	}
	return cmd
}

// passError is a --once pass with failed bundles: already reported.
type passError struct{ error }

func (e passError) Unwrap() error { return e.error }

func isPassError(err error) bool {
	_, ok := err.(passError)
	return ok
}

func printBundle(w io.Writer, d *provision.Deployer, r provision.BundleResult) {
	switch r.Status {
	case "":
		fmt.Fprintf(w, "%s: deploying\n", r.Key)
	case provision.BundleSkipped:
		fmt.Fprintf(w, "%s: skipped (tagged %s=true)\n", r.Key, d.TagKey())
	case provision.BundleDeployed:
		what := "deployed"
		if !r.Changed {
			what = "deployed (no changes needed)"
		}
		fmt.Fprintf(w, "%s: %s %s %s in %s, tagged %s=true\n", r.Key, what, r.AppID, r.Version,
			dur(time.Duration(r.DurationMS)*time.Millisecond), d.TagKey())
	case provision.BundleFailed:
		fmt.Fprintf(w, "%s: FAILED (left untagged): %s\n", r.Key, r.Error)
	}
}
