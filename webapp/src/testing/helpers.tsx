// Test helpers: a Mattermost-like Redux store with the plugin's reducer
// mounted where registerReducer puts it, a routed fake fetch, and render
// wrappers that provide the store and the controller.

import {render, type RenderResult} from '@testing-library/react';
import React from 'react';
import {Provider} from 'react-redux';
import {createStore} from 'redux';

import {createClients, type Clients} from '../client';
import {Controller, getControllerContext, type Navigator} from '../controller';
import {pluginReducer, setPluginStateKey, type PluginState} from '../state';
import type {Action, GlobalState, Store} from '../types/mattermost';

export const PLUGIN_KEY = 'plugins-com.mattermost.apps';
export const SITE_URL = 'http://mm.test';

export interface StateOptions {
    channelId?: string;
    teamId?: string;
    roles?: string;
    config?: Record<string, string>;
    posts?: Record<string, {id: string; channel_id: string; root_id?: string; type?: string}>;
    withCoreApps?: boolean;
}

export function makeMMState(opts: StateOptions = {}): Record<string, unknown> {
    const channelId = opts.channelId ?? 'chan1';
    const teamId = opts.teamId ?? 'team1';
    return {
        entities: {
            general: {config: {SiteURL: SITE_URL, Version: '10.5.0', ...opts.config}},
            users: {
                currentUserId: 'user1',
                profiles: {user1: {id: 'user1', username: 'alice', roles: opts.roles ?? 'system_user', locale: 'en'}},
            },
            teams: {currentTeamId: teamId},
            channels: {
                currentChannelId: channelId,
                channels: {
                    chan1: {id: 'chan1', team_id: 'team1', name: 'town-square', display_name: 'Town Square', type: 'O'},
                    chan2: {id: 'chan2', team_id: 'team1', name: 'off-topic', display_name: 'Off-Topic', type: 'O'},
                },
            },
            posts: {posts: opts.posts ?? {}},
            ...(opts.withCoreApps ? {apps: {main: {bindings: [], forms: {}}, rhs: {bindings: [], forms: {}}, pluginEnabled: true}} : {}),
        },
    };
}

export const SET_CHANNEL = 'TEST_SET_CHANNEL';
export const SET_CONFIG = 'TEST_SET_CONFIG';

// makeStore is a real Redux store over a Mattermost-like state; extra
// reducers (what registerReducer adds) live at their plugin keys.
export function makeStore(opts: StateOptions = {}, withPluginReducer = true): Store & {replaceMM: (fn: (s: any) => any) => void} {
    setPluginStateKey('com.mattermost.apps');
    const initial = makeMMState(opts);
    let mm = initial;
    const reducer = (state: any = {}, action: Action) => {
        if (action.type === SET_CHANNEL) {
            const e = state.entities;
            mm = {...state, entities: {...e, channels: {...e.channels, currentChannelId: action.channelId}}};
            state = mm;
        } else if (action.type === SET_CONFIG) {
            const e = state.entities;
            mm = {...state, entities: {...e, general: {...e.general, config: {...e.general.config, ...(action.config as object)}}}};
            state = mm;
        } else if (action.type === 'TEST_REPLACE') {
            state = (action.fn as (s: any) => any)(state);
        }
        if (!withPluginReducer) {
            return state;
        }
        const plugin = pluginReducer(state[PLUGIN_KEY] as PluginState | undefined, action);
        return plugin === state[PLUGIN_KEY] ? state : {...state, [PLUGIN_KEY]: plugin};
    };
    const store = createStore(reducer as any, initial as any) as unknown as Store;
    return Object.assign(store, {
        replaceMM: (fn: (s: any) => any) => store.dispatch({type: 'TEST_REPLACE', fn}),
    });
}

export interface FakeRequest {
    method: string;
    url: URL;
    path: string;
    headers: Record<string, string>;
    body: any;
}

// RawResponse is a handler answer with a status and/or a non-JSON body;
// anything else a handler returns is sent as JSON with status 200.
export class RawResponse {
    constructor(public status: number, public body: string) {}
}

export function raw(status: number, body: unknown = ''): RawResponse {
    return new RawResponse(status, typeof body === 'string' ? body : JSON.stringify(body));
}

export type RouteResult = RawResponse | unknown;
export type RouteHandler = (req: FakeRequest) => RouteResult | Promise<RouteResult>;

// fakeFetch routes "METHOD /path" (query ignored) to handlers. A handler's
// answer is sent as JSON unless it is a RawResponse (see raw()).
export function fakeFetch(routes: Record<string, RouteHandler>) {
    const calls: FakeRequest[] = [];
    const fn = jest.fn(async (input: string, init: RequestInit = {}) => {
        const url = new URL(input);
        const method = (init.method ?? 'GET').toUpperCase();
        const req: FakeRequest = {
            method,
            url,
            path: url.pathname,
            headers: (init.headers ?? {}) as Record<string, string>,
            body: typeof init.body === 'string' ? JSON.parse(init.body) : undefined,
        };
        calls.push(req);
        const signal = init.signal;
        if (signal?.aborted) {
            throw new DOMException('aborted', 'AbortError');
        }
        const handler = routes[`${method} ${url.pathname}`];
        let status = 404;
        let text = 'not found';
        if (handler) {
            const res = await handler(req);
            if (signal?.aborted) {
                throw new DOMException('aborted', 'AbortError');
            }
            if (res instanceof RawResponse) {
                status = res.status;
                text = res.body;
            } else {
                status = 200;
                text = JSON.stringify(res);
            }
        }
        return {
            ok: status >= 200 && status < 300,
            status,
            text: async () => text,
        } as Response;
    });
    return Object.assign(fn, {calls});
}

export function makeClients(fetchImpl: ReturnType<typeof fakeFetch>): Clients {
    return createClients('com.mattermost.apps', () => SITE_URL, fetchImpl as any);
}

export function makeController(store: Store, fetchImpl: ReturnType<typeof fakeFetch>, navigate?: Navigator): Controller {
    return new Controller(store, makeClients(fetchImpl), null, navigate ?? jest.fn());
}

export function pluginState(store: Store): PluginState {
    return (store.getState() as unknown as Record<string, PluginState>)[PLUGIN_KEY];
}

export function renderWith(ui: React.ReactElement, store: Store, ctl: Controller): RenderResult {
    const Ctx = getControllerContext();
    return render(
        <Provider store={store as any}>
            <Ctx.Provider value={ctl}>{ui}</Ctx.Provider>
        </Provider>,
    );
}

export type {GlobalState};
