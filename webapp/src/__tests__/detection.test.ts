import {
    coreAppsUIActive,
    detectionInputFromState,
    parseMajor,
    shouldRenderAppsUI,
    type DetectionInput,
} from '../detection';
import {makeMMState} from '../testing/helpers';

const CORE = 'com.mattermost.apps';

describe('detection', () => {
    it.each<[string, DetectionInput, boolean]>([
        ['7.x: flag on by default', {pluginId: CORE, serverVersion: '7.8.0', appsFeatureFlag: 'true', coreAppsState: true}, false],
        ['9.x: flag on by default', {pluginId: CORE, serverVersion: '9.11.2', appsFeatureFlag: 'true', coreAppsState: true}, false],
        ['9.x: flag turned off', {pluginId: CORE, serverVersion: '9.11.2', appsFeatureFlag: 'false', coreAppsState: true}, true],
        ['10.x: flag off by default', {pluginId: CORE, serverVersion: '10.5.0', appsFeatureFlag: 'false', coreAppsState: true}, true],
        ['10.x: flag turned on', {pluginId: CORE, serverVersion: '10.5.0', appsFeatureFlag: 'true', coreAppsState: true}, false],
        ['11.x: flag turned on (boolean)', {pluginId: CORE, serverVersion: '11.1.0', appsFeatureFlag: true, coreAppsState: true}, false],
        ['12.x: no core UI whatever the flag', {pluginId: CORE, serverVersion: '12.0.0', appsFeatureFlag: 'true', coreAppsState: true}, true],
        ['5.x: before the core UI', {pluginId: CORE, serverVersion: '5.37.0', appsFeatureFlag: 'true'}, true],
        ['flag not sent (server without it)', {pluginId: CORE, serverVersion: '11.0.0'}, true],
        ['another plugin id: core never talks to it', {pluginId: 'com.example.apps', serverVersion: '9.11.0', appsFeatureFlag: 'true', coreAppsState: true}, true],
        ['in range but the core apps slice is gone', {pluginId: CORE, serverVersion: '10.0.0', appsFeatureFlag: 'true', coreAppsState: false}, true],
        ['version unknown, flag on, slice present', {pluginId: CORE, appsFeatureFlag: 'true', coreAppsState: true}, false],
        ['version unknown, flag on, state not looked at', {pluginId: CORE, serverVersion: '', appsFeatureFlag: 'true'}, false],
    ])('%s', (_name, input, ours) => {
        expect(shouldRenderAppsUI(input)).toBe(ours);
        expect(coreAppsUIActive(input)).toBe(!ours);
    });

    it('parses server versions', () => {
        expect(parseMajor('9.11.2')).toBe(9);
        expect(parseMajor('v10.0.1')).toBe(10);
        expect(parseMajor('')).toBeUndefined();
        expect(parseMajor('dev')).toBeUndefined();
    });

    it('reads its input from the web app state', () => {
        const state = makeMMState({config: {Version: '9.11.0', FeatureFlagAppsEnabled: 'true'}, withCoreApps: true});
        expect(detectionInputFromState(CORE, state as never)).toEqual({
            pluginId: CORE,
            serverVersion: '9.11.0',
            appsFeatureFlag: 'true',
            coreAppsState: true,
        });
        expect(shouldRenderAppsUI(detectionInputFromState(CORE, state as never))).toBe(false);
        expect(shouldRenderAppsUI(detectionInputFromState('com.example.apps', state as never))).toBe(true);

        const newer = makeMMState({config: {Version: '12.1.0'}});
        expect(detectionInputFromState(CORE, newer as never).coreAppsState).toBe(false);
        expect(shouldRenderAppsUI(detectionInputFromState(CORE, newer as never))).toBe(true);
        expect(detectionInputFromState(CORE, {} as never).coreAppsState).toBeUndefined();
    });
});
