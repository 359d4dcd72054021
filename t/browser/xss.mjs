// The XSS corpus in headless Chromium (started by t/chaos/60-xss.t).
// For each payload of the manifest it writes the payload's state into
// Redis (RESP bytes, flushed and versioned), waits until nginx serves
// that version, and loads every output.  X() (a binding in every frame)
// and any dialog count as executions; each document, its shadow roots
// and its same-origin frames are searched for markup that must never
// come from admin text.
//   MANIFEST    [{ file, version, payload }]
//   REDIS_PORT  Redis on 127.0.0.1
//   BASE        nginx (the outputs), SITE  a page of another origin with
//               the widget
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { launch, ok, is, until, done, bail } from './lib.mjs';

const manifest = JSON.parse(readFileSync(process.env.MANIFEST, 'utf8'));
const REDIS_PORT = Number(process.env.REDIS_PORT);
const BASE = process.env.BASE;
const SITE = process.env.SITE;

const OUTPUTS = [
    { name: 'incident banner', path: '/app/', lang: ['en', 'ko'] },
    { name: 'maintenance banner', path: '/mnt/', lang: ['en'] },
    { name: 'status page', path: '/status/', lang: ['en', 'ko'] },
    { name: 'Atom feed', path: '/status/history.atom', lang: ['en'] },
    { name: 'RSS feed', path: '/status/history.rss', lang: ['en'] },
    { name: 'gate page', path: '/gate/', lang: ['en', 'ko'], status: 503 },
    { name: 'badge', path: '/status-edge/badge.svg', lang: ['en'] },
    { name: 'component badge', path: '/status-edge/badge.svg?component=c1',
      lang: ['ko'] },
];

function redisWrite(file) {
    const bytes = readFileSync(file);
    return new Promise((resolve, reject) => {
        const s = connect(REDIS_PORT, '127.0.0.1');
        let got = '';
        const timer = setTimeout(() => { s.destroy(); reject(new Error(
            `redis: no answer for ${file}`)); }, 10000);
        s.on('error', reject);
        s.on('data', d => {
            got += d.toString('latin1');
            if (got.endsWith('+PONG\r\n')) {
                clearTimeout(timer);
                s.end();
                if (/^-/m.test(got)) {
                    reject(new Error(`redis error for ${file}: ${got}`));
                } else {
                    resolve();
                }
            }
        });
        s.write(Buffer.concat([bytes, Buffer.from('*1\r\n$4\r\nPING\r\n')]));
    });
}

async function version() {
    try {
        const r = await fetch(BASE + '/ind');
        const [, v] = (await r.text()).split(' ');
        return Number(v);
    } catch (e) {
        return 0;
    }
}

