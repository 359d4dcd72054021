// The uptime bars in headless Chromium, with page scripts off: the bars
// are visible and coloured by the day's downtime, each bar's tooltip
// shows on keyboard focus (Tab) and on hover and hides otherwise, Tab
// reaches the links inside a tooltip and keeps it open, the tooltip
// text reaches 4.5:1 contrast in light and dark, 360 px shows the last
// 30 days.  Screenshots go to build/screenshots/uptime-*.png.
//
// ENV: PAGE_URL (http://127.0.0.1:PORT/status/)
import { launch, ok, is, done, bail, screenshotPath } from './lib.mjs';

const url = process.env.PAGE_URL;
if (!url) bail('PAGE_URL is not set');

const API = 'li.comp:has(> .row .name:text-is("API"))';

function ratio(fg, bg) {
    const rgb = s => s.match(/[\d.]+/g).slice(0, 3).map(Number);
    const lum = c => {
        const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
        return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
    };
    const a = lum(rgb(fg)), b = lum(rgb(bg));
    return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}

async function shown(loc) {
    const box = await loc.boundingBox();
    return box !== null && box.width > 40 && box.height > 10;
}

async function check(browser, scheme) {
    const ctx = await browser.newContext({
        colorScheme: scheme, viewport: { width: 1000, height: 900 },
        javaScriptEnabled: false,
    });
    const page = await ctx.newPage();
    const res = await page.goto(url, { waitUntil: 'load' });
    const name = scheme;
    is(res.status(), 200, `${name}: page loads`);

    const bars = page.locator(`${API} ol.bars > li`);
    is(await bars.count(), 90, `${name}: 90 bars under API`);
    const last = bars.nth(89), minor = bars.nth(86), crit = bars.nth(79);
    const lbox = await last.boundingBox();
    ok(lbox && lbox.width >= 2 && lbox.height >= 20, `${name}: bars visible`,
       JSON.stringify(lbox));
    ok(/\bd-minor\b/.test(await minor.getAttribute('class')),
       `${name}: the 30-minute partial outage is amber`);
    ok(/\bd-critical\b/.test(await crit.getAttribute('class')),
       `${name}: the 2-hour major outage is red`);
    const colors = {};
    for (const [k, b] of [['up', bars.nth(88)], ['minor', minor], ['crit', crit]]) {
        colors[k] = await b.evaluate(e => getComputedStyle(e).backgroundColor);
    }
    ok(colors.up !== colors.minor && colors.minor !== colors.crit
       && colors.up !== colors.crit, `${name}: three different colours`,
       JSON.stringify(colors));

    // hidden until hovered or focused
    const tip = minor.locator('.t');
    ok(!(await shown(tip)), `${name}: the tooltip is hidden at first`);

    await minor.hover();
    ok(await shown(tip), `${name}: shown on hover`);
    ok(/30 min/.test(await tip.innerText()), `${name}: ... with the outage`);
    await page.mouse.move(5, 5);
    ok(!(await shown(tip)), `${name}: hidden when the pointer leaves`);

    // by keyboard: focus the bar before, then Tab
    await bars.nth(85).focus();
    await page.keyboard.press('Tab');
    ok(await minor.evaluate(e => e === document.activeElement),
       `${name}: Tab moves to the next bar`);
    ok(await shown(tip), `${name}: its tooltip shows on focus`);
    const fg = await tip.evaluate(e => getComputedStyle(e).color);
    const bg = await tip.evaluate(e => getComputedStyle(e).backgroundColor);
    const r = ratio(fg, bg);
    ok(r >= 4.5, `${name}: tooltip text contrast ${r.toFixed(2)}:1`);
    await page.screenshot({ path: screenshotPath(`uptime-tooltip-${scheme}`),
                            clip: await page.locator(`${API}`).boundingBox()
                                  .then(b => ({ x: 0, y: Math.max(0, b.y - 140),
                                                width: 1000, height: b.height + 160 })) });

    // today's bar lists the open incident, with a link Tab reaches
    // (focused itself: yesterday's bar lists the incident too when it
    // began before midnight in the page's zone, and Tab would go there)
    await last.focus();
    const link = last.locator('.t a').first();
    is(await link.count(), 1, `${name}: today's tooltip links its incident`);
    ok(/^#incident-/.test(await link.getAttribute('href')),
       `${name}: ... to its place on the page`);
    await page.keyboard.press('Tab');
    ok(await link.evaluate(e => e === document.activeElement),
       `${name}: Tab reaches the link inside the tooltip`);
    ok(await shown(last.locator('.t')), `${name}: ... and the tooltip stays`);
    await page.keyboard.press('Enter');
    ok(/#incident-/.test(page.url()), `${name}: Enter follows it`);

    await page.locator('body').focus().catch(() => {});
    if (scheme === 'light') {
        await page.screenshot({ path: screenshotPath('uptime-light'), fullPage: true });
    } else {
        await page.screenshot({ path: screenshotPath('uptime-dark'), fullPage: true });
    }
    ok(true, `${name}: screenshot uptime-${scheme}.png`);

    await page.setViewportSize({ width: 360, height: 800 });
    let visible = 0;
    for (let i = 0; i < 90; i++) {
        const b = await bars.nth(i).boundingBox();
        if (b && b.width > 0) visible++;
    }
    is(visible, 30, `${name}: 360 px shows the last 30 days`);
    ok(await bars.nth(89).boundingBox().then(b => b && b.width >= 4),
       `${name}: ... each at least 4 px wide`);
    const axis = await page.locator(`${API} p.ax`).innerText();
    ok(/30 days ago/.test(axis) && !/90 days ago/.test(axis),
       `${name}: the axis says 30 days`, axis);
    const wide = await page.evaluate(() => document.scrollingElement.scrollWidth)
        .catch(() => 360);
    ok(wide <= 360, `${name}: no sideways scrolling (${wide})`);
    if (scheme === 'light') {
        await page.locator(API).scrollIntoViewIfNeeded();
        await page.screenshot({ path: screenshotPath('uptime-narrow') });
    }

    await ctx.close();
}

try {
    const browser = await launch();
    await check(browser, 'light');
    await check(browser, 'dark');
    await browser.close();
} catch (e) {
    bail(e);
}
done();
