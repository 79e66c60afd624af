import {AppsAdminClient} from './admin';
import {AppsClient} from './apps';
import {HttpClient, type FetchLike} from './http';
import {MattermostClient} from './mattermost';

export {ClientError, isAbortError, getCSRFToken} from './http';
export type {BindingsQuery} from './apps';

// Clients is everything the UI talks to.
export interface Clients {
    http: HttpClient;
    apps: AppsClient;
    admin: AppsAdminClient;
    mm: MattermostClient;
}

export function createClients(pluginId: string, getSiteURL: () => string, fetchImpl?: FetchLike): Clients {
    const http = new HttpClient(getSiteURL, fetchImpl);
    const apps = new AppsClient(http, pluginId);
    return {http, apps, admin: new AppsAdminClient(apps), mm: new MattermostClient(http)};
}