// markup that admin text must never make, in a document and its shadow
// roots; the module's own scripts and styles are listed by what they are
function scanDom() {
    const bad = [];
    const URL_ATTR = /^(href|src|action|formaction|data|xlink:href|poster|background|srcset|ping|lowsrc|dynsrc)$/i;
    const BAD_URL = /^[\s\u0000-\u001f]*(javascript|vbscript|data|livescript):/i;
    const FORBIDDEN = new Set(['iframe', 'frame', 'frameset', 'object',
        'embed', 'applet', 'base', 'form', 'foreignobject', 'handler',
        'listener', 'portal']);
    const tags = new Set();
    const walk = (root, where) => {
        for (const el of root.querySelectorAll('*')) {
            const tag = el.localName.toLowerCase();
            tags.add(`${where}:${tag}`);
            if (FORBIDDEN.has(tag)) bad.push(`${where}: <${tag}>`);
            if (tag === 'script') {
                const src = el.getAttribute('src') || '';
                if (!/\/status-edge\/widget\.js$/.test(src) || el.textContent) {
                    bad.push(`${where}: <script ${src}>`);
                }
            }
            if (tag === 'meta' && el.hasAttribute('http-equiv')
                && !/^content-(type|security-policy)$/i.test(el.getAttribute('http-equiv'))) {
                bad.push(`${where}: <meta http-equiv=${el.getAttribute('http-equiv')}>`);
            }
            if (tag === 'style' && /javascript:|expression\(|@import/i.test(el.textContent)) {
                bad.push(`${where}: a style with ${el.textContent.slice(0, 60)}`);
            }
            for (const a of el.attributes) {
                if (/^on/i.test(a.name)) bad.push(`${where}: <${tag} ${a.name}>`);
                if (a.name === 'srcdoc') bad.push(`${where}: <${tag} srcdoc>`);
                if (URL_ATTR.test(a.name) && BAD_URL.test(a.value)) {
                    bad.push(`${where}: <${tag} ${a.name}="${a.value.slice(0, 40)}">`);
                }
                if (a.name === 'style' && /javascript:|expression\(/i.test(a.value)) {
                    bad.push(`${where}: <${tag} style="${a.value.slice(0, 40)}">`);
                }
            }
            if (el.shadowRoot) walk(el.shadowRoot, 'widget');
        }
    };
    walk(document, 'document');
    return { bad, tags: [...tags] };
}

// the elements an output has with a plain payload: any other kind of
// element can only have come from admin text
const baseline = {};

function compare(key, scan, found, where, bad) {
    if (bad) {
        /* its records left out, the output may be another document */
    } else if (!baseline[key]) {
        baseline[key] = new Set(scan.tags);
    } else {
        for (const t of scan.tags) {
            if (!baseline[key].has(t)) found.push(`${where}: a new <${t}>`);
        }
    }
    for (const b of scan.bad) found.push(`${where}: ${b}`);
}

// a payload with C0 controls is bad data: its records are left out
const BAD_DATA = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/;

async function main() {
    const browser = await launch();
    const runs = [];
    const hits = [];
    const contexts = {};
    for (const lang of ['en', 'ko']) {
        const ctx = await browser.newContext({
            locale: lang === 'ko' ? 'ko-KR' : 'en-US',
            extraHTTPHeaders: { 'Accept-Language': lang },
        });
        await ctx.exposeBinding('X', source => {
            hits.push(`X() in ${source.frame.url()}`);
        });
        await ctx.addInitScript(() => {
            for (const f of ['alert', 'confirm', 'prompt', 'print']) {
                window[f] = () => window.X();
            }
        });
        const page = await ctx.newPage();
        page.on('dialog', d => { hits.push(`dialog in ${page.url()}`);
                                 d.dismiss().catch(() => {}); });
        page.on('popup', p => { hits.push(`popup ${p.url()}`); });
        contexts[lang] = page;
    }

    // the detectors detect: a page of the site with the real thing
    {
        const page = contexts.en;
        await page.goto(SITE.replace(/index\.html$/, 'canary.html'),
                        { waitUntil: 'load' });
        await until(() => hits.length > 0, 3000, 25);
        const scan = await page.evaluate(scanDom);
        ok(hits.length > 0, 'canary: an onerror handler that runs is seen',
           'no execution recorded');
        ok(scan.bad.some(b => /onerror/.test(b))
           && scan.bad.some(b => /javascript:/.test(b)),
           'canary: an on* attribute and a javascript: URL are found',
           scan.bad.join('\n'));
        hits.length = 0;
    }

    let loads = 0;
    const wrongStatus = [];
    const found = [];
    const noBanner = [];
    let widgetShown = 0;
    let skipped = 0;
    for (const m of manifest) {
        await redisWrite(m.file);
        const v = await until(async () => (await version()) >= m.version,
                              10000, 20);
        if (!v) {
            ok(false, `version ${m.version} served`);
            break;
        }
        const bad = BAD_DATA.test(m.payload);
        if (bad) skipped++;
        const before = hits.length;
        const foundBefore = found.length;
        for (const o of OUTPUTS) {
            for (const lang of o.lang) {
                const page = contexts[lang];
                const r = await page.goto(BASE + o.path,
                                          { waitUntil: 'load' });
                loads++;
                const st = r ? r.status() : 0;
                if (st !== (o.status || 200) && !bad) {
                    wrongStatus.push(`${o.path} ${lang}: ${st} for `
                                     + JSON.stringify(m.payload));
                }
                if (o.path === '/app/' && lang === 'en' && !bad) {
                    const html = await page.content();
                    if (!/Next update/i.test(html)) {
                        noBanner.push(JSON.stringify(m.payload));
                    }
                }
                compare(o.path + lang, await page.evaluate(scanDom), found,
                        `${o.name} (${lang})`, bad);
            }
        }
        // the widget, on a page of another origin
        const page = contexts.en;
        await page.goto(SITE, { waitUntil: 'load' });
        loads++;
        const shown = await until(() => page.evaluate(() => {
            const h = document.querySelector('status-edge-widget');
            const c = h && h.shadowRoot && h.shadowRoot.querySelector('.c');
            return c && !h.hidden ? c.textContent.length : 0;
        }), bad ? 500 : 5000, 25);
        if (shown || bad) widgetShown++;
        compare('widget', await page.evaluate(scanDom), found, 'widget',
                bad);
        // a moment for late handlers (onload of images, timers)
        await new Promise(r => setTimeout(r, 20));
        if (hits.length > before) {
            hits.push(`  ... for payload ${JSON.stringify(m.payload)}`);
        }
        if (found.length > foundBefore) {
            found.push(`  ... for payload ${JSON.stringify(m.payload)}`);
        }
        runs.push(m.version);
    }

    is(runs.length, manifest.length,
       `${manifest.length} payloads written and served (${loads} loads)`);
    console.log(`# ${skipped} payloads with C0 controls: bad data, left out`);
    is(wrongStatus.length, 0, 'every output answered its status')
        || console.log(wrongStatus.slice(0, 10).map(s => `# ${s}`).join('\n'));
    ok(noBanner.length === 0, 'every proxied page had its banner',
       `${noBanner.length} without:\n` + noBanner.slice(0, 20).join('\n'));
    is(widgetShown, runs.length, 'the widget showed every incident');
    ok(hits.length === 0, `0 executions in Chromium across ${loads} loads`,
       hits.slice(0, 20).join('\n'));
    ok(found.length === 0, '0 markup from admin text in any document',
       found.slice(0, 20).join('\n'));
    await browser.close();
    done();
}

main().catch(bail);
