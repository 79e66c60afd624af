// Constants injected at build time by webpack's DefinePlugin
// (see webpack.config.js) and by jest's `globals` in tests.
declare const PLUGIN_ID: string;
declare const PLUGIN_VERSION: string;

interface Window {
    // Provided by the Mattermost web app; see src/types/mattermost.ts.
    registerPlugin(id: string, plugin: import('./mattermost').PluginClass): void;
}
