#!/usr/bin/perl
# status_edge_status_page: the HTML status page against a state written
# through Redis.  Every part of the page (overall status, components with
# groups and only_show_if_degraded, active incidents with their timeline,
# maintenance in progress and upcoming, the history window with
# postmortem links), times in the page's zone, Korean, hostile admin text,
# the operator template, the stylesheet, ETag/304/HEAD, 404 and 405 under
# the location, exact and regex locations, and no state yet (503).

use strict;
use warnings;
use utf8;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use File::Temp qw(tempdir);
use Storable qw(dclone);
use StatusEdge::Test qw(sample_state ts parse_ts wait_until);

BEGIN {
    system("$FindBin::Bin/../tools/need", 'libxml-libxml-perl') == 0
        or plan skip_all => 'libxml-libxml-perl not installable';
}
use XML::LibXML;

binmode Test::More->builder->$_, ':encoding(UTF-8)'
    for qw(output failure_output todo_output);

my $dir = tempdir(CLEANUP => 1);
my $tpl = "$dir/page.tpl";
{
    open my $fh, '>:raw', $tpl or die;
    print $fh qq{<!DOCTYPE html><html lang="{{lang}}"><head>}
            . qq{<title>{{page_name}} - ops</title>}
            . qq{<link rel="stylesheet" href="{{stylesheet_url}}"></head>}
            . qq{<body class="ops-{{status_indicator}}">}
            . qq{<h1 id="ops-name">{{page_name}}</h1>}
            . qq{<p id="ops-desc">{{status_description}}</p>}
            . qq{{{incidents}}{{maintenances}}{{components}}{{history}}}
            . qq{<p id="ops-tz">{{time_zone}}</p></body></html>\n};
    close $fh;
}

my $locations = <<"CONF";
        location /status/ {
            status_edge_status_page;
        }
        location /short/ {
            status_edge_status_page;
            status_edge_history_days 2;
        }
        location /tpl/ {
            status_edge_status_page;
            status_edge_status_page_template $tpl;
        }
        location = /exact/ {
            status_edge_status_page;
        }
        location ~ ^/re/ {
            status_edge_status_page;
        }
        location /noslash {
            status_edge_status_page;
        }
CONF

my $t = StatusEdge::Test->new;
$t->start_redis;
my $now = time;
my $S = sample_state(now => $now);
my $v = $t->write_state($S);
$t->start_nginx(servers => $t->server_conf(extra => $locations));
ok $t->wait_version($v), "every worker serves version $v";

my @MON = qw(Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec);

# "Nov 22, 11:03 KST": Asia/Seoul is +09:00 all year
sub kst {
    my ($t) = @_;
    my @g = gmtime($t + 9 * 3600);
    my @n = gmtime($now + 9 * 3600);
    my $year = $g[5] == $n[5] ? '' : ', ' . ($g[5] + 1900);
    return sprintf '%s %d%s, %02d:%02d KST', $MON[$g[4]], $g[3], $year,
        $g[2], $g[1];
}

sub kst_day {
    my ($t) = @_;
    my @g = gmtime($t + 9 * 3600);
    return sprintf '%04d-%02d-%02d', $g[5] + 1900, $g[4] + 1, $g[3];
}

sub get {
    my ($path, @h) = @_;
    my ($st, $h, $body) = $t->http(GET => $path, headers => [@h]);
    my $doc = XML::LibXML->load_html(string => $body // '', recover => 2,
        suppress_errors => 1, encoding => 'UTF-8');
    return ($st, $h, $body, $doc);
}

sub cls { qq{contains(concat(' ', normalize-space(\@class), ' '), ' $_[0] ')} }

