// Constants injected at build time by webpack's DefinePlugin
// (see webpack.config.js) and by jest's `globals` in tests.
declare const PLUGIN_ID: string;
declare const PLUGIN_VERSION: string;

interface Window {
    // Provided by the Mattermost web app; see src/types/mattermost.ts.
    registerPlugin(id: string, plugin: import('./mattermost').PluginClass): void;

    // The web app's router history (used for in-app navigation), when present.
    WebappUtils?: {browserHistory?: {push(path: string): void}};

    // The web app's base path when it is served under a subpath.
    basename?: string;
}
