// The controller runs app calls and turns their responses into UI: ok text
// → a notice in the channel, error → an error notice naming the app, form →
// the forms modal, navigate → the URL (external ones in a new tab), call →
// the next call. Bindings' actions, the forms modal and the marketplace all
// go through it.

import type React from 'react';
import {createContext, useContext} from 'react';

import type {BindingsManager} from './bindings/manager';
import {ClientError, type Clients} from './client';
import {t} from './i18n';
import * as sel from './selectors';
import {actions, getPluginState, type CallContext} from './state';
import {
    type Binding,
    type Call,
    type CallRequest,
    type Form,
    type FormValues,
    type ProxyCallResponse,
} from './types/apps';
import type {GlobalState, Store} from './types/mattermost';

// How many "call" responses are followed in a row.
export const MAX_CALL_CHAIN = 5;

export interface CallExtras {
    values?: FormValues;
    selected_field?: string;
    query?: string;
    raw_command?: string;
    track_as_submit?: boolean;
}

// Where an action was started: the channel (and post) it applies to.
export interface ActionTarget {
    channelId: string;
    teamId: string;
    postId?: string;
    rootPostId?: string;
}

export type Navigator = (url: string, external: boolean) => void;

export function defaultNavigate(siteURL: string): Navigator {
    return (url: string, external: boolean) => {
        let target: URL;
        try {
            target = new URL(url, siteURL || window.location.href);
        } catch {
            return;
        }
        if (target.protocol !== 'http:' && target.protocol !== 'https:' && target.protocol !== 'mailto:') {
            return;
        }
        const site = siteURL ? new URL(siteURL) : new URL(window.location.href);
        const internal = !external && target.origin === site.origin;
        if (!internal) {
            window.open(target.href, '_blank', 'noopener,noreferrer');
            return;
        }
        const history = window.WebappUtils?.browserHistory;
        const basePath = (window.basename ?? site.pathname).replace(/\/+$/, '');
        const path = target.pathname + target.search + target.hash;
        if (history) {
            history.push(basePath && path.startsWith(basePath + '/') ? path.slice(basePath.length) : path);
        } else {
            window.location.assign(target.href);
        }
    };
}

export class Controller {
    public readonly store: Store;
    public readonly clients: Clients;
    public readonly bindings: BindingsManager | null;
    private readonly navigator: Navigator;
    private appInfoRequested = false;

    constructor(store: Store, clients: Clients, bindings: BindingsManager | null, navigator?: Navigator) {
        this.store = store;
        this.clients = clients;
        this.bindings = bindings;
        this.navigator = navigator ?? ((url, external) => defaultNavigate(sel.getSiteURL(this.state()))(url, external));
    }

    public state(): GlobalState {
        return this.store.getState();
    }

    // currentTarget is the channel the user is looking at.
    public currentTarget(): ActionTarget {
        const state = this.state();
        return {channelId: sel.getCurrentChannelId(state), teamId: sel.getCurrentChannelTeamId(state)};
    }

    // targetForPost is a post's channel (and thread) for post menu actions.
    public targetForPost(postId: string): ActionTarget {
        const state = this.state();
        const post = sel.getPost(state, postId);
        const channelId = post?.channel_id || sel.getCurrentChannelId(state);
        return {
            channelId,
            teamId: sel.getChannelTeamId(state, channelId),
            postId,
            rootPostId: post?.root_id || postId,
        };
    }

    public contextFor(binding: Binding, target: ActionTarget): CallContext {
        return {
            app_id: binding.app_id ?? '',
            location: binding.location,
            channel_id: target.channelId || undefined,
            team_id: target.teamId || undefined,
            post_id: target.postId || undefined,
            root_post_id: target.rootPostId || undefined,
        };
    }

    public appName(appId: string): string {
        return getPluginState(this.state()).apps[appId]?.displayName || appId;
    }

    // runBinding is what a channel header button or post menu item does.
    public async runBinding(binding: Binding, target: ActionTarget): Promise<void> {
        const ctx = this.contextFor(binding, target);
        if (binding.form) {
            this.openForm(binding.form, ctx);
            return;
        }
        if (!binding.submit) {
            this.notify('error', ctx, t('apps.error.no_call'));
            return;
        }
        const resp = await this.call(binding.submit, ctx, {track_as_submit: true});
        this.handleResponse(resp, ctx);
    }

    public openForm(form: Form, ctx: CallContext): void {
        this.store.dispatch(actions.openForm(form, ctx));
    }