sub norm { my $s = shift // ''; $s =~ s/\s+/ /g; $s =~ s/^ | $//g; $s }

sub texts {
    my ($node, $xp) = @_;
    return [map { norm($_->textContent) } $node->findnodes($xp)];
}

sub text1 { texts(@_)->[0] // '' }

# --- the page: headers --------------------------------------------------------
my ($st, $h, $body, $doc) = get('/status/');
is $st, 200, 'GET /status/: 200';
is $h->{'content-type'}, 'text/html; charset=utf-8', '... text/html, UTF-8';
like $h->{etag} // '', qr/^"sp-[0-9a-f]{16}"$/, '... strong content ETag';
is $h->{'cache-control'}, 'public, max-age=10', '... Cache-Control';
is $h->{vary}, 'Accept-Language, Accept', '... Vary: Accept-Language, Accept';
like $h->{'content-security-policy'} // '',
    qr/default-src 'none'; style-src 'self'/,
    '... a strict CSP (no inline script or style needed)';
is length($body), $h->{'content-length'}, '... Content-Length';
unlike $body, qr/<script|\sstyle=|<style/i, 'no script, no inline style';
unlike $body, qr/[^\x00-\x7f]/, 'ASCII only (non-ASCII as references)';

# --- structure and accessibility ------------------------------------------------
is $doc->findvalue('/html/@lang'), 'en', 'lang="en"';
is text1($doc, '//title'), 'Example Cloud Status', 'title';
is scalar(() = $doc->findnodes('//header')), 1, 'one header landmark';
is scalar(() = $doc->findnodes('//main[@id="main"]')), 1,
    'one main landmark';
is scalar(() = $doc->findnodes('//footer')), 1, 'one footer landmark';
is $doc->findvalue('//a[' . cls('skip') . ']/@href'), '#main', 'skip link';
is text1($doc, '//h1'), 'Example Cloud', 'h1: the page name';
is_deeply texts($doc, '//main//h2'),
    ['Current status', 'Active incidents', 'Upcoming maintenance',
     'Components', 'Past incidents'],
    'h2 sections in order (no maintenance in progress now)';
for my $s ($doc->findnodes('//section[@aria-labelledby]')) {
    my $id = $s->getAttribute('aria-labelledby');
    ok $doc->findnodes(qq{//*[\@id="$id"]})->size == 1,
        "section labelled by #$id, which exists";
}
my ($css) = $body =~ /<link rel="stylesheet" href="(status\.css\?v=[0-9a-f]{8})">/;
ok $css, 'links the module stylesheet by a versioned relative URL';
like $body,
    qr{<link rel="alternate" type="application/atom\+xml" href="history\.atom"},
    'advertises the Atom feed';

# --- overall status -----------------------------------------------------------
is text1($doc, '//section[' . cls('overall') . ']//p'),
    'Partial System Outage', 'overall: the indicator description';
like $doc->findvalue('//section[' . cls('overall') . ']/@class'),
    qr/\bind-major\b/, 'overall: indicator class';

# --- components ---------------------------------------------------------------
my $comp = '//section[@id="components"]';
is_deeply texts($doc, "$comp/ul/li/div/span[" . cls('name') . ']'),
    ['API', 'Website', 'Storage'], 'top-level components in position order';
is_deeply texts($doc, "$comp/ul/li/div/span[" . cls('cs') . ']'),
    ['Partial outage', 'Operational', 'Operational'], '... with their status';
is_deeply texts($doc, "$comp//li[" . cls('group') . "]//ul[" . cls('children')
                      . "]//span[" . cls('name') . ']'),
    ['Database'], 'group Storage holds Database';
ok !grep({ /\x{acb0}\x{c81c}/ } @{ texts($doc, "$comp//span") }),
    'only_show_if_degraded component hidden while operational';
is text1($doc, "$comp/ul/li[1]/p[" . cls('desc') . ']'),
    'REST and GraphQL API', 'component description';

# --- active incidents ---------------------------------------------------------
my $inc = $S->{incidents}[0];
my ($art) = $doc->findnodes('//section[@id="active"]/article');
ok $art, 'an active incident article' or BAIL_OUT('no incident article');
is scalar(() = $doc->findnodes('//section[@id="active"]/article')), 1,
    'one active public incident (internal one not shown)';
unlike $body, qr/CI runners/, 'internal incident text nowhere on the page';
is $art->getAttribute('id'), 'incident-inc-api', 'article id for links';
is text1($art, './h3'), 'Elevated API error rates', 'incident name';
is text1($art, './/span[' . cls('badge') . ']'), 'Partial outage',
    'impact label';
like $art->getAttribute('class'), qr/\bimp-major\b/, 'impact class';
is text1($art, './p[' . cls('affects') . ']'), 'Affected components: API',
    'affected components';
is text1($art, './p[' . cls('next') . ']'),
    'Next update by ' . kst(parse_ts($inc->{next_update_at})),
    'next update by, in KST';
is_deeply texts($art, './/ol[' . cls('timeline') . ']/li/p[' . cls('upd') . ']'),
    ['Identified ' . kst($now - 30 * 60),
     'Investigating ' . kst($now - 2 * 3600 + 60)],
    'timeline: status labels and times (display_at) in KST, newest first';
is_deeply texts($art, './/ol[' . cls('timeline') . ']/li/p[' . cls('body') . ']'),
    [map { $_->{body} } @{ $inc->{updates} }], 'timeline: bodies';
like $art->findvalue('(.//time)[1]/@datetime'),
    qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/, 'machine-readable datetime';

# --- upcoming maintenance -----------------------------------------------------
my ($up) = $doc->findnodes('//section[@id="upcoming"]/article');
ok $up, 'upcoming maintenance article';
is text1($up, './h3'), 'Database upgrade', 'upcoming: name';
my $start = $now + 2 * 86400;
my $end = $start + 2 * 3600;
my $end_txt = kst_day($end) eq kst_day($start)
    ? sprintf('%02d:%02d KST', (gmtime($end + 9 * 3600))[2, 1]) : kst($end);
is text1($up, './p[' . cls('when') . ']'),
    'Scheduled for ' . kst($start) . " \x{2013} $end_txt",
    'upcoming: start and end in KST';
is text1($up, './p[' . cls('affects') . ']'),
    'Affected components: Database', 'upcoming: affected components';

# --- history ------------------------------------------------------------------
my @days = $doc->findnodes('//section[@id="history"]//li[' . cls('day') . ']');
is scalar(@days), 14, '14 days of history by default';
is $days[0]->findvalue('./h3/time/@datetime'), kst_day($now),
    'history starts today (KST)';
my %day_of = map { $_->findvalue('./h3/time/@datetime') => $_ } @days;
my $pay_day = $day_of{ kst_day($now - 3 * 86400) };
ok $pay_day, 'the day three days ago is listed';
my ($pay) = $pay_day ? $pay_day->findnodes('./article') : ();
ok $pay, 'resolved incident listed on its day';
is $pay && $pay->getAttribute('id'), 'incident-inc-pay',
    '... the payments incident';
is $pay && $pay->findvalue('.//p[' . cls('pm') . ']/a/@href'),
    'https://blog.example.com/postmortem-payments',
    '... with its postmortem link';
is $pay && text1($pay, './/p[' . cls('pm') . ']/a'), 'Read the postmortem',
    '... labelled';
is $pay && scalar(() = $pay->findnodes('.//details/ol/li')), 3,
    '... and its three updates';
my $net_day = $day_of{ kst_day($now - 7 * 86400) };
ok $net_day
    && $net_day->findnodes('./article[@id="maintenance-mnt-net"]')->size,
    'completed maintenance listed on its day';
is scalar(() = $doc->findnodes('//section[@id="history"]//p['
                               . cls('none') . ']')),
    12, 'every other day: "No incidents reported."';
like text1($doc, '//footer'),
    qr/Times are shown in Asia\/Seoul \(KST\)\./,
    'footer names the time zone';

# --- history_days 2 -----------------------------------------------------------
(undef, undef, undef, my $short) = get('/short/');
is scalar(() = $short->findnodes('//li[' . cls('day') . ']')), 2,
    'status_edge_history_days 2: two days';
ok !$short->findnodes('//article[@id="incident-inc-pay"]')->size,
    '... without the incident of three days ago';

# --- Korean -------------------------------------------------------------------
my ($kst, $kh, $kbody, $ko) = get('/status/',
    'Accept-Language' => 'ko-KR,ko;q=0.9,en;q=0.5');
is $kst, 200, 'Korean: 200';
is $ko->findvalue('/html/@lang'), 'ko', 'Korean: lang="ko"';
isnt $kh->{etag}, $h->{etag}, 'Korean: its own ETag';
is text1($ko, '//h1'), "\x{c608}\x{c81c} \x{d074}\x{b77c}\x{c6b0}\x{b4dc}",
    'Korean: name.ko of the page';
is text1($ko, '//section[' . cls('overall') . ']//p'), '부분 시스템 장애',
    'Korean: indicator description';
is_deeply texts($ko, '//main//h2'),
    ['현재 상태', '진행 중인 장애', '예정된 점검', '구성 요소',
     '지난 장애 기록'],
    'Korean: section headings';
my @g = gmtime($now - 30 * 60 + 9 * 3600);
is text1($ko, '//section[@id="active"]//ol/li[1]/p[1]'),
    sprintf('원인 파악 %d월 %d일 %02d:%02d KST', $g[4] + 1, $g[3], $g[2],
            $g[1]),
    'Korean: status label and date format';
is text1($ko, '//section[@id="components"]/ul/li[1]//span['
              . cls('cs') . ']'),
    '부분 장애', 'Korean: component status';
(undef, undef, undef, my $en2) = get('/status/',
    'Accept-Language' => 'fr, en;q=0.8, ko;q=0.3');
is $en2->findvalue('/html/@lang'), 'en',
    'Accept-Language preferring en: English';

# --- stylesheet ---------------------------------------------------------------
my ($cst, $ch, $cbody) = $t->http(GET => "/status/$css");
is $cst, 200, 'stylesheet: 200 (versioned URL)';
is $ch->{'content-type'}, 'text/css; charset=utf-8', 'stylesheet: text/css';
like $ch->{'cache-control'} // '', qr/max-age=31536000, immutable/,
    'stylesheet: long cache';
like $ch->{etag} // '', qr/^"css-[0-9a-f]{16}"$/, 'stylesheet: content ETag';
like $cbody, qr/prefers-color-scheme:dark/, 'stylesheet: dark scheme';
like $cbody, qr/max-width:600px/, 'stylesheet: narrow screens';
($cst) = $t->http(GET => '/status/status.css',
    headers => ['If-None-Match' => $ch->{etag}]);
is $cst, 304, 'stylesheet: 304 on If-None-Match';

# --- ETag, 304, HEAD ------------------------------------------------------------
($st) = $t->http(GET => '/status/', headers => ['If-None-Match' => $h->{etag}]);
is $st, 304, 'page: 304 on If-None-Match';
($st) = $t->http(GET => '/status/', headers => ['If-None-Match' => $h->{etag},
    'Accept-Language' => 'ko']);
is $st, 200, 'page: the English ETag does not match the Korean page';
my ($hst, $hh, $hbody) = $t->http(HEAD => '/status/');
is $hst, 200, 'HEAD: 200';
is $hh->{etag}, $h->{etag}, 'HEAD: same ETag';
is $hh->{'content-length'}, $h->{'content-length'}, 'HEAD: same Content-Length';
is $hbody // '', '', 'HEAD: no body';
my $ph;
($st, $ph) = $t->http(POST => '/status/', body => 'x');
is $st, 405, 'POST: 405';
is $ph->{allow}, 'GET, HEAD', 'POST: 405 names the allowed methods';

# --- 404 under the location -----------------------------------------------------
for my $p ('/status/foo', '/status/index.html', '/status/history.atom/x',
           '/status/status.cssx', '/status/sub/') {
    ($st) = $t->http(GET => $p);
    is $st, 404, "$p: 404";
}

# --- exact and regex locations --------------------------------------------------
($st, undef, my $eb) = $t->http(GET => '/exact/');
is $st, 200, 'exact location: the page';
is $eb, $body, '... the same bytes';
($st) = $t->http(GET => '/re/');
is $st, 200, 'regex location: the page';
($st, my $rh) = $t->http(GET => '/re/history.atom');
is $st, 200, 'regex location: history.atom';
like $rh->{'content-type'} // '', qr{^application/atom\+xml}, '... as Atom';
($st) = $t->http(GET => '/re/nope');
is $st, 404, 'regex location: anything else 404';
($st, undef, my $nb) = $t->http(GET => '/noslash/');
is $st, 200, 'location without a trailing slash: /noslash/ is the page';
is $nb, $body, '... the same bytes';
($st) = $t->http(GET => '/noslash/history.rss');
is $st, 200, '... and /noslash/history.rss the feed';
($st) = $t->http(GET => '/noslashx/');
is $st, 404, '... but /noslashx/ is not';
# the page's links are relative: without the slash they would miss
my $sh;
($st, $sh) = $t->http(GET => '/noslash?x=1');
is $st, 301, '/noslash redirects (its relative links need the slash)';
like $sh->{location} // '', qr{/noslash/\?x=1\z}, '... to /noslash/, query kept';
($st) = $t->http(GET => '/noslashhistory.atom');
is $st, 404, '/noslashhistory.atom is none of its names';
($st, $sh) = $t->http(GET => '/status');
is $st, 301, 'location /status/: /status redirects';
like $sh->{location} // '', qr{/status/\z}, '... to /status/';

# --- operator template ----------------------------------------------------------
my ($tst, $th, $tbody, $tdoc) = get('/tpl/');
is $tst, 200, 'template: 200';
ok !defined $th->{'content-security-policy'},
    'template: no CSP imposed on operator markup';
is text1($tdoc, '//title'), 'Example Cloud - ops', 'template: page_name';
is $tdoc->findvalue('//body/@class'), 'ops-major',
    'template: status_indicator';
is text1($tdoc, '//p[@id="ops-desc"]'), 'Partial System Outage',
    'template: status_description';
ok $tdoc->findnodes('//section[@id="active"]/article[@id="incident-inc-api"]')
    ->size, 'template: the incidents block';
ok $tdoc->findnodes('//section[@id="components"]')->size
    && $tdoc->findnodes('//section[@id="history"]')->size
    && $tdoc->findnodes('//section[@id="upcoming"]')->size,
    'template: components, history, maintenances blocks';
is text1($tdoc, '//p[@id="ops-tz"]'), 'Asia/Seoul (KST)', 'template: time_zone';
unlike $tbody, qr/\{\{/, 'template: no placeholder left';
isnt $th->{etag}, $h->{etag}, 'template: its own ETag';

# --- a maintenance in progress and a state change ---------------------------------
my $S2 = dclone($S);
my $mnt = $S2->{maintenances}[0];
$mnt->{status} = 'in_progress';
$mnt->{scheduled_for} = ts($now - 600);
$mnt->{scheduled_until} = ts($now + 3600);
unshift @{ $mnt->{updates} },
    { id => 'upd-mnt-2', status => 'in_progress', body => 'Upgrade started.',
      created_at => ts($now - 600) };
$v = $t->write_state($S2);
ok $t->wait_version($v), "state $v served";
(undef, my $h2, undef, my $doc2) = get('/status/');
isnt $h2->{etag}, $h->{etag}, 'state change: new ETag';
($st) = $t->http(GET => '/status/', headers => ['If-None-Match' => $h->{etag}]);
is $st, 200, 'state change: the old ETag no longer matches';
is_deeply texts($doc2, '//main//h2'),
    ['Current status', 'Active incidents', 'Maintenance in progress',
     'Components', 'Past incidents'],
    'maintenance in progress section, no upcoming one';
my ($m) = $doc2->findnodes('//section[@id="maintenance"]/article');
is $m && text1($m, './h3'), 'Database upgrade', 'in progress: name';
is $m && text1($m, './p[' . cls('meta') . ']/span[' . cls('st') . ']'),
    'In progress', 'in progress: status';
is $m && text1($m, './/ol/li[1]/p[' . cls('body') . ']'), 'Upgrade started.',
    'in progress: latest update first';

# --- hostile admin text ---------------------------------------------------------
my $evil = qq{<script>alert(1)</script>"onmouseover=alert(1) '&amp; ]]> \x{d55c}};
my $S3 = dclone($S);
$S3->{page}{name} = $evil;
$S3->{page}{url} = 'javascript:alert(1)';
$S3->{components}[0]{name} = $evil;
$S3->{components}[0]{description} = $evil;
$S3->{incidents}[0]{name} = $evil;
$S3->{incidents}[0]{updates}[0]{body} = "$evil\n<img src=x onerror=alert(1)>";
$S3->{incidents}[2]{postmortem_url} = 'javascript:alert(1)';
$v = $t->write_state($S3);
ok $t->wait_version($v), "hostile state $v served";
my ($est, $eh, $ebody, $edoc) = get('/status/');
is $est, 200, 'hostile: 200';
unlike $ebody, qr/<script|<img|javascript:/i,
    'hostile: no markup or script URL from Redis';
unlike $ebody, qr/["']onmouseover/, 'hostile: no attribute break-out';
is text1($edoc, '//h1'), $evil, 'hostile: page name shown as text, exactly';
is text1($edoc, '//title'), "$evil Status", 'hostile: in the title too';
is text1($edoc, '//section[@id="active"]//h3'), $evil,
    'hostile: incident name as text';
is text1($edoc, '//section[@id="active"]//ol/li[1]/p[' . cls('body') . ']'),
    "$evil<img src=x onerror=alert(1)>", 'hostile: body as text';
is scalar(() = $edoc->findnodes('//section[@id="active"]//ol/li[1]/p['
                                . cls('body') . ']/br')), 1,
    'hostile: its line break as <br>';
is text1($edoc, '//section[@id="components"]/ul/li[1]//span['
                . cls('name') . ']'),
    $evil, 'hostile: component name as text';
ok !$edoc->findnodes('//a[starts-with(@href, "javascript")]')->size,
    'hostile: no javascript: link';
ok !$edoc->findnodes('//*[@onmouseover or @onerror]')->size,
    'hostile: no event handler attributes';

# --- metrics: page and feed requests, summed over the workers ------------------
{
    my (%page, %feed);
    my @w = $t->worker_pids;
    wait_until(sub {
        my $m = $t->metrics or return 0;
        for my $k (keys %$m) {
            $page{$1} = $m->{$k}
                if $k =~ /^status_edge_requests_total\{endpoint="page",worker="(\d+)"\}/;
            $feed{$1} = $m->{$k}
                if $k =~ /^status_edge_requests_total\{endpoint="feed",worker="(\d+)"\}/;
        }
        return !grep { !exists $page{$_} || !exists $feed{$_} } @w;
    }, 10, 0.01);
    my ($p, $f) = (0, 0);
    $p += $_ for values %page;
    $f += $_ for values %feed;
    ok $p >= 10, "metrics: status page requests counted ($p)";
    ok $f >= 2, "metrics: feed requests counted ($f; two above)";
}

$t->stop;

# --- configuration errors fail nginx -t, naming the value -------------------------
{
    my $t2 = StatusEdge::Test->new;
    my $bad = "$dir/bad.tpl";
    open my $fh, '>:raw', $bad or die;
    print $fh "<main>\n{{incidents}} {{incidnets}}\n</main>\n";
    close $fh;
    my $conf = sub {
        my ($lines) = @_;
        return $t2->nginx_conf(http => "    status_edge_redis 127.0.0.1:1;\n",
            servers => $t2->server_conf(extra => "        location /s/ {\n"
                . "            status_edge_status_page;\n$lines        }\n"));
    };
    my ($rc, $out) = $t2->nginx_test($conf->(
        "            status_edge_status_page_template $bad;\n"));
    isnt $rc, 0, 'bad page template: nginx -t fails';
    like $out, qr/bad\.tpl.*\{\{incidnets\}\}.*line 2/,
        '... naming the file, the placeholder and its line';
    like $out, qr/invalid status page template "[^"]*bad\.tpl": /,
        '... as a status page template';
    ($rc, $out) = $t2->nginx_test($conf->(
        "            status_edge_status_page_template $dir/none.tpl;\n"));
    isnt $rc, 0, 'missing page template: nginx -t fails';
    like $out, qr/none\.tpl/, '... naming the file';
    ($rc, $out) = $t2->nginx_test($conf->(
        "            status_edge_history_days 400;\n"));
    isnt $rc, 0, 'status_edge_history_days 400: nginx -t fails';
    like $out, qr/invalid number of history days "400"/, '... naming the value';
    ($rc, $out) = $t2->nginx_test($conf->(
        "            status_edge_history_days -1;\n"));
    isnt $rc, 0, 'status_edge_history_days -1: nginx -t fails';
    ($rc, $out) = $t2->nginx_test($conf->(
        "            status_edge_history_days 0;\n"));
    is $rc, 0, 'status_edge_history_days 0 is fine' or diag $out;
}

# --- no state yet: 503 ------------------------------------------------------------
{
    my $t2 = StatusEdge::Test->new;
    $t2->start_redis;
    $t2->stop_redis;
    $t2->start_nginx(servers => $t2->server_conf(extra => $locations));
    my ($st, $h, $body) = $t2->http(GET => '/status/');
    is $st, 503, 'no state loaded yet: 503';
    is $h->{'retry-after'}, '5', '... with Retry-After';
    like $body // '', qr/Status unknown/, '... and a short page';
    ($st) = $t2->http(GET => '/status/status.css');
    is $st, 200, '... the stylesheet is served anyway';
    $t2->stop;
}

done_testing;
