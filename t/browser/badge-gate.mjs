// The badge and the gate page in a real Chromium: badges load as images
// at their declared size, each text's natural width (without textLength,
// in the font Chromium really uses) is close to the Verdana estimate and
// fits its box; the gate page is readable on a narrow screen.
//
// Environment: BADGE_URL (the badge location), GATE_URL (a gated page).
import { launch, ok, is, done, bail, screenshotPath } from './lib.mjs';

const BADGE = process.env.BADGE_URL;
const GATE = process.env.GATE_URL;

async function main() {
    const browser = await launch();
    const page = await browser.newPage();

    // as images, in an HTML page of another origin (a README, a dashboard)
    const srcs = ['', '?component=api', '?lang=ko', '?component=payments&lang=ko'];
    await page.setContent('<body style="margin:8px;background:#fff">'
        + srcs.map(q => `<p><img src="${BADGE}${q}" alt="status"></p>`).join('')
        + '</body>');
    await page.waitForFunction(() => [...document.images].every(i => i.complete));
    const imgs = await page.$$eval('img', list => list.map(i => ({
        w: i.naturalWidth, h: i.naturalHeight })));
    ok(imgs.every(i => i.w > 60 && i.h === 20),
       'every badge loads as a 20 px high image', JSON.stringify(imgs));
    await page.screenshot({ path: screenshotPath('badges') });

    // each SVG on its own: measure the texts
    for (const q of srcs) {
        await page.goto(BADGE + q);
        const m = await page.evaluate(() => {
            const svg = document.documentElement;
            const rects = [...svg.querySelectorAll('g[clip-path] rect')];
            const texts = [...svg.querySelectorAll('text:not([aria-hidden])')];
            return texts.map((t, i) => {
                const est = Number(t.getAttribute('textLength')) / 10;
                t.removeAttribute('textLength');
                const natural = t.getComputedTextLength() / 10;
                const box = Number(rects[i].getAttribute('width'));
                return { text: t.textContent, est, natural, box };
            });
        });
        for (const t of m) {
            const r = t.natural / t.est;
            ok(r > 0.8 && r < 1.2,
               `${q || 'overall'}: "${t.text}" measured within 20% of `
               + `the estimate (${t.natural.toFixed(1)} / ${t.est} px)`);
            ok(t.natural <= t.box - 4,
               `${q || 'overall'}: "${t.text}" fits its ${t.box} px box `
               + 'without textLength');
        }
    }

    // the gate page on a phone-sized screen, in Korean
    const ctx = await browser.newContext({ viewport: { width: 360, height: 640 },
        locale: 'ko-KR', extraHTTPHeaders: { 'Accept-Language': 'ko' } });
    const phone = await ctx.newPage();
    const res = await phone.goto(GATE);
    is(res.status(), 503, 'gate: 503');
    const g = await phone.evaluate(() => ({
        lang: document.documentElement.lang,
        h1: document.querySelector('h1').textContent,
        overflow: document.documentElement.scrollWidth
                  > document.documentElement.clientWidth,
        link: document.querySelector('a') && document.querySelector('a').href,
        scripts: document.scripts.length,
    }));
    is(g.lang, 'ko', 'gate: the page is in Korean');
    ok(g.h1.length > 0, `gate: the maintenance name is the heading (${g.h1})`);
    ok(!g.overflow, 'gate: no horizontal scrolling at 360 px');
    ok(/^https?:/.test(g.link || ''), 'gate: a link to the status page');
    is(g.scripts, 0, 'gate: no script');
    await phone.screenshot({ path: screenshotPath('gate-ko-phone') });

    await browser.close();
}

main().then(done, bail);
