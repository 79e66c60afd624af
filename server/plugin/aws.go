package plugin

import (
	"fmt"

	"github.com/mattermost-community/apps-plugin/upstream"
	"github.com/mattermost-community/apps-plugin/upstream/upaws"
)

// awsParts reach apps deployed to AWS: Lambda for calls, S3 for manifests
// and static assets.
type awsParts struct {
	config     upaws.Config
	upstream   upstream.Upstream
	manifests  *upaws.Clients
	isNotFound func(error) bool
}

// newAWSParts reads the AWS settings from the server's environment. It
// returns nil (and no error) when no credentials are set: AWS apps are then
// unavailable, and saying so is the proxy's job.
func newAWSParts(getenv func(string) string) (*awsParts, error) {
	cfg := upaws.ConfigFromEnv(getenv)
	if !cfg.Configured() {
		return nil, nil
	}
	clients, err := upaws.NewClients(cfg)
	if err != nil {
		return nil, fmt.Errorf("AWS clients (%s): %w", cfg.Describe(), err)
	}
	return &awsParts{config: cfg, upstream: upaws.NewUpstream(clients), manifests: clients, isNotFound: upaws.IsNotFound}, nil
}
