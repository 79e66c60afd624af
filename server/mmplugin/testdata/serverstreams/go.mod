// A stand-in for the Mattermost server's plugin and model packages, used only to
// write the golden gob streams next to it. Regenerate with:
//
//	cd server/mmplugin/testdata/serverstreams && go run .
module serverstreams

go 1.26
