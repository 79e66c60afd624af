// Command appsctl is the command-line tool for Mattermost Apps developers and
// operators.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/mattermost-community/apps-plugin/localaws"
)

func main() {
	if err := newRootCommand().ExecuteContext(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "Error:", err)
		os.Exit(1)
	}
}

// newRootCommand builds the appsctl command tree. Add new command groups here.
func newRootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:           "appsctl",
		Short:         "A tool to develop, deploy and manage Mattermost Apps",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(newLambdaCommand())
	return root
}

// newLambdaCommand is "appsctl lambda": local AWS Lambda tooling.
func newLambdaCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "lambda",
		Short: "Local AWS Lambda tools (run app bundles without AWS)",
	}
	cmd.AddCommand(localaws.NewServeCommand())
	return cmd
}
