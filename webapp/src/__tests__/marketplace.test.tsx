import {act, screen, waitFor, within} from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import React from 'react';

import AppsFormModal from '../components/AppsForm';
import MarketplaceModal, {locationText} from '../components/Marketplace';
import {BINDINGS_SUCCESS} from '../bindings/reducer';
import {fillBindings} from '../bindings/utils';
import {fakeFetch, makeController, makeStore, pluginState, raw, renderWith} from '../testing/helpers';
import type {ListedApp} from '../types/apps';

const BASE = '/plugins/com.mattermost.apps/api/v1';

function listing(): ListedApp[] {
    return [
        {
            manifest: {
                app_id: 'hello',
                version: '1.2.0',
                homepage_url: 'https://hello.test',
                display_name: 'Hello World',
                description: 'Says hello',
                requested_permissions: ['act_as_bot', 'act_as_user'],
                requested_locations: ['/channel_header', '/command/hello'],
            },
            installed: true,
            enabled: true,
            icon_url: 'http://mm.test/plugins/com.mattermost.apps/apps/hello/static/icon.png',
        },
        {
            manifest: {app_id: 'jira', version: '0.3.0', homepage_url: 'https://jira.test', display_name: 'Jira', description: 'Tickets'},
            installed: true,
            enabled: false,
            labels: [{name: 'Disabled', description: '', url: '', color: ''}, {name: 'Beta', description: 'in beta', url: '', color: ''}],
        },
        {
            manifest: {app_id: 'zendesk', version: '0.1.0', homepage_url: 'https://zd.test', display_name: 'Zendesk', description: 'Support desk'},
            installed: false,
            enabled: false,
        },
    ];
}

function setup(roles = 'system_user system_admin', overrides: Record<string, (req: any) => unknown> = {}) {
    const state = {apps: listing()};
    const fetch = fakeFetch({
        [`GET ${BASE}/marketplace`]: (req) => {
            const f = (req.url.searchParams.get('filter') ?? '').toLowerCase();
            return state.apps.filter((a) => !f || a.manifest.app_id === f || (a.manifest.display_name ?? '').toLowerCase().includes(f) || (a.manifest.description ?? '').toLowerCase().includes(f));
        },
        [`POST ${BASE}/enable-app`]: (req) => {
            state.apps.find((a) => a.manifest.app_id === req.body.app_id)!.enabled = true;
            return raw(200, 'Enabled');
        },
        [`POST ${BASE}/disable-app`]: (req) => {
            state.apps.find((a) => a.manifest.app_id === req.body.app_id)!.enabled = false;
            return raw(200, 'Disabled');
        },
        [`POST ${BASE}/uninstall-app`]: (req) => {
            state.apps = state.apps.filter((a) => a.manifest.app_id !== req.body.app_id);
            return raw(200, 'Uninstalled');
        },
        [`POST ${BASE}/call`]: (req) => {
            if (req.body.path === '/install-consent/form') {
                return {type: 'form', form: {
                    title: `Install ${req.body.state}`,
                    submit: {path: '/install-consent/submit', state: req.body.state},
                    fields: [{name: 'consent', type: 'bool', label: 'I agree', is_required: true}],
                }};
            }
            if (req.body.path === '/install-consent/submit') {
                const app = state.apps.find((a) => a.manifest.app_id === req.body.state)!;
                app.installed = true;
                app.enabled = true;
                return {type: 'ok', text: `Installed ${req.body.state}`};
            }
            return {type: 'error', text: 'unexpected'};
        },
        ...overrides,
    });
    const store = makeStore({roles});
    const ctl = makeController(store, fetch);
    const user = userEvent.setup();
    renderWith(
        <>
            <MarketplaceModal/>
            <AppsFormModal/>
        </>,
        store,
        ctl,
    );
    act(() => ctl.openMarketplace());
    return {fetch, store, ctl, user, state};
}

function card(name: string): HTMLElement {
    return screen.getByRole('listitem', {name});
}

