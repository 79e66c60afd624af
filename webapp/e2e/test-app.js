'use strict';

// An HTTP App for the browser test, in the shape of the Go test app
// (test/testapp): it serves its manifest and icon, answers its calls and
// records every call it gets, so the test can check what reached the app.
//
//   GET  /manifest.json      the manifest (http.root_url = this server)
//   GET  /static/icon.svg    the icon
//   POST /<call path>        CallRequest in, CallResponse out
//   GET  /received           the calls received so far (JSON), for the test

const http = require('http');

const APP_ID = 'e2e-tickets';

const ICON = `<svg xmlns="http://www.w3.org/2000/svg" width="32" height="32" viewBox="0 0 32 32">
<rect width="32" height="32" rx="7" fill="#1c58d9"/><path d="M9 10h14v3H9zm0 5h14v3H9zm0 5h9v3H9z" fill="#fff"/></svg>`;

const PROJECTS = [
    {label: 'Apollo', value: 'apollo'},
    {label: 'Artemis', value: 'artemis'},
    {label: 'Gemini', value: 'gemini'},
    {label: 'Mercury', value: 'mercury'},
];

function ticketForm() {
    return {
        title: 'Create ticket',
        header: 'File a ticket in the **E2E tracker**.',
        icon: 'icon.svg',
        submit: {path: '/ticket/submit', expand: {acting_user: 'summary'}},
        source: {path: '/ticket/form'},
        fields: [
            {name: 'summary', type: 'text', modal_label: 'Summary', is_required: true, hint: 'What happened?', max_length: 80},
            {name: 'details', type: 'text', subtype: 'textarea', modal_label: 'Details', description: 'Steps to reproduce, _if any_.'},
            {
                name: 'priority',
                type: 'static_select',
                modal_label: 'Priority',
                value: {label: 'Normal', value: 'normal'},
                options: [{label: 'Low', value: 'low'}, {label: 'Normal', value: 'normal'}, {label: 'High', value: 'high'}],
            },
            {name: 'project', type: 'dynamic_select', modal_label: 'Project', is_required: true, lookup: {path: '/ticket/lookup'}},
            {name: 'assignee', type: 'user', modal_label: 'Assignee'},
            {name: 'urgent', type: 'bool', modal_label: 'Urgent'},
            {name: 'note', type: 'markdown', description: 'Tickets are visible to **everyone** in the team.'},
        ],
    };
}

function bindings() {
    return [
        {
            location: '/channel_header',
            bindings: [{location: 'create', label: 'Create ticket', hint: 'Create a ticket', icon: 'icon.svg', form: {source: {path: '/ticket/form'}}}],
        },
        {
            location: '/post_menu',
            bindings: [{location: 'echo', label: 'Echo post', icon: 'icon.svg', submit: {path: '/echo', expand: {post: 'summary'}}}],
        },
        {
            location: '/command',
            bindings: [{location: 'tickets', label: 'tickets', bindings: [{location: 'create', label: 'create', form: {source: {path: '/ticket/form'}}}]}],
        },
    ];
}

function answer(creq) {
    switch (creq.path) {
    case '/bindings':
        return {type: 'ok', data: bindings()};
    case '/ticket/form':
        return {type: 'form', form: ticketForm()};
    case '/ticket/lookup': {
        const q = String(creq.query || '').toLowerCase();
        return {type: 'ok', data: {items: PROJECTS.filter((p) => p.label.toLowerCase().includes(q))}};
    }
    case '/ticket/submit': {
        const v = creq.values || {};
        if (!v.summary) {
            return {type: 'error', text: 'A summary is needed.', data: {errors: {summary: 'Required'}}};
        }
        return {type: 'ok', text: `Created ticket **T-1**: ${v.summary} (${v.project && v.project.label})`};
    }
    case '/echo':
        return {type: 'ok', text: 'Echo from the post menu.'};
    case '/install':
    case '/uninstall':
    case '/enable':
    case '/disable':
    case '/ping':
        return {type: 'ok'};
    default:
        return {type: 'error', text: `unknown path ${creq.path}`};
    }
}

function readBody(req) {
    return new Promise((resolve, reject) => {
        const chunks = [];
        req.on('data', (c) => chunks.push(c));
        req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
        req.on('error', reject);
    });
}

// start runs the app on 127.0.0.1:port (0 = any free port).
function start(port = 0) {
    const received = [];
    let url = '';

    const manifest = () => ({
        app_id: APP_ID,
        version: '1.0.0',
        display_name: 'E2E Tickets',
        description: 'Files tickets from channels and posts (browser test app)',
        homepage_url: 'https://example.com/e2e-tickets',
        icon: 'icon.svg',
        requested_permissions: ['act_as_bot', 'act_as_user'],
        requested_locations: ['/channel_header', '/post_menu', '/command'],
        http: {root_url: url},
        on_install: {path: '/install'},
        on_uninstall: {path: '/uninstall'},
    });

    const server = http.createServer(async (req, res) => {
        const path = new URL(req.url, 'http://x').pathname;
        try {
            if (req.method === 'GET' && path === '/manifest.json') {
                res.writeHead(200, {'Content-Type': 'application/json'});
                res.end(JSON.stringify(manifest()));
                return;
            }
            if (req.method === 'GET' && path === '/static/icon.svg') {
                res.writeHead(200, {'Content-Type': 'image/svg+xml'});
                res.end(ICON);
                return;
            }
            if (req.method === 'GET' && path === '/received') {
                res.writeHead(200, {'Content-Type': 'application/json'});
                res.end(JSON.stringify(received));
                return;
            }
            if (req.method === 'POST') {
                const creq = JSON.parse((await readBody(req)) || '{}');
                creq.path = creq.path || path;
                received.push({path, request: creq});
                res.writeHead(200, {'Content-Type': 'application/json'});
                res.end(JSON.stringify(answer(creq)));
                return;
            }
            res.writeHead(404);
            res.end('not found');
        } catch (err) {
            res.writeHead(500);
            res.end(String(err && err.message));
        }
    });

    return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, '127.0.0.1', () => {
            url = `http://127.0.0.1:${server.address().port}`;
            resolve({
                url,
                appId: APP_ID,
                manifest,
                received,
                getReceived: async () => received,
                close: () => new Promise((r) => server.close(() => r())),
            });
        });
    });
}

// connect uses a test app that is already running (e.g. one installed on a
// real test host), reading what it received over HTTP.
async function connect(url) {
    const base = url.replace(/\/+$/, '');
    const manifest = await (await fetch(`${base}/manifest.json`)).json();
    return {
        url: base,
        appId: manifest.app_id,
        manifest: () => manifest,
        getReceived: async () => (await fetch(`${base}/received`)).json(),
        close: async () => undefined,
    };
}

module.exports = {start, connect, APP_ID};

if (require.main === module) {
    start(Number(process.env.APPS_E2E_APP_PORT || 0)).then((app) => {
        console.log(`e2e test app at ${app.url} (manifest: ${app.url}/manifest.json)`);
    });
}