    public closeForm(): void {
        this.store.dispatch(actions.closeForm());
    }

    public openMarketplace(): void {
        this.store.dispatch(actions.openMarketplace());
    }

    public closeMarketplace(): void {
        this.store.dispatch(actions.closeMarketplace());
    }

    // call makes one call; failures to reach the plugin come back as error
    // responses, so callers handle a single shape.
    public async call(call: Call, ctx: CallContext, extras: CallExtras = {}, signal?: AbortSignal): Promise<ProxyCallResponse> {
        const req: CallRequest = {
            path: call.path,
            expand: call.expand,
            state: call.state,
            values: extras.values,
            context: {
                ...ctx,
                track_as_submit: extras.track_as_submit || undefined,
            },
            raw_command: extras.raw_command,
            selected_field: extras.selected_field ?? '',
            query: extras.query ?? '',
        };
        try {
            const resp = await this.clients.apps.call(req, signal);
            if (resp.type !== 'error' && resp.refresh_bindings) {
                this.bindings?.refresh('call');
            }
            return resp;
        } catch (err) {
            if (signal?.aborted) {
                throw err;
            }
            const message = err instanceof ClientError ? err.message : String((err as Error)?.message ?? err);
            return {type: 'error', text: t('apps.error.network', {error: message})};
        }
    }

    // handleResponse shows a response outside a form.
    public handleResponse(resp: ProxyCallResponse, ctx: CallContext, depth = 0): void {
        switch (resp.type) {
        case 'ok':
            if (resp.text) {
                this.notify('ok', ctx, resp.text);
            }
            return;
        case 'error':
            this.notify('error', ctx, resp.text || t('apps.error.unknown_response', {type: 'error'}));
            return;
        case 'form':
            if (resp.form) {
                this.openForm(resp.form, ctx);
            }
            return;
        case 'navigate':
            if (resp.navigate_to_url) {
                this.navigate(resp.navigate_to_url, Boolean(resp.use_external_browser));
            }
            return;
        case 'call':
            if (!resp.call) {
                return;
            }
            if (depth >= MAX_CALL_CHAIN) {
                this.notify('error', ctx, t('apps.error.too_many_calls'));
                return;
            }
            void this.call(resp.call, ctx).then((next) => this.handleResponse(next, ctx, depth + 1));
            return;
        default:
            this.notify('error', ctx, t('apps.error.unknown_response', {type: String((resp as {type?: unknown}).type)}));
        }
    }

    public navigate(url: string, external: boolean): void {
        this.navigator(url, external);
    }

    public notify(kind: 'ok' | 'error', ctx: CallContext, text: string): void {
        this.store.dispatch(actions.addNotice({
            kind,
            appId: ctx.app_id,
            channelId: ctx.channel_id || sel.getCurrentChannelId(this.state()),
            text,
        }));
        // Notices name the app: load names and icons once.
        void this.ensureAppInfo();
    }

    public dismissNotice(id: number): void {
        this.store.dispatch(actions.dismissNotice(id));
    }

    // ensureAppInfo loads app names and icons once (for notices); a failed
    // load is retried with the next notice.
    public async ensureAppInfo(): Promise<void> {
        if (this.appInfoRequested) {
            return;
        }
        this.appInfoRequested = true;
        try {
            const listed = await this.clients.apps.getMarketplace('');
            this.rememberApps(listed.map((l) => ({id: l.manifest.app_id, name: l.manifest.display_name, icon: l.icon_url})));
        } catch {
            this.appInfoRequested = false;
        }
    }

    public rememberApps(apps: Array<{id: string; name?: string; icon?: string}>): void {
        const info: Record<string, {displayName: string; iconURL?: string}> = {};
        for (const a of apps) {
            if (a.id) {
                info[a.id] = {displayName: a.name || a.id, iconURL: a.icon};
            }
        }
        this.store.dispatch(actions.appInfo(info));
    }

    // appsChanged reloads what depends on the installed apps.
    public appsChanged(): void {
        this.store.dispatch(actions.appsChanged());
        this.bindings?.refresh('admin');
    }
}

// Created on first use: the bundle must load even before React (a window
// global) is there.
let controllerContext: React.Context<Controller | null> | null = null;

export function getControllerContext(): React.Context<Controller | null> {
    if (!controllerContext) {
        controllerContext = createContext<Controller | null>(null);
    }
    return controllerContext;
}

export function useController(): Controller {
    const ctl = useContext(getControllerContext());
    if (!ctl) {
        throw new Error('ControllerContext is missing');
    }
    return ctl;
}
