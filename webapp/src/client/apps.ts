// The plugin's REST API (UPSTREAM_APPS.md §A2), under
// <SiteURL>/plugins/<PLUGIN_ID>.

import {
    normalizeBinding,
    normalizeCallResponse,
    type Binding,
    type CallRequest,
    type ListedApp,
    type ProxyCallResponse,
} from '../types/apps';

import type {HttpClient} from './http';

export const USER_AGENT = 'webapp';

export interface BindingsQuery {
    channelId: string;
    teamId: string;
    postId?: string;
}

export class AppsClient {
    public readonly http: HttpClient;
    public readonly pluginId: string;

    constructor(http: HttpClient, pluginId: string) {
        this.http = http;
        this.pluginId = pluginId;
    }

    // path under the plugin: "/api/v1/call" → "/plugins/<id>/api/v1/call".
    public pluginPath(path: string): string {
        return `/plugins/${encodeURIComponent(this.pluginId)}${path}`;
    }

    // staticURL is an app's static asset (§A5).
    public staticURL(appId: string, name: string): string {
        return this.http.url(this.pluginPath(`/apps/${encodeURIComponent(appId)}/static/${encodeURIComponent(name)}`));
    }

    public async getBindings(q: BindingsQuery, signal?: AbortSignal): Promise<Binding[]> {
        const raw = await this.http.get<unknown>(this.pluginPath('/api/v1/bindings'), {
            query: {
                channel_id: q.channelId,
                team_id: q.teamId,
                post_id: q.postId || undefined,
                user_agent_type: USER_AGENT,
            },
            signal,
        });
        if (!Array.isArray(raw)) {
            return [];
        }
        return raw.map(normalizeBinding).filter((b): b is Binding => Boolean(b));
    }

    public async call(req: CallRequest, signal?: AbortSignal): Promise<ProxyCallResponse> {
        const body: CallRequest = {
            ...req,
            context: {...req.context, user_agent: USER_AGENT},
        };
        const raw = await this.http.post<unknown>(this.pluginPath('/api/v1/call'), body, {signal});
        return normalizeCallResponse(raw);
    }

    public async getMarketplace(filter = '', signal?: AbortSignal): Promise<ListedApp[]> {
        const raw = await this.http.get<unknown>(this.pluginPath('/api/v1/marketplace'), {
            query: {filter},
            signal,
        });
        return Array.isArray(raw) ? (raw as ListedApp[]) : [];
    }
}
