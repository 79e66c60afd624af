// Minimal local typings for the parts of the Mattermost web app plugin API
// this plugin uses. Registry methods also accept a single object with the
// named keys; only the positional forms are typed here.

import type React from 'react';

export type Action = {type: string; [key: string]: unknown};
export type Reducer<S = unknown> = (state: S | undefined, action: Action) => S;

// The subset of the web app's Redux store plugins get in initialize().
export interface Store<S = GlobalState> {
    getState(): S;
    dispatch(action: unknown): unknown;
    subscribe(listener: () => void): () => void;
}

// Deliberately loose until mattermost-redux types are brought in.
export type GlobalState = Record<string, unknown>;

export interface Channel {
    id: string;
    team_id: string;
    type: string;
    name: string;
    display_name: string;
    [key: string]: unknown;
}

export type ChannelMembership = Record<string, unknown>;

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

export interface PluginRegistry {
    // Mounted at the app root (modals, global listeners). Returns a component id.
    registerRootComponent(component: React.ComponentType<any>): string;

    registerChannelHeaderButtonAction(
        icon: React.ReactNode,
        action: (channel: Channel, channelMember?: ChannelMembership) => void,
        dropdownText: React.ReactNode,
        tooltipText?: React.ReactNode,
    ): string;

    registerPostDropdownMenuAction(
        text: React.ReactNode,
        action: (postId: string) => void,
        filter?: (postId: string) => boolean,
    ): string;

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
