import {act, render, screen, within} from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import React from 'react';

import Markdown from '../components/Markdown';
import Notices, {OK_NOTICE_MS} from '../components/Notices';
import {Controller, defaultNavigate} from '../controller';
import {fakeFetch, makeClients, makeController, makeStore, pluginState, renderWith, SET_CHANNEL} from '../testing/helpers';

const CALL = 'POST /plugins/com.mattermost.apps/api/v1/call';
const HEADER_BINDING = {app_id: 'hello', location: '/channel_header/send', label: 'Send', submit: {path: '/send'}};

describe('call results', () => {
    it('shows ok text as a notice in the channel it came from', async () => {
        const fetch = fakeFetch({[CALL]: () => ({type: 'ok', text: 'Sent *hello*', app_metadata: {bot_user_id: 'b1', bot_username: 'hello-bot'}})});
        const store = makeStore();
        const ctl = makeController(store, fetch);
        ctl.rememberApps([{id: 'hello', name: 'Hello World', icon: 'http://x/icon.png'}]);
        renderWith(<Notices/>, store, ctl);

        await act(() => ctl.runBinding(HEADER_BINDING, ctl.currentTarget()));
        const notice = screen.getByRole('status');
        expect(notice).toHaveTextContent('Hello World');
        expect(within(notice).getByText('hello').tagName).toBe('EM');
        expect(fetch.calls[0].body).toMatchObject({
            path: '/send',
            context: {app_id: 'hello', location: '/channel_header/send', channel_id: 'chan1', team_id: 'team1', track_as_submit: true, user_agent: 'webapp'},
        });

        // Another channel: not shown there; back: still there; dismissible.
        act(() => {
            store.dispatch({type: SET_CHANNEL, channelId: 'chan2'});
        });
        expect(screen.queryByRole('status')).not.toBeInTheDocument();
        act(() => {
            store.dispatch({type: SET_CHANNEL, channelId: 'chan1'});
        });
        await userEvent.click(screen.getByRole('button', {name: 'Dismiss'}));
        expect(screen.queryByRole('status')).not.toBeInTheDocument();
    });

    it('lets ok notices fade, keeps errors', async () => {
        jest.useFakeTimers();
        try {
            const store = makeStore();
            const ctl = makeController(store, fakeFetch({}));
            renderWith(<Notices/>, store, ctl);
            act(() => {
                ctl.notify('ok', {app_id: 'hello', channel_id: 'chan1'}, 'done');
                ctl.notify('error', {app_id: 'hello', channel_id: 'chan1'}, 'broken');
            });
            expect(screen.getAllByTestId('apps-notice')).toHaveLength(2);
            act(() => {
                jest.advanceTimersByTime(OK_NOTICE_MS + 10);
            });
            expect(screen.getAllByTestId('apps-notice')).toHaveLength(1);
            expect(screen.getByRole('alert')).toHaveTextContent('hello failed');
        } finally {
            jest.useRealTimers();
        }
    });

    it('names the app in errors, fetching its name if unknown', async () => {
        const fetch = fakeFetch({
            [CALL]: () => ({type: 'error', text: 'Not allowed'}),
            'GET /plugins/com.mattermost.apps/api/v1/marketplace': () => [{manifest: {app_id: 'hello', display_name: 'Hello World'}, installed: true, enabled: true}],
        });
        const store = makeStore();
        const ctl = makeController(store, fetch);
        renderWith(<Notices/>, store, ctl);
        await act(() => ctl.runBinding(HEADER_BINDING, ctl.currentTarget()));
        const alert = await screen.findByRole('alert');
        expect(await within(alert).findByText('Hello World failed')).toBeInTheDocument();
        expect(alert).toHaveTextContent('Not allowed');
    });

    it('opens forms, follows calls, navigates and asks for a bindings refresh', async () => {
        const answers: Record<string, unknown> = {
            '/form': {type: 'form', form: {title: 'F', submit: '/s'}},
            '/call': {type: 'call', call: {path: '/nav'}},
            '/nav': {type: 'navigate', navigate_to_url: '/team1/channels/town-square'},
            '/refresh': {type: 'ok', refresh_bindings: true},
            '/loop': {type: 'call', call: '/loop'},
        };
        const fetch = fakeFetch({[CALL]: (req) => answers[req.body.path]});
        const store = makeStore();
        const navigate = jest.fn();
        const refresh = jest.fn();
        const ctl = new Controller(store, makeClients(fetch), {refresh} as never, navigate);
        renderWith(<Notices/>, store, ctl);
        const target = ctl.currentTarget();

        await act(() => ctl.runBinding({...HEADER_BINDING, submit: {path: '/form'}}, target));
        expect(pluginState(store).form).toMatchObject({form: {title: 'F', submit: {path: '/s'}}, context: {app_id: 'hello', channel_id: 'chan1'}});

        await act(async () => {
            await ctl.runBinding({...HEADER_BINDING, submit: {path: '/call'}}, target);
            await new Promise((r) => setTimeout(r, 10));
        });
        expect(navigate).toHaveBeenCalledWith('/team1/channels/town-square', false);

        await act(() => ctl.runBinding({...HEADER_BINDING, submit: {path: '/refresh'}}, target));
        expect(refresh).toHaveBeenCalledWith('call');

        await act(async () => {
            await ctl.runBinding({...HEADER_BINDING, submit: {path: '/loop'}}, target);
            await new Promise((r) => setTimeout(r, 50));
        });
        expect(await screen.findByText(/too many calls/)).toBeInTheDocument();

        // A binding with a form opens it without a call.
        const before = fetch.calls.length;
        await act(() => ctl.runBinding({app_id: 'hello', location: '/post_menu/x', form: {title: 'Direct', submit: {path: '/d'}}}, ctl.targetForPost('p1')));
        expect(fetch.calls.length).toBe(before);
        expect(pluginState(store).form).toMatchObject({form: {title: 'Direct'}, context: {post_id: 'p1', root_post_id: 'p1'}});
    });

    it('uses the post\'s channel and thread for post menu actions', () => {
        const store = makeStore({posts: {p2: {id: 'p2', channel_id: 'chan2', root_id: 'p1'}}});
        const ctl = makeController(store, fakeFetch({}));
        expect(ctl.targetForPost('p2')).toEqual({channelId: 'chan2', teamId: 'team1', postId: 'p2', rootPostId: 'p1'});
    });

    it('navigates inside the web app or opens external URLs in a new tab', () => {
        const open = jest.spyOn(window, 'open').mockImplementation(() => null);
        const push = jest.fn();
        window.WebappUtils = {browserHistory: {push}};
        try {
            const nav = defaultNavigate('http://localhost');
            nav('http://localhost/team1/channels/off-topic?x=1', false);
            expect(push).toHaveBeenCalledWith('/team1/channels/off-topic?x=1');
            nav('https://example.com/docs', false);
            expect(open).toHaveBeenCalledWith('https://example.com/docs', '_blank', 'noopener,noreferrer');
            nav('http://localhost/team1', true);
            expect(open).toHaveBeenLastCalledWith('http://localhost/team1', '_blank', 'noopener,noreferrer');
            nav('javascript:alert(1)', true);
            expect(open).toHaveBeenCalledTimes(2);
        } finally {
            delete window.WebappUtils;
            open.mockRestore();
        }
    });
});

describe('Markdown', () => {
    it('renders a safe subset', () => {
        render(
            <Markdown
                text={'# Title\nSome **bold**, `code` and [a link](https://x.test).\n\n- one\n- two\n\n[bad](javascript:alert(1)) https://auto.test/x.'}
            />,
        );
        expect(screen.getByText('Title').tagName).toBe('STRONG');
        expect(screen.getByText('code').tagName).toBe('CODE');
        expect(screen.getByRole('link', {name: 'a link'})).toHaveAttribute('href', 'https://x.test');
        expect(screen.getAllByRole('listitem')).toHaveLength(2);
        expect(screen.queryByRole('link', {name: 'bad'})).not.toBeInTheDocument();
        expect(screen.getByText(/^bad/)).toBeInTheDocument();
        expect(document.querySelector('a[href^="javascript"]')).toBeNull();
        expect(screen.getByRole('link', {name: 'https://auto.test/x'})).toHaveAttribute('rel', 'noopener noreferrer');
    });
});
