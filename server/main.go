// Command plugin is the server half of the Mattermost Apps plugin: the
// executable a Mattermost server starts from the plugin bundle.
package main

import (
	"github.com/mattermost-community/apps-plugin/server/mmplugin"
	"github.com/mattermost-community/apps-plugin/server/plugin"
)

// Set at link time by the Makefile (-ldflags -X); read once in main.
var (
	pluginID  = "com.mattermost.apps"
	version   = "0.0.0-dev"
	buildHash = "dev"
	buildDate = ""
)

func main() {
	mmplugin.ClientMain(plugin.New(plugin.BuildInfo{
		PluginID: pluginID, Version: version, BuildHash: buildHash, BuildDate: buildDate,
	}))
}
