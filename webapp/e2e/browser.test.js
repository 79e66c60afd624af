'use strict';

// Browser test: the built dist/main.js in headless Chromium (Debian's
// /usr/bin/chromium, driven by playwright-core), on a Mattermost-like page
// served by e2e/server.js, with the HTTP test app of e2e/test-app.js.
//
//   npm run test:browser      (builds main.js first)
//
// Screenshots go to webapp/test-artifacts/. e2e/real.test.js runs the same
// UI against the real plugin (README.md, "Against the real plugin").

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const {after, before, describe, it} = require('node:test');

const browser = require('./chromium');
const hostServer = require('./server');
const testApp = require('./test-app');

const PLUGIN_ID = process.env.PLUGIN_ID || 'com.mattermost.apps';
const ARTIFACTS = path.resolve(__dirname, '..', 'test-artifacts');
const MAIN_JS = path.resolve(__dirname, '..', 'dist', 'main.js');
const TIMEOUT = 15000;

describe('Apps UI in a browser', {timeout: 180000}, () => {
    let app;
    let host;
    let chrome;
    let page;
    let pageErrors = [];

    before(async () => {
        assert.ok(fs.existsSync(MAIN_JS), 'dist/main.js is missing: run npm run build');
        fs.mkdirSync(ARTIFACTS, {recursive: true});

        app = process.env.APPS_E2E_APP_URL ? await testApp.connect(process.env.APPS_E2E_APP_URL) : await testApp.start(Number(process.env.APPS_E2E_APP_PORT || 0));
        host = await hostServer.start({app, pluginId: PLUGIN_ID, port: Number(process.env.APPS_E2E_PORT || 0)});

        chrome = await browser.launch({timeout: TIMEOUT});
        page = chrome.page;
        pageErrors = chrome.pageErrors;
    });

    after(async () => {
        await chrome?.close();
        await host?.close();
        await app?.close();
    });

    async function open(query = '') {
        await page.goto(`${host.url}/${query}`);
        await page.evaluate(() => window.__harness.ready);
    }

    const received = async (p) => (await app.getReceived()).filter((r) => r.path === p);

    const waitFor = (fn, what) => browser.waitFor(fn, what, TIMEOUT);

    it('on a server whose core Apps UI is on: silent under com.mattermost.apps, active under another id', async () => {
        await open('?core=1');
        if (PLUGIN_ID === 'com.mattermost.apps') {
            // Give the plugin time to do anything it would do.
            await page.waitForTimeout(500);
            assert.equal(await page.getByRole('button', {name: 'Create a ticket'}).count(), 0);
            await page.getByRole('button', {name: 'Main menu'}).click();
            assert.equal(await page.getByRole('menuitem', {name: 'Apps'}).count(), 0);
            assert.deepEqual(await page.evaluate(() => window.__harness.wsEvents()), []);
            assert.equal(host.stats.bindings, 0);
        } else {
            // The core UI only ever talks to com.mattermost.apps.
            await page.getByRole('button', {name: 'Create a ticket'}).waitFor();
            assert.ok(host.stats.bindings >= 1);
        }
    });

    it('opens a form from a channel header button, looks up, and submits to the app', async () => {
        await open();
        assert.equal(await page.evaluate(() => window.__harness.registeredId), PLUGIN_ID);

        const button = page.getByRole('button', {name: 'Create a ticket'});
        await button.waitFor();
        assert.match(await button.locator('img').getAttribute('src'), new RegExp(`/plugins/${PLUGIN_ID.replace(/\./g, '\\.')}/apps/${testApp.APP_ID}/static/icon.svg$`));
        const bindingsCalls = host.stats.bindings;
        assert.ok(bindingsCalls >= 1);

        await button.click();
        const dialog = page.getByRole('dialog', {name: 'Create ticket'});
        await dialog.waitFor();
        const summary = dialog.getByLabel(/^Summary/);
        await summary.waitFor();
        assert.ok(await summary.evaluate((el) => el === document.activeElement), 'the first field has focus');

        await summary.fill('Printer on fire');
        await dialog.getByLabel('Details').fill('Smoke on floor 3.\nAgain.');

        const priority = dialog.getByRole('combobox', {name: 'Priority'});
        await priority.click();
        await dialog.getByRole('option', {name: 'High'}).click();

        // Dynamic select: typing runs the app's lookup.
        const project = dialog.getByRole('combobox', {name: 'Project'});
        await project.click();
        await project.pressSequentially('ar', {delay: 40});
        await dialog.getByRole('option', {name: 'Artemis'}).waitFor();
        assert.equal(await dialog.getByRole('option', {name: 'Apollo'}).count(), 0);
        await page.keyboard.press('ArrowDown');
        await page.keyboard.press('Enter');
        assert.equal(await project.inputValue(), 'Artemis');
        const lookups = await received('/ticket/lookup');
        assert.ok(lookups.length >= 1);
        assert.equal(lookups[lookups.length - 1].request.query, 'ar');
        assert.equal(lookups[lookups.length - 1].request.selected_field, 'project');

        // User picker: Mattermost's autocomplete.
        const assignee = dialog.getByRole('combobox', {name: 'Assignee'});
        await assignee.click();
        await assignee.pressSequentially('bo', {delay: 40});
        await dialog.getByRole('option', {name: 'bob'}).click();

        await dialog.getByRole('checkbox', {name: 'Urgent'}).check();

        await page.screenshot({path: path.join(ARTIFACTS, 'form.png')});
        await page.evaluate(() => window.__harness.setTheme('dark'));
        await page.screenshot({path: path.join(ARTIFACTS, 'form-dark.png')});
        await page.evaluate(() => window.__harness.setTheme('light'));

        // Enter in a text field submits.
        await summary.press('Enter');
        await dialog.waitFor({state: 'detached'});

        const submits = await received('/ticket/submit');
        assert.equal(submits.length, 1);
        const creq = submits[0].request;
        assert.deepEqual(creq.values, {
            summary: 'Printer on fire',
            details: 'Smoke on floor 3.\nAgain.',
            priority: {label: 'High', value: 'high'},
            project: {label: 'Artemis', value: 'artemis'},
            assignee: {label: 'bob', value: 'user-bob', icon_data: `${host.url}/api/v4/users/user-bob/image?_=0`},
            urgent: true,
        });
        if (!process.env.APPS_E2E_SITE_URL) {
            assert.equal(creq.context.app_id, testApp.APP_ID);
            assert.equal(creq.context.location, '/channel_header/create');
            assert.equal(creq.context.user_agent, 'webapp');
        }

        const notice = page.getByRole('status').filter({hasText: 'Created ticket'});
        await notice.waitFor();
        assert.match(await notice.innerText(), /Created ticket T-1: Printer on fire \(Artemis\)/);
        await page.screenshot({path: path.join(ARTIFACTS, 'notice.png')});
    });

    it('runs post menu bindings with the post in the context', async () => {
        await open();
        await page.getByRole('button', {name: 'Post actions'}).click();
        await page.getByRole('menuitem', {name: 'Echo post'}).click();
        await waitFor(async () => (await received('/echo')).length === 1, 'the /echo call');
        const ctx = (await received('/echo'))[0].request.context;
        if (!process.env.APPS_E2E_SITE_URL) {
            assert.equal(ctx.post_id, 'post-1');
            assert.equal(ctx.location, '/post_menu/echo');
        }
        await page.getByRole('status').filter({hasText: 'Echo from the post menu.'}).waitFor();
    });

    it('refreshes bindings on the websocket event and on channel switch', async () => {
        await open();
        await page.getByRole('button', {name: 'Create a ticket'}).waitFor();
        const before = host.stats.bindings;
        const delivered = await page.evaluate((id) => window.__harness.emitWebSocket(`custom_${id}_refresh_bindings`), PLUGIN_ID);
        assert.equal(delivered, true);
        await waitFor(() => host.stats.bindings === before + 1, 'a bindings refresh');
        await page.getByRole('button', {name: '# Off-Topic'}).click();
        await waitFor(() => host.stats.bindings === before + 2, 'bindings for the new channel');
        await page.getByRole('button', {name: 'Create a ticket'}).waitFor();
    });

    it('shows the marketplace and lets an admin manage apps', async () => {
        await open();
        await page.getByRole('button', {name: 'Main menu'}).click();
        await page.getByRole('menuitem', {name: 'Apps'}).click();
        const market = page.getByRole('dialog', {name: 'Apps'});
        await market.waitFor();
        const card = market.getByRole('listitem', {name: 'E2E Tickets'});
        await card.waitFor();
        assert.match(await card.innerText(), /Channel header buttons/);
        await page.screenshot({path: path.join(ARTIFACTS, 'marketplace.png')});
        await page.evaluate(() => window.__harness.setTheme('dark'));
        await page.screenshot({path: path.join(ARTIFACTS, 'marketplace-dark.png')});
        await page.evaluate(() => window.__harness.setTheme('light'));

        // Search.
        await market.getByRole('searchbox', {name: 'Search apps'}).fill('e2e');
        await waitFor(async () => (await market.locator('li.mmapps-app-card').count()) === 1, 'the filtered list');

        // Disable and enable again.
        await card.getByRole('button', {name: 'Disable'}).click();
        await market.getByRole('status').filter({hasText: 'E2E Tickets is disabled.'}).waitFor();
        await card.getByRole('button', {name: 'Enable'}).waitFor();
        await card.getByRole('button', {name: 'Enable'}).click();
        await market.getByRole('status').filter({hasText: 'E2E Tickets is enabled.'}).waitFor();

        if (!process.env.APPS_E2E_SITE_URL) {
            // Install through the consent form (the fake built-in app).
            await market.getByRole('searchbox', {name: 'Search apps'}).fill('');
            const zendesk = market.getByRole('listitem', {name: 'Zendesk'});
            await zendesk.getByRole('button', {name: 'Install'}).click();
            const consent = page.getByRole('dialog', {name: 'Install Zendesk'});
            await consent.waitFor();
            await consent.getByRole('button', {name: 'Submit'}).click();
            await consent.getByText('This field is required.').waitFor();
            await consent.getByRole('checkbox', {name: /I consent/}).check();
            await consent.getByRole('button', {name: 'Submit'}).click();
            await consent.waitFor({state: 'detached'});
            await zendesk.getByRole('button', {name: 'Disable'}).waitFor();

            // Uninstall asks first.
            await zendesk.getByRole('button', {name: 'Uninstall'}).click();
            await zendesk.getByRole('button', {name: 'Yes, uninstall'}).click();
            await market.getByRole('status').filter({hasText: 'Zendesk is uninstalled.'}).waitFor();
            await zendesk.getByRole('button', {name: 'Install'}).waitFor();
        }

        await page.keyboard.press('Escape');
        await market.waitFor({state: 'detached'});
    });

    it('had no page errors', () => {
        // Against a real host, app icons are served (with auth) by the host
        // itself, not through this page's origin: their loads may fail.
        const relevant = process.env.APPS_E2E_SITE_URL ? pageErrors.filter((e) => !e.startsWith('Failed to load resource')) : pageErrors;
        assert.deepEqual(relevant, []);
    });
});
