// The embeddable widget in headless Chromium, on a site of another origin
// (started by t/940-widget-browser.t).  The state is changed with the admin
// tool (CLI, STATUS_EDGE_REDIS) while the page is open.
//   SITE    the site's base URL (index.html, ko.html, top-left.html,
//           inline.html embed the widget)
//   MODULE  the module's base URL (widget.js, api/v2/, events)
import { execFileSync } from 'node:child_process';
import { launch, ok, is, until, done, bail, screenshotPath } from './lib.mjs';

const SITE = process.env.SITE;
const MODULE = process.env.MODULE;
const CLI = process.env.CLI;
const T = 15000;                  /* generous: polling is every second */

function cli(...args) {
    try {
        return execFileSync(CLI, args, { encoding: 'utf8',
                                         stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
        throw new Error(`status-edge ${args.join(' ')}: ${e.stderr}`);
    }
}

const sleep = ms => new Promise(r => setTimeout(r, ms));

// what the widget shows, read through its shadow root
async function shown(page) {
    return page.evaluate(() => {
        const host = document.querySelector('status-edge-widget');
        if (!host) return { host: false };
        const root = host.shadowRoot;
        const c = root && root.querySelector('.c');
        const region = root && root.querySelector('[role=status]');
        const r = host.getBoundingClientRect();
        const out = {
            host: true, hidden: host.hidden,
            region: region ? { live: region.getAttribute('aria-live'),
                               lang: region.getAttribute('lang') } : null,
            box: { x: r.x, y: r.y, w: r.width, h: r.height,
                   vw: innerWidth, vh: innerHeight },
        };
        if (!c || host.hidden || r.height === 0) return out;
        const q = s => c.querySelector(s);
        const cs = getComputedStyle(c);
        const a = q('a');
        const b = q('button');
        return Object.assign(out, {
            card: true,
            text: c.textContent,
            level: q('.l').textContent,
            name: q('.t').textContent,
            update: q('.u') ? q('.u').textContent : null,
            meta: q('.m') ? q('.m').textContent : null,
            link: a ? a.href : null,
            close: b ? b.getAttribute('aria-label') : null,
            closeVisible: b ? b.getBoundingClientRect().width > 0 : false,
            border: cs.borderLeftColor,
            borderTop: cs.borderTopColor,
            background: cs.backgroundColor,
            color: getComputedStyle(q('.t')).color,
            fontSize: getComputedStyle(q('.t')).fontSize,
            animation: cs.animationName,
            imgs: root.querySelectorAll('img,b b,script').length,
        });
    });
}

// waits until the widget has asked the module for the state (summary.json
// or the event stream), and a little longer for it to be drawn
async function settle(page, run) {
    const seen = page.waitForResponse(
        r => r.url().startsWith(MODULE)
             && /summary\.json|events/.test(r.url()),
        { timeout: T });
    await run();
    await seen;
    await sleep(1500);
}

// a screenshot once the entrance animation is over
async function snap(page, name) {
    await sleep(500);
    await page.screenshot({ path: screenshotPath(name) });
}

const untilShown = (page, f) => until(async () => {
    const s = await shown(page);
    return s.card && (!f || f(s)) ? s : null;
}, T);

const untilHidden = page => until(async () => {
    const s = await shown(page);
    return s.host && !s.card ? s : null;
}, T);

let browser;
try {
    browser = await launch();
    const light = await browser.newContext({
        viewport: { width: 800, height: 520 }, colorScheme: 'light',
        locale: 'en-US', reducedMotion: 'no-preference' });
    const page = await light.newPage();
    const errors = [];
    page.on('pageerror', e => errors.push(String(e)));

    // 1. operational: loaded, asked, and hidden
    await settle(page, () => page.goto(SITE + 'index.html'));
    let s = await shown(page);
    ok(s.host, 'the widget is on the page (script of another origin ran)');
    ok(!s.card, 'hidden while all is operational', JSON.stringify(s));
    is(s.region && s.region.live, 'polite',
       'the live region (role=status, aria-live=polite) waits, empty');
    await snap(page, 'widget-hidden');

    // 2. an incident opens: the popup appears without a reload
    await page.evaluate(() => { window.sameDocument = 1; });
    cli('incident', 'open', '--id', 'inc-1', '--name',
        'Elevated API error rates', '--impact', 'major', '--status',
        'identified', '--components', 'api', '--next-update', '30m',
        '--message', 'A faulty deploy has been identified and is being '
                     + 'rolled back.');
    s = await untilShown(page);
    ok(s && s.card, 'the popup appears soon after the incident opens');
    if (!s) throw new Error('no popup: ' + JSON.stringify(await shown(page)));
    is(s.name, 'Elevated API error rates', 'name');
    is(s.level, 'Partial outage', 'impact label (major)');
    is(s.update, 'Identified: A faulty deploy has been identified and is '
                 + 'being rolled back.', 'latest update with its status');
    ok(/Next update by /.test(s.meta), '"Next update by" shown', s.meta);
    ok(/\d/.test(s.meta.split('Next')[0]), 'the update time shown', s.meta);
    is(s.link, 'https://status.example.com/', 'link to the page.url');
    is(s.border, 'rgb(194, 65, 12)', 'impact colour: major');
    is(s.close, 'Dismiss', 'close button labelled');
    const bottomRight = s.box.x + s.box.w > s.box.vw - 40
                        && s.box.y + s.box.h > s.box.vh - 40;
    ok(bottomRight, 'bottom-right corner by default', JSON.stringify(s.box));
    is(s.animation, 'in', 'slides in (no reduced-motion preference)');
    is(await page.evaluate(() => window.sameDocument), 1, 'no reload');
    await snap(page, 'widget-popup-light');

    const sse = [];
    page.on('request', r => { if (/summary\.json/.test(r.url())) sse.push(r.url()); });

    // 3. a new update shows live
    cli('incident', 'update', 'inc-1', '--status', 'monitoring',
        '--message', 'A fix has been deployed; we are monitoring.');
    s = await untilShown(page, x => /monitoring/.test(x.update || ''));
    ok(s, 'the new update shows live');
    is(s && s.update, 'Monitoring: A fix has been deployed; we are '
                      + 'monitoring.', 'the latest update replaced the old');
    is(await page.evaluate(() => window.sameDocument), 1, 'still no reload');
    is(sse.length, 0, 'the update came through the event stream, not polling');

    // 4. dismissal: gone, still gone after a reload, back on a new update
    await page.locator('status-edge-widget button').click();
    s = await untilHidden(page);
    ok(s, 'the close button hides it');
    await settle(page, () => page.reload());
    s = await shown(page);
    ok(s.host && !s.card, 'dismissal persists across a reload',
       JSON.stringify(s));
    const stored = await page.evaluate(
        () => localStorage.getItem('status-edge:dismissed'));
    ok(/inc-1/.test(stored || ''), 'remembered in localStorage', stored);
    cli('incident', 'update', 'inc-1', '--next-update', '1h', '--message',
        'Error rates are back to normal; we keep watching.');
    s = await untilShown(page);
    ok(s, 'a new update ends the dismissal');
    is(s && s.update, 'Monitoring: Error rates are back to normal; we keep '
                      + 'watching.', 'with the new update');

    // 5. keyboard: Tab reaches the close button, focus visible, Enter closes
    let focused = null;
    for (let i = 0; i < 10 && !focused; i++) {
        await page.keyboard.press('Tab');
        focused = await page.evaluate(() => {
            const h = document.activeElement;
            const f = h && h.shadowRoot && h.shadowRoot.activeElement;
            return f && f.tagName === 'BUTTON'
                   ? { outline: getComputedStyle(f).outlineStyle,
                       width: getComputedStyle(f).outlineWidth } : null;
        });
    }
    ok(focused, 'Tab reaches the close button');
    ok(focused && focused.outline !== 'none' && focused.width !== '0px',
       'visible focus ring', JSON.stringify(focused));
    await snap(page, 'widget-focus');
    await page.keyboard.press('Enter');
    s = await untilHidden(page);
    ok(s, 'Enter on the close button dismisses');
    ok(!errors.length, 'no script errors on the page', errors.join('\n'));
    await light.close();

    // 6. dark scheme, reduced motion
    const dark = await browser.newContext({
        viewport: { width: 800, height: 520 }, colorScheme: 'dark',
        locale: 'en-US', reducedMotion: 'reduce' });
    const dp = await dark.newPage();
    await dp.goto(SITE + 'index.html');
    await dp.evaluate(() => {
        document.body.style.background = '#15171c';
        document.body.style.color = '#ddd';
        for (const c of document.querySelectorAll('.card')) {
            c.style.background = '#22252c';
            c.style.borderColor = '#333';
        }
    });
    s = await untilShown(dp);
    ok(s, 'dark: shown in a fresh browser profile');
    is(s && s.background, 'rgb(31, 36, 48)', 'dark: dark background');
    is(s && s.color, 'rgb(232, 235, 242)', 'dark: light text');
    is(s && s.border, 'rgb(255, 146, 43)', 'dark: impact colour for dark');
    is(s && s.animation, 'none', 'reduced motion: no animation');
    await snap(dp, 'widget-popup-dark');
    await dark.close();

    // 7. mobile: a bar at the bottom, full width
    const mobile = await browser.newContext({
        viewport: { width: 390, height: 740 }, isMobile: true,
        hasTouch: true, deviceScaleFactor: 2, locale: 'en-US' });
    const mp = await mobile.newPage();
    await mp.goto(SITE + 'index.html');
    s = await untilShown(mp);
    ok(s, 'mobile: shown');
    ok(s && s.box.x === 0 && s.box.w === s.box.vw
       && Math.abs(s.box.y + s.box.h - s.box.vh) < 1,
       'mobile: a full-width bar at the bottom', s && JSON.stringify(s.box));
    is(s && s.borderTop, 'rgb(194, 65, 12)', 'mobile: colour on top edge');
    await snap(mp, 'widget-mobile');
    await mobile.close();

    // 8. Korean: from navigator.language, and from data-lang
    const ko = await browser.newContext({
        viewport: { width: 800, height: 520 }, locale: 'ko-KR' });
    const kp = await ko.newPage();
    await kp.goto(SITE + 'index.html');
    s = await untilShown(kp);
    is(s && s.level, '부분 장애', 'Korean from navigator.language: level');
    is(s && s.close, '닫기', 'Korean: close label');
    ok(s && /상태 페이지 보기/.test(s.meta), 'Korean: status page link');
    ok(s && /다음 업데이트 예정: /.test(s.meta), 'Korean: next update',
       s && s.meta);
    ok(s && /^모니터링 중: /.test(s.update), 'Korean: status label');
    is(s && s.region.lang, 'ko', 'Korean: lang attribute');
    await snap(kp, 'widget-korean');
    await ko.close();
    const en = await browser.newContext({ locale: 'en-US' });
    const ep = await en.newPage();
    await ep.goto(SITE + 'ko.html');
    s = await untilShown(ep);
    is(s && s.level, '부분 장애', 'data-lang="ko" wins over en-US');

    // 9. position, and a hostile page stylesheet kept out by Shadow DOM
    await ep.goto(SITE + 'top-left.html');
    s = await untilShown(ep);
    ok(s && s.box.x < 40 && s.box.y < 40, 'data-position="top-left"',
       s && JSON.stringify(s.box));
    ok(s && s.closeVisible, "the page's button{display:none} stays out");
    is(await ep.evaluate(() => getComputedStyle(
           document.querySelector('status-edge-widget')).position), 'fixed',
       "the page's !important rules on the host element lose");
    ok(s && s.color !== 'rgb(0, 255, 0)' && s.fontSize !== '40px',
       "the page's colours and sizes stay out", s && s.color + s.fontSize);

    // 10. the JS API: inline in an element of the page
    await ep.goto(SITE + 'inline.html');
    s = await untilShown(ep);
    const inline = await ep.evaluate(() => {
        const h = document.querySelector('#status > status-edge-widget');
        return h ? getComputedStyle(h).position : null;
    });
    is(inline, 'static', 'StatusEdge.render: inline in the element');
    ok(s && s.name === 'Elevated API error rates', 'inline: the incident');

    // 11. a name full of HTML is text
    await ep.goto(SITE + 'index.html');
    const evil = '<img src=x onerror="window.pwned=1"><b>Bold</b> & "q" '
                 + '<script>window.pwned=2</script>';
    cli('incident', 'update', 'inc-1', '--name', evil,
        '--message', 'Body with <i>tags</i> &amp; entities');
    s = await untilShown(ep, x => x.name.startsWith('<img'));
    is(s && s.name, evil, 'an HTML name is shown as text, exactly');
    is(s && s.update, 'Monitoring: Body with <i>tags</i> &amp; entities',
       'an HTML body is text too');
    is(s && s.imgs, 0, 'no element made from it');
    await sleep(500);
    is(await ep.evaluate(() => window.pwned), undefined, 'no script ran');
    await snap(ep, 'widget-html');

    // 11b. no event stream (404 at the module): the widget polls instead
    const pp = await en.newPage();
    const polled = [];
    pp.on('request', r => { if (/summary\.json/.test(r.url())) polled.push(r.url()); });
    await pp.goto(SITE + 'poll.html');
    s = await untilShown(pp, x => x.name.startsWith('<img'));
    ok(s, 'without the event stream: shown from summary.json');
    cli('incident', 'update', 'inc-1', '--message', 'Polled update.');
    s = await untilShown(pp, x => /Polled update/.test(x.update || ''));
    ok(s, 'without the event stream: updates arrive by polling');
    ok(polled.length >= 2, 'summary.json polled', polled.length);
    await pp.close();

    // 12. resolved: hidden again, live
    cli('incident', 'resolve', 'inc-1', '--message', 'Resolved.');
    s = await untilHidden(ep);
    ok(s, 'hidden again once the incident is resolved');

    // 13. a maintenance in progress
    cli('maintenance', 'schedule', '--id', 'mnt-1', '--name',
        'Database upgrade', '--from', 'now+2h', '--until', 'now+3h',
        '--message', 'We will upgrade the database cluster.');
    s = await untilShown(ep);
    is(s && s.level, 'Scheduled maintenance', 'upcoming maintenance shown');
    cli('maintenance', 'start', 'mnt-1', '--message',
        'The upgrade has started.');
    s = await untilShown(ep, x => x.level === 'Maintenance');
    ok(s, 'maintenance in progress shown');
    is(s && s.update, 'In progress: The upgrade has started.',
       'maintenance: latest update');
    ok(s && /^Scheduled for .+ \u2013 /.test(s.meta),
       'maintenance: its window', s && s.meta);
    is(s && s.border, 'rgb(28, 100, 184)', 'maintenance colour');
    await snap(ep, 'widget-maintenance');
    cli('maintenance', 'complete', 'mnt-1');
    s = await untilHidden(ep);
    ok(s, 'hidden again once the maintenance is completed');

    // 14. "banner off" is honoured as by the server banner: a critical
    // incident with the banner off gives way to a minor one, and alone
    // shows nothing
    cli('incident', 'open', '--id', 'inc-quiet', '--name', 'Quiet outage',
        '--impact', 'critical', '--no-banner', '--message', 'Not here.');
    cli('incident', 'open', '--id', 'inc-minor', '--name', 'Slow search',
        '--impact', 'minor', '--message', 'Search is slow.');
    s = await untilShown(ep, x => x.name === 'Slow search');
    ok(s, 'banner off: the critical incident gives way to a minor one',
       JSON.stringify(await shown(ep)));
    is(s && s.level, 'Minor outage', 'banner off: the minor one\'s level');
    cli('incident', 'resolve', 'inc-minor');
    s = await untilHidden(ep);
    ok(s, 'banner off: alone, the incident shows nothing');
    cli('incident', 'update', 'inc-quiet', '--banner', 'on');
    s = await untilShown(ep, x => x.name === 'Quiet outage');
    ok(s, 'banner back on: shown');
    cli('incident', 'resolve', 'inc-quiet');
    s = await untilHidden(ep);
    ok(s, 'hidden once resolved');

    // 15. an upcoming maintenance shows within its own banner_lead: the
    // sooner one (lead 1 h, starts in 2 h) is outside, the later one
    // (lead 4 h, starts in 3 h) inside
    cli('maintenance', 'schedule', '--id', 'mnt-far', '--name',
        'Outside its lead', '--from', 'now+2h', '--until', 'now+3h',
        '--banner-lead', '1h', '--message', 'Not yet.');
    cli('maintenance', 'schedule', '--id', 'mnt-near', '--name',
        'Inside its lead', '--from', 'now+3h', '--until', 'now+4h',
        '--banner-lead', '4h', '--message', 'Soon.');
    s = await untilShown(ep, x => x.level === 'Scheduled maintenance');
    is(s && s.name, 'Inside its lead',
       'banner_lead: the one inside its lead, not the sooner one outside');
    cli('maintenance', 'cancel', 'mnt-near');
    s = await untilHidden(ep);
    ok(s, 'banner_lead: outside its lead, not shown');
    cli('maintenance', 'cancel', 'mnt-far');
    await en.close();

    // 16. translations: name.ko and body.ko for Korean visitors, the
    // base text for English ones
    cli('incident', 'open', '--id', 'inc-ko', '--name', 'Login errors',
        '--name.ko', '로그인 오류', '--impact', 'major', '--status',
        'investigating', '--message', 'We are looking into it.',
        '--message.ko', '원인을 조사하고 있습니다.');
    const ko2 = await browser.newContext({ locale: 'ko-KR' });
    const kp2 = await ko2.newPage();
    await kp2.goto(SITE + 'index.html');
    s = await untilShown(kp2, x => x.level === '부분 장애');
    is(s && s.name, '로그인 오류', 'Korean: the name.ko');
    is(s && s.update, '조사 중: 원인을 조사하고 있습니다.',
       'Korean: the body.ko');
    await snap(kp2, 'widget-korean-translated');
    cli('incident', 'update', 'inc-ko', '--message', 'Fix deployed.');
    s = await untilShown(kp2, x => /Fix deployed/.test(x.update || ''));
    is(s && s.update, '조사 중: Fix deployed.',
       'Korean: an update without body.ko falls back to its body');
    is(s && s.name, '로그인 오류', 'Korean: still the name.ko');
    await ko2.close();
    const en2 = await browser.newContext({ locale: 'en-US' });
    const ep2 = await en2.newPage();
    await ep2.goto(SITE + 'index.html');
    s = await untilShown(ep2);
    is(s && s.name, 'Login errors', 'English: the base name');
    is(s && s.update, 'Investigating: Fix deployed.', 'English: the body');
    cli('incident', 'resolve', 'inc-ko');
    s = await untilHidden(ep2);
    ok(s, 'hidden once resolved');
    await en2.close();
} catch (e) {
    if (browser) await browser.close().catch(() => {});
    bail(e);
}
await browser.close();
done();
