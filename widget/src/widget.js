/*
 * status-edge widget: a corner popup (a bottom bar on narrow screens)
 * while an incident or a maintenance is active, hidden otherwise.
 *
 *   <script src="https://status.example.com/status-edge/widget.js" async
 *           data-position="bottom-left" data-lang="ko"></script>
 *
 * Live from status_edge_events (SSE, named event "summary"), falling back
 * to polling summary.json.  Shadow DOM; every piece of status text is set
 * with textContent, never parsed as HTML.  JS API for an inline widget:
 *   StatusEdge.render(element, { api, lang, poll, pageUrl, ... })
 * See docs/widget.md.
 */
(() => {
    'use strict';

    const W = window;
    const D = document;
    const STORE = 'status-edge:dismissed';
    const LEAD = 86400;           /* banner_lead when absent: 24 h */

    const IMPACT = { none: 0, minor: 1, major: 2, critical: 3 };

    /* the banner's wording (src/core/se_banner.c), en and ko */
    const TEXT = {
        en: {
            level: { none: 'Notice', minor: 'Minor outage',
                     major: 'Partial outage', critical: 'Major outage',
                     maintenance: 'Maintenance' },
            upcoming: 'Scheduled maintenance',
            status: { investigating: 'Investigating',
                      identified: 'Identified', monitoring: 'Monitoring',
                      resolved: 'Resolved', postmortem: 'Postmortem',
                      scheduled: 'Scheduled', in_progress: 'In progress',
                      verifying: 'Verifying', completed: 'Completed' },
            next: 'Next update by ',
            when: 'Scheduled for ',
            link: 'View status page',
            close: 'Dismiss'
        },
        ko: {
            level: { none: '알림', minor: '경미한 장애', major: '부분 장애',
                     critical: '주요 장애', maintenance: '점검' },
            upcoming: '예정된 점검',
            status: { investigating: '조사 중', identified: '원인 파악',
                      monitoring: '모니터링 중', resolved: '해결됨',
                      postmortem: '사후 분석', scheduled: '예정됨',
                      in_progress: '진행 중', verifying: '검증 중',
                      completed: '완료됨' },
            next: '다음 업데이트 예정: ',
            when: '점검 일정: ',
            link: '상태 페이지 보기',
            close: '닫기'
        }
    };

    /* data-color-X / option colors.X -> CSS custom property --X */
    const COLORS = ['minor', 'major', 'critical', 'maintenance', 'bg', 'fg'];

    const CSS =
        ':host{all:initial!important;display:block!important;' +
        'position:fixed!important;z-index:2147483000!important;' +
        'bottom:16px!important;right:16px!important;' +
        'width:min(360px,calc(100vw - 32px))!important}' +
        ':host([hidden]){display:none!important}' +
        ':host(.left){right:auto!important;left:16px!important}' +
        ':host(.top){bottom:auto!important;top:16px!important}' +
        ':host(.inline){position:static!important;width:auto!important}' +
        '.c{--m:#8a6100;--j:#c2410c;--x:#c92a2a;--n:#1c64b8;' +
        '--b:#fff;--f:#1d2330;--s:#5b6472;box-sizing:border-box;' +
        'font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,' +
        '"Noto Sans KR","Apple SD Gothic Neo","Malgun Gothic",sans-serif;' +
        'color:var(--fg,var(--f));background:var(--bg,var(--b));' +
        'border-radius:8px;border-left:6px solid var(--k);' +
        'box-shadow:0 4px 18px rgba(0,0,0,.25);padding:12px 40px 12px 14px;' +
        'position:relative;text-align:left;overflow-wrap:anywhere;' +
        'animation:in .25s ease-out}' +
        '.c.dark{--b:#1f2430;--f:#e8ebf2;--s:#aab2c0;--m:#f2c94c;' +
        '--j:#ff922b;--x:#ff6b6b;--n:#5c9cff}' +
        '@media (prefers-color-scheme:dark){.c:not(.light){--b:#1f2430;' +
        '--f:#e8ebf2;--s:#aab2c0;--m:#f2c94c;--j:#ff922b;--x:#ff6b6b;' +
        '--n:#5c9cff}}' +
        '.minor{--k:var(--minor,var(--m))}.major{--k:var(--major,var(--j))}' +
        '.critical{--k:var(--critical,var(--x))}' +
        '.none,.maintenance{--k:var(--maintenance,var(--n))}' +
        'p{margin:0 0 4px}p:last-child{margin:0}' +
        '.l{font-weight:700;color:var(--k);margin-right:6px}' +
        '.t{font-weight:600}.u,.m{color:var(--s);font-size:13px}' +
        '.u b{font-weight:600;color:var(--fg,var(--f))}' +
        'a{color:inherit}a,button{border-radius:4px}' +
        'a:focus-visible,button:focus-visible{outline:2px solid ' +
        'var(--k);outline-offset:2px}' +
        'button{all:unset;position:absolute;top:6px;right:6px;width:28px;' +
        'height:28px;line-height:28px;text-align:center;font-size:20px;' +
        'cursor:pointer;color:var(--s)}' +
        'button:hover{background:rgba(127,127,127,.18)}' +
        '.c.inline{box-shadow:none;border:1px solid rgba(127,127,127,.3);' +
        'border-left:6px solid var(--k)}' +
        '@media (max-width:449.98px){:host(:not(.inline)){' +
        'left:0!important;right:0!important;bottom:0!important;' +
        'top:auto!important;width:auto!important}' +
        '.c:not(.inline){border-radius:0;border-left:0;' +
        'border-top:4px solid var(--k)}}' +
        '@media (prefers-reduced-motion:reduce){.c{animation:none}}' +
        '@keyframes in{from{opacity:0;transform:translateY(8px)}}';

    const hasLS = (() => {
        try { return !!W.localStorage; } catch (e) { return false; }
    })();
    let memory = {};

    function loadDismissed() {
        if (!hasLS) return memory;
        try {
            const v = JSON.parse(W.localStorage.getItem(STORE) || '{}');
            return v && typeof v === 'object' ? v : {};
        } catch (e) {
            return {};
        }
    }

    function saveDismissed(map) {
        memory = map;
        if (!hasLS) return;
        try {
            W.localStorage.setItem(STORE, JSON.stringify(map));
        } catch (e) { /* full or denied: this page view only */ }
    }

    /* a table's own entry: "constructor" from Redis is no status */
    function own(o, k) {
        return Object.prototype.hasOwnProperty.call(o, k) ? o[k] : undefined;
    }

    function str(v) {
        return typeof v === 'string' ? v : '';
    }

    function time(s) {
        const t = Date.parse(str(s));
        return isNaN(t) ? null : t;
    }

    /* an http(s) URL or null: nothing else becomes a link */
    function safeUrl(u, base) {
        try {
            const url = new URL(str(u), base);
            return /^https?:$/.test(url.protocol) ? url.href : null;
        } catch (e) {
            return null;
        }
    }

    function langOf(l) {
        return /^ko\b/i.test(str(l)) ? 'ko' : 'en';
    }

    /* a translation (name_translations, body_translations) or F */
    function tr(rec, f, lang) {
        const t = rec[f + '_translations'];
        return (lang !== 'en' && t && typeof t === 'object'
                && str(own(t, lang))) || str(rec[f]);
    }

    function latest(rec) {
        const u = Array.isArray(rec.incident_updates)
                  ? rec.incident_updates[0] : null;
        return u && typeof u === 'object' ? u : null;
    }

    /* what to show, best first, as SPEC §2's banner choice, among
     * records with banner on: unresolved incidents by impact then
     * newest; else in-progress maintenances; else one starting within
     * its banner_lead */
    function list(x) {
        return Array.isArray(x) ? x.filter(r => r && typeof r === 'object'
                                                && str(r.id)) : [];
    }

    function shown(x) {
        return list(x).filter(r => r.banner !== false);
    }

    function candidates(sum, now) {
        const inc = shown(sum.incidents)
            .filter(r => r.status !== 'resolved' && r.status !== 'postmortem')
            .map(r => Object.assign(r, {
                kind: own(IMPACT, r.impact) >= 0 ? r.impact : 'none' }))
            .sort((a, b) => (IMPACT[b.kind] - IMPACT[a.kind])
                            || (time(b.created_at) - time(a.created_at)));
        if (inc.length) return inc;
        const mnt = shown(sum.scheduled_maintenances)
            .map(r => Object.assign(r, { kind: 'maintenance' }));
        const act = mnt.filter(r => r.status === 'in_progress'
                                    || r.status === 'verifying');
        if (act.length) return act;
        return mnt.filter(r => {
            const f = time(r.scheduled_for);
            const u = time(r.scheduled_until) || f;
            const l = r.banner_lead;
            return r.status === 'scheduled' && f !== null
                   && f - (typeof l === 'number' ? l : LEAD) * 1e3 <= now
                   && now < u;
        }).map(r => Object.assign(r, { upcoming: 1 }))
          .sort((a, b) => time(a.scheduled_for) - time(b.scheduled_for));
    }

    function keyOf(rec) {
        const u = latest(rec);
        return (u && (str(u.id) || str(u.created_at)))
               || str(rec.updated_at);
    }

    function el(tag, cls, text) {
        const e = D.createElement(tag);
        if (cls) e.className = cls;
        if (text) e.textContent = text;
        return e;
    }

    function Widget(host, o) {
        this.o = o;
        this.T = TEXT[o.lang];
        this.host = host;
        this.sum = null;
        this.shown = null;
        const root = host.attachShadow({ mode: 'open' });
        const style = el('style');
        style.textContent = CSS;
        this.region = el('div');
        this.region.setAttribute('role', 'status');
        this.region.setAttribute('aria-live', 'polite');
        this.region.setAttribute('lang', o.lang);
        root.append(style, this.region);
        this.start();
    }

    Widget.prototype = {
        fmt(t) {
            try {
                return new Intl.DateTimeFormat(this.o.lang, {
                    month: 'short', day: 'numeric', hour: 'numeric',
                    minute: '2-digit', timeZoneName: 'short'
                }).format(t);
            } catch (e) {
                return new Date(t).toISOString();
            }
        },

        render(sum) {
            if (!sum || typeof sum !== 'object') return;
            this.sum = sum;
            const now = Date.now();
            const gone = loadDismissed();
            const rec = candidates(sum, now)
                .find(r => gone[r.id] !== keyOf(r)) || null;
            /* a promised update time is shown only while ahead: redrawn
             * the moment it passes, with or without news from the server */
            const next = rec ? time(rec.next_update_at) : null;
            const ahead = next !== null && next > now;
            clearTimeout(this.due);
            if (ahead) {
                this.due = setTimeout(() => this.render(this.sum),
                                      Math.min(next - now + 50, 2e9));
            }
            const sig = rec ? JSON.stringify([rec, this.o.lang, ahead]) : '';
            if (sig === this.shown) return;
            this.shown = sig;
            this.region.textContent = '';
            this.host.hidden = !rec;
            if (rec) this.region.append(this.card(rec, sum));
        },

        card(rec, sum) {
            const T = this.T;
            const o = this.o;
            const kind = rec.kind;
            const maint = kind === 'maintenance';
            const c = el('div', 'c ' + kind
                                + (o.theme ? ' ' + o.theme : '')
                                + (o.inline ? ' inline' : ''));
            for (const k of COLORS) {
                if (o.colors[k]) c.style.setProperty('--' + k, o.colors[k]);
            }
            const u = latest(rec);

            const title = el('p');
            title.append(el('span', 'l', rec.upcoming ? T.upcoming
                                                      : T.level[kind]),
                         el('span', 't', tr(rec, 'name', o.lang)));
            c.append(title);

            const body = u && tr(u, 'body', o.lang);
            if (body) {
                const p = el('p', 'u');
                const st = own(T.status, u.status);
                if (st) p.append(el('b', '', st), ': ');
                p.append(body);
                c.append(p);
            }

            const meta = el('p', 'm');
            const at = u && (time(u.display_at) || time(u.created_at));
            const add = s => {
                if (meta.firstChild) meta.append(' \u00b7 ');
                meta.append(s);
            };
            const from = time(rec.scheduled_for);
            const to = time(rec.scheduled_until);
            if (maint && from) {
                add(T.when + this.fmt(from)
                    + (to > from ? ' \u2013 ' + this.fmt(to) : ''));
            } else if (at) {
                add(el('time', '', this.fmt(at)));
                meta.lastChild.dateTime = new Date(at).toISOString();
            }
            const next = time(rec.next_update_at);
            if (next && next > Date.now()) add(T.next + this.fmt(next));
            const page = sum.page && typeof sum.page === 'object'
                         ? sum.page.url : '';
            const href = safeUrl(o.pageUrl || page, o.base);
            if (href) {
                const a = el('a', '', T.link);
                a.href = href;
                a.target = '_blank';
                a.rel = 'noopener';
                add(a);
            }
            if (meta.firstChild) c.append(meta);

            const b = el('button', '', '\u00d7');
            b.type = 'button';
            b.setAttribute('aria-label', T.close);
            b.title = T.close;
            b.onclick = () => {
                const gone = loadDismissed();
                const ids = new Set(list(this.sum.incidents)
                    .concat(list(this.sum.scheduled_maintenances))
                    .map(r => r.id));
                for (const id of Object.keys(gone)) {
                    if (!ids.has(id)) delete gone[id];
                }
                gone[rec.id] = keyOf(rec);
                saveDismissed(gone);
                this.shown = null;
                this.render(this.sum);
            };
            c.append(b);
            return c;
        },

        start() {
            const o = this.o;
            if (o.sse && W.EventSource) {
                let got = false;
                const es = this.es = new EventSource(o.base + 'events');
                es.addEventListener('summary', e => {
                    got = true;
                    try { this.render(JSON.parse(e.data)); } catch (x) { }
                });
                /* a 404, a CORS refusal or a server without the stream:
                 * poll; a dropped stream that worked reconnects itself */
                const fail = () => {
                    if (this.es !== es) return;
                    es.close();
                    this.es = null;
                    this.poll();
                };
                es.onerror = () => {
                    if (!got || es.readyState === 2) fail();
                };
                setTimeout(() => { if (!got) fail(); }, 10000);
            } else {
                this.poll();
            }
            /* an upcoming maintenance's window opens and closes with
             * time; redrawn only when the choice changes, so the live
             * region does not announce the same incident again */
            this.tick = setInterval(() => this.render(this.sum), 60000);
        },

        poll() {
            if (this.timer !== undefined) return;
            const run = () => {
                if (D.hidden) return;
                fetch(this.o.base + 'api/v2/summary.json',
                      { cache: 'no-cache', credentials: 'omit' })
                    .then(r => r.ok ? r.json() : null)
                    .then(s => this.render(s), () => { });
            };
            run();
            this.timer = setInterval(run, this.o.poll * 1000);
            D.addEventListener('visibilitychange', this.run = run);
        },

        destroy() {
            if (this.es) this.es.close();
            this.es = null;
            clearInterval(this.timer);
            clearInterval(this.tick);
            D.removeEventListener('visibilitychange', this.run);
            this.host.remove();
        }
    };

    /* options from data- attributes or a JS object */
    function options(src, base) {
        const get = k => src[k] === undefined || src[k] === null
                         ? '' : String(src[k]);
        const colors = {};
        for (const k of COLORS) {
            colors[k] = get('color' + k[0].toUpperCase() + k.slice(1))
                        || (src.colors && src.colors[k]) || '';
        }
        const poll = parseFloat(get('poll'));
        const api = safeUrl(get('api').replace(/([^/])$/, '$1/') || './',
                            base) || base;
        const theme = get('theme');
        const pos = get('position');
        return {
            base: api.replace(/[?#].*$/, '').replace(/[^/]*$/, ''),
            lang: langOf(get('lang') || navigator.language),
            poll: poll >= 1 ? poll : 60,
            sse: !/^(off|false|0)$/.test(get('sse')),
            pageUrl: get('pageUrl'),
            theme: /^(light|dark)$/.test(theme) ? theme : '',
            position: /^(top|bottom)-(left|right)$/.test(pos)
                      ? pos : 'bottom-right',
            colors
        };
    }

    function mount(parent, o, inline) {
        const host = D.createElement('status-edge-widget');
        o.inline = inline;
        if (inline) host.className = 'inline';
        else host.className = o.position.split('-').join(' ');
        host.hidden = true;
        parent.appendChild(host);
        return new Widget(host, o);
    }

    const me = D.currentScript;
    const base = (me && me.src) || D.baseURI;

    W.StatusEdge = {
        /* an inline widget inside element; returns { destroy() } */
        render(element, opts) {
            const w = mount(element, options(opts || {}, base), true);
            return { destroy: () => w.destroy() };
        }
    };

    if (me && !/^(off|false|0)$/.test(me.dataset.auto || '')) {
        const go = () => mount(D.body, options(me.dataset, base), false);
        if (D.body) go();
        else D.addEventListener('DOMContentLoaded', go);
    }
})();
