package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/mattermost-community/apps-plugin/apps/bundle"
	"github.com/mattermost-community/apps-plugin/provision"
)

const bundleArgHelp = `The bundle is a local path, s3://bucket/key or an https:// URL.`

const credentialsHelp = `AWS access: credentials from ` + provision.EnvAccessKey + `/` + provision.EnvSecretKey + `
(or ` + provision.EnvMMProvisionAccessKey + `/` + provision.EnvMMProvisionSecretKey + `,
` + provision.EnvMMDeployAccessKey + `/` + provision.EnvMMDeploySecretKey + `), else the AWS SDK's
default chain (AWS_ACCESS_KEY_ID, AWS_PROFILE, ...); bucket $` + provision.EnvBucket + `
(default ` + provision.DefaultBucket + `); region $` + provision.EnvRegion + ` (default ` + provision.DefaultRegion + `).
Endpoints: --s3-endpoint, --lambda-endpoint, --iam-endpoint or the SDK's
AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL_LAMBDA, AWS_ENDPOINT_URL_IAM (e.g. MinIO and
'appsctl lambda serve').`

// newProvisionCommand is "appsctl provision".
func newProvisionCommand() *cobra.Command {
	cmd := groupCommand("provision", "Provision app bundles to AWS Lambda and S3")
	cmd.AddCommand(newProvisionAppCommand(), newGenerateTerraformDataCommand())
	return cmd
}

func newProvisionAppCommand() *cobra.Command {
	var (
		af             awsFlags
		pf             provisionFlags
		update, dryRun bool
		asJSON         bool
	)
	cmd := &cobra.Command{
		Use:   "app <bundle>",
		Short: "Provision an app bundle: Lambda functions, static assets and manifest",
		Long: `Provision an app bundle to AWS.

Each Lambda function of the bundle is created (or, with --update, updated) with
the execute role, memory, timeout and environment; the static assets are
uploaded to S3 in parallel; the invoke policy's AllowLambda statement gets the
functions; and the manifest is uploaded last, to manifests/<app>_<version>.json,
so that a listed manifest never points at missing functions. A failed step
leaves the manifest unlisted.

Provisioning is idempotent: what is already as in the bundle is left alone,
and a second run says so. Anything existing with different content (code,
configuration, assets, manifest) is only replaced with --update. go1.x
functions are deployed as provided.al2023 (handler repacked as bootstrap).
--dry-run prints the plan and changes nothing.

` + bundleArgHelp + `

` + credentialsHelp + `

Run 'appsctl aws init' first to create the bucket, execute role and invoke
policy.`,
		Example: `  appsctl provision app bundle.zip
  appsctl provision app s3://my-bundles/hello.zip --update --memory 256 --env GREETING=hi
  appsctl provision app https://example.com/hello.zip --dry-run --json`,
		Args:              usageArgs(cobra.ExactArgs(1)),
		ValidArgsFunction: completeBundle,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts, err := pf.options(cmd)
			if err != nil {
				return err
			}
			opts.Update = update
			return provisionApp(cmd.Context(), cmd.OutOrStdout(), &af, opts, args[0], dryRun, asJSON)
		},
	}
	af.register(cmd)
	pf.register(cmd, true)
	f := cmd.Flags()
	f.BoolVar(&update, "update", false, "replace functions, assets and the manifest that exist with different content")
	f.BoolVar(&dryRun, "dry-run", false, "print the plan (create/update/unchanged per item) and change nothing")
	f.BoolVar(&asJSON, "json", false, "print the report as JSON instead of progress lines")
	return cmd
}

