// The Apps plugin's web app. initialize() registers the Apps UI only when
// Mattermost's own Apps UI is not active for this plugin (see detection.ts),
// and re-checks when the client config changes.

import React from 'react';

import {BindingsManager} from './bindings/manager';
import {BindingsRegistrar} from './bindings/registration';
import {createClients} from './client';
import {makeRoot} from './components/Root';
import {Controller} from './controller';
import {detectionInputFromState, shouldRenderAppsUI} from './detection';
import {setLocale, t} from './i18n';
import manifest from './manifest';
import * as sel from './selectors';
import {getPluginState, pluginReducer, setPluginStateKey} from './state';
import {injectStyles, removeStyles} from './styles';
import type {Binding} from './types/apps';
import type {Channel, GlobalState, PluginClass, PluginRegistry, Reducer, Store} from './types/mattermost';

// Websocket events the plugin sends, as the web app delivers them.
export function wsEvent(pluginId: string, event: string): string {
    return `custom_${pluginId}_${event}`;
}

function AppsMenuIcon(): React.ReactElement {
    return (
        <svg
            width='16'
            height='16'
            viewBox='0 0 16 16'
            aria-hidden='true'
            fill='currentColor'
        >
            <rect x='1' y='1' width='6' height='6' rx='1.5'/>
            <rect x='9' y='1' width='6' height='6' rx='1.5'/>
            <rect x='1' y='9' width='6' height='6' rx='1.5'/>
            <rect x='9' y='9' width='6' height='6' rx='1.5'/>
        </svg>
    );
}

export default class Plugin implements PluginClass {
    private registry: PluginRegistry | null = null;
    private store: Store | null = null;
    private unsubscribe: (() => void) | null = null;

    private active = false;
    private reducerRegistered = false;
    private lastConfig: unknown = undefined;
    private lastBindings: Binding[] | null = null;

    private manager: BindingsManager | null = null;
    private registrar: BindingsRegistrar | null = null;
    private controller: Controller | null = null;
    private componentIds: string[] = [];
    private wsEvents: string[] = [];

    public initialize(registry: PluginRegistry, store: Store): void {
        this.registry = registry;
        this.store = store;
        setPluginStateKey(manifest.id);
        this.evaluate();
        if (typeof store?.subscribe === 'function') {
            this.unsubscribe = store.subscribe(() => this.onStoreChange());
        }
    }

    public uninitialize(): void {
        this.unsubscribe?.();
        this.unsubscribe = null;
        this.deactivate();
        this.registry = null;
        this.store = null;
    }

    public isInitialized(): boolean {
        return this.registry !== null && this.store !== null;
    }

    // isActive: our Apps UI is registered.
    public isActive(): boolean {
        return this.active;
    }

    public getController(): Controller | null {
        return this.controller;
    }

    private state(): GlobalState {
        return (this.store?.getState?.() ?? {}) as GlobalState;
    }

    // The config object itself (not a copy): a new one means a config change.
    private configRef(state: GlobalState): unknown {
        return (state as Partial<GlobalState>)?.entities?.general?.config;
    }

    private evaluate(): void {
        const state = this.state();
        this.lastConfig = this.configRef(state);
        const want = shouldRenderAppsUI(detectionInputFromState(manifest.id, state));
        if (want && !this.active) {
            this.activate();
        } else if (!want && this.active) {
            this.deactivate();
        }
    }

    private onStoreChange(): void {
        const state = this.state();
        if (this.configRef(state) !== this.lastConfig) {
            this.evaluate();
        }
        if (!this.active) {
            return;
        }
        this.manager?.setTarget(sel.getCurrentChannelId(state), sel.getCurrentChannelTeamId(state));
        const bindings = getPluginState(state).bindings.bindings;
        if (bindings !== this.lastBindings) {
            this.lastBindings = bindings;
            this.registrar?.update(bindings);
        }
    }

    private activate(): void {
        const registry = this.registry;
        const store = this.store;
        if (!registry || !store) {
            return;
        }
        this.active = true;
        const id = manifest.id;
        setLocale(sel.getCurrentLocale(this.state()));
        injectStyles(id);

        if (!this.reducerRegistered && typeof registry.registerReducer === 'function') {
            registry.registerReducer(pluginReducer as Reducer);
            this.reducerRegistered = true;
        }

        const clients = createClients(id, () => sel.getSiteURL(this.state()));
        const manager = new BindingsManager({
            fetchBindings: (q, signal) => clients.apps.getBindings(q, signal),
            dispatch: (action) => store.dispatch?.(action),
        });
        const controller = new Controller(store, clients, manager);
        this.manager = manager;
        this.controller = controller;

        this.registrar = new BindingsRegistrar({
            registry,
            useAppBar: () => sel.hasAppBar(this.state()),
            runHeader: (binding, channel?: Channel) => {
                const target = channel?.id ? {channelId: channel.id, teamId: channel.team_id || sel.getCurrentTeamId(this.state())} : controller.currentTarget();
                void controller.runBinding(binding, target);
            },
            runPost: (binding, postId) => void controller.runBinding(binding, controller.targetForPost(postId)),
            postFilter: (postId) => {
                const post = sel.getPost(this.state(), postId);
                return !post || !(post.type ?? '').startsWith('system_');
            },
        });

        if (typeof registry.registerRootComponent === 'function') {
            this.componentIds.push(registry.registerRootComponent(makeRoot(controller)));
        }
        if (typeof registry.registerMainMenuAction === 'function') {
            this.componentIds.push(registry.registerMainMenuAction(t('apps.menu.marketplace'), () => controller.openMarketplace(), <AppsMenuIcon/>));
        }
        if (typeof registry.registerWebSocketEventHandler === 'function') {
            const handlers: Record<string, () => void> = {
                refresh_bindings: () => manager.refresh('websocket'),
                plugin_enabled: () => manager.pluginEnabled(),
                plugin_disabled: () => manager.pluginDisabled(),
            };
            for (const [event, handler] of Object.entries(handlers)) {
                const name = wsEvent(id, event);
                registry.registerWebSocketEventHandler(name, handler);
                this.wsEvents.push(name);
            }
        }
        if (typeof registry.registerReconnectHandler === 'function') {
            registry.registerReconnectHandler(() => manager.refresh('reconnect'));
        }

        const state = this.state();
        manager.setTarget(sel.getCurrentChannelId(state), sel.getCurrentChannelTeamId(state));
    }

    private deactivate(): void {
        const registry = this.registry;
        this.manager?.stop();
        this.registrar?.clear();
        if (registry) {
            for (const cid of this.componentIds) {
                registry.unregisterComponent?.(cid);
            }
            for (const name of this.wsEvents) {
                registry.unregisterWebSocketEventHandler?.(name);
            }
            if (this.active) {
                registry.unregisterReconnectHandler?.();
            }
        }
        this.componentIds = [];
        this.wsEvents = [];
        this.manager = null;
        this.registrar = null;
        this.controller = null;
        this.lastBindings = null;
        if (this.active) {
            removeStyles(manifest.id);
        }
        this.active = false;
    }
}
