package apps

// ListedApp is an app in the marketplace listing.
type ListedApp struct {
	Manifest  Manifest           `json:"manifest"`
	Installed bool               `json:"installed"`
	Enabled   bool               `json:"enabled"`
	IconURL   string             `json:"icon_url,omitempty"`
	Labels    []MarketplaceLabel `json:"labels,omitempty"`
}
