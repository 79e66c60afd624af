package upstream

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/mattermost-community/apps-plugin/apps"
)

// Call is Roundtrip + decode: it sends creq synchronously, reads at most
// MaxResponseSize bytes of the response, decodes the CallResponse and
// defaults its Type to "ok".
func Call(ctx context.Context, up Upstream, app apps.App, creq apps.CallRequest) (apps.CallResponse, error) {
	body, err := up.Roundtrip(ctx, app, creq, false)
	if err != nil {
		return apps.CallResponse{}, err
	}
	if body == nil {
		return apps.CallResponse{}, fmt.Errorf("app %q: call %s: no response body", app.AppID, creq.Path)
	}
	defer body.Close()

	data, err := ReadAll(body, MaxResponseSize, app.AppID, "the response to "+creq.Path)
	if err != nil {
		if errors.Is(err, apps.ErrTooLarge) {
			return apps.CallResponse{}, err
		}
		return apps.CallResponse{}, fmt.Errorf("app %q: call %s: read response: %w", app.AppID, creq.Path, err)
	}
	var resp apps.CallResponse
	if err := json.Unmarshal(data, &resp); err != nil {
		return apps.CallResponse{}, fmt.Errorf("app %q: call %s: decode call response %q: %w",
			app.AppID, creq.Path, Excerpt(data), err)
	}
	if resp.Type == "" {
		resp.Type = apps.CallResponseTypeOK
	}
	return resp, nil
}
