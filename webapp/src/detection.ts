// Decides whether this plugin renders the Apps UI itself.
//
// Mattermost's own web app rendered app bindings, forms and the apps part
// of the Marketplace only for the plugin id com.mattermost.apps, only on
// servers whose web app still contains that code (6.x–11.x) and only with
// the AppsEnabled feature flag on (default on in 7.x–9.x, off in 10.x and
// 11.x). Wherever that UI is active we stay silent, so nothing shows twice.

import type {GlobalState} from './types/mattermost';

export const CORE_APPS_PLUGIN_ID = 'com.mattermost.apps';

// Server majors whose web app ships the Apps UI.
export const CORE_APPS_UI_FIRST_MAJOR = 6;
export const CORE_APPS_UI_LAST_MAJOR = 11;

export interface DetectionInput {
    // The id this bundle registered under (PLUGIN_ID).
    pluginId: string;

    // The server's version, e.g. "9.11.2" (client config "Version"); ""
    // or undefined when unknown.
    serverVersion?: string;

    // The client config's "FeatureFlagAppsEnabled" ("true"/"false"), if sent.
    appsFeatureFlag?: string | boolean;

    // Whether the web app's store has the core apps slice
    // (state.entities.apps); undefined when the state was not looked at.
    coreAppsState?: boolean;
}

export function parseMajor(version?: string): number | undefined {
    const m = /^\s*v?(\d+)\./.exec(version ?? '');
    return m ? Number(m[1]) : undefined;
}

// coreAppsUIActive reports whether Mattermost's web app renders the Apps UI
// for this plugin.
export function coreAppsUIActive(input: DetectionInput): boolean {
    if (input.pluginId !== CORE_APPS_PLUGIN_ID) {
        return false;
    }
    if (input.appsFeatureFlag !== true && input.appsFeatureFlag !== 'true') {
        return false;
    }
    const major = parseMajor(input.serverVersion);
    if (major !== undefined && (major < CORE_APPS_UI_FIRST_MAJOR || major > CORE_APPS_UI_LAST_MAJOR)) {
        return false;
    }

    // Version unknown or in range: the core apps slice is the tie-breaker
    // when we could look at it; its absence means the code is gone.
    return input.coreAppsState !== false;
}

// shouldRenderAppsUI is the one question plugin.tsx asks.
export function shouldRenderAppsUI(input: DetectionInput): boolean {
    return !coreAppsUIActive(input);
}

// detectionInputFromState reads the detection input from the web app's store.
export function detectionInputFromState(pluginId: string, state: Partial<GlobalState> | undefined): DetectionInput {
    const entities = state?.entities as Partial<GlobalState['entities']> | undefined;
    const config = entities?.general?.config ?? {};
    return {
        pluginId,
        serverVersion: config.Version,
        appsFeatureFlag: config.FeatureFlagAppsEnabled,
        coreAppsState: entities ? Boolean(entities.apps) : undefined,
    };
}
