// The plugin's Redux state, mounted by registry.registerReducer at
// state['plugins-<pluginid>'].

import {bindingsReducer, initialBindingsState, type BindingsState} from './bindings/reducer';
import type {Context, Form} from './types/apps';
import type {Action, GlobalState} from './types/mattermost';

export const OPEN_FORM = 'apps_plugin/open_form';
export const CLOSE_FORM = 'apps_plugin/close_form';
export const OPEN_MARKETPLACE = 'apps_plugin/open_marketplace';
export const CLOSE_MARKETPLACE = 'apps_plugin/close_marketplace';
export const APPS_CHANGED = 'apps_plugin/apps_changed';
export const ADD_NOTICE = 'apps_plugin/add_notice';
export const DISMISS_NOTICE = 'apps_plugin/dismiss_notice';
export const APP_INFO = 'apps_plugin/app_info';

// The context a form's calls are made in: the binding's app, location and
// the channel/team/post it was opened for.
export type CallContext = Pick<Context, 'app_id' | 'channel_id' | 'team_id' | 'post_id' | 'root_post_id' | 'location'>;

export interface OpenFormState {
    // Changes with every open, so the modal resets.
    key: number;
    form: Form;
    context: CallContext;
}

export type NoticeKind = 'ok' | 'error';

export interface Notice {
    id: number;
    kind: NoticeKind;
    appId: string;
    channelId: string;
    text: string;
}

export interface AppInfo {
    displayName: string;
    iconURL?: string;
}

export interface PluginState {
    bindings: BindingsState;
    form: OpenFormState | null;
    marketplaceOpen: boolean;
    // Bumped after an install/enable/disable/uninstall so lists reload.
    appsVersion: number;
    notices: Notice[];
    apps: Record<string, AppInfo>;
}

export const initialPluginState: PluginState = {
    bindings: initialBindingsState,
    form: null,
    marketplaceOpen: false,
    appsVersion: 0,
    notices: [],
    apps: {},
};

// How many notices are kept per channel.
export const MAX_NOTICES = 3;

let nextKey = 1;

export const actions = {
    openForm: (form: Form, context: CallContext) => ({type: OPEN_FORM, form, context, key: nextKey++}),
    closeForm: () => ({type: CLOSE_FORM}),
    openMarketplace: () => ({type: OPEN_MARKETPLACE}),
    closeMarketplace: () => ({type: CLOSE_MARKETPLACE}),
    appsChanged: () => ({type: APPS_CHANGED}),
    addNotice: (n: Omit<Notice, 'id'>) => ({type: ADD_NOTICE, notice: {...n, id: nextKey++}}),
    dismissNotice: (id: number) => ({type: DISMISS_NOTICE, id}),
    appInfo: (apps: Record<string, AppInfo>) => ({type: APP_INFO, apps}),
};

export function pluginReducer(state: PluginState = initialPluginState, action: Action): PluginState {
    const bindings = bindingsReducer(state.bindings, action);
    const s = bindings === state.bindings ? state : {...state, bindings};
    switch (action.type) {
    case OPEN_FORM:
        return {...s, form: {key: action.key as number, form: action.form as Form, context: action.context as CallContext}};
    case CLOSE_FORM:
        return s.form ? {...s, form: null} : s;
    case OPEN_MARKETPLACE:
        return {...s, marketplaceOpen: true};
    case CLOSE_MARKETPLACE:
        return {...s, marketplaceOpen: false};
    case APPS_CHANGED:
        return {...s, appsVersion: s.appsVersion + 1};
    case ADD_NOTICE: {
        const n = action.notice as Notice;
        const same = s.notices.filter((x) => x.channelId === n.channelId);
        const drop = new Set(same.slice(0, Math.max(0, same.length - MAX_NOTICES + 1)).map((x) => x.id));
        return {...s, notices: [...s.notices.filter((x) => !drop.has(x.id)), n]};
    }
    case DISMISS_NOTICE:
        return {...s, notices: s.notices.filter((x) => x.id !== action.id)};
    case APP_INFO:
        return {...s, apps: {...s.apps, ...(action.apps as Record<string, AppInfo>)}};
    default:
        return s;
    }
}

// The plugin's state key; set once at start-up from PLUGIN_ID.
let stateKey = 'plugins-com.mattermost.apps';

export function setPluginStateKey(pluginId: string): void {
    stateKey = `plugins-${pluginId}`;
}

export function getPluginState(state: GlobalState | Record<string, unknown>): PluginState {
    return ((state as Record<string, unknown>)[stateKey] as PluginState | undefined) ?? initialPluginState;
}
