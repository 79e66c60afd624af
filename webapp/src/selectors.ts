// Reads of the web app's (mattermost-redux) state. Every read tolerates a
// missing slice: servers differ, and tests use partial states.

import type {Post} from '@mattermost/types/posts';
import type {UserProfile} from '@mattermost/types/users';

import type {GlobalState} from './types/mattermost';

type AnyState = GlobalState | Record<string, unknown>;

function entities(state: AnyState): Partial<GlobalState['entities']> {
    return ((state as Partial<GlobalState>)?.entities ?? {}) as Partial<GlobalState['entities']>;
}

export function getConfig(state: AnyState): Partial<GlobalState['entities']['general']['config']> {
    return entities(state).general?.config ?? {};
}

export function getCurrentChannelId(state: AnyState): string {
    return entities(state).channels?.currentChannelId ?? '';
}

export function getCurrentTeamId(state: AnyState): string {
    return entities(state).teams?.currentTeamId ?? '';
}

// The team of the current channel (DMs and GMs have none: use the current
// team then).
export function getCurrentChannelTeamId(state: AnyState): string {
    const channelId = getCurrentChannelId(state);
    const channel = entities(state).channels?.channels?.[channelId];
    return channel?.team_id || getCurrentTeamId(state);
}

export function getCurrentUserId(state: AnyState): string {
    return entities(state).users?.currentUserId ?? '';
}

export function getCurrentUser(state: AnyState): UserProfile | undefined {
    const id = getCurrentUserId(state);
    return entities(state).users?.profiles?.[id];
}

export function getCurrentLocale(state: AnyState): string {
    return getCurrentUser(state)?.locale || getConfig(state).DefaultClientLocale || 'en';
}

export function isSystemAdmin(state: AnyState): boolean {
    const roles = getCurrentUser(state)?.roles ?? '';
    return roles.split(' ').includes('system_admin');
}

export function getPost(state: AnyState, postId: string): Post | undefined {
    return entities(state).posts?.posts?.[postId];
}

export function getChannelTeamId(state: AnyState, channelId: string): string {
    return entities(state).channels?.channels?.[channelId]?.team_id || getCurrentTeamId(state);
}

// The site URL the plugin's routes hang off: the configured SiteURL, else
// this page's origin and base path.
export function getSiteURL(state: AnyState): string {
    const configured = getConfig(state).SiteURL;
    if (configured) {
        return configured.replace(/\/+$/, '');
    }
    if (typeof window === 'undefined') {
        return '';
    }
    return window.location.origin + (window.basename ?? '').replace(/\/+$/, '');
}

// hasAppBar: the server shows plugin icons in the App Bar (7.0+, unless
// turned off by ExperimentalSettings.DisableAppBar or, on 7.x, by the
// AppBarEnabled feature flag).
export function hasAppBar(state: AnyState): boolean {
    const config = getConfig(state) as Record<string, unknown>;
    if (config.DisableAppBar === 'true') {
        return false;
    }
    if (config.FeatureFlagAppBarEnabled !== undefined) {
        return config.FeatureFlagAppBarEnabled === 'true';
    }
    const major = /^(\d+)\./.exec(String(config.Version ?? ''));
    return major ? Number(major[1]) >= 7 : false;
}
