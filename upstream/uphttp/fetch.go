package uphttp

import (
	"context"
	"fmt"
	"io"
	"net/http"
)

// Fetch GETs rawURL with the upstream's client, so the outgoing request
// policy applies (an admin-given manifest URL must not reach internal hosts
// the policy refuses), and returns the body, at most limit bytes.
func (u *Upstream) Fetch(ctx context.Context, rawURL string, limit int64) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", rawURL, err)
	}
	resp, err := u.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", rawURL, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: status %s", rawURL, resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", rawURL, err)
	}
	if int64(len(body)) > limit {
		return nil, fmt.Errorf("GET %s: the answer is over the %d-byte limit", rawURL, limit)
	}
	return body, nil
}