func provisionApp(ctx context.Context, out io.Writer, af *awsFlags, opts provision.Options, location string, dryRun, asJSON bool) (err error) {
	start := time.Now()
	wroteJSON := false
	if err := opts.Check(); err != nil {
		return err
	}
	if asJSON {
		defer func() {
			if err != nil && !wroteJSON {
				_ = writeJSON(out, errorJSON(err))
			}
		}()
	}
	clients, err := af.clients(ctx)
	if err != nil {
		return err
	}
	b, err := provision.OpenBundle(ctx, location, provision.OpenOptions{S3: clients.S3})
	if err != nil {
		return err
	}
	defer b.Close()
	if !asJSON {
		opts.OnEvent = func(e provision.Event) { printEvent(out, "", e) }
	}
	p, err := provision.New(clients, opts)
	if err != nil {
		return err
	}
	plan, err := p.Plan(ctx, b.Bundle)
	if err != nil {
		return err
	}
	var rep *provision.Report
	if dryRun {
		rep = &provision.Report{Plan: plan, DryRun: true, InstallCommands: plan.InstallCommands()}
		err = plan.Err()
	} else {
		if !asJSON {
			fmt.Fprintf(out, "Provisioning %s %s from %s to s3://%s (region %s)\n", plan.AppID, plan.Version, location, plan.Bucket, plan.Region)
			for _, n := range plan.Notes {
				fmt.Fprintf(out, "note: %s\n", n)
			}
		}
		if err = plan.Err(); err == nil {
			rep, err = p.Apply(ctx, plan)
		}
	}
	if rep != nil {
		rep.DurationMS = time.Since(start).Milliseconds()
		if err != nil {
			rep.Error = err.Error()
		}
	}
	if asJSON {
		if rep == nil {
			rep = &provision.Report{Plan: plan, InstallCommands: plan.InstallCommands(), Error: err.Error()}
		}
		wroteJSON = true
		if jerr := writeJSON(out, rep); jerr != nil && err == nil {
			err = jerr
		}
		return err
	}
	if dryRun {
		printPlan(out, location, plan)
		return err
	}
	if rep != nil && err == nil {
		printSummary(out, rep, time.Since(start))
	}
	if err != nil && len(plan.Conflicts) > 0 {
		printConflicts(out, plan)
	}
	return err
}

// verb is the past-tense word for a finished step.
func verb(kind provision.StepKind, a provision.Action) string {
	switch a {
	case provision.ActionCreate:
		if kind == provision.StepFunction {
			return "created"
		}
		if kind == provision.StepPolicy {
			return "updated"
		}
		return "uploaded"
	case provision.ActionUpdate:
		if kind == provision.StepAsset || kind == provision.StepManifest {
			return "replaced"
		}
		return "updated"
	}
	return "unchanged"
}

// printEvent prints one progress line.
func printEvent(w io.Writer, indent string, e provision.Event) {
	var info []string
	if e.Size > 0 {
		info = append(info, size(e.Size))
	}
	info = append(info, dur(e.Duration))
	line := fmt.Sprintf("%s%-8s  %-9s  %s  (%s)", indent, e.Kind, verb(e.Kind, e.Action), e.Target, strings.Join(info, ", "))
	if e.Kind == provision.StepPolicy {
		line = fmt.Sprintf("%s%-8s  %-9s  %s  (%s)", indent, e.Kind, verb(e.Kind, e.Action), e.Name, strings.Join(info, ", "))
	}
	if e.Detail != "" {
		line += "  " + e.Detail
	}
	fmt.Fprintln(w, line)
}

func printPlan(w io.Writer, location string, plan *provision.Plan) {
	fmt.Fprintf(w, "Plan for %s %s from %s (bucket %s, region %s, execute role %s):\n",
		plan.AppID, plan.Version, location, plan.Bucket, plan.Region, plan.ExecuteRole)
	for _, f := range plan.Functions {
		detail := fmt.Sprintf("%s, %s, %d MB, %ds", size(f.Size), f.Runtime, f.MemoryMB, f.TimeoutSec)
		if len(f.Changes) > 0 {
			detail += "; " + strings.Join(f.Changes, ", ")
		}
		fmt.Fprintf(w, "  %-8s  %-9s  %s  (%s)\n", provision.StepFunction, f.Action, f.LambdaName, detail)
	}
	if plan.Policy != nil {
		detail := ""
		if len(plan.Policy.Added) > 0 {
			detail = fmt.Sprintf("  (%s +%s)", provision.AllowLambdaSid, plural(len(plan.Policy.Added), "function", "functions"))
		}
		fmt.Fprintf(w, "  %-8s  %-9s  %s%s\n", provision.StepPolicy, plan.Policy.Action, plan.Policy.Name, detail)
	}
	for _, a := range plan.Assets {
		fmt.Fprintf(w, "  %-8s  %-9s  %s  (%s)\n", provision.StepAsset, a.Action, a.Key, size(a.Size))
	}
	fmt.Fprintf(w, "  %-8s  %-9s  %s  (%s)\n", provision.StepManifest, plan.Manifest.Action, plan.Manifest.Key, size(plan.Manifest.Size))
	for _, n := range plan.Notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
	if len(plan.Conflicts) > 0 {
		printConflicts(w, plan)
	}
	if n := plan.Changes(); n == 0 {
		fmt.Fprintf(w, "Dry run: nothing to do, %s %s is provisioned as in the bundle.\n", plan.AppID, plan.Version)
	} else {
		fmt.Fprintf(w, "Dry run: %s planned; nothing was changed.\n", plural(n, "change", "changes"))
	}
}

