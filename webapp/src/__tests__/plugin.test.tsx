import {act, render, screen} from '@testing-library/react';
import React from 'react';
import {Provider} from 'react-redux';
import {createStore} from 'redux';

import Plugin, {wsEvent} from '../plugin';
import {fakeFetch, makeMMState, PLUGIN_KEY, SET_CHANNEL, SET_CONFIG, type StateOptions} from '../testing/helpers';
import type {Action, PluginRegistry, Reducer, Store} from '../types/mattermost';

const BINDINGS = 'GET /plugins/com.mattermost.apps/api/v1/bindings';

function fakeRegistry() {
    let n = 0;
    const ws: Record<string, (msg: unknown) => void> = {};
    let reconnect: (() => void) | null = null;
    const registry = {
        registerRootComponent: jest.fn(() => `root-${++n}`),
        registerChannelHeaderButtonAction: jest.fn(() => `header-${++n}`),
        registerPostDropdownMenuAction: jest.fn(() => `post-${++n}`),
        registerPostDropdownSubMenuAction: jest.fn(() => ({id: `sub-${++n}`, rootRegisterMenuItem: jest.fn()})),
        registerMainMenuAction: jest.fn(() => `menu-${++n}`),
        registerWebSocketEventHandler: jest.fn((event: string, h: (msg: unknown) => void) => {
            ws[event] = h;
        }),
        unregisterWebSocketEventHandler: jest.fn((event: string) => {
            delete ws[event];
        }),
        registerReconnectHandler: jest.fn((h: () => void) => {
            reconnect = h;
        }),
        unregisterReconnectHandler: jest.fn(),
        registerReducer: jest.fn(),
        unregisterComponent: jest.fn(),
    };
    return {registry: registry as typeof registry & PluginRegistry, ws, reconnect: () => reconnect?.()};
}

// A store whose plugin slice appears once registerReducer is called, as in
// the web app.
function makeWebappStore(opts: StateOptions) {
    let pluginReducer: Reducer | null = null;
    const reducer = (state: any, action: Action) => {
        let s = state;
        if (action.type === SET_CHANNEL) {
            s = {...s, entities: {...s.entities, channels: {...s.entities.channels, currentChannelId: action.channelId}}};
        }
        if (action.type === SET_CONFIG) {
            const g = s.entities.general;
            s = {...s, entities: {...s.entities, general: {...g, config: {...g.config, ...(action.config as object)}}}};
        }
        if (pluginReducer) {
            const p = pluginReducer(s[PLUGIN_KEY], action);
            if (p !== s[PLUGIN_KEY]) {
                s = {...s, [PLUGIN_KEY]: p};
            }
        }
        return s;
    };
    const store = createStore(reducer as any, makeMMState(opts) as any) as unknown as Store;
    return {
        store,
        setReducer: (r: Reducer) => {
            pluginReducer = r;
            store.dispatch({type: 'REDUCER_REGISTERED'});
        },
    };
}

function setup(opts: StateOptions = {}) {
    const fetch = fakeFetch({
        [BINDINGS]: (req) => [
            {
                location: '/channel_header',
                bindings: [{app_id: 'hello', label: `Send in ${req.url.searchParams.get('channel_id')}`, icon: 'http://x/i.png', submit: {path: '/send'}}],
            },
            {location: '/post_menu', bindings: [{app_id: 'hello', label: 'Echo', submit: {path: '/echo'}}]},
        ],
    });
    (global as any).fetch = fetch;
    const {registry, ws, reconnect} = fakeRegistry();
    const {store, setReducer} = makeWebappStore(opts);
    registry.registerReducer.mockImplementation((r: Reducer) => setReducer(r));
    const plugin = new Plugin();
    return {plugin, registry, store, fetch, ws, reconnect};
}

const bindingCalls = (fetch: ReturnType<typeof fakeFetch>) => fetch.calls.filter((c) => c.path.endsWith('/api/v1/bindings'));