describe('Marketplace', () => {
    it('lists the apps with what they can do', async () => {
        const {store} = setup('system_user');
        act(() => {
            store.dispatch({
                type: BINDINGS_SUCCESS,
                channelId: 'chan1',
                teamId: 'team1',
                at: 1,
                bindings: fillBindings([{location: '/channel_header', bindings: [{app_id: 'hello', label: 'Greet', submit: {path: '/g'}}]}]),
            });
        });
        const dialog = screen.getByRole('dialog', {name: 'Apps'});
        expect(within(dialog).getByRole('status')).toHaveTextContent('Loading apps…');
        const hello = await screen.findByRole('listitem', {name: 'Hello World'});
        expect(hello).toHaveTextContent('v1.2.0');
        expect(hello).toHaveTextContent('Says hello');
        expect(hello).toHaveTextContent('Installed');
        expect(hello).toHaveTextContent('Channel header buttons, /hello command');
        expect(hello).toHaveTextContent('Use the Mattermost REST API as the app\'s bot user');
        expect(hello).toHaveTextContent('Channel header buttons: Greet');
        expect(within(hello).getByRole('link', {name: 'Homepage'})).toHaveAttribute('href', 'https://hello.test');
        expect(hello.querySelector('img')).toHaveAttribute('src', 'http://mm.test/plugins/com.mattermost.apps/apps/hello/static/icon.png');

        const jira = card('Jira');
        expect(jira).toHaveTextContent('Disabled');
        expect(jira).toHaveTextContent('Beta');

        // Not an admin: no actions, and a word about it.
        expect(screen.queryByRole('button', {name: 'Install'})).not.toBeInTheDocument();
        expect(screen.queryByRole('button', {name: 'Uninstall'})).not.toBeInTheDocument();
        expect(screen.getByText('Only system admins can install and manage apps.')).toBeInTheDocument();

        // Installed tab.
        await userEvent.click(screen.getByRole('button', {name: 'Installed'}));
        expect(screen.queryByRole('listitem', {name: 'Zendesk'})).not.toBeInTheDocument();
        expect(card('Jira')).toBeInTheDocument();
    });

    it('searches, locally at once and on the server after a pause', async () => {
        const {user, fetch} = setup();
        await screen.findByRole('listitem', {name: 'Zendesk'});
        const search = screen.getByRole('searchbox', {name: 'Search apps'});
        expect(search).toHaveFocus();
        await user.type(search, 'desk');
        expect(screen.queryByRole('listitem', {name: 'Hello World'})).not.toBeInTheDocument();
        expect(card('Zendesk')).toBeInTheDocument();
        await waitFor(() => expect(fetch.calls.some((c) => c.url.searchParams.get('filter') === 'desk')).toBe(true));
        await user.clear(search);
        await user.type(search, 'nothing-like-this');
        expect(await screen.findByText('No apps found.')).toBeInTheDocument();
    });

    it('lets admins disable, enable and uninstall (after confirming)', async () => {
        const {user, fetch, store} = setup();
        await screen.findByRole('listitem', {name: 'Hello World'});
        const before = pluginState(store).appsVersion;

        await user.click(within(card('Hello World')).getByRole('button', {name: 'Disable'}));
        expect(await screen.findByRole('status')).toHaveTextContent('Hello World is disabled.');
        expect(fetch.calls.find((c) => c.path === `${BASE}/disable-app`)!.body).toEqual({app_id: 'hello'});
        expect(pluginState(store).appsVersion).toBe(before + 1);
        await waitFor(() => expect(within(card('Hello World')).getByRole('button', {name: 'Enable'})).toBeInTheDocument());

        await user.click(within(card('Jira')).getByRole('button', {name: 'Enable'}));
        expect(await screen.findByText('Jira is enabled.')).toBeInTheDocument();
        expect(fetch.calls.find((c) => c.path === `${BASE}/enable-app`)!.body).toEqual({app_id: 'jira'});

        // Uninstall asks first; Cancel keeps the app.
        await user.click(within(card('Jira')).getByRole('button', {name: 'Uninstall'}));
        expect(card('Jira')).toHaveTextContent('Uninstall Jira?');
        await user.click(within(card('Jira')).getByRole('button', {name: 'Cancel'}));
        expect(fetch.calls.some((c) => c.path === `${BASE}/uninstall-app`)).toBe(false);

        await user.click(within(card('Jira')).getByRole('button', {name: 'Uninstall'}));
        await user.click(within(card('Jira')).getByRole('button', {name: 'Yes, uninstall'}));
        expect(await screen.findByText('Jira is uninstalled.')).toBeInTheDocument();
        expect(fetch.calls.find((c) => c.path === `${BASE}/uninstall-app`)!.body).toEqual({app_id: 'jira'});
        await waitFor(() => expect(screen.queryByRole('listitem', {name: 'Jira'})).not.toBeInTheDocument());
    });

    it('installs through the built-in app\'s consent form', async () => {
        const {user, fetch, store} = setup();
        await screen.findByRole('listitem', {name: 'Zendesk'});
        await user.click(within(card('Zendesk')).getByRole('button', {name: 'Install'}));

        const form = await screen.findByRole('dialog', {name: 'Install zendesk'});
        const consent = fetch.calls.find((c) => c.body?.path === '/install-consent/form')!;
        expect(consent.body).toMatchObject({state: 'zendesk', context: {app_id: 'apps', channel_id: 'chan1', team_id: 'team1'}});
        expect(pluginState(store).form!.context.app_id).toBe('apps');

        await user.click(within(form).getByRole('checkbox', {name: /I agree/}));
        await user.click(within(form).getByRole('button', {name: 'Submit'}));
        await waitFor(() => expect(screen.queryByRole('dialog', {name: 'Install zendesk'})).not.toBeInTheDocument());
        const submit = fetch.calls.find((c) => c.body?.path === '/install-consent/submit')!;
        expect(submit.body).toMatchObject({state: 'zendesk', values: {consent: true}, context: {app_id: 'apps'}});

        // The list reloads: Zendesk is installed now.
        await waitFor(() => expect(within(card('Zendesk')).getByRole('button', {name: 'Disable'})).toBeInTheDocument());
    });

    it('shows admin action errors (e.g. 403) next to the app', async () => {
        const {user} = setup('system_admin', {
            [`POST ${BASE}/disable-app`]: () => raw(403, 'forbidden: system admin only'),
        });
        await screen.findByRole('listitem', {name: 'Hello World'});
        await user.click(within(card('Hello World')).getByRole('button', {name: 'Disable'}));
        expect(await screen.findByRole('alert')).toHaveTextContent('Hello World: forbidden: system admin only');
        expect(within(card('Hello World')).getByRole('button', {name: 'Disable'})).toBeEnabled();
    });

    it('shows a load error and closes on Esc', async () => {
        const {user, store} = setup('system_user', {[`GET ${BASE}/marketplace`]: () => raw(500, 'store down')});
        expect(await screen.findByRole('alert')).toHaveTextContent('Could not load the apps: store down');
        await user.keyboard('{Escape}');
        expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
        expect(pluginState(store).marketplaceOpen).toBe(false);
    });

    it('describes locations', () => {
        expect(locationText('/post_menu')).toBe('Post menu items');
        expect(locationText('/command')).toBe('Slash commands');
        expect(locationText('/command/jira/create')).toBe('/jira create command');
        expect(locationText('/elsewhere')).toBe('/elsewhere');
    });
});

describe('Marketplace focus', () => {
    it('keeps focus on the card after its buttons change', async () => {
        const {user} = setup();
        await screen.findByRole('listitem', {name: 'Jira'});
        await user.click(within(card('Jira')).getByRole('button', {name: 'Uninstall'}));
        await user.click(within(card('Jira')).getByRole('button', {name: 'Yes, uninstall'}));
        await screen.findByText('Jira is uninstalled.');
        await waitFor(() => expect(document.activeElement).not.toBe(document.body));
        expect(screen.getByRole('dialog', {name: 'Apps'}).contains(document.activeElement)).toBe(true);
    });
});
