'use strict';

// The test host for the browser test: serves the Mattermost-like page
// (page/), the built dist/main.js and the web app's library globals, a few
// Mattermost REST routes (/api/v4 user and channel autocomplete, avatars)
// and the plugin's routes under /plugins/<PLUGIN_ID>/.
//
// The plugin routes are either
//   - fake (default): a small stand-in for the plugin that forwards calls
//     to the HTTP test app as the real plugin does (CallRequest POSTed to
//     <root_url><path>), lists apps, and answers the admin routes; or
//   - proxied to a real test host: with APPS_E2E_SITE_URL set (e.g.
//     http://127.0.0.1:8065), every /plugins/... request goes there
//     unchanged. With APPS_E2E_CSRF set too, the page's cookies are the real
//     session (MMAUTHTOKEN=$APPS_E2E_TOKEN, MMCSRF=$APPS_E2E_CSRF) and the
//     host authenticates the browser's cookie exactly as Mattermost does
//     (CSRF rule included); without it, the proxy adds
//     `Authorization: Bearer $APPS_E2E_TOKEN`. The page, main.js and /api/v4
//     stay local. test/webhost prints this environment (and APPS_E2E_PORT:
//     the host's SiteURL is this server's origin).
//
// Either way the session cookie MMAUTHTOKEN and the CSRF cookie MMCSRF are
// set on the page, and the fake plugin routes refuse requests without the
// cookie, or POSTs without X-Requested-With: XMLHttpRequest and a matching
// X-CSRF-Token, as Mattermost does for cookie sessions.

const fs = require('fs');
const http = require('http');
const path = require('path');

const WEBAPP = path.resolve(__dirname, '..');
const PAGE = path.join(__dirname, 'page');

const SESSION = 'e2e-session-token';
const CSRF = 'e2e-csrf-token';

const VENDOR = {
    'react.js': 'react/umd/react.production.min.js',
    'react-dom.js': 'react-dom/umd/react-dom.production.min.js',
    'redux.js': 'redux/dist/redux.min.js',
    'react-redux.js': 'react-redux/dist/react-redux.min.js',
};

const USERS = [
    {id: 'user-alice', username: 'alice', first_name: 'Alice', last_name: 'Admin', roles: 'system_user system_admin'},
    {id: 'user-bob', username: 'bob', first_name: 'Bob', last_name: 'Builder', roles: 'system_user'},
    {id: 'user-bert', username: 'bert', first_name: 'Bert', last_name: 'Tester', roles: 'system_user'},
];

// The post the page shows in its channel (test/webhost creates it on the
// real host with this message).
const POST_MESSAGE = 'The printer on floor 3 is on fire again.';

const CHANNELS = [
    {id: 'chan-town', team_id: 'team-e2e', name: 'town-square', display_name: 'Town Square', type: 'O'},
    {id: 'chan-off', team_id: 'team-e2e', name: 'off-topic', display_name: 'Off-Topic', type: 'O'},
];

function parseCookies(header) {
    const out = {};
    for (const part of (header || '').split(';')) {
        const [k, ...v] = part.trim().split('=');
        if (k) {
            out[k] = decodeURIComponent(v.join('='));
        }
    }
    return out;
}

function readBody(req) {
    return new Promise((resolve, reject) => {
        const chunks = [];
        req.on('data', (c) => chunks.push(c));
        req.on('end', () => resolve(Buffer.concat(chunks)));
        req.on('error', reject);
    });
}

function send(res, status, body, type) {
    const isText = typeof body === 'string' || Buffer.isBuffer(body);
    res.writeHead(status, {'Content-Type': type || (isText ? 'text/plain; charset=utf-8' : 'application/json'), 'Cache-Control': 'no-store'});
    res.end(isText ? body : JSON.stringify(body));
}

async function postJSON(url, body) {
    const resp = await fetch(url, {method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify(body)});
    const text = await resp.text();
    if (!resp.ok) {
        throw new Error(`${url}: ${resp.status} ${text}`);
    }
    return JSON.parse(text);
}

