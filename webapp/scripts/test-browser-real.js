'use strict';

// Runs e2e/real.test.js against the real plugin: builds test/webhost (Go),
// starts it (it starts the test host with the real plugin bundle, installs
// the test apps and prints the test's environment as KEY=VALUE lines ending
// with APPS_E2E_READY=1), runs the browser test with that environment, and
// stops the host by closing its stdin (SIGTERM, then SIGKILL, if it lingers).
//
//   npm run test:browser:real          (builds dist/main.js first)
//
// Environment: GO (default go); APPS_E2E_WEBHOST (a prebuilt test/webhost
// binary: no build); APPS_PLUGIN_BUNDLE (a prebuilt plugin bundle, e.g. the
// one of make dist; default: built from source for this platform);
// APPS_E2E_WEBHOST_TIMEOUT (seconds to wait for the host, default 300);
// APPS_E2E_STRICT=1 (fail on known plugin bugs too). The host's log goes to
// test-artifacts/real-host.log.

const {spawn, spawnSync} = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const readline = require('node:readline');

const WEBAPP = path.resolve(__dirname, '..');
const ROOT = path.resolve(WEBAPP, '..');
const ARTIFACTS = path.join(WEBAPP, 'test-artifacts');
const GO = process.env.GO || 'go';
const READY_TIMEOUT = Number(process.env.APPS_E2E_WEBHOST_TIMEOUT || 300) * 1000;

function log(msg) {
    process.stderr.write(`test-browser-real: ${msg}\n`);
}

function fail(msg) {
    log(msg);
    process.exit(1);
}

async function main() {
    const started = Date.now();
    fs.mkdirSync(ARTIFACTS, {recursive: true});
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'apps-webhost-'));
    let exe = process.env.APPS_E2E_WEBHOST ? path.resolve(process.env.APPS_E2E_WEBHOST) : '';
    if (!exe) {
        exe = path.join(tmp, process.platform === 'win32' ? 'webhost.exe' : 'webhost');
        log(`building test/webhost (${GO} build)`);
        const build = spawnSync(GO, ['build', '-o', exe, './test/webhost'], {cwd: ROOT, stdio: 'inherit'});
        if (build.status !== 0) {
            fs.rmSync(tmp, {recursive: true, force: true});
            fail(`go build ./test/webhost failed (${build.error ? build.error.message : `exit ${build.status}`})`);
        }
    }

    const logPath = path.join(ARTIFACTS, 'real-host.log');
    const hostLog = fs.createWriteStream(logPath);
    // The host runs from the module root: without APPS_PLUGIN_BUNDLE it
    // builds the plugin with `go build ./server` there.
    const host = spawn(exe, [], {cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe']});
    host.stderr.pipe(hostLog);
    host.stdin.on('error', () => undefined); // EPIPE once the host is gone
    let exited = null;
    const exitedP = new Promise((resolve) => {
        host.on('exit', (code, signal) => {
            exited = {code, signal};
            resolve(exited);
        });
        host.on('error', (err) => {
            log(`cannot run ${exe}: ${err.message}`);
            exited = {code: 1, signal: null};
            resolve(exited);
        });
    });

    const stopHost = async () => {
        if (exited) {
            return exited;
        }
        host.stdin.end();
        const timer = (ms, sig) => setTimeout(() => !exited && host.kill(sig), ms);
        const t1 = timer(15000, 'SIGTERM');
        const t2 = timer(25000, 'SIGKILL');
        const res = await exitedP;
        clearTimeout(t1);
        clearTimeout(t2);
        return res;
    };
    const cleanup = async () => {
        await stopHost();
        hostLog.end();
        fs.rmSync(tmp, {recursive: true, force: true});
    };
    for (const sig of ['SIGINT', 'SIGTERM']) {
        process.on(sig, () => {
            log(`${sig}: stopping the host`);
            cleanup().finally(() => process.exit(130));
        });
    }

    // Read the environment lines.
    const env = {};
    const ready = await new Promise((resolve) => {
        const timeout = setTimeout(() => resolve(`the host was not ready after ${READY_TIMEOUT / 1000} s`), READY_TIMEOUT);
        const rl = readline.createInterface({input: host.stdout});
        rl.on('line', (line) => {
            const m = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
            if (!m) {
                log(`host: ${line}`);
                return;
            }
            env[m[1]] = m[2];
            if (m[1] === 'APPS_E2E_READY') {
                clearTimeout(timeout);
                resolve('');
            }
        });
        exitedP.then((e) => {
            clearTimeout(timeout);
            resolve(`the host exited (${e.signal || `code ${e.code}`}) before it was ready`);
        });
    });
    if (ready) {
        await cleanup();
        const tail = fs.existsSync(logPath) ? fs.readFileSync(logPath, 'utf8').split('\n').slice(-30).join('\n') : '';
        fail(`${ready}; the end of ${path.relative(WEBAPP, logPath)}:\n${tail}`);
    }
    const wantID = process.env.PLUGIN_ID || 'com.mattermost.apps';
    if (env.PLUGIN_ID !== wantID) {
        await cleanup();
        fail(`the host runs plugin ${env.PLUGIN_ID} but dist/main.js was built for ${wantID} (set PLUGIN_ID or APPS_PLUGIN_BUNDLE to match)`);
    }
    log(`host ready after ${((Date.now() - started) / 1000).toFixed(1)} s: plugin ${env.PLUGIN_ID} at ${env.APPS_E2E_SITE_URL}, page http://127.0.0.1:${env.APPS_E2E_PORT}`);

    const test = spawn(process.execPath, ['--test', '--test-reporter=spec', 'e2e/real.test.js'], {
        cwd: WEBAPP,
        stdio: 'inherit',
        env: {...process.env, ...env},
    });
    const code = await new Promise((resolve) => test.on('exit', (c, s) => resolve(c === null ? 1 : c)));
    const stopped = await stopHost();
    await cleanup();
    log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s (host log: ${path.relative(WEBAPP, logPath)}; host ${stopped.signal ? `killed by ${stopped.signal}` : `exit ${stopped.code}`})`);
    if (code !== 0) {
        log(`browser test failed (exit ${code})`);
    }
    process.exit(code || (stopped.code ? 1 : 0));
}

main().catch((err) => fail(String(err && err.stack || err)));
