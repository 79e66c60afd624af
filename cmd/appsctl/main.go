// Command appsctl is the command-line tool for Mattermost Apps developers and
// operators.
//
// Exit codes: 0 success, 1 AWS or network failure, 2 bad bundle or usage.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/mattermost-community/apps-plugin/localaws"
	"github.com/mattermost-community/apps-plugin/provision"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := runMain(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// runMain executes appsctl with args and returns the exit code.
func runMain(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	root := newRootCommand()
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return 0
	}
	fmt.Fprintln(stderr, "Error:", err)
	return exitCode(err)
}

// exitCode maps an error to the exit code: 2 for usage errors (including
// cobra's) and bad bundles, 1 for the rest.
func exitCode(err error) int {
	if err == nil {
		return 0
	}
	var pe *provision.Error
	if !errors.As(err, &pe) {
		msg := err.Error()
		for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand flag", "invalid argument", "accepts ", "requires at least", "if any flags in the group"} {
			if strings.HasPrefix(msg, p) {
				return 2
			}
		}
	}
	return provision.ExitCode(err)
}

// newRootCommand builds the appsctl command tree. Add new command groups here.
func newRootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "appsctl",
		Short: "A tool to develop, deploy and manage Mattermost Apps",
		Long: `appsctl develops, deploys and manages Mattermost Apps.

Exit codes: 0 success, 1 AWS or network failure, 2 bad bundle or usage.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return provision.UsageError("%w (see '%s --help')", err, c.CommandPath())
	})
	root.AddCommand(newLambdaCommand(), newProvisionCommand(), newGenerateTerraformDataCommand(),
		newAWSCommand(), newDeployCommand())
	return root
}

// newLambdaCommand is "appsctl lambda": local AWS Lambda tooling.
func newLambdaCommand() *cobra.Command {
	cmd := groupCommand("lambda", "Local AWS Lambda tools (run app bundles without AWS)")
	cmd.AddCommand(localaws.NewServeCommand())
	return cmd
}

// usageArgs makes an argument check fail with a usage error.
func usageArgs(check cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := check(cmd, args); err != nil {
			return provision.UsageError("%w (see '%s --help')", err, cmd.CommandPath())
		}
		return nil
	}
}

// groupCommand is a command that only holds subcommands: without arguments
// it prints its help; an unknown subcommand is a usage error.
func groupCommand(use, short string) *cobra.Command {
	return &cobra.Command{
		Use:               use,
		Short:             short,
		Args:              cobra.ArbitraryArgs,
		ValidArgsFunction: cobra.NoFileCompletions,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return provision.UsageError("unknown command %q for %q (see '%s --help')", args[0], cmd.CommandPath(), cmd.CommandPath())
			}
			return cmd.Help()
		},
	}
}
