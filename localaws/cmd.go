package localaws

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/spf13/cobra"
)

// NewServeCommand returns the "serve" command (mounted by appsctl as
// "appsctl lambda serve"): it runs a local Lambda + IAM endpoint until
// interrupted.
func NewServeCommand() *cobra.Command {
	opts := Options{}
	var verbose bool
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run a local AWS Lambda (and IAM) endpoint for offline app development",
		Long: `Run a local stand-in for AWS Lambda and IAM.

Functions created through it (provided.al2, provided.al2023 and go1.x runtimes,
code uploaded as a zip) run as local processes. Point AWS SDKs and appsctl at
the printed endpoint; any access key works, but requests must be SigV4-signed.
Functions, code and IAM state are kept in --dir and reloaded on restart;
function output goes to <dir>/logs/<function>.log.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if verbose {
				opts.Logger = slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), &slog.HandlerOptions{Level: slog.LevelDebug}))
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return Serve(ctx, opts, cmd.OutOrStdout())
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Addr, "addr", "127.0.0.1:9071", "listen address (host:port; port 0 picks a free one)")
	f.StringVar(&opts.Dir, "dir", defaultDataDir(), "data directory (functions, code, IAM state, logs)")
	f.StringVar(&opts.Region, "region", DefaultRegion, "region used in ARNs and given to functions")
	f.IntVar(&opts.MaxInstances, "max-instances", DefaultMaxInstances, "maximum concurrent instances per function")
	f.DurationVar(&opts.DefaultTimeout, "default-timeout", DefaultTimeout, "timeout of functions created without one")
	f.BoolVarP(&verbose, "verbose", "v", false, "log server diagnostics to stderr")
	return cmd
}

func defaultDataDir() string {
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "mattermost-apps", "localaws")
	}
	return ".localaws"
}

func printServeBanner(w io.Writer, s *Server) {
	u := s.URL()
	fmt.Fprintf(w, "Local AWS Lambda endpoint: %s\n", u)
	fmt.Fprintf(w, "Data dir: %s (function logs in %s)\n\n", s.Dir(), filepath.Join(s.Dir(), "logs"))
	fmt.Fprintf(w, "Use it with:\n")
	for _, kv := range [][2]string{
		{"AWS_ENDPOINT_URL_LAMBDA", u},
		{"AWS_ENDPOINT_URL_IAM", u},
		{"AWS_ENDPOINT_URL_STS", u},
		{"AWS_REGION", s.Region()},
		{"AWS_ACCESS_KEY_ID", "localaws"},
		{"AWS_SECRET_ACCESS_KEY", "localaws"},
		{"MM_APPS_AWS_REGION", s.Region()},
		{"MM_APPS_AWS_ACCESS_KEY", "localaws"},
		{"MM_APPS_AWS_SECRET_KEY", "localaws"},
		{"MM_APPS_DEPLOY_AWS_ACCESS_KEY", "localaws"},
		{"MM_APPS_DEPLOY_AWS_SECRET_KEY", "localaws"},
	} {
		fmt.Fprintf(w, "  export %s=%s\n", kv[0], kv[1])
	}
	fmt.Fprintf(w, "\nPress Ctrl+C to stop.\n")
}

// Serve starts a server with opts, prints the banner to w and serves until ctx
// is done. It is what the serve command runs.
func Serve(ctx context.Context, opts Options, w io.Writer) error {
	srv, err := Start(ctx, opts)
	if err != nil {
		return err
	}
	printServeBanner(w, srv)
	<-ctx.Done()
	fmt.Fprintln(w, "Stopping: killing function instances...")
	closeCtx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- srv.Close() }()
	select {
	case err := <-done:
		return err
	case <-closeCtx.Done():
		return fmt.Errorf("localaws: close: %w", closeCtx.Err())
	}
}
