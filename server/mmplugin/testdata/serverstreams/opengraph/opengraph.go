// Package opengraph mirrors github.com/dyatlov/go-opengraph/opengraph.OpenGraph,
// which 5.x/6.x servers register for post embeds.
package opengraph

type Image struct {
	URL       string
	SecureURL string
	Type      string
	Width     uint64
	Height    uint64
}

type OpenGraph struct {
	Type             string
	URL              string
	Title            string
	Description      string
	Determiner       string
	SiteName         string
	Locale           string
	LocalesAlternate []string
	Images           []*Image
}
