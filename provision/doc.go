// Package provision deploys Mattermost App bundles to AWS: each Lambda
// function of the bundle is created or updated (named by apps.LambdaName,
// with the execute role, memory, timeout and environment), the static
// assets are uploaded to S3 in parallel (apps.StaticS3Key), the invoke
// policy's AllowLambda statement is extended with the functions, and the
// manifest is uploaded last (apps.ManifestS3Key), so that a listed manifest
// never points at missing functions.
//
// It is what appsctl's "provision app", "aws init|clean|test" and
// "deploy watch" commands run; tests and demos call it in-process:
//
//	clients, err := provision.Config{...}.NewClients(ctx)
//	p, err := provision.New(clients, provision.Options{OnEvent: print})
//	b, err := provision.OpenBundle(ctx, "bundle.zip", provision.OpenOptions{S3: clients.S3})
//	defer b.Close()
//	plan, err := p.Plan(ctx, b.Bundle)   // reads AWS, changes nothing
//	report, err := p.Apply(ctx, plan)   // or p.Provision(ctx, b.Bundle, dryRun)
//
// Provisioning is idempotent: functions are compared by CodeSha256 and
// configuration, S3 objects by the SHA-256 stored in their metadata (or
// size and MD5 ETag), and unchanged ones are left alone. Differences from
// what exists are only applied with Options.Update. go1.x functions are
// deployed as provided.al2023 (bundle.ConvertGo1x).
//
// Errors carry a Kind (see ExitCode): bad bundles and usage are exit code
// 2, AWS and network failures 1.
package provision
