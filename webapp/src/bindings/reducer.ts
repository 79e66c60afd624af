// Bindings state: what the plugin answered for the current channel/team,
// and the fetch status used for back-off.

import type {Binding} from '../types/apps';
import type {Action} from '../types/mattermost';

export const BINDINGS_REQUEST = 'apps_plugin/bindings_request';
export const BINDINGS_SUCCESS = 'apps_plugin/bindings_success';
export const BINDINGS_FAILURE = 'apps_plugin/bindings_failure';
export const BINDINGS_DISABLED = 'apps_plugin/bindings_disabled';
export const BINDINGS_CLEAR = 'apps_plugin/bindings_clear';

export type BindingsStatus = 'idle' | 'loading' | 'ok' | 'error' | 'disabled';

export interface BindingsState {
    // The channel and team the bindings are for.
    channelId: string;
    teamId: string;

    // Top-level bindings (/channel_header, /post_menu, /command), with full
    // locations and app ids filled in (see fillBindings).
    bindings: Binding[];

    status: BindingsStatus;
    error: string;

    // Consecutive failed fetches, and when the next fetch may run (epoch ms).
    failures: number;
    retryAt: number;

    updatedAt: number;
}

export const initialBindingsState: BindingsState = {
    channelId: '',
    teamId: '',
    bindings: [],
    status: 'idle',
    error: '',
    failures: 0,
    retryAt: 0,
    updatedAt: 0,
};

export type BindingsAction =
    | {type: typeof BINDINGS_REQUEST; channelId: string; teamId: string}
    | {type: typeof BINDINGS_SUCCESS; channelId: string; teamId: string; bindings: Binding[]; at: number}
    | {type: typeof BINDINGS_FAILURE; channelId: string; teamId: string; error: string; failures: number; retryAt: number}
    | {type: typeof BINDINGS_DISABLED}
    | {type: typeof BINDINGS_CLEAR};

export function bindingsReducer(state: BindingsState = initialBindingsState, action: Action): BindingsState {
    const a = action as BindingsAction;
    switch (a.type) {
    case BINDINGS_REQUEST:
        return {...state, status: 'loading', channelId: a.channelId, teamId: a.teamId};
    case BINDINGS_SUCCESS:
        return {
            ...state,
            channelId: a.channelId,
            teamId: a.teamId,
            bindings: a.bindings,
            status: 'ok',
            error: '',
            failures: 0,
            retryAt: 0,
            updatedAt: a.at,
        };
    case BINDINGS_FAILURE:
        return {...state, status: 'error', error: a.error, failures: a.failures, retryAt: a.retryAt};
    case BINDINGS_DISABLED:
        return {...initialBindingsState, status: 'disabled'};
    case BINDINGS_CLEAR:
        return {...state, bindings: [], status: state.status === 'disabled' ? 'disabled' : 'idle'};
    default:
        return state;
    }
}
