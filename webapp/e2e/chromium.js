'use strict';

// Headless Chromium for the browser tests: Debian's /usr/bin/chromium (or
// $APPS_E2E_CHROMIUM) driven by playwright-core, in a throwaway profile,
// collecting page errors and console errors.

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const {chromium} = require('playwright-core');

const CHROMIUM = process.env.APPS_E2E_CHROMIUM || '/usr/bin/chromium';
const TIMEOUT = 15000;

async function launch({timeout = TIMEOUT} = {}) {
    if (!fs.existsSync(CHROMIUM)) {
        throw new Error(`${CHROMIUM} is missing: run scripts/install-browser.sh`);
    }
    const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'apps-e2e-chromium-'));
    const context = await chromium.launchPersistentContext(userDataDir, {
        executablePath: CHROMIUM,
        headless: true,
        args: [
            '--headless',
            '--no-sandbox',
            '--disable-gpu',
            '--disable-quic',
            '--no-first-run',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
        ],
        viewport: {width: 1280, height: 860},
    });
    context.setDefaultTimeout(timeout);
    const page = context.pages()[0] || await context.newPage();
    const pageErrors = [];
    page.on('pageerror', (err) => pageErrors.push(String(err)));
    page.on('console', (msg) => {
        if (msg.type() === 'error') {
            const where = msg.location()?.url;
            pageErrors.push(where && !msg.text().includes(where) ? `${msg.text()} (${where})` : msg.text());
        }
    });
    return {
        context,
        page,
        pageErrors,
        close: async () => {
            await context.close();
            fs.rmSync(userDataDir, {recursive: true, force: true});
        },
    };
}

// waitFor polls fn (sync or async) until it returns something truthy.
async function waitFor(fn, what, timeout = TIMEOUT) {
    const end = Date.now() + timeout;
    for (;;) {
        const v = await fn();
        if (v) {
            return v;
        }
        if (Date.now() > end) {
            throw new Error(`timed out waiting for ${what}`);
        }
        await new Promise((r) => setTimeout(r, 50));
    }
}

module.exports = {launch, waitFor, CHROMIUM, TIMEOUT};
