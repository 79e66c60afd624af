import {ClientError, getCSRFToken} from '../client';
import {fakeFetch, makeClients, raw} from '../testing/helpers';

describe('REST client', () => {
    beforeEach(() => {
        document.cookie = 'MMCSRF=csrf-token-1; path=/';
    });

    it('reads the CSRF token from the MMCSRF cookie', () => {
        expect(getCSRFToken('a=1; MMCSRF=abc%3D; b=2')).toBe('abc=');
        expect(getCSRFToken('a=1')).toBe('');
    });

    it('fetches bindings with the channel, team and user_agent_type, and the auth headers', async () => {
        const fetch = fakeFetch({
            'GET /plugins/com.mattermost.apps/api/v1/bindings': () => [{location: '/channel_header', bindings: [{app_id: 'a', label: 'L', form: 'source/path'}]}],
        });
        const {apps} = makeClients(fetch);
        const b = await apps.getBindings({channelId: 'c1', teamId: 't1'});

        const req = fetch.calls[0];
        expect(req.url.searchParams.get('channel_id')).toBe('c1');
        expect(req.url.searchParams.get('team_id')).toBe('t1');
        expect(req.url.searchParams.get('user_agent_type')).toBe('webapp');
        expect(req.url.searchParams.has('user_agent')).toBe(false);
        expect(req.url.searchParams.has('post_id')).toBe(false);
        expect(req.headers['X-Requested-With']).toBe('XMLHttpRequest');
        expect(req.headers['X-CSRF-Token']).toBe('csrf-token-1');
        expect((fetch.mock.calls[0][1] as RequestInit).credentials).toBe('include');
        // A bare-string form is its source path.
        expect(b[0].bindings![0].form).toEqual({source: {path: 'source/path'}});
    });

    it('posts calls with the webapp user agent and normalizes v0.x responses', async () => {
        const fetch = fakeFetch({
            'POST /plugins/com.mattermost.apps/api/v1/call': () => ({type: 'error', error: 'old style'}),
        });
        const {apps} = makeClients(fetch);
        const resp = await apps.call({path: '/x', context: {app_id: 'a', channel_id: 'c'}, selected_field: '', query: ''});
        expect(resp).toEqual({type: 'error', text: 'old style'});
        const req = fetch.calls[0];
        expect(req.body.context).toEqual({app_id: 'a', channel_id: 'c', user_agent: 'webapp'});
        expect(req.headers['Content-Type']).toBe('application/json');
        expect(req.headers['X-CSRF-Token']).toBe('csrf-token-1');
    });

    it('turns error answers into ClientErrors with the server text', async () => {
        const fetch = fakeFetch({
            'POST /plugins/com.mattermost.apps/api/v1/enable-app': () => raw(403, 'access denied: you must be a system admin\n'),
            'GET /api/v4/users/autocomplete': () => raw(500, {message: 'db down', status_code: 500}),
        });
        const {admin, mm} = makeClients(fetch);
        await expect(admin.enableApp('x')).rejects.toEqual(expect.objectContaining({status: 403, message: 'access denied: you must be a system admin'}));
        await expect(mm.autocompleteUsers('t', 'a')).rejects.toBeInstanceOf(ClientError);
        await expect(mm.autocompleteUsers('t', 'a')).rejects.toThrow('db down');
    });

    it('sends admin actions to the REST routes and install through the built-in app', async () => {
        const fetch = fakeFetch({
            'POST /plugins/com.mattermost.apps/api/v1/enable-app': () => raw(200, 'Enabled hello'),
            'POST /plugins/com.mattermost.apps/api/v1/disable-app': () => raw(200, 'Disabled hello'),
            'POST /plugins/com.mattermost.apps/api/v1/uninstall-app': () => raw(200, ''),
            'POST /plugins/com.mattermost.apps/api/v1/call': () => ({type: 'form', form: {title: 'Install', submit: '/install-consent/submit'}}),
        });
        const {admin} = makeClients(fetch);
        expect(await admin.enableApp('hello')).toBe('Enabled hello');
        expect(await admin.disableApp('hello')).toBe('Disabled hello');
        await admin.uninstallApp('hello');
        expect(fetch.calls.map((c) => [c.path, c.body])).toEqual([
            ['/plugins/com.mattermost.apps/api/v1/enable-app', {app_id: 'hello'}],
            ['/plugins/com.mattermost.apps/api/v1/disable-app', {app_id: 'hello'}],
            ['/plugins/com.mattermost.apps/api/v1/uninstall-app', {app_id: 'hello'}],
        ]);

        const resp = await admin.installConsent('hello', {channelId: 'c1', teamId: 't1'});
        expect(resp.form).toEqual({title: 'Install', submit: {path: '/install-consent/submit'}});
        expect(fetch.calls[3].body).toEqual({
            path: '/install-consent/form',
            state: 'hello',
            context: {app_id: 'apps', channel_id: 'c1', team_id: 't1', user_agent: 'webapp'},
            selected_field: '',
            query: '',
        });
    });

    it('uses the Mattermost autocomplete routes for pickers', async () => {
        const fetch = fakeFetch({
            'GET /api/v4/users/autocomplete': () => ({users: [{id: 'u1', username: 'bob'}], out_of_channel: [{id: 'u2', username: 'carol'}]}),
            'GET /api/v4/teams/t1/channels/autocomplete': () => [{id: 'c1', name: 'town-square', display_name: 'Town Square'}],
        });
        const {mm} = makeClients(fetch);
        expect((await mm.autocompleteUsers('t1', 'b')).map((u) => u.username)).toEqual(['bob', 'carol']);
        expect(fetch.calls[0].url.search).toBe('?in_team=t1&name=b');
        expect((await mm.autocompleteChannels('t1', 'to'))[0].id).toBe('c1');
        expect(fetch.calls[1].url.search).toBe('?name=to');
    });
});
