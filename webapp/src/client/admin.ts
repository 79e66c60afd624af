// Admin actions on installed apps, in one place so that the transport can
// change without touching the UI: install goes through the built-in app's
// consent form (a call to app "apps"), enable/disable/uninstall through the
// plugin's REST routes (plain-text answers, 403 for non-admins).

import {BuiltinAppID, type ProxyCallResponse} from '../types/apps';

import type {AppsClient} from './apps';

export interface AdminContext {
    channelId?: string;
    teamId?: string;
}

export class AppsAdminClient {
    private readonly apps: AppsClient;

    constructor(apps: AppsClient) {
        this.apps = apps;
    }

    // installConsent asks the built-in app for the consent form of appId.
    public installConsent(appId: string, ctx: AdminContext = {}): Promise<ProxyCallResponse> {
        return this.apps.call({
            path: '/install-consent/form',
            state: appId,
            context: {
                app_id: BuiltinAppID,
                channel_id: ctx.channelId || undefined,
                team_id: ctx.teamId || undefined,
            },
            selected_field: '',
            query: '',
        });
    }

    public enableApp(appId: string): Promise<string> {
        return this.post('/api/v1/enable-app', appId);
    }

    public disableApp(appId: string): Promise<string> {
        return this.post('/api/v1/disable-app', appId);
    }

    public uninstallApp(appId: string): Promise<string> {
        return this.post('/api/v1/uninstall-app', appId);
    }

    private post(path: string, appId: string): Promise<string> {
        return this.apps.http.post<string>(this.apps.pluginPath(path), {app_id: appId}, {as: 'text'});
    }
}
