import {act, screen, waitFor, within} from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import React from 'react';

import AppsFormModal from '../components/AppsForm';
import Notices from '../components/Notices';
import type {CallContext} from '../state';
import {fakeFetch, makeController, makeStore, pluginState, raw, renderWith, type RouteHandler} from '../testing/helpers';
import type {Form} from '../types/apps';

const CALL = 'POST /plugins/com.mattermost.apps/api/v1/call';

const CTX: CallContext = {app_id: 'tickets', location: '/channel_header/create', channel_id: 'chan1', team_id: 'team1'};

const FULL_FORM: Form = {
    title: 'Create ticket',
    header: 'Fill in **all** fields',
    footer: 'Tickets go to _Jira_',
    icon: 'http://apps.test/icon.png',
    submit: {path: '/ticket/submit', expand: {acting_user: 'summary'}, state: {draft: 7}},
    fields: [
        {name: 'summary', type: 'text', label: 'Summary', is_required: true, description: 'One line', min_length: 3, max_length: 50, hint: 'What happened?'},
        {name: 'details', type: 'text', subtype: 'textarea', modal_label: 'Details'},
        {name: 'count', type: 'text', subtype: 'number', label: 'Count'},
        {name: 'email', type: 'text', subtype: 'email', label: 'Email'},
        {name: 'secret', type: 'text', subtype: 'password', label: 'Secret'},
        {name: 'link', type: 'text', subtype: 'url', label: 'Link'},
        {name: 'phone', type: 'text', subtype: 'tel', label: 'Phone'},
        {name: 'ro', type: 'text', label: 'Read only', readonly: true, value: 'fixed'},
        {name: 'urgent', type: 'bool', label: 'Urgent'},
        {name: 'priority', type: 'static_select', label: 'Priority', options: [{label: 'Low', value: 'low'}, {label: 'High', value: 'high'}], value: 'low'},
        {name: 'tags', type: 'static_select', multiselect: true, label: 'Tags', options: [{label: 'Bug', value: 'bug'}, {label: 'UI', value: 'ui'}, {label: 'Docs', value: 'docs'}]},
        {name: 'project', type: 'dynamic_select', label: 'Project', lookup: {path: '/projects/lookup', expand: {team: 'id'}}},
        {name: 'assignee', type: 'user', label: 'Assignee'},
        {name: 'room', type: 'channel', label: 'Room'},
        {name: 'note', type: 'markdown', description: 'Read the **docs** first'},
    ],
};

interface Setup {
    routes?: Record<string, RouteHandler>;
    call?: RouteHandler;
}

function setup(form: Form, opts: Setup = {}) {
    const fetch = fakeFetch({
        [CALL]: opts.call ?? (() => ({type: 'ok'})),
        'GET /api/v4/users/autocomplete': (req) => ({users: [
            {id: 'u-bob', username: 'bob', last_picture_update: 5},
            {id: 'u-bert', username: 'bert'},
        ].filter((u) => u.username.startsWith(req.url.searchParams.get('name') ?? ''))}),
        'GET /api/v4/teams/team1/channels/autocomplete': (req) => [
            {id: 'c-town', name: 'town-square', display_name: 'Town Square'},
            {id: 'c-off', name: 'off-topic', display_name: 'Off-Topic'},
        ].filter((c) => c.display_name.toLowerCase().includes(req.url.searchParams.get('name') ?? '')),
        ...opts.routes,
    });
    const store = makeStore();
    const navigate = jest.fn();
    const ctl = makeController(store, fetch, navigate);
    const user = userEvent.setup();
    renderWith(
        <>
            <AppsFormModal/>
            <Notices/>
        </>,
        store,
        ctl,
    );
    act(() => ctl.openForm(form, CTX));
    const calls = () => fetch.calls.filter((c) => c.path.endsWith('/api/v1/call'));
    return {fetch, store, ctl, user, navigate, calls};
}

