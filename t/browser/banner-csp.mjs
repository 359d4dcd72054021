// The banner under a Content-Security-Policy that nginx's add_header sets
// (issue 12, defect 4), in a real Chromium: the policy blocks every style
// but the nonced ones, so the banner is styled only when its <style nonce>
// carries the policy's nonce.  No CSP violation may be reported, and the
// banner must look like the banner (its stylesheet applied), not like
// unstyled text.
//
// Environment: PAGE_URL (a page with the banner and add_header's policy),
// PLAIN_URL (the same page without a policy: the look to compare with).
import { launch, ok, is, done, bail, screenshotPath } from './lib.mjs';

const PAGE = process.env.PAGE_URL;
const PLAIN = process.env.PLAIN_URL;

async function look(page) {
    return page.evaluate(() => {
        const b = document.querySelector('.se-banner');
        if (!b) return null;
        const cs = getComputedStyle(b);
        return { display: cs.display, background: cs.backgroundColor,
                 padding: cs.paddingTop, font: cs.fontFamily };
    });
}

async function main() {
    const browser = await launch();
    const page = await browser.newPage();
    const violations = [];
    page.on('console', m => {
        if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(m.text());
    });

    const res = await page.goto(PLAIN);
    is(res.status(), 200, 'page without a policy: 200');
    const plain = await look(page);
    ok(plain !== null, 'page without a policy: the banner is there');

    const res2 = await page.goto(PAGE);
    is(res2.status(), 200, 'page with add_header\'s policy: 200');
    const csp = res2.headers()['content-security-policy'] || '';
    const m = csp.match(/'nonce-([^']+)'/);
    ok(m !== null, `the policy has a nonce (${csp})`);
    const nonce = await page.evaluate(() => {
        const s = document.querySelector('.se-banner') && document.querySelector('style');
        return s ? s.nonce : null;
    });
    is(nonce, m && m[1], "the banner's <style> carries the policy's nonce");
    const styled = await look(page);
    ok(styled !== null, 'page with the policy: the banner is there');
    ok(styled && plain && JSON.stringify(styled) === JSON.stringify(plain),
       'the banner is styled as without a policy (its CSS applied)',
       JSON.stringify({ styled, plain }));
    ok(styled && styled.background !== 'rgba(0, 0, 0, 0)',
       `the banner has its background (${styled && styled.background})`);
    is(violations.length, 0, 'no CSP violation reported');
    if (violations.length) console.log('# ' + violations.join('\n# '));
    await page.screenshot({ path: screenshotPath('banner-csp-add-header') });

    await browser.close();
}

main().then(done, bail);
