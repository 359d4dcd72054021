// The widget and a promised next update that passes: "Next update by"
// shows while the time is ahead and goes within a second once it passes,
// with no news from the server (Redis is down; the module serves its last
// state, and the stream says nothing new).
//
// ENV: SITE (a page embedding the widget), DUE (Unix seconds promised)
import { launch, ok, done, bail, until } from './lib.mjs';

const site = process.env.SITE;
const due = Number(process.env.DUE) * 1000;
if (!site || !due) bail('SITE and DUE must be set');

async function meta(page) {
    return page.evaluate(() => {
        const host = document.querySelector('status-edge-widget');
        const m = host && host.shadowRoot
                  && host.shadowRoot.querySelector('.c .m');
        return m ? m.textContent : null;
    });
}

try {
    const browser = await launch();
    const page = await (await browser.newContext({ locale: 'en-US' }))
        .newPage();
    await page.goto(site);
    const before = await until(async () => {
        const m = await meta(page);
        return m && /Next update by/.test(m) ? m : null;
    }, 6000);
    ok(before && Date.now() < due, 'the widget shows "Next update by" '
       + 'while it is ahead', before);
    const gone = await until(async () => {
        const m = await meta(page);
        return m !== null && !/Next update by/.test(m) ? Date.now() : null;
    }, Math.max(due - Date.now(), 0) + 5000, 20);
    ok(gone && gone - due < 1000, 'and drops it within a second of the '
       + `promised time (${gone ? ((gone - due) / 1000).toFixed(2) : '-'} s)`);
    ok(/\d/.test(await meta(page) || ''), 'the rest of the card stays');
    await browser.close();
} catch (e) {
    bail(e);
}
done();
