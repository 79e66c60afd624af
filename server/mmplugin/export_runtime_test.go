package mmplugin

import goplugin "github.com/hashicorp/go-plugin"

// Test hooks for the external runtime tests (runtime_test.go, package
// mmplugin_test), which need test/fakemm and so cannot live in this package.

// NewHooksServer returns the plugin side's hook receiver for impl, as the
// plugin process's go-plugin Server does.
func NewHooksServer(impl Plugin, b *goplugin.MuxBroker) any {
	return &hooksRPCServer{impl: impl, broker: b}
}

// StreamHTTPDisabled reports whether api, the API client a plugin got in
// OnActivate, has learned that the server lacks Plugin.PluginHTTPStream.
func StreamHTTPDisabled(api API) bool {
	c, ok := api.(*apiRPCClient)
	return ok && c.noStreamHTTP.Load()
}
