/**
 * @jest-environment node
 */

// Builds the real bundle with webpack (production mode, custom PLUGIN_ID and
// PLUGIN_VERSION) into a temp dir and runs it as a classic script, the way
// the Mattermost web client does.

import fs from 'fs';
import os from 'os';
import path from 'path';
import vm from 'vm';

import webpack from 'webpack';

jest.setTimeout(120000);

const webappDir = path.resolve(__dirname, '../..');

function build(env: Record<string, string>): Promise<string> {
    const saved: Record<string, string | undefined> = {};
    for (const [k, v] of Object.entries(env)) {
        saved[k] = process.env[k];
        process.env[k] = v;
    }
    try {
        const configPath = path.join(webappDir, 'webpack.config.js');
        jest.resetModules();
        const makeConfig = require(configPath) as (env: unknown, argv: {mode?: string}) => webpack.Configuration;
        const config = makeConfig({}, {mode: 'production'});
        const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'apps-webapp-'));
        config.output = {...config.output, path: outDir};

        return new Promise((resolve, reject) => {
            webpack(config, (err, stats) => {
                if (err) {
                    reject(err);
                    return;
                }
                if (!stats || stats.hasErrors()) {
                    reject(new Error(stats?.toString('errors-only') ?? 'no stats'));
                    return;
                }
                resolve(path.join(outDir, 'main.js'));
            });
        });
    } finally {
        for (const [k, v] of Object.entries(saved)) {
            if (v === undefined) {
                delete process.env[k];
            } else {
                process.env[k] = v;
            }
        }
    }
}

describe('production bundle', () => {
    let bundlePath: string;
    let code: string;

    beforeAll(async () => {
        bundlePath = await build({PLUGIN_ID: 'com.example.bundle-test', PLUGIN_VERSION: '9.8.7'});
        code = fs.readFileSync(bundlePath, 'utf8');
    });

    afterAll(() => {
        if (bundlePath) {
            fs.rmSync(path.dirname(bundlePath), {recursive: true, force: true});
        }
    });

    it('is a single minified classic script', () => {
        expect(fs.readdirSync(path.dirname(bundlePath))).toEqual(['main.js']);
        expect(code).not.toMatch(/^\s*(import|export)\s/m);
        expect(code.split('\n').length).toBeLessThanOrEqual(2);
    });

    it('registers itself with the injected id when run as a script', () => {
        const registerPlugin = jest.fn();
        const window: Record<string, unknown> = {registerPlugin};
        const context = vm.createContext({window, ...window});
        vm.runInContext(code, context, {filename: 'main.js'});

        expect(registerPlugin).toHaveBeenCalledTimes(1);
        const [id, plugin] = registerPlugin.mock.calls[0];
        expect(id).toBe('com.example.bundle-test');
        expect(typeof plugin.initialize).toBe('function');
        expect(typeof plugin.uninitialize).toBe('function');
        expect(() => plugin.initialize({}, {getState: () => ({})})).not.toThrow();
        expect(() => plugin.uninitialize()).not.toThrow();
    });

    it('stays under the size budget (externals excluded)', () => {
        expect(Buffer.byteLength(code)).toBeLessThan(150 * 1024);
        // React, ReactDOM, Redux and ReactRedux come from the web app.
        expect(code).not.toContain('react.production.min');
        expect(code).not.toMatch(/__SECRET_INTERNALS_DO_NOT_USE_OR_YOU_WILL_BE_FIRED/);
    });

    it('registers the Apps UI with the web app globals when the core UI is off', async () => {
        const registerPlugin = jest.fn();
        const fetch = jest.fn(async () => ({ok: true, status: 200, text: async () => '[]'}));
        const window: Record<string, unknown> = {
            registerPlugin,
            React: require('react'),
            ReactDOM: require('react-dom'),
            Redux: require('redux'),
            ReactRedux: require('react-redux'),
            location: {origin: 'http://mm.test', href: 'http://mm.test/'},
        };
        const context = vm.createContext({
            window, ...window, fetch, setTimeout, clearTimeout, AbortController, URLSearchParams, URL, console,
        });
        vm.runInContext(code, context, {filename: 'main.js'});
        const plugin = registerPlugin.mock.calls[0][1];

        const registry = {
            registerRootComponent: jest.fn(() => 'root'),
            registerMainMenuAction: jest.fn(() => 'menu'),
            registerReducer: jest.fn(),
            registerWebSocketEventHandler: jest.fn(),
            registerReconnectHandler: jest.fn(),
            unregisterComponent: jest.fn(),
        };
        const state = {
            entities: {
                general: {config: {Version: '10.5.0', FeatureFlagAppsEnabled: 'false', SiteURL: 'http://mm.test'}},
                channels: {currentChannelId: 'c1', channels: {}},
                teams: {currentTeamId: 't1'},
                users: {currentUserId: 'u1', profiles: {}},
            },
        };
        plugin.initialize(registry, {getState: () => state, dispatch: jest.fn(), subscribe: jest.fn(() => () => undefined)});
        expect(registry.registerRootComponent).toHaveBeenCalledTimes(1);
        expect(registry.registerMainMenuAction).toHaveBeenCalledWith('Apps', expect.any(Function), expect.anything());
        expect(registry.registerWebSocketEventHandler).toHaveBeenCalledWith('custom_com.example.bundle-test_refresh_bindings', expect.any(Function));
        await new Promise((r) => setTimeout(r, 20));
        expect(fetch).toHaveBeenCalledWith(
            'http://mm.test/plugins/com.example.bundle-test/api/v1/bindings?channel_id=c1&team_id=t1&user_agent_type=webapp',
            expect.objectContaining({credentials: 'include'}),
        );
        plugin.uninitialize();
        expect(registry.unregisterComponent).toHaveBeenCalledWith('root');
    });
});
