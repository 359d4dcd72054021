// The status page in headless Chromium: light and dark color schemes,
// English and Korean, narrow screens.  No script runs on the page, no
// request leaves its origin, the CSP is never violated, the stylesheet
// applies, every text reaches WCAG AA contrast (4.5:1), nothing scrolls
// sideways on a phone, the skip link comes first.  Screenshots of the
// light and dark page go to build/screenshots/.
//
// ENV: PAGE_URL (http://127.0.0.1:PORT/status/)
import { launch, ok, is, done, bail, screenshotPath } from './lib.mjs';

const url = process.env.PAGE_URL;
if (!url) bail('PAGE_URL is not set');
const origin = new URL(url).origin;

// every element with text: its colour against the first opaque
// background behind it, as WCAG 2 contrast ratios
function contrasts() {
    const rgb = s => {
        const m = s.match(/rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?/);
        return m ? [+m[1], +m[2], +m[3], m[4] === undefined ? 1 : +m[4]] : null;
    };
    const lum = c => {
        const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
        return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
    };
    const bg = el => {
        for (let e = el; e; e = e.parentElement) {
            const c = rgb(getComputedStyle(e).backgroundColor);
            if (c && c[3] > 0.5) return c;
        }
        return rgb(getComputedStyle(document.documentElement).backgroundColor) || [255, 255, 255, 1];
    };
    const out = [];
    for (const el of document.querySelectorAll('body *')) {
        const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
        if (!own || el.closest('.skip') || el.closest('.vh')) continue;
        const r = el.getBoundingClientRect();
        if (!r.width || !r.height) continue;
        const fg = rgb(getComputedStyle(el).color), b = bg(el);
        const l1 = lum(fg), l2 = lum(b);
        const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
        out.push({ what: el.tagName.toLowerCase() + '.' + el.className, ratio });
    }
    return out;
}

async function check(browser, scheme, lang) {
    const ctx = await browser.newContext({
        colorScheme: scheme, viewport: { width: 1000, height: 900 },
        locale: lang === 'ko' ? 'ko-KR' : 'en-US',
        extraHTTPHeaders: { 'Accept-Language': lang === 'ko' ? 'ko-KR,ko' : 'en' },
        javaScriptEnabled: true,
    });
    const page = await ctx.newPage();
    const foreign = [], errors = [];
    page.on('request', r => { if (!r.url().startsWith(origin)) foreign.push(r.url()); });
    // the site's own /favicon.ico is not the page's business
    page.on('response', r => {
        if (r.status() >= 400 && !r.url().endsWith('/favicon.ico')) {
            errors.push(`${r.status()} ${r.url()}`);
        }
    });
    page.on('console', m => {
        if (m.type() === 'error' && !/^Failed to load resource/.test(m.text())) {
            errors.push(m.text());
        }
    });
    page.on('pageerror', e => errors.push(String(e)));

    const res = await page.goto(url, { waitUntil: 'load' });
    const name = `${scheme}/${lang}`;
    is(res.status(), 200, `${name}: page loads`);
    is(await page.evaluate(() => document.documentElement.lang), lang, `${name}: lang`);
    is(await page.evaluate(() => document.scripts.length), 0, `${name}: no script on the page`);
    ok(foreign.length === 0, `${name}: no third-party request`, foreign.join('\n'));
    ok(errors.length === 0, `${name}: no console error or CSP violation`, errors.join('\n'));

    const bodyBg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    is(bodyBg, scheme === 'dark' ? 'rgb(13, 17, 23)' : 'rgb(255, 255, 255)',
       `${name}: the stylesheet applies its ${scheme} scheme`);

    const low = (await page.evaluate(contrasts)).filter(c => c.ratio < 4.5);
    ok(low.length === 0, `${name}: every text at least 4.5:1 contrast`,
       low.map(c => `${c.what}: ${c.ratio.toFixed(2)}`).join('\n'));

    await page.keyboard.press('Tab');
    is(await page.evaluate(() => document.activeElement.className), 'skip',
       `${name}: the skip link is the first stop`);
    ok(await page.evaluate(() => document.activeElement.getBoundingClientRect().left >= 0),
       `${name}: ... and visible when focused`);
    await page.evaluate(() => document.activeElement.blur());

    if (lang === 'en') {
        await page.screenshot({ path: screenshotPath(`status-page-${scheme}`), fullPage: true });
        ok(true, `${name}: screenshot status-page-${scheme}.png`);
    }

    await page.setViewportSize({ width: 360, height: 800 });
    const wide = await page.evaluate(() => document.scrollingElement.scrollWidth);
    ok(wide <= 360, `${name}: no sideways scrolling at 360 px (${wide})`);
    if (lang === 'en' && scheme === 'light') {
        await page.screenshot({ path: screenshotPath('status-page-narrow'), fullPage: false });
    }

    await ctx.close();
}

try {
    const browser = await launch();
    await check(browser, 'light', 'en');
    await check(browser, 'dark', 'en');
    await check(browser, 'light', 'ko');
    await check(browser, 'dark', 'ko');
    await browser.close();
} catch (e) {
    bail(e);
}
done();