describe('Plugin', () => {
    beforeEach(() => {
        jest.useFakeTimers();
    });
    afterEach(() => {
        jest.useRealTimers();
        delete (global as any).fetch;
    });

    it('stays silent where the core Apps UI is active', async () => {
        const {plugin, registry, store, fetch} = setup({config: {Version: '9.11.0', FeatureFlagAppsEnabled: 'true'}, withCoreApps: true});
        plugin.initialize(registry, store);
        await jest.advanceTimersByTimeAsync(1000);
        expect(plugin.isActive()).toBe(false);
        for (const fn of Object.values(registry)) {
            expect(fn).not.toHaveBeenCalled();
        }
        expect(fetch).not.toHaveBeenCalled();
        expect(document.getElementById('mmapps-styles-com.mattermost.apps')).toBeNull();
    });

    it('registers the Apps UI and keeps bindings in step with the channel', async () => {
        const {plugin, registry, store, fetch, ws, reconnect} = setup({config: {Version: '10.5.0', FeatureFlagAppsEnabled: 'false'}, withCoreApps: true});
        plugin.initialize(registry, store);
        expect(plugin.isActive()).toBe(true);
        expect(registry.registerReducer).toHaveBeenCalledTimes(1);
        expect(registry.registerRootComponent).toHaveBeenCalledTimes(1);
        expect(registry.registerMainMenuAction).toHaveBeenCalledWith('Apps', expect.any(Function), expect.anything());
        expect(Object.keys(ws).sort()).toEqual([
            wsEvent('com.mattermost.apps', 'plugin_disabled'),
            wsEvent('com.mattermost.apps', 'plugin_enabled'),
            'custom_com.mattermost.apps_refresh_bindings',
        ]);
        expect(registry.registerReconnectHandler).toHaveBeenCalledTimes(1);
        expect(document.getElementById('mmapps-styles-com.mattermost.apps')).not.toBeNull();

        // The first channel is fetched at once.
        await jest.advanceTimersByTimeAsync(0);
        expect(bindingCalls(fetch)).toHaveLength(1);
        expect(bindingCalls(fetch)[0].url.searchParams.get('channel_id')).toBe('chan1');
        expect(bindingCalls(fetch)[0].url.searchParams.get('team_id')).toBe('team1');
        expect(registry.registerChannelHeaderButtonAction).toHaveBeenCalledTimes(1);
        expect((registry.registerChannelHeaderButtonAction.mock.calls[0] as unknown[])[2]).toBe('Send in chan1');
        expect(registry.registerPostDropdownMenuAction).toHaveBeenCalledTimes(1);

        // Channel switch: new bindings, the old button goes.
        act(() => {
            store.dispatch({type: SET_CHANNEL, channelId: 'chan2'});
        });
        await jest.advanceTimersByTimeAsync(300);
        expect(bindingCalls(fetch)).toHaveLength(2);
        expect(bindingCalls(fetch)[1].url.searchParams.get('channel_id')).toBe('chan2');
        expect((registry.registerChannelHeaderButtonAction.mock.calls[1] as unknown[])[2]).toBe('Send in chan2');
        expect(registry.unregisterComponent).toHaveBeenCalledWith('header-3');
        // The post menu item did not change: not registered again.
        expect(registry.registerPostDropdownMenuAction).toHaveBeenCalledTimes(1);

        // Websocket refresh_bindings and reconnect, debounced together.
        ws['custom_com.mattermost.apps_refresh_bindings']({event: 'custom_com.mattermost.apps_refresh_bindings', data: {}, broadcast: {}, seq: 1});
        reconnect();
        await jest.advanceTimersByTimeAsync(300);
        expect(bindingCalls(fetch)).toHaveLength(3);

        // The main menu entry opens the marketplace.
        const openMarketplace = (registry.registerMainMenuAction.mock.calls[0] as unknown[])[1] as unknown as () => void;
        act(() => openMarketplace());
        expect((store.getState() as any)[PLUGIN_KEY].marketplaceOpen).toBe(true);

        // The root component renders inside the web app's Provider.
        const Root = (registry.registerRootComponent.mock.calls[0] as unknown[])[0] as unknown as React.ComponentType;
        (global as any).fetch = fakeFetch({'GET /plugins/com.mattermost.apps/api/v1/marketplace': () => []});
        render(<Provider store={store as any}><Root/></Provider>);
        expect(screen.getByRole('dialog', {name: 'Apps'})).toBeInTheDocument();
        await act(async () => {
            await jest.advanceTimersByTimeAsync(0);
        });
        expect(screen.getByText('No apps found.')).toBeInTheDocument();
    });

    it('steps back when the core UI turns on, and cleans up on uninitialize', async () => {
        const {plugin, registry, store, fetch} = setup({config: {Version: '10.5.0', FeatureFlagAppsEnabled: 'false'}, withCoreApps: true});
        plugin.initialize(registry, store);
        await jest.advanceTimersByTimeAsync(0);
        expect(plugin.isActive()).toBe(true);

        act(() => {
            store.dispatch({type: SET_CONFIG, config: {FeatureFlagAppsEnabled: 'true'}});
        });
        expect(plugin.isActive()).toBe(false);
        expect(registry.unregisterComponent).toHaveBeenCalledWith('root-1');
        expect(registry.unregisterComponent).toHaveBeenCalledWith('menu-2');
        expect(registry.unregisterWebSocketEventHandler).toHaveBeenCalledWith('custom_com.mattermost.apps_refresh_bindings');
        expect(registry.unregisterReconnectHandler).toHaveBeenCalled();
        expect(document.getElementById('mmapps-styles-com.mattermost.apps')).toBeNull();

        act(() => {
            store.dispatch({type: SET_CHANNEL, channelId: 'chan2'});
        });
        await jest.advanceTimersByTimeAsync(1000);
        expect(bindingCalls(fetch)).toHaveLength(1);

        // Flag off again: back, without registering the reducer twice.
        act(() => {
            store.dispatch({type: SET_CONFIG, config: {FeatureFlagAppsEnabled: 'false'}});
        });
        expect(plugin.isActive()).toBe(true);
        expect(registry.registerReducer).toHaveBeenCalledTimes(1);
        await jest.advanceTimersByTimeAsync(0);
        expect(bindingCalls(fetch)).toHaveLength(2);

        plugin.uninitialize();
        expect(plugin.isActive()).toBe(false);
        expect(plugin.isInitialized()).toBe(false);
        act(() => {
            store.dispatch({type: SET_CHANNEL, channelId: 'chan1'});
        });
        await jest.advanceTimersByTimeAsync(1000);
        expect(bindingCalls(fetch)).toHaveLength(2);
    });

    it('copes with a bare registry and store', () => {
        const plugin = new Plugin();
        expect(() => plugin.initialize({} as PluginRegistry, {getState: () => ({})} as unknown as Store)).not.toThrow();
        expect(() => plugin.uninitialize()).not.toThrow();
    });
});
