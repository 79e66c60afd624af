package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/mattermost-community/apps-plugin/apps"
	"github.com/mattermost-community/apps-plugin/provision"
)

// newAWSCommand is "appsctl aws".
func newAWSCommand() *cobra.Command {
	cmd := groupCommand("aws", "Set up, check and clean the AWS resources of Mattermost Apps")
	cmd.AddCommand(newAWSInitCommand(), newAWSCleanCommand(), newAWSTestCommand())
	return cmd
}

// iamFlags name the IAM resources of init and clean.
type iamFlags struct {
	user, group, policy, executeRole string
}

func (f *iamFlags) register(cmd *cobra.Command) {
	fs := cmd.Flags()
	fs.StringVar(&f.user, "user", provision.DefaultInvokeUser, "IAM user whose credentials the Apps plugin uses")
	fs.StringVar(&f.group, "group", provision.DefaultInvokeGroup, "IAM group of the invoke user, with the invoke policy attached")
	fs.StringVar(&f.policy, "policy", provision.DefaultInvokePolicy, "invoke policy (name or ARN): read manifests and assets, invoke app functions")
	fs.StringVar(&f.executeRole, "execute-role", provision.DefaultExecuteRole, "execution role of the app functions")
	for _, name := range []string{"user", "group", "policy", "execute-role"} {
		_ = cmd.RegisterFlagCompletionFunc(name, cobra.NoFileCompletions)
	}
}

func (f *iamFlags) options() provision.InitOptions {
	return provision.InitOptions{User: f.user, Group: f.group, Policy: f.policy, ExecuteRole: f.executeRole}
}

func printInitStep(w io.Writer, s provision.InitStep) {
	line := fmt.Sprintf("%-11s %-48s %s", s.Resource, s.Name, s.Status)
	if s.ARN != "" && s.Resource != "access key" {
		line += "  " + s.ARN
	}
	fmt.Fprintln(w, line)
}

func newAWSInitCommand() *cobra.Command {
	var (
		af              awsFlags
		names           iamFlags
		createAccessKey bool
		dryRun, asJSON  bool
	)
	cmd := &cobra.Command{
		Use:   "init",
		Short: "Check and create the S3 bucket, IAM invoke user/group/policy and execute role",
		Long: `Make sure the AWS resources Mattermost Apps need exist, creating what is
missing (--dry-run only checks):

  - the S3 bucket of manifests and static assets;
  - the execute role of the app functions, with AWSLambdaBasicExecutionRole;
  - the invoke policy (read manifests/* and static/*, list the bucket; app
    functions are added by 'appsctl provision app');
  - the invoke group with the policy attached, and the invoke user in it;
  - with --create-access-key, an access key for the invoke user, printed as
    export lines for the Apps plugin (MM_APPS_AWS_ACCESS_KEY/SECRET_KEY).

Running it again changes nothing.

` + credentialsHelp,
		Args:              usageArgs(cobra.NoArgs),
		ValidArgsFunction: cobra.NoFileCompletions,
		RunE: func(cmd *cobra.Command, _ []string) (err error) {
			out := cmd.OutOrStdout()
			if asJSON {
				defer jsonOnError(out, &err)
			}
			clients, err := af.clients(cmd.Context())
			if err != nil {
				return err
			}
			opts := names.options()
			opts.CreateAccessKey, opts.DryRun = createAccessKey, dryRun
			if !asJSON {
				opts.OnStep = func(s provision.InitStep) { printInitStep(out, s) }
			}
			rep, err := provision.Init(cmd.Context(), clients, opts)
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(out, rep)
			}
			if rep.AccessKeyID != "" {
				fmt.Fprintf(out, "\nCredentials of %s for the Apps plugin (the secret is shown only now):\n", opts.User)
				fmt.Fprintf(out, "export MM_APPS_AWS_ACCESS_KEY=%s\n", rep.AccessKeyID)
				fmt.Fprintf(out, "export MM_APPS_AWS_SECRET_KEY=%s\n", rep.SecretAccessKey)
			}
			if dryRun {
				fmt.Fprintln(out, "Dry run: nothing was changed.")
			} else {
				fmt.Fprintf(out, "AWS is ready for Mattermost Apps in %s (bucket %s).\n", clients.Region, clients.Bucket)
			}
			return nil
		},
	}
	af.register(cmd)
	names.register(cmd)
	f := cmd.Flags()
	f.BoolVar(&createAccessKey, "create-access-key", false, "create an access key for the invoke user and print it as export lines")
	f.BoolVar(&dryRun, "dry-run", false, "only check; report what is missing")
	f.BoolVar(&asJSON, "json", false, "print the report as JSON")
	return cmd
}

