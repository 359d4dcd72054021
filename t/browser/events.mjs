// status_edge_events and a real EventSource in headless Chromium
// (started by t/920-events-browser.t):
//  1. refused by status_edge_events_max (BASE/capped allows one stream,
//     held here by node): the EventSource gets the summary, is not closed
//     for good, and gets its stream after the retry delay once there is
//     room; a change then arrives live;
//  2. a reload (SIGHUP to the nginx master): the page's EventSources
//     reconnect to the new worker, each after its own delay, and get the
//     change made while they were away.
// Environment: BASE (nginx, with page.html, capped, events, metrics),
// NGINX_PID, CLI and STATUS_EDGE_REDIS (the admin tool, to change the
// state).
import { execFileSync } from 'node:child_process';
import http from 'node:http';
import { launch, ok, is, until, done, bail } from './lib.mjs';

const BASE = process.env.BASE;
const STREAMS = 5;    /* Chromium opens at most 6 connections to a host */

const sleep = ms => new Promise(r => setTimeout(r, ms));

function cli(...args) {
    try {
        return execFileSync(process.env.CLI, args, { encoding: 'utf8',
                                         stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
        throw new Error(`status-edge ${args.join(' ')}: ${e.stderr}`);
    }
}

function get(path) {
    return new Promise((resolve, reject) => {
        http.get(BASE + path, res => {
            let body = '';
            res.on('data', d => { body += d; });
            res.on('end', () => resolve(body));
        }).on('error', reject);
    });
}

async function metric(name) {
    const m = (await get('metrics')).match(
        new RegExp(`^${name}\\{[^}]*\\} (\\d+)$`, 'm'));
    return m ? Number(m[1]) : undefined;
}

// opens EventSources in the page, each logging what happens to it
async function open(page, path, n) {
    await page.evaluate(([path, n]) => {
        window.streams = [];
        for (let i = 0; i < n; i++) {
            const log = [];
            const es = new EventSource(path);
            const at = () => Math.round(performance.now());
            es.onopen = () => log.push({ k: 'open', t: at() });
            es.onerror = () => log.push({ k: 'error', t: at(),
                                          state: es.readyState });
            es.addEventListener('summary', e => log.push({ k: 'summary',
                t: at(), id: e.lastEventId,
                name: JSON.parse(e.data).page.name }));
            window.streams.push({ es, log });
        }
    }, [path, n]);
}

const logs = page => page.evaluate(() => window.streams.map(s => s.log));

async function main() {
    const browser = await launch();
    const page = await browser.newPage();
    await page.goto(BASE + 'page.html');

    // ---------------------------------------------------------------
    // 1. refused, then admitted

    const hold = http.get(BASE + 'capped');
    hold.on('error', () => { });
    ok(await until(async () => await metric('status_edge_events_streams')
                               === 1, 5000),
       'a stream held outside the browser fills the cap');

    await open(page, '/capped', 1);
    let log = await until(async () => {
        const l = (await logs(page))[0];
        return l.some(e => e.k === 'error') && l;
    }, 5000);
    ok(log, 'refused: the EventSource sees its response end',
       JSON.stringify(log));
    log = log || [];
    const first = log.find(e => e.k === 'summary');
    ok(first && first.name === 'Events in a browser',
       'refused: it still got the current summary', JSON.stringify(log));
    const refusedAt = log.find(e => e.k === 'error');
    is(refusedAt && refusedAt.state, 0,
       'refused: readyState CONNECTING (it will retry), not CLOSED');
    is(await metric('status_edge_events_refused_total'), 1,
       'metrics: 1 refused');

    hold.destroy();
    ok(await until(async () => await metric('status_edge_events_streams')
                               === 0, 5000),
       'the held stream leaves: room for one');

    log = await until(async () => {
        const l = (await logs(page))[0];
        return l.filter(e => e.k === 'open').length >= 2 && l;
    }, 17000);
    ok(log, 'the EventSource comes back by itself', JSON.stringify(log));
    log = log || [];
    const back = log.filter(e => e.k === 'open')[1];
    const delay = back && refusedAt ? back.t - refusedAt.t : -1;
    ok(delay >= 4500 && delay <= 16000,
       `after the retry delay it was given, 5 to 15 s (${delay} ms)`);
    await sleep(500);
    log = (await logs(page))[0];
    ok(log[log.length - 1].k === 'open'
       && await metric('status_edge_events_streams') === 1,
       'admitted: its stream stays open', JSON.stringify(log));
    ok(!log.slice(log.indexOf(back)).some(e => e.k === 'summary'),
       'admitted with Last-Event-ID: the summary it has is not sent again');

    cli('page', 'set', '--name', 'Changed after the refusal');
    log = await until(async () => {
        const l = (await logs(page))[0];
        return l.some(e => e.name === 'Changed after the refusal') && l;
    }, 5000);
    ok(log, 'admitted: a change arrives live', JSON.stringify(log));

    await page.evaluate(() => window.streams.forEach(s => s.es.close()));
    ok(await until(async () => await metric('status_edge_events_streams')
                               === 0, 5000), 'closed');

    // ---------------------------------------------------------------
    // 2. a reload

    await open(page, '/events', STREAMS);
    ok(await until(async () => (await logs(page)).every(l =>
                       l.some(e => e.k === 'summary')), 5000),
       `${STREAMS} EventSources have the current summary`);

    process.kill(Number(process.env.NGINX_PID), 'SIGHUP');
    const ended = await until(async () => {
        const ls = await logs(page);
        return ls.every(l => l.some(e => e.k === 'error')) && ls;
    }, 10000);
    ok(ended, 'reload: every stream ends');
    ok(ended && ended.every(l => l.find(e => e.k === 'error').state === 0),
       'reload: every EventSource is CONNECTING (it will retry)');
    cli('page', 'set', '--name', 'Changed during the reload');

    const ls = await until(async () => {
        const ls = await logs(page);
        return ls.every(l => l.some(e => e.name
                                         === 'Changed during the reload'))
               && ls;
    }, 15000);
    ok(ls, 'reload: every EventSource gets the change made while away',
       JSON.stringify(await logs(page)));
    const delays = (ls || []).map(l => {
        const err = l.find(e => e.k === 'error');
        const again = l.filter(e => e.k === 'open')[1];
        return again ? again.t - err.t : -1;
    });
    ok(delays.length === STREAMS
       && delays.every(d => d >= 900 && d <= 11000),
       `reload: each comes back within 1 to 10 s (${delays.join(' ')} ms)`);
    const spread = Math.max(...delays) - Math.min(...delays);
    ok(spread >= 500,
       `reload: not all at the same moment (spread over ${spread} ms)`);
    is(await metric('status_edge_events_streams'), STREAMS,
       `reload: ${STREAMS} streams open on the new worker`);

    await page.evaluate(() => window.streams.forEach(s => s.es.close()));
    await browser.close();
    done();
}

main().catch(bail);
