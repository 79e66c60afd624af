import {hasAppBar, getSiteURL, isSystemAdmin, getCurrentChannelTeamId} from '../selectors';
import {actions, initialPluginState, MAX_NOTICES, pluginReducer} from '../state';
import {makeMMState} from '../testing/helpers';

describe('plugin state', () => {
    it('keeps at most a few notices per channel', () => {
        let s = initialPluginState;
        for (let i = 0; i < MAX_NOTICES + 2; i++) {
            s = pluginReducer(s, actions.addNotice({kind: 'ok', appId: 'a', channelId: 'c1', text: `n${i}`}));
        }
        s = pluginReducer(s, actions.addNotice({kind: 'error', appId: 'a', channelId: 'c2', text: 'other'}));
        expect(s.notices.filter((n) => n.channelId === 'c1').map((n) => n.text)).toEqual(['n2', 'n3', 'n4']);
        expect(s.notices).toHaveLength(MAX_NOTICES + 1);
        s = pluginReducer(s, actions.dismissNotice(s.notices[0].id));
        expect(s.notices).toHaveLength(MAX_NOTICES);
    });

    it('opens and closes the form and the marketplace', () => {
        let s = pluginReducer(undefined, actions.openForm({title: 'x'}, {app_id: 'a'}));
        expect(s.form).toMatchObject({form: {title: 'x'}, context: {app_id: 'a'}});
        const key = s.form!.key;
        s = pluginReducer(s, actions.openForm({title: 'y'}, {app_id: 'a'}));
        expect(s.form!.key).not.toBe(key);
        s = pluginReducer(s, actions.closeForm());
        expect(s.form).toBeNull();
        s = pluginReducer(s, actions.openMarketplace());
        expect(s.marketplaceOpen).toBe(true);
        s = pluginReducer(s, actions.appsChanged());
        expect(s.appsVersion).toBe(1);
    });
});

describe('selectors', () => {
    it('knows where the App Bar is', () => {
        expect(hasAppBar(makeMMState({config: {Version: '9.11.0'}}))).toBe(true);
        expect(hasAppBar(makeMMState({config: {Version: '9.11.0', DisableAppBar: 'true'}}))).toBe(false);
        expect(hasAppBar(makeMMState({config: {Version: '7.1.0', FeatureFlagAppBarEnabled: 'false'}}))).toBe(false);
        expect(hasAppBar(makeMMState({config: {Version: '7.1.0', FeatureFlagAppBarEnabled: 'true'}}))).toBe(true);
        expect(hasAppBar(makeMMState({config: {Version: '6.7.0'}}))).toBe(false);
        expect(hasAppBar({})).toBe(false);
    });

    it('reads the site URL, admin role and channel team', () => {
        expect(getSiteURL(makeMMState({config: {SiteURL: 'https://mm.example.com/sub/'}}))).toBe('https://mm.example.com/sub');
        expect(getSiteURL({})).toBe(window.location.origin);
        expect(isSystemAdmin(makeMMState({roles: 'system_user system_admin'}))).toBe(true);
        expect(isSystemAdmin(makeMMState({roles: 'system_user'}))).toBe(false);
        expect(getCurrentChannelTeamId(makeMMState({channelId: 'chan2', teamId: 'other'}))).toBe('team1');
        expect(getCurrentChannelTeamId(makeMMState({channelId: 'dm', teamId: 'team9'}))).toBe('team9');
    });
});