// The fake plugin: what the browser test needs of /plugins/<id>/...
function makeFakePlugin({pluginId, app, siteURL}) {
    const installed = {[app.appId]: {enabled: true}};
    const listed = [
        app.manifest(),
        {
            app_id: 'e2e-zendesk',
            version: '0.3.0',
            display_name: 'Zendesk',
            description: 'Create and manage Zendesk tickets',
            homepage_url: 'https://example.com/zendesk',
            requested_permissions: ['act_as_user', 'remote_oauth2', 'remote_webhooks', 'act_as_bot'],
            requested_locations: ['/channel_header', '/command'],
        },
        {
            app_id: 'e2e-servicenow',
            version: '0.2.0',
            display_name: 'ServiceNow',
            description: 'Incidents from ServiceNow, in Mattermost',
            homepage_url: 'https://example.com/servicenow',
            requested_permissions: ['act_as_bot'],
            requested_locations: ['/post_menu'],
        },
    ];
    const stats = {bindings: 0, calls: 0};
    const base = `/plugins/${pluginId}`;
    const iconURL = (appId, icon) => (/^https?:\/\//.test(icon) ? icon : `${siteURL()}${base}/apps/${appId}/static/${icon}`);

    const fixBindings = (appId, list) => (list || []).map((b) => ({
        ...b,
        app_id: appId,
        ...(b.icon ? {icon: iconURL(appId, b.icon)} : {}),
        ...(b.bindings ? {bindings: fixBindings(appId, b.bindings)} : {}),
        ...(b.form && b.form.icon ? {form: {...b.form, icon: iconURL(appId, b.form.icon)}} : {}),
    }));

    const builtin = (creq) => {
        const appId = creq.state;
        const m = listed.find((x) => x.app_id === appId);
        if (creq.path === '/install-consent/form') {
            return {
                type: 'form',
                form: {
                    title: `Install ${m ? m.display_name : appId}`,
                    header: `**${m ? m.display_name : appId}** asks for: ${(m && m.requested_permissions || []).join(', ')}`,
                    submit: {path: '/install-consent/submit', state: appId},
                    fields: [{name: 'consent', type: 'bool', modal_label: 'I consent', is_required: true}],
                },
            };
        }
        if (creq.path === '/install-consent/submit') {
            if (!creq.values || creq.values.consent !== true) {
                return {type: 'error', text: 'Consent is required.', data: {errors: {consent: 'Please consent'}}};
            }
            installed[appId] = {enabled: true};
            return {type: 'ok', text: `Installed **${m ? m.display_name : appId}**.`, refresh_bindings: true};
        }
        return {type: 'error', text: `unknown builtin path ${creq.path}`};
    };

    return {
        stats,
        async handle(req, res, url) {
            const sub = url.pathname.slice(base.length);
            const cookies = parseCookies(req.headers.cookie);
            if (cookies.MMAUTHTOKEN !== SESSION) {
                send(res, 401, 'unauthorized: no session');
                return;
            }
            if (req.method !== 'GET' && (req.headers['x-requested-with'] !== 'XMLHttpRequest' || req.headers['x-csrf-token'] !== CSRF)) {
                send(res, 401, 'unauthorized: CSRF token or X-Requested-With missing');
                return;
            }
            const body = req.method === 'POST' ? JSON.parse((await readBody(req)).toString('utf8') || '{}') : null;

            if (req.method === 'GET' && sub === '/api/v1/bindings') {
                stats.bindings++;
                if (url.searchParams.get('user_agent_type') !== 'webapp') {
                    send(res, 400, 'user_agent_type must be webapp');
                    return;
                }
                const out = {};
                for (const [appId, st] of Object.entries(installed)) {
                    if (!st.enabled || appId !== app.appId) {
                        continue;
                    }
                    const resp = await postJSON(`${app.url}/bindings`, {
                        path: '/bindings',
                        context: {app_id: appId, channel_id: url.searchParams.get('channel_id'), team_id: url.searchParams.get('team_id'), user_agent: 'webapp'},
                    });
                    for (const top of resp.data || []) {
                        out[top.location] = out[top.location] || [];
                        out[top.location].push(...fixBindings(appId, top.bindings));
                    }
                }
                send(res, 200, Object.entries(out).map(([location, bindings]) => ({location, bindings})));
                return;
            }
            if (req.method === 'POST' && sub === '/api/v1/call') {
                stats.calls++;
                const appId = body.context && body.context.app_id;
                if (appId === 'apps') {
                    send(res, 200, builtin(body));
                    return;
                }
                if (!installed[appId] || !installed[appId].enabled) {
                    send(res, 200, {type: 'error', text: `app ${appId} is not installed or disabled`});
                    return;
                }
                const resp = await postJSON(`${app.url}${body.path}`, {...body, context: {...body.context, acting_user_id: 'user-alice'}});
                if (resp.form && resp.form.icon) {
                    resp.form.icon = iconURL(appId, resp.form.icon);
                }
                send(res, 200, {...resp, app_metadata: {bot_user_id: 'bot-e2e', bot_username: 'e2e-tickets'}});
                return;
            }
            if (req.method === 'GET' && sub === '/api/v1/marketplace') {
                const f = (url.searchParams.get('filter') || '').toLowerCase();
                const list = listed
                    .filter((m) => !f || m.app_id === f || m.display_name.toLowerCase().includes(f) || m.description.toLowerCase().includes(f))
                    .map((m) => ({
                        manifest: m,
                        installed: Boolean(installed[m.app_id]),
                        enabled: Boolean(installed[m.app_id] && installed[m.app_id].enabled),
                        icon_url: m.icon ? iconURL(m.app_id, m.icon) : undefined,
                        labels: installed[m.app_id] && !installed[m.app_id].enabled ? [{name: 'Disabled', description: 'This app is disabled', url: ''}] : undefined,
                    }));
                send(res, 200, list);
                return;
            }
            const admin = /^\/api\/v1\/(enable|disable|uninstall)-app$/.exec(sub);
            if (req.method === 'POST' && admin) {
                const appId = body.app_id;
                if (!installed[appId]) {
                    send(res, 404, `app ${appId} is not installed`);
                    return;
                }
                if (admin[1] === 'uninstall') {
                    delete installed[appId];
                } else {
                    installed[appId].enabled = admin[1] === 'enable';
                }
                send(res, 200, `${admin[1]}d ${appId}`);
                return;
            }
            const asset = /^\/apps\/([^/]+)\/static\/([^/]+)$/.exec(sub);
            if (req.method === 'GET' && asset) {
                if (asset[1] !== app.appId) {
                    send(res, 404, 'no such app');
                    return;
                }
                const r = await fetch(`${app.url}/static/${asset[2]}`);
                send(res, r.status, Buffer.from(await r.arrayBuffer()), r.headers.get('content-type') || 'application/octet-stream');
                return;
            }
            send(res, 404, `not found: ${sub}`);
        },
    };
}

// Response headers not passed on by the proxy (hop-by-hop, or no longer
// true once fetch has decoded the body).
const DROP_RESPONSE_HEADERS = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-encoding', 'content-length', 'set-cookie']);

// proxy forwards a /plugins/... request to the real test host. token, if
// set, is sent as a bearer token; otherwise the browser's cookies do.
async function proxy(req, res, target, token, stats, pluginId) {
    const url = new URL(req.url, target);
    if (url.pathname === `/plugins/${pluginId}/api/v1/bindings`) {
        stats.bindings++;
    }
    const headers = {...req.headers};
    delete headers.host;
    delete headers.connection;
    if (token) {
        headers.authorization = `Bearer ${token}`;
    }
    const body = ['GET', 'HEAD'].includes(req.method) ? undefined : await readBody(req);
    const resp = await fetch(url, {method: req.method, headers, body, redirect: 'manual'});
    // What the web app sent the plugin, and what it answered (for the test).
    stats.requests.push({
        method: req.method,
        path: url.pathname.slice(`/plugins/${pluginId}`.length),
        query: Object.fromEntries(url.searchParams),
        headers: {...req.headers},
        body: body && body.length ? body.toString('utf8') : '',
        status: resp.status,
    });
    const out = Buffer.from(await resp.arrayBuffer());
    const outHeaders = {};
    resp.headers.forEach((v, k) => {
        if (!DROP_RESPONSE_HEADERS.has(k)) {
            outHeaders[k] = v;
        }
    });
    outHeaders['content-type'] = resp.headers.get('content-type') || 'text/plain';
    res.writeHead(resp.status, outHeaders);
    res.end(out);
}

function avatar(username) {
    const letter = (username || '?').charAt(0).toUpperCase();
    return `<svg xmlns="http://www.w3.org/2000/svg" width="32" height="32"><circle cx="16" cy="16" r="16" fill="#3db887"/>` +
        `<text x="16" y="21" font-family="sans-serif" font-size="15" text-anchor="middle" fill="#fff">${letter}</text></svg>`;
}

// start runs the host on 127.0.0.1:port. opts.app is the running test app.
// With a real host (siteURL), csrf set means cookie sessions: the page's
// cookies are the real session token and its CSRF token.
function start({app, pluginId, port = 0, siteURL: realSite = process.env.APPS_E2E_SITE_URL, token = process.env.APPS_E2E_TOKEN, csrf: realCSRF = process.env.APPS_E2E_CSRF}) {
    let origin = '';
    const fake = makeFakePlugin({pluginId, app, siteURL: () => origin});
    const stats = realSite ? {bindings: 0, calls: 0, requests: []} : fake.stats;
    const cookieSession = Boolean(realSite && token && realCSRF);
    const env = process.env;
    const channelId = env.APPS_E2E_CHANNEL_ID || CHANNELS[0].id;
    const teamId = env.APPS_E2E_TEAM_ID || CHANNELS[0].team_id;
    const userId = env.APPS_E2E_USER_ID || USERS[0].id;
    const pageConfig = {
        pluginId,
        appId: app.appId,
        channelId,
        teamId,
        userId,
        channels: CHANNELS.some((c) => c.id === channelId) ? CHANNELS : [
            {id: channelId, team_id: teamId, name: env.APPS_E2E_CHANNEL_NAME || 'test-channel', display_name: env.APPS_E2E_CHANNEL_NAME || 'Test Channel', type: 'O'},
            ...CHANNELS,
        ],
        // The (admin) user of a real host is a profile of the store too.
        users: USERS.some((u) => u.id === userId) ? USERS : [
            {id: userId, username: env.APPS_E2E_USERNAME || 'admin', first_name: 'E2E', last_name: 'Admin', roles: 'system_user system_admin'},
            ...USERS,
        ],
        posts: [{id: env.APPS_E2E_POST_ID || 'post-1', channel_id: channelId, root_id: '', user_id: env.APPS_E2E_POST_ID ? userId : 'user-bob', message: POST_MESSAGE, type: ''}],
        proxied: Boolean(realSite),
    };

    const server = http.createServer(async (req, res) => {
        const url = new URL(req.url, 'http://localhost');
        const p = url.pathname;
        try {
            if (p === '/' || p === '/index.html') {
                res.setHeader('Set-Cookie', [
                    `MMAUTHTOKEN=${cookieSession ? token : SESSION}; Path=/; HttpOnly; SameSite=Lax`,
                    `MMCSRF=${cookieSession ? realCSRF : CSRF}; Path=/; SameSite=Lax`,
                ]);
                send(res, 200, fs.readFileSync(path.join(PAGE, 'index.html')), 'text/html; charset=utf-8');
                return;
            }
            if (p === '/favicon.ico') {
                send(res, 204, '');
                return;
            }
            if (p === '/harness.js') {
                send(res, 200, fs.readFileSync(path.join(PAGE, 'harness.js')), 'text/javascript');
                return;
            }
            if (p === '/e2e-config.js') {
                send(res, 200, `window.__E2E_CONFIG = ${JSON.stringify(pageConfig)};`, 'text/javascript');
                return;
            }
            if (p === '/static/plugins/main.js' || p === '/main.js') {
                send(res, 200, fs.readFileSync(path.join(WEBAPP, 'dist', 'main.js')), 'text/javascript');
                return;
            }
            if (p.startsWith('/vendor/') && VENDOR[p.slice(8)]) {
                send(res, 200, fs.readFileSync(path.join(WEBAPP, 'node_modules', VENDOR[p.slice(8)])), 'text/javascript');
                return;
            }
            if (p === '/api/v4/users/autocomplete') {
                const name = (url.searchParams.get('name') || '').toLowerCase();
                send(res, 200, {users: USERS.filter((u) => u.username.startsWith(name))});
                return;
            }
            const chanAuto = /^\/api\/v4\/teams\/([^/]+)\/channels\/autocomplete$/.exec(p);
            if (chanAuto) {
                const name = (url.searchParams.get('name') || '').toLowerCase();
                send(res, 200, CHANNELS.filter((c) => c.team_id === chanAuto[1] && (c.name.includes(name) || c.display_name.toLowerCase().includes(name))));
                return;
            }
            const img = /^\/api\/v4\/users\/([^/]+)\/image$/.exec(p);
            if (img) {
                const u = USERS.find((x) => x.id === img[1]);
                send(res, 200, avatar(u && u.username), 'image/svg+xml');
                return;
            }
            if (p.startsWith(`/plugins/${pluginId}/`)) {
                if (realSite) {
                    await proxy(req, res, realSite, cookieSession ? '' : token, stats, pluginId);
                } else {
                    await fake.handle(req, res, url);
                }
                return;
            }
            send(res, 404, 'not found');
        } catch (err) {
            send(res, 500, String(err && err.stack || err));
        }
    });

    return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, '127.0.0.1', () => {
            origin = `http://127.0.0.1:${server.address().port}`;
            resolve({
                url: origin,
                stats,
                close: () => new Promise((r) => {
                    server.closeAllConnections?.();
                    server.close(() => r());
                }),
            });
        });
    });
}

module.exports = {start, SESSION, CSRF};

if (require.main === module) {
    // Manual use: node e2e/server.js → open the printed URL in a browser.
    const testApp = require('./test-app');
    (async () => {
        const app = process.env.APPS_E2E_APP_URL ? await testApp.connect(process.env.APPS_E2E_APP_URL) : await testApp.start(Number(process.env.APPS_E2E_APP_PORT || 0));
        const host = await start({app, pluginId: process.env.PLUGIN_ID || 'com.mattermost.apps', port: Number(process.env.APPS_E2E_PORT || 0)});
        console.log(`test app: ${app.url}/manifest.json\npage:     ${host.url}/`);
    })();
}