func printConflicts(w io.Writer, plan *provision.Plan) {
	fmt.Fprintln(w, "Already provisioned with different content (rerun with --update to replace):")
	for _, c := range plan.Conflicts {
		fmt.Fprintf(w, "  %s\n", c)
	}
}

func printSummary(w io.Writer, rep *provision.Report, took time.Duration) {
	count := func(n int, one, many string, a provision.Action, kind provision.StepKind) string {
		return fmt.Sprintf("%s %s", plural(n, one, many), verb(kind, a))
	}
	var parts []string
	byAction := func(kind provision.StepKind, one, many string, actions []provision.Action) {
		m := map[provision.Action]int{}
		for _, a := range actions {
			m[a]++
		}
		for _, a := range []provision.Action{provision.ActionCreate, provision.ActionUpdate, provision.ActionUnchanged} {
			if m[a] > 0 {
				parts = append(parts, count(m[a], one, many, a, kind))
			}
		}
	}
	var fa, aa []provision.Action
	for _, f := range rep.Functions {
		fa = append(fa, f.Action)
	}
	for _, a := range rep.Assets {
		aa = append(aa, a.Action)
	}
	byAction(provision.StepFunction, "function", "functions", fa)
	byAction(provision.StepAsset, "asset", "assets", aa)
	parts = append(parts, "manifest "+verb(provision.StepManifest, rep.Manifest.Action))
	if rep.Policy != nil {
		parts = append(parts, "invoke policy "+verb(provision.StepPolicy, rep.Policy.Action))
	}
	if rep.Changed {
		fmt.Fprintf(w, "Provisioned %s %s in %s: %s.\n", rep.AppID, rep.Version, dur(took), strings.Join(parts, ", "))
	} else {
		fmt.Fprintf(w, "Nothing to do: %s %s is already provisioned as in the bundle (%s).\n", rep.AppID, rep.Version, strings.Join(parts, ", "))
	}
	cmds := rep.InstallCommands
	fmt.Fprintf(w, "Install it in Mattermost with:\n  %s\n", cmds[0])
	if len(cmds) > 1 {
		fmt.Fprintf(w, "or, on a self-managed server whose Apps plugin has AWS credentials:\n  %s\n", cmds[1])
	}
}

// newGenerateTerraformDataCommand is "appsctl [provision] generate-terraform-data".
func newGenerateTerraformDataCommand() *cobra.Command {
	var af awsFlags
	cmd := &cobra.Command{
		Use:   "generate-terraform-data <bundle>",
		Short: "Print a bundle's deploy data (JSON) for Terraform and the Cloud deployer",
		Long: `Print the deploy data of a bundle to stdout: where each static file and the
manifest go in S3, and the name, handler and runtime of each Lambda function:

  {"static_files": {"<name>": {"key": "static/<app>_<version>_app/<name>"}},
   "lambda_functions": {"<function>": {"name": "...", "handler": "...", "runtime": "..."}},
   "manifest_key": "manifests/<app>_<version>.json"}

The JSON is tab-indented with sorted keys, followed by a newline. The bundle is
checked like 'provision app' does; nothing is deployed.

` + bundleArgHelp + ` AWS credentials are only needed for s3://.`,
		Example:           `  appsctl generate-terraform-data bundle.zip > deploy-data.json`,
		Args:              usageArgs(cobra.ExactArgs(1)),
		ValidArgsFunction: completeBundle,
		RunE: func(cmd *cobra.Command, args []string) error {
			data, err := deployData(cmd.Context(), &af, args[0])
			if err != nil {
				return err
			}
			_, err = cmd.OutOrStdout().Write(append(data, '\n'))
			return err
		},
	}
	af.register(cmd)
	return cmd
}

// deployData returns the deploy data JSON of the bundle at location.
func deployData(ctx context.Context, af *awsFlags, location string) ([]byte, error) {
	var d *bundle.ProvisionData
	if !strings.Contains(location, "://") {
		var err error
		if d, err = bundle.GetProvisionDataFromFile(location); err != nil {
			return nil, provision.BundleError("bundle %s: %w", location, err)
		}
	} else {
		opts := provision.OpenOptions{}
		if strings.HasPrefix(location, "s3://") {
			clients, err := af.clients(ctx)
			if err != nil {
				return nil, err
			}
			opts.S3 = clients.S3
		}
		b, err := provision.OpenBundle(ctx, location, opts)
		if err != nil {
			return nil, err
		}
		defer b.Close()
		d = b.ProvisionData()
	}
	return d.JSON()
}
