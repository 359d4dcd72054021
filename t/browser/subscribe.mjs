// The subscribe form as a visitor uses it: subscribe on the status page
// (no script), confirm from the email's link, receive an incident, leave
// in one click from the email; a forged token is refused; bad input gets
// a clear error and writes nothing.  The notifier runs between the steps
// (status-edge notify --once) and the mails land in a local SMTP sink.
//
// ENV: PAGE_URL (the status page), CLI (the admin tool), STATUS_EDGE_REDIS,
//      SMTP_URL, SMTP_DIR (the sink's directory), SECRET_FILE
import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { readFileSync, existsSync } from 'node:fs';
import { launch, ok, is, done, bail, until, screenshotPath } from './lib.mjs';

const { PAGE_URL, CLI, SMTP_URL, SMTP_DIR, SECRET_FILE } = process.env;
if (!PAGE_URL || !CLI || !SMTP_DIR) bail('PAGE_URL, CLI, SMTP_DIR must be set');

// its log kept off the TAP stream (an error thrown carries it)
function cli(...args) {
    return execFileSync(CLI, args, { encoding: 'utf8',
                                     stdio: ['ignore', 'pipe', 'pipe'] });
}

function notify() {
    cli('notify', '--once', '--smtp', SMTP_URL, '--mail-from',
        'status@example.com', '--secret-file', SECRET_FILE);
}

// the sink's messages to an address: headers and the decoded text part
function mails(to) {
    const file = SMTP_DIR + '/mail.jsonl';
    if (!existsSync(file)) return [];
    return readFileSync(file, 'utf8').split('\n').filter(Boolean)
        .map(l => JSON.parse(l))
        .filter(m => m.to.includes(to))
        .map(m => {
            const raw = Buffer.from(m.data_b64, 'base64').toString('latin1');
            const unfolded = raw.replace(/\r\n[ \t]+/g, ' ');
            const header = name => {
                const re = new RegExp('^' + name + ': (.*)$', 'mi');
                const h = unfolded.split('\r\n\r\n')[0].match(re);
                return h ? h[1] : null;
            };
            const qp = raw.match(/text\/plain[\s\S]*?\r\n\r\n([\s\S]*?)\r\n--/);
            const text = qp ? Buffer.from(qp[1].replace(/=\r\n/g, '')
                .replace(/=([0-9A-F]{2})/g, (_, h) =>
                    String.fromCharCode(parseInt(h, 16))), 'latin1')
                .toString('utf8') : '';
            return { header, text };
        });
}

function subscribers() {
    return JSON.parse(cli('subscriber', 'list', '--json'));
}

try {
    const browser = await launch();
    const page = await (await browser.newContext({ locale: 'en-US' }))
        .newPage();

    // bad input first: a browser that does not check (novalidate)
    await page.goto(PAGE_URL);
    await page.evaluate(() => {
        document.querySelector('form[action="subscribe"]').noValidate = true;
    });
    await page.fill('#sub-email', 'not-an-address');
    const [bad] = await Promise.all([page.waitForNavigation(),
                                     page.click('#subscribe button')]);
    is(bad.status(), 400, 'a bad address: 400');
    ok(/bad email address "not-an-address"/.test(
           await page.textContent('#message')),
       'the page says what is wrong', await page.textContent('#message'));
    is(subscribers().length, 0, 'and nothing is written');

    // subscribe
    await page.goto(PAGE_URL);
    ok(await page.isVisible('#subscribe form'), 'the form is on the page');
    await page.screenshot({ path: screenshotPath('subscribe-form'),
                            fullPage: true });
    await page.fill('#sub-email', 'cara@example.com');
    await page.check('input[name="component_ids[]"][value="api"]');
    const [sent] = await Promise.all([page.waitForNavigation(),
                                      page.click('#subscribe button')]);
    is(sent.status(), 200, 'subscribe: 200');
    is(await page.textContent('h1'), 'Check your inbox', '"check your inbox"');
    ok(/cara@example\.com/.test(await page.textContent('#message')),
       'naming the address');
    let subs = subscribers();
    ok(subs.length === 1 && subs[0].state === 'pending'
       && subs[0].components === 'api', 'a pending subscriber of api',
       JSON.stringify(subs));

    // the confirmation email, its link
    notify();
    const conf = await until(() => mails('cara@example.com')[0], 5000);
    ok(conf, 'the confirmation email arrives');
    const link = conf && (conf.text.match(/(http\S+confirm\?token=\S+)/)
                          || [])[1];
    ok(link, 'with a link', conf && conf.text);
    await page.goto(link);
    is(await page.textContent('h1'), 'Confirm your subscription',
       'the link asks first (a GET writes nothing)');
    is(subscribers()[0].state, 'pending', 'still pending');
    await Promise.all([page.waitForNavigation(), page.click('form button')]);
    is(await page.textContent('h1'), 'You are subscribed', 'confirmed');
    is(subscribers()[0].state, 'active', 'the subscriber is active');
    await page.screenshot({ path: screenshotPath('subscribe-confirmed') });

    // a forged token
    const forged = link.replace(/.$/, c => c === 'A' ? 'B' : 'A');
    const f = await page.goto(forged);
    is(f.status(), 400, 'a forged token: 400');
    is(await page.textContent('h1'), 'This link is not valid', 'refused');

    // an expired one, genuine otherwise: signed here with the secret
    const id = subs[0].id;
    const exp = Math.floor(Date.now() / 1000) - 60;
    const key = readFileSync(SECRET_FILE, 'utf8').replace(/\r?\n$/, '');
    const mac = createHmac('sha256', key).update(`c.${id}.${exp}`).digest()
        .subarray(0, 16).toString('base64url');
    const old = await page.goto(link.replace(/token=.*/,
                                             `token=${id}.${exp}.${mac}`));
    is(old.status(), 410, 'an expired token: 410');
    is(await page.textContent('h1'), 'This link has expired', 'refused');

    // an incident reaches her
    cli('incident', 'open', '--name', 'API errors', '--impact', 'major',
        '--components', 'api', '--message', 'We are looking into it.');
    notify();
    const inc = await until(() => mails('cara@example.com')
        .find(m => /Investigating/.test(m.header('Subject') || '')), 5000);
    ok(inc, 'the incident email arrives');
    const unsub = inc && (inc.header('List-Unsubscribe') || '')
        .replace(/^<|>$/g, '');
    ok(/unsubscribe\?token=/.test(unsub || ''), 'with List-Unsubscribe',
       unsub);

    // one click from the email's link, then the button
    await page.goto(unsub);
    is(await page.textContent('h1'), 'Unsubscribe', 'the link shows a button');
    is(subscribers().length, 1, 'nothing removed by the GET');
    await Promise.all([page.waitForNavigation(), page.click('form button')]);
    is(await page.textContent('h1'), 'You are unsubscribed', 'unsubscribed');
    is(subscribers().length, 0, 'the subscriber is gone');

    await browser.close();
} catch (e) {
    bail(e);
}
done();