func newAWSCleanCommand() *cobra.Command {
	var (
		af             awsFlags
		names          iamFlags
		deleteRole     bool
		dryRun, asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "clean",
		Short: "Delete the IAM invoke user, its access keys, group and policy",
		Long: `Delete what 'appsctl aws init' created for the Apps plugin's credentials: the
invoke user (with its access keys), its group and the invoke policy; with
--delete-role also the execute role. Lambda functions, the bucket and its
objects are kept. --dry-run only reports.

` + credentialsHelp,
		Args:              usageArgs(cobra.NoArgs),
		ValidArgsFunction: cobra.NoFileCompletions,
		RunE: func(cmd *cobra.Command, _ []string) (err error) {
			out := cmd.OutOrStdout()
			if asJSON {
				defer jsonOnError(out, &err)
			}
			clients, err := af.clients(cmd.Context())
			if err != nil {
				return err
			}
			opts := names.options()
			opts.DeleteRole, opts.DryRun = deleteRole, dryRun
			if !asJSON {
				opts.OnStep = func(s provision.InitStep) { printInitStep(out, s) }
			}
			rep, err := provision.Clean(cmd.Context(), clients, opts)
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(out, rep)
			}
			if dryRun {
				fmt.Fprintln(out, "Dry run: nothing was changed.")
			}
			return nil
		},
	}
	af.register(cmd)
	names.register(cmd)
	f := cmd.Flags()
	f.BoolVar(&deleteRole, "delete-role", false, "also delete the execute role")
	f.BoolVar(&dryRun, "dry-run", false, "only report what would be deleted")
	f.BoolVar(&asJSON, "json", false, "print the report as JSON")
	return cmd
}

func newAWSTestCommand() *cobra.Command {
	var (
		af     awsFlags
		static string
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "test <app-id> <version>",
		Short: "Check a provisioned app: invoke its /ping and read a static file",
		Long: `Check that an app is provisioned and works: its manifest is in the bucket, the
function serving /ping answers an Apps call (as the plugin sends it) with an
"ok" response, and a static file (--static, else the icon, else the first
one) can be read.

` + credentialsHelp,
		Example:           `  appsctl aws test com.mattermost.hello v1.0.0`,
		Args:              usageArgs(cobra.ExactArgs(2)),
		ValidArgsFunction: cobra.NoFileCompletions,
		RunE: func(cmd *cobra.Command, args []string) (err error) {
			out := cmd.OutOrStdout()
			id, ver := apps.AppID(args[0]), apps.AppVersion(args[1])
			if err := id.Validate(); err != nil {
				return provision.UsageError("%w", err)
			}
			if err := ver.Validate(); err != nil {
				return provision.UsageError("%w", err)
			}
			clients, err := af.clients(cmd.Context())
			if err != nil {
				return err
			}
			rep, err := provision.CheckApp(cmd.Context(), clients, "", id, ver, static)
			if asJSON {
				type result struct {
					*provision.CheckReport
					Error string `json:"error,omitempty"`
				}
				r := result{CheckReport: rep}
				if err != nil {
					r.Error = err.Error()
				}
				if jerr := writeJSON(out, r); jerr != nil && err == nil {
					err = jerr
				}
				return err
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "manifest  s3://%s/%s  ok\n", clients.Bucket, rep.ManifestKey)
			fmt.Fprintf(out, "ping      %s answered /ping in %dms: %s\n", rep.Function, rep.PingMS, rep.PingResponse)
			if rep.StaticKey != "" {
				fmt.Fprintf(out, "static    s3://%s/%s  %s\n", clients.Bucket, rep.StaticKey, size(rep.StaticSize))
			} else {
				fmt.Fprintln(out, "static    (the app has no static files)")
			}
			fmt.Fprintf(out, "OK: %s %s works.\n", id, ver)
			return nil
		},
	}
	af.register(cmd)
	f := cmd.Flags()
	f.StringVar(&static, "static", "", "static file to read (path under static/)")
	f.BoolVar(&asJSON, "json", false, "print the report as JSON")
	_ = cmd.RegisterFlagCompletionFunc("static", cobra.NoFileCompletions)
	return cmd
}
