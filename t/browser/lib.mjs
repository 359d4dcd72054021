// Shared helpers for the browser tests: Debian's Chromium driven by
// playwright-core (no browser download), TAP output for prove.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';

let n = 0;
let failed = 0;

export function ok(cond, name, diag) {
    n++;
    if (!cond) failed++;
    console.log(`${cond ? 'ok' : 'not ok'} ${n} - ${name}`);
    if (!cond && diag !== undefined) {
        for (const line of String(diag).split('\n')) console.log(`# ${line}`);
    }
    return cond;
}

export function is(got, want, name) {
    return ok(got === want, name, `got:      ${JSON.stringify(got)}\n`
                                  + `expected: ${JSON.stringify(want)}`);
}

export function done() {
    console.log(`1..${n}`);
    process.exitCode = failed ? 1 : 0;
}

export function bail(err) {
    console.log(`Bail out! ${err && err.stack ? err.stack : err}`);
    process.exit(255);
}

export async function launch() {
    return chromium.launch({
        executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
        args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
               '--disable-background-networking', '--no-first-run'],
    });
}

// polls fn() until it returns a truthy value or timeout ms pass
export async function until(fn, timeout = 10000, step = 50) {
    const end = Date.now() + timeout;
    for (;;) {
        const v = await fn();
        if (v) return v;
        if (Date.now() > end) return v;
        await new Promise(r => setTimeout(r, step));
    }
}

export const screenshots = new URL('../../build/screenshots/', import.meta.url)
    .pathname;

export function screenshotPath(name) {
    mkdirSync(screenshots, { recursive: true });
    return screenshots + name + '.png';
}
