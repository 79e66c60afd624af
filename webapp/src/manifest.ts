// Plugin identity, injected at build time from the environment
// (PLUGIN_ID / PLUGIN_VERSION, see webpack.config.js). The id must equal the
// server-side manifest id, or the web client will not match the bundle to
// the plugin.

const DEFAULT_PLUGIN_ID = 'com.mattermost.apps';
const DEFAULT_PLUGIN_VERSION = '0.0.0-dev';

export const id: string = typeof PLUGIN_ID === 'undefined' ? DEFAULT_PLUGIN_ID : PLUGIN_ID;
export const version: string = typeof PLUGIN_VERSION === 'undefined' ? DEFAULT_PLUGIN_VERSION : PLUGIN_VERSION;

const manifest = {id, version};
export default manifest;