async function pick(user: ReturnType<typeof userEvent.setup>, label: string | RegExp, query: string, option: string) {
    const box = screen.getByRole('combobox', {name: label});
    await user.click(box);
    if (query) {
        await user.type(box, query);
    }
    await user.click(await screen.findByRole('option', {name: option}));
}

describe('AppsForm', () => {
    beforeEach(() => {
        document.cookie = 'MMCSRF=tok; path=/';
    });

    it('renders every field type with accessible labels and help', () => {
        setup(FULL_FORM);
        const dialog = screen.getByRole('dialog', {name: 'Create ticket'});
        expect(dialog).toHaveAttribute('aria-modal', 'true');

        const summary = screen.getByLabelText(/^Summary/);
        expect(summary).toHaveAttribute('type', 'text');
        expect(summary).toBeRequired();
        expect(summary).toHaveAttribute('placeholder', 'What happened?');
        expect(summary).toHaveAttribute('maxLength', '50');
        expect(summary).toHaveAccessibleDescription('One line');
        expect(screen.getByLabelText('Details').tagName).toBe('TEXTAREA');
        expect(screen.getByLabelText('Count')).toHaveAttribute('type', 'number');
        expect(screen.getByLabelText('Email')).toHaveAttribute('type', 'email');
        expect(screen.getByLabelText('Secret')).toHaveAttribute('type', 'password');
        expect(screen.getByLabelText('Link')).toHaveAttribute('type', 'url');
        expect(screen.getByLabelText('Phone')).toHaveAttribute('type', 'tel');
        expect(screen.getByLabelText('Read only')).toHaveAttribute('readonly');
        expect(screen.getByLabelText('Read only')).toHaveValue('fixed');
        expect(screen.getByRole('checkbox', {name: 'Urgent'})).not.toBeChecked();
        expect(screen.getByRole('combobox', {name: 'Priority'})).toHaveValue('Low');
        expect(screen.getByRole('combobox', {name: 'Tags'})).toBeInTheDocument();
        expect(screen.getByRole('combobox', {name: 'Project'})).toBeInTheDocument();
        expect(screen.getByRole('combobox', {name: 'Assignee'})).toBeInTheDocument();
        expect(screen.getByRole('combobox', {name: 'Room'})).toBeInTheDocument();

        // Markdown: the header, the footer and the markdown field.
        expect(within(dialog).getByText('all').tagName).toBe('STRONG');
        expect(within(dialog).getByText('Jira').tagName).toBe('EM');
        expect(within(dialog).getByText('docs').tagName).toBe('STRONG');

        // Focus starts on the first field.
        expect(summary).toHaveFocus();
        expect(screen.getByRole('button', {name: 'Submit'})).toBeEnabled();
    });

    it('submits every field type in the CallRequest value shapes', async () => {
        const {user, calls, store} = setup(FULL_FORM, {
            call: (req) => {
                if (req.body.path === '/projects/lookup') {
                    return {type: 'ok', data: {items: [
                        {label: 'Apollo', value: 'apollo', icon_data: 'http://apps.test/apollo.png'},
                        {label: 'Artemis', value: 'artemis'},
                    ].filter((i) => i.label.toLowerCase().startsWith(req.body.query))}};
                }
                return {type: 'ok', text: 'Ticket **T-1** created'};
            },
        });

        await user.type(screen.getByLabelText(/^Summary/), 'Printer on fire');
        await user.type(screen.getByLabelText('Details'), 'Line 1{Enter}Line 2');
        await user.type(screen.getByLabelText('Count'), '3');
        await user.type(screen.getByLabelText('Email'), 'a@b.c');
        await user.type(screen.getByLabelText('Secret'), 's3cret');
        await user.type(screen.getByLabelText('Link'), 'https://x.test');
        await user.type(screen.getByLabelText('Phone'), '+1555');
        await user.click(screen.getByRole('checkbox', {name: 'Urgent'}));
        await pick(user, 'Priority', '', 'High');
        await pick(user, 'Tags', '', 'Bug');
        await pick(user, 'Tags', 'do', 'Docs');
        await pick(user, 'Project', 'ar', 'Artemis');
        await pick(user, 'Assignee', 'bo', 'bob');
        await pick(user, 'Room', 'town', 'Town Square');

        await user.click(screen.getByRole('button', {name: 'Submit'}));
        await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());

        const submit = calls().find((c) => c.body.path === '/ticket/submit')!;
        expect(submit.body).toEqual({
            path: '/ticket/submit',
            expand: {acting_user: 'summary'},
            state: {draft: 7},
            values: {
                summary: 'Printer on fire',
                details: 'Line 1\nLine 2',
                count: '3',
                email: 'a@b.c',
                secret: 's3cret',
                link: 'https://x.test',
                phone: '+1555',
                ro: 'fixed',
                urgent: true,
                priority: {label: 'High', value: 'high'},
                tags: [{label: 'Bug', value: 'bug'}, {label: 'Docs', value: 'docs'}],
                project: {label: 'Artemis', value: 'artemis'},
                assignee: {label: 'bob', value: 'u-bob', icon_data: 'http://mm.test/api/v4/users/u-bob/image?_=5'},
                room: {label: 'Town Square', value: 'c-town'},
            },
            context: {...CTX, track_as_submit: true, user_agent: 'webapp'},
            selected_field: '',
            query: '',
        });
        expect(pluginState(store).form).toBeNull();

        // ok text shows as a notice in the channel.
        const notice = await screen.findByRole('status');
        expect(notice).toHaveTextContent('Ticket T-1 created');
        expect(within(notice).getByText('T-1').tagName).toBe('STRONG');
    });

    it('runs lookups as the user types, with the query and the selected field', async () => {
        const lookups: any[] = [];
        const {user} = setup(FULL_FORM, {
            call: (req) => {
                lookups.push(req.body);
                return {type: 'ok', data: {items: [{label: `Result for ${req.body.query}`, value: 'r'}]}};
            },
        });
        await user.type(screen.getByLabelText(/^Summary/), 'abc');
        const box = screen.getByRole('combobox', {name: 'Project'});
        await user.click(box);
        expect(await screen.findByRole('option', {name: 'Result for'})).toBeInTheDocument();
        await user.type(box, 'apo');
        expect(await screen.findByRole('option', {name: 'Result for apo'})).toBeInTheDocument();
        // Typing is debounced: not one lookup per key.
        expect(lookups.length).toBeLessThanOrEqual(3);
        const last = lookups[lookups.length - 1];
        expect(last.path).toBe('/projects/lookup');
        expect(last.expand).toEqual({team: 'id'});
        expect(last.selected_field).toBe('project');
        expect(last.query).toBe('apo');
        expect(last.values.summary).toBe('abc');
        expect(last.context.app_id).toBe('tickets');
        expect(box).toHaveAttribute('aria-expanded', 'true');

        // Keyboard: ↓ and Enter pick, and Enter does not submit the form.
        await user.keyboard('{ArrowDown}{Enter}');
        expect(box).toHaveValue('Result for apo');
        expect(screen.getByRole('dialog')).toBeInTheDocument();
    });

    it('shows lookup errors and a missing lookup call', async () => {
        const {user} = setup({
            submit: {path: '/s'},
            fields: [
                {name: 'a', type: 'dynamic_select', label: 'A', lookup: {path: '/bad'}},
                {name: 'b', type: 'dynamic_select', label: 'B'},
            ],
        }, {call: () => ({type: 'error', text: 'lookup exploded'})});
        await user.click(screen.getByRole('combobox', {name: 'A'}));
        expect(await screen.findByText(/lookup exploded/)).toBeInTheDocument();
        await user.click(screen.getByRole('combobox', {name: 'B'}));
        expect(await screen.findByText(/has no lookup call/)).toBeInTheDocument();
    });

    it('checks required fields and lengths before calling the app', async () => {
        const {user, calls} = setup(FULL_FORM);
        await user.click(screen.getByRole('button', {name: 'Submit'}));
        expect(calls()).toHaveLength(0);
        const summary = screen.getByLabelText(/^Summary/);
        expect(summary).toHaveAttribute('aria-invalid', 'true');
        expect(summary).toHaveAccessibleDescription(expect.stringContaining('This field is required.'));
        expect(screen.getByRole('alert')).toHaveTextContent('Please fix the errors below.');
        expect(summary).toHaveFocus();

        await user.type(summary, 'ab');
        expect(summary).not.toHaveAttribute('aria-invalid');
        await user.click(screen.getByRole('button', {name: 'Submit'}));
        expect(screen.getByText('Enter at least 3 characters.')).toBeInTheDocument();
        await user.type(screen.getByLabelText('Email'), 'nope');
        await user.type(summary, 'c');
        await user.click(screen.getByRole('button', {name: 'Submit'}));
        expect(screen.getByText('Enter an email address.')).toBeInTheDocument();
        expect(calls()).toHaveLength(0);
    });

    it('shows the app\'s form-level and per-field errors and stays open', async () => {
        const {user, store} = setup(FULL_FORM, {
            call: () => ({type: 'error', text: 'Jira said **no**', data: {errors: {email: 'Unknown reporter', other: 'Field gone'}}}),
        });
        await user.type(screen.getByLabelText(/^Summary/), 'Valid one');
        await user.type(screen.getByLabelText('Email'), 'x@y.z');
        await user.click(screen.getByRole('button', {name: 'Submit'}));

        const alert = await screen.findByRole('alert');
        expect(alert).toHaveTextContent('Jira said no');
        expect(alert).toHaveTextContent('other: Field gone');
        const email = screen.getByLabelText('Email');
        expect(email).toHaveAttribute('aria-invalid', 'true');
        expect(email).toHaveAccessibleDescription('Unknown reporter');
        await waitFor(() => expect(email).toHaveFocus());
        expect(pluginState(store).form).not.toBeNull();
        expect(screen.getByRole('button', {name: 'Submit'})).toBeEnabled();
    });

    it('refreshes the form through its source when a refresh field changes', async () => {
        const form: Form = {
            title: 'Refresh',
            source: {path: '/form/source'},
            submit: {path: '/form/submit'},
            fields: [
                {name: 'name', type: 'text', label: 'Name'},
                {name: 'kind', type: 'static_select', label: 'Kind', refresh: true, options: [{label: 'Bug', value: 'bug'}, {label: 'Task', value: 'task'}]},
            ],
        };
        const {user, calls} = setup(form, {
            call: (req) => ({
                type: 'form',
                form: {
                    ...form,
                    title: 'Refreshed',
                    fields: [
                        ...form.fields!.map((f) => (f.name === 'kind' ? {...f, value: req.body.values.kind} : f)),
                        {name: 'severity', type: 'static_select', label: 'Severity', options: [{label: 'S1', value: 's1'}]},
                    ],
                },
            }),
        });
        await user.type(screen.getByLabelText('Name'), 'kept');
        await pick(user, 'Kind', '', 'Task');

        expect(await screen.findByRole('dialog', {name: 'Refreshed'})).toBeInTheDocument();
        const refresh = calls()[0].body;
        expect(refresh.path).toBe('/form/source');
        expect(refresh.selected_field).toBe('kind');
        expect(refresh.values).toEqual({name: 'kept', kind: {label: 'Task', value: 'task'}});
        expect(screen.getByRole('combobox', {name: 'Severity'})).toBeInTheDocument();
        expect(screen.getByLabelText('Name')).toHaveValue('kept');
        expect(screen.getByRole('combobox', {name: 'Kind'})).toHaveValue('Task');
    });

    it('loads source forms, with a loading state', async () => {
        let answer!: (v: unknown) => void;
        const {user, calls} = setup({source: {path: '/form'}}, {
            call: () => new Promise((resolve) => {
                answer = resolve;
            }),
        });
        expect(screen.getByRole('status')).toHaveTextContent('Loading…');
        expect(screen.getByRole('dialog')).toHaveAttribute('aria-busy', 'true');
        expect(calls()[0].body).toMatchObject({path: '/form', selected_field: ''});

        await act(async () => answer({type: 'form', form: {title: 'From source', submit: '/go', fields: [{name: 'n', type: 'text', label: 'N'}]}}));
        expect(screen.getByRole('dialog', {name: 'From source'})).toBeInTheDocument();
        await waitFor(() => expect(screen.getByLabelText('N')).toHaveFocus());
        await user.type(screen.getByLabelText('N'), 'v{Enter}');
        await waitFor(() => expect(calls()).toHaveLength(2));
        expect(calls()[1].body).toMatchObject({path: '/go', values: {n: 'v'}});
    });

    it('offers several submit buttons and sends the one pressed', async () => {
        const {user, calls} = setup({
            title: 'Review',
            submit: {path: '/review'},
            submit_buttons: 'decision',
            fields: [
                {name: 'comment', type: 'text', label: 'Comment'},
                {name: 'decision', type: 'static_select', label: 'Decision', options: [{label: 'Approve', value: 'yes'}, {label: 'Reject', value: 'no'}]},
            ],
        });
        expect(screen.queryByRole('combobox', {name: 'Decision'})).not.toBeInTheDocument();
        expect(screen.queryByRole('button', {name: 'Submit'})).not.toBeInTheDocument();
        await user.click(screen.getByRole('button', {name: 'Reject'}));
        await waitFor(() => expect(calls()).toHaveLength(1));
        expect(calls()[0].body.values).toEqual({comment: '', decision: {label: 'Reject', value: 'no'}});
    });

    it('disables submitting while a submit is running and shows progress', async () => {
        let answer!: (v: unknown) => void;
        const {user} = setup({title: 'Slow', submit: {path: '/slow'}, fields: [{name: 'a', type: 'text', label: 'A'}]}, {
            call: () => new Promise((resolve) => {
                answer = resolve;
            }),
        });
        await user.click(screen.getByRole('button', {name: 'Submit'}));
        const busy = await screen.findByRole('button', {name: 'Submitting…'});
        expect(busy).toBeDisabled();
        expect(screen.getByLabelText('A')).toBeDisabled();
        expect(screen.getByRole('dialog')).toHaveAttribute('aria-busy', 'true');
        await act(async () => answer({type: 'ok'}));
        expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    });

    it('follows navigate responses', async () => {
        const {user, navigate} = setup({submit: {path: '/nav'}}, {
            call: () => ({type: 'navigate', navigate_to_url: 'https://example.com/x', use_external_browser: true}),
        });
        await user.click(screen.getByRole('button', {name: 'Submit'}));
        await waitFor(() => expect(navigate).toHaveBeenCalledWith('https://example.com/x', true));
        expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    });

    it('shows the next form of a multi-step flow', async () => {
        const {user} = setup({title: 'Step 1', submit: {path: '/1'}, fields: [{name: 'a', type: 'text', label: 'A'}]}, {
            call: () => ({type: 'form', form: {title: 'Step 2', submit: {path: '/2'}, fields: [{name: 'b', type: 'text', label: 'B'}]}}),
        });
        await user.type(screen.getByLabelText('A'), 'x{Enter}');
        expect(await screen.findByRole('dialog', {name: 'Step 2'})).toBeInTheDocument();
        await waitFor(() => expect(screen.getByLabelText('B')).toHaveFocus());
        expect(screen.getByLabelText('B')).toHaveValue('');
    });

    it('refreshes on leaving a changed refresh text field; says so when there is no source', async () => {
        const {user, calls} = setup({
            title: 'T',
            source: {path: '/src'},
            submit: {path: '/s'},
            fields: [{name: 'title', type: 'text', label: 'Title', refresh: true}, {name: 'other', type: 'text', label: 'Other'}],
        }, {call: (req) => ({type: 'form', form: {title: 'T2', source: {path: '/src'}, submit: {path: '/s'}, fields: [{name: 'title', type: 'text', label: 'Title', value: req.body.values.title.toUpperCase()}]}})});
        await user.click(screen.getByLabelText('Other'));
        expect(calls()).toHaveLength(0);
        await user.type(screen.getByLabelText('Title'), 'abc');
        expect(calls()).toHaveLength(0);
        await user.tab();
        expect(await screen.findByRole('dialog', {name: 'T2'})).toBeInTheDocument();
        expect(calls()[0].body).toMatchObject({path: '/src', selected_field: 'title', values: {title: 'abc'}});
        expect(screen.getByLabelText('Title')).toHaveValue('ABC');
    });

    it('reports a refresh field without a source call', async () => {
        const {user, calls} = setup({
            submit: {path: '/s'},
            fields: [{name: 'k', type: 'static_select', label: 'K', refresh: true, options: [{label: 'One', value: '1'}]}],
        });
        await pick(user, 'K', '', 'One');
        expect(screen.getByRole('alert')).toHaveTextContent('This form has no source call to refresh it.');
        expect(calls()).toHaveLength(0);
    });

    it('closes on Esc, but Esc in an open list only closes the list', async () => {
        const {user, store} = setup(FULL_FORM);
        const priority = screen.getByRole('combobox', {name: 'Priority'});
        await user.click(priority);
        expect(priority).toHaveAttribute('aria-expanded', 'true');
        await user.keyboard('{Escape}');
        expect(priority).toHaveAttribute('aria-expanded', 'false');
        expect(screen.getByRole('dialog')).toBeInTheDocument();

        await user.keyboard('{Escape}');
        expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
        expect(pluginState(store).form).toBeNull();
    });

    it('keeps Tab inside the dialog and gives focus back on close', async () => {
        const opener = document.createElement('button');
        opener.textContent = 'opener';
        document.body.appendChild(opener);
        opener.focus();
        const {user} = setup({title: 'Tabs', submit: {path: '/x'}, fields: [{name: 'a', type: 'text', label: 'A'}]});
        expect(screen.getByLabelText('A')).toHaveFocus();
        await user.tab();
        expect(screen.getByRole('button', {name: 'Cancel'})).toHaveFocus();
        await user.tab();
        expect(screen.getByRole('button', {name: 'Submit'})).toHaveFocus();
        await user.tab();
        expect(screen.getByRole('button', {name: 'Close'})).toHaveFocus();
        await user.tab({shift: true});
        expect(screen.getByRole('button', {name: 'Submit'})).toHaveFocus();
        await user.click(screen.getByRole('button', {name: 'Cancel'}));
        expect(opener).toHaveFocus();
        opener.remove();
    });

    it('manages multiselect picks with chips and Backspace', async () => {
        const {user} = setup(FULL_FORM);
        await pick(user, 'Tags', '', 'Bug');
        await pick(user, 'Tags', '', 'UI');
        await pick(user, 'Tags', '', 'Docs');
        await user.click(screen.getByRole('button', {name: 'Remove UI'}));
        expect(screen.queryByRole('button', {name: 'Remove UI'})).not.toBeInTheDocument();
        const tags = screen.getByRole('combobox', {name: 'Tags'});
        await user.click(tags);
        await user.keyboard('{Escape}{Backspace}');
        expect(screen.queryByRole('button', {name: 'Remove Docs'})).not.toBeInTheDocument();
        expect(screen.getByRole('button', {name: 'Remove Bug'})).toBeInTheDocument();
    });

    it('shows errors of a failed call with the app name when outside a form', async () => {
        const {ctl} = setup({submit: {path: '/x'}}, {call: () => raw(500, 'boom')});
        ctl.rememberApps([{id: 'tickets', name: 'Ticket Tracker'}]);
        await act(() => ctl.runBinding({app_id: 'tickets', location: '/channel_header/x', submit: {path: '/x'}}, {channelId: 'chan1', teamId: 'team1'}));
        const alert = await screen.findByText('Ticket Tracker failed');
        expect(alert.closest('[role="alert"]')).toHaveTextContent('boom');
    });
});
