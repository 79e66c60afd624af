// Local typings for the parts of the Mattermost web app plugin API this
// plugin uses (PLUGIN_PROTOCOL.md §7). Registry methods also accept a single
// object with the named keys; only the positional forms are typed here.
// Every method is optional at run time: servers differ in what they offer,
// so callers check before calling.

import type React from 'react';

import type {Channel as MMChannel, ChannelMembership as MMChannelMembership} from '@mattermost/types/channels';
import type {GlobalState as MMGlobalState} from '@mattermost/types/store';

export type Action = {type: string; [key: string]: unknown};
export type Reducer<S = unknown> = (state: S | undefined, action: Action) => S;

// The web app's Redux state (mattermost-redux's GlobalState). Plugin
// reducers are mounted at state['plugins-<pluginid>'].
export type GlobalState = MMGlobalState & {[pluginKey: `plugins-${string}`]: unknown};

// The subset of the web app's Redux store plugins get in initialize().
export interface Store<S = GlobalState> {
    getState(): S;
    dispatch(action: unknown): unknown;
    subscribe(listener: () => void): () => void;
}

export type Channel = MMChannel;
export type ChannelMembership = MMChannelMembership;

// Websocket message as delivered to registerWebSocketEventHandler handlers.
// Plugin events arrive as `custom_<pluginid>_<event>`.
export interface WebSocketMessage<T = Record<string, unknown>> {
    event: string;
    data: T;
    broadcast: {
        omit_users?: Record<string, boolean> | null;
        user_id?: string;
        channel_id?: string;
        team_id?: string;
        [key: string]: unknown;
    };
    seq: number;
}

// registerPostDropdownSubMenuAction's answer: rootRegisterMenuItem adds an
// item under the registered one (one level only).
export interface SubMenuRegistration {
    id: string;
    rootRegisterMenuItem: (
        text: React.ReactNode,
        action: (postId: string) => void,
        filter?: (postId: string) => boolean,
    ) => unknown;
}

export interface PluginRegistry {
    // Mounted at the app root (modals, global listeners). Returns a component id.
    registerRootComponent(component: React.ComponentType<any>): string;

    registerChannelHeaderButtonAction(
        icon: React.ReactNode,
        action: (channel: Channel, channelMember?: ChannelMembership) => void,
        dropdownText: React.ReactNode,
        tooltipText?: React.ReactNode,
    ): string;

    // App Bar (7.0+, marked internal by Mattermost): iconUrl is a URL string.
    registerAppBarComponent?(
        iconUrl: string,
        action: (channel: Channel, channelMember?: ChannelMembership) => void,
        tooltipText: React.ReactNode,
    ): string | {id: string};

    registerPostDropdownMenuAction(
        text: React.ReactNode,
        action: (postId: string) => void,
        filter?: (postId: string) => boolean,
    ): string;

    registerPostDropdownSubMenuAction?(
        text: React.ReactNode,
        action: ((postId: string) => void) | null,
        filter?: (postId: string) => boolean,
    ): SubMenuRegistration;

    registerMainMenuAction(
        text: React.ReactNode,
        action: () => void,
        mobileIcon?: React.ReactNode,
    ): string;

    registerWebSocketEventHandler(event: string, handler: (msg: WebSocketMessage) => void): void;
    unregisterWebSocketEventHandler?(event: string): void;

    registerReconnectHandler(handler: () => void): void;
    unregisterReconnectHandler?(): void;

    // The reducer's state is mounted at state['plugins-<pluginid>'].
    registerReducer(reducer: Reducer): void;

    unregisterComponent?(componentId: string): void;
}

// What window.registerPlugin expects. The web client calls initialize()
// after the script loads and uninitialize() when the plugin is removed or
// upgraded.
export interface PluginClass {
    initialize(registry: PluginRegistry, store: Store): void | Promise<void>;
    uninitialize?(): void;
}
