#!/usr/bin/perl
# The banner filter through proxy_pass to an upstream we control byte by
# byte (SPEC §3, issue 4): the banner right after the opening <body ...>
# tag (upper case, attributes with '>' in quotes, comments, <script> and
# <title> content, <bodyx>), the headers (no Content-Length, weak ETag,
# no Last-Modified, no Accept-Ranges), the variables in add_header, the
# request toward the upstream (no Accept-Encoding, no conditional headers
# of a navigation while a banner applies; untouched otherwise), no <body>
# (page byte-identical), the scan window, the stylesheet link and location,
# 5 MB responses streamed through intact, and a page nginx serves itself.

use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use StatusEdge::Test qw(wait_until);
use StatusEdge::Upstream qw(banner_env banner_count inserted_at
    markup_problems se_banner_key);

my $VARS = <<'EOF';
            add_header X-SE-Banner "$status_edge_banner" always;
            add_header X-SE-Incident "$status_edge_incident" always;
EOF

my ($t, $up, $v) = banner_env(locations => <<"EOF");
        location / {
            proxy_pass http://UPSTREAM;
            status_edge_banner on;
$VARS        }
        location /quiet/ {
            status_edge_page quiet:;
            proxy_pass http://UPSTREAM/;
            status_edge_banner on;
$VARS        }
        location /off/ {
            proxy_pass http://UPSTREAM/;
$VARS        }
        location /win1k/ {
            proxy_pass http://UPSTREAM/;
            status_edge_banner on;
            status_edge_banner_window 1k;
        }
        location = /static.html {
            status_edge_banner on;
            default_type text/html;
$VARS            return 200 "<html><head></head><body>static</body></html>";
        }
EOF

my $LINK_OK = qr{\Ahttps://status\.example\.com(?:/|\z)};
my $HTML = ['Content-Type' => 'text/html; charset=utf-8'];

# a route: a page in pieces (each its own TCP write) with headers
sub page_route {
    my ($path, $pieces, %o) = @_;
    $up->route($path, headers => [@{ $o{headers} || $HTML }],
        body => $pieces, delay => $o{delay} // 0.01, %{ $o{route} || {} });
}

# GET through nginx; checks that the page is the upstream's with one
# banner inserted at $pos (undef: no banner, byte-identical); returns
# ($status, $headers, $body, $inserted)
sub check_page {
    my ($name, $path, $page, $pos, %o) = @_;
    my ($st, $h, $body) = $t->http(GET => $path, headers => $o{headers} || []);
    if (!defined $pos) {
        ok defined $st && $st == 200 && defined $body && $body eq $page,
            "$name: 200, byte-identical, no banner"
            or diag "status " . ($st // $h->{_error}) . ', '
                . banner_count($body) . " banners, got:\n" . substr($body // '', 0, 600);
        return ($st, $h, $body, undef);
    }
    my $ins = inserted_at($body, $page, $pos);
    ok defined $st && $st == 200 && defined $ins && banner_count($ins) == 1
        && banner_count($body) == 1,
        "$name: one banner right after the body tag, the rest intact"
        or diag "status " . ($st // $h->{_error}) . ', ' . banner_count($body)
            . " banners; expected insertion at $pos after:\n"
            . substr($page, 0, $pos) . "\ngot:\n" . substr($body // '', 0, $pos + 2500);
    return ($st, $h, $body, $ins);
}

# --- the basic page: headers, markup, variables ---------------------------
my $basic_head = qq{<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">}
    . qq{<title>Basic</title></head>\n<body class="page" data-x="a>b">};
my $basic = $basic_head . qq{\n<h1>Hello</h1>\n<p>text</p>\n</body></html>\n};
page_route('/basic', [substr($basic, 0, 40), substr($basic, 40)],
    headers => [@$HTML, ETag => '"v1"',
                'Last-Modified' => 'Sat, 01 Nov 2025 10:00:00 GMT',
                'Cache-Control' => 'public, max-age=600',
                'Expires' => 'Thu, 01 Jan 2037 00:00:00 GMT',
                'X-Upstream' => 'yes'],
    route => { conditional => 1, ranges => 1 });

my ($st, $h, $body, $ins) = check_page('basic page', '/basic', $basic, length $basic_head);
# the header waits for the first body buffers: with the tag in them the
# page keeps an exact Content-Length (the upstream's plus the banner)
ok !exists $h->{'content-length'}
    || $h->{'content-length'} == length $body,
    'Content-Length absent or exactly the length sent'
    or diag "Content-Length: $h->{'content-length'}, body " . length $body;
ok defined $h->{etag} && $h->{etag} =~ m{\AW/"}, 'ETag made weak'
    or diag 'ETag: ' . ($h->{etag} // '(none)');
# RFC 9110 8.8.3: W/ DQUOTE *etagc DQUOTE, the upstream's tag and the state
like $h->{etag} // '', qr{\AW/"v1-se[0-9a-f]{16}"\z},
    'the weak ETag is well-formed: W/"<upstream tag>-se<state hash>"';
ok !exists $h->{'last-modified'}, 'no Last-Modified';
ok !exists $h->{'accept-ranges'}, 'no Accept-Ranges';
is $h->{'cache-control'}, 'private, no-cache',
    'Cache-Control: no cache keeps the page past the incident';
ok !exists $h->{expires}, 'no Expires';
is $h->{'x-upstream'}, 'yes', "the upstream's other headers pass";
like $h->{'content-type'} // '', qr{\Atext/html}, 'Content-Type kept';
is $h->{'x-se-banner'}, '1', '$status_edge_banner is 1';
is $h->{'x-se-incident'}, 'inc-api', '$status_edge_incident is the incident id';
$ins //= '';
like $ins, qr{<div class="se-banner se-major" role="status"}, 'major banner, role="status"';
like $ins, qr{ lang="en"}, 'lang="en" without Accept-Language';
like $ins, qr{<span class="se-name">Elevated API error rates</span>}, 'incident name';
like $ins, qr{A faulty deploy has been identified and is being rolled back\.},
    'latest update body';
like $ins, qr{<a class="se-dismiss" href="/status-edge/dismiss\?id=inc-api&amp;u=upd-api-2&amp;r=/basic"},
    'dismiss link: id, latest update, return path';
like $ins, qr{<link (?=[^>]*\brel="stylesheet")(?=[^>]*\bhref="/status-edge/banner\.css")[^>]*>},
    'stylesheet link (no CSP)';
unlike $ins, qr{<style}i, 'no inline style without a CSP nonce';
unlike $ins, qr{<script}i, 'no script';
is_deeply [markup_problems($ins, link_ok => $LINK_OK)], [], 'only the module\'s own markup, ASCII';
my $r = $up->last_request('/basic');
is $r && $r->{method}, 'GET', 'upstream got the GET';

# the request toward the upstream while a banner applies: a browser's
# navigation (Accept names text/html) revalidating a copy cached before
# the incident gets the full page (what other clients' validators do:
# t/831-banner-revalidate.t)
$up->clear_requests;
($st, $h, $body) = $t->http(GET => '/basic', headers => [
    'Accept' => 'text/html,application/xhtml+xml,*/*;q=0.8',
    'Accept-Encoding' => 'gzip, deflate, br',
    'If-None-Match' => '"v1"',
    'If-Modified-Since' => 'Sat, 01 Nov 2025 10:00:00 GMT',
    'X-Custom' => 'kept', 'Cookie' => 'session=abc']);
is $st, 200, 'If-None-Match of the page cached before the incident: 200, not 304';
is banner_count($body), 1, '... with the banner';
$r = $up->last_request('/basic');
my @gone = grep { exists $r->{h}{$_} }
    qw(accept-encoding if-none-match if-modified-since);
is_deeply \@gone, [], 'upstream request: no Accept-Encoding or conditional headers'
    or diag explain $r->{h};
is $r->{h}{'x-custom'}, 'kept', 'upstream request: other headers kept';
is $r->{h}{cookie}, 'session=abc', 'upstream request: Cookie kept';

$up->clear_requests;
($st, $h, $body) = $t->http(GET => '/basic',
    headers => ['Range' => 'bytes=0-9', 'If-Range' => '"v1"']);
# Range and If-Range reach the upstream: a partial answer carries no
# banner (only a 200 is eligible), so resumed downloads keep working
$r = $up->last_request('/basic');
ok $r && exists $r->{h}{range} && exists $r->{h}{'if-range'},
    'upstream request: Range and If-Range kept';
ok $st == 206 ? banner_count($body) == 0
              : defined inserted_at($body, $basic, length $basic_head),
    "Range while a banner applies: 206 without a banner or 200 with it ($st)";
ok $st == 206 || !exists $h->{'accept-ranges'},
    '... a page with the banner advertises no Accept-Ranges';

# the weak ETag back: 304 is fine, a 200 must carry the banner
my (undef, $h1) = $t->http(GET => '/basic');
my ($st2, $h2, $b2) = $t->http(GET => '/basic', headers => ['If-None-Match' => $h1->{etag} // '"x"']);
ok $st2 == 304 || $st2 == 200 && banner_count($b2) == 1,
    "If-None-Match with the banner page's own ETag: 304 or 200 with the banner ($st2)";

# --- upper case, attributes, comments, raw text, <bodyx>, <body/> --------
my @cases = (
    ['upper case and attributes',
     qq{<HTML><HEAD><TITLE>Up</TITLE></HEAD><BODY ONLOAD="f('a>b')" CLASS='c>d' data-e=f>},
     qq{<P>UP</P></BODY></HTML>}],
    ['mixed case, newlines and tabs in the tag',
     qq{<html><head></head><BoDy\n\tclass="x"\n  id = "y" >}, qq{<p>m</p></body></html>}],
    ['<body> in a comment, a script, a title, a style; <bodyx>',
     qq{<html><head><title>&lt;body&gt; <body></title><!-- <body class="c"> -->}
       . qq{<script>var s = "<body>"; if (a<b) {}</script><style>p::after{content:"<body>"}</style>}
       . qq{</head><bodyx><body data-real="1">},
     qq{<p>real</p></body></html>}],
    ['self-closing <body/>', qq{<html><head></head><body/>}, qq{<p>sc</p></html>}],
    ['two body tags: only the first', qq{<html><body class="one">}, qq{<body class="two">x</body>}],
    ['body tag first thing in the page', qq{<body>}, qq{x}],
    ['body tag is the whole page', qq{<body class="all">}, ''],
    ['attribute value with quotes of the other kind',
     qq{<html><body title='say "hi" > there' data-q="it's >">}, qq{ok</body></html>}],
);
my $i = 0;
for my $c (@cases) {
    my ($name, $head, $tail) = @$c;
    $i++;
    my $page = $head . $tail;
    page_route("/case$i", [substr($page, 0, int(length($page) / 2)), substr($page, int(length($page) / 2))]);
    check_page($name, "/case$i", $page, length $head);
}

# --- no <body>: byte-identical ----------------------------------------------
my @nobody = (
    ['no body tag at all', qq{<!DOCTYPE html><html><head><title>t</title></head><p>no body</p></html>\n}],
    ['only <bodyx> and <body in a comment', qq{<html><bodyx class="a"><!-- <body> --><p>x</p></html>}],
    ['body tag only inside a script', qq{<html><script>document.write("<body>")</script></html>}],
    ['</body> before any <body>', qq{<html><head></head></body><body>late</html>}],
    ['empty body', ''],
);
for my $c (@nobody) {
    $i++;
    page_route("/case$i", length $c->[1] ? [$c->[1]] : []);
    check_page($c->[0], "/case$i", $c->[1], undef);
}

# --- the scan window ----------------------------------------------------------
{
    my $pad = '<!-- ' . ('p' x 1990) . ' -->';        # 2000 bytes
    my $late = "<html><head>$pad</head><body>late</body></html>";
    page_route('/late', [substr($late, 0, 700), substr($late, 700)]);
    check_page('status_edge_banner_window 1k: body tag after 2000 bytes', '/win1k/late', $late, undef);
    my $early = '<html><head><!-- ' . ('e' x 400) . ' --></head><body>early</body></html>';
    page_route('/early', [substr($early, 0, 300), substr($early, 300)]);
    check_page('status_edge_banner_window 1k: body tag within 500 bytes', '/win1k/early',
        $early, index($early, '<body>') + 6);

    # default window 64 KiB
    my $big_pad = '<!-- ' . ('q' x 70_000) . ' -->';
    my $p70 = "<html><head>$big_pad</head><body>far</body></html>";
    page_route('/far', [map { substr($p70, $_ * 8192, 8192) } 0 .. int(length($p70) / 8192)],
        route => { delay => 0 });
    check_page('default window: body tag after 70 KB: no banner', '/far', $p70, undef);
    my $mid_pad = '<!-- ' . ('m' x 60_000) . ' -->';
    my $p60 = "<html><head>$mid_pad</head><body>near</body></html>";
    page_route('/near', [map { substr($p60, $_ * 8192, 8192) } 0 .. int(length($p60) / 8192)],
        route => { delay => 0 });
    check_page('default window: body tag after 60 KB: banner', '/near', $p60,
        index($p60, '<body>') + 6);
}

# --- 5 MB through, complete and identical ------------------------------------
{
    my $chunk = join '', map { sprintf "<p>line %05d of a large page, no body tag here</p>\n", $_ } 1 .. 1300;
    $chunk = substr($chunk, 0, 65536);
    my $n = 80;                                        # 5 MiB
    $up->route('/large', headers => $HTML,
        body => ['<html><head><title>large</title></head>', { repeat => $chunk, times => $n }]);
    my $page = '<html><head><title>large</title></head>' . ($chunk x $n);
    my ($lst, $lh, $lb) = $t->http(GET => '/large', timeout => 30);
    ok defined $lst && $lst == 200 && defined $lb && length($lb) == length($page) && $lb eq $page,
        '5 MB without a body tag: complete and identical'
        or diag "status " . ($lst // $lh->{_error}) . ', ' . length($lb // '') . ' of ' . length($page);

    my $head = '<!DOCTYPE html><html><head></head><body class="big">';
    $up->route('/large-banner', headers => $HTML,
        body => [$head, { repeat => $chunk, times => $n }, '</body></html>']);
    $page = $head . ($chunk x $n) . '</body></html>';
    ($lst, $lh, $lb) = $t->http(GET => '/large-banner', timeout => 30);
    my $li = inserted_at($lb, $page, length $head);
    ok defined $lst && $lst == 200 && defined $li && banner_count($li) == 1,
        '5 MB with a body tag at the start: banner, the rest complete and identical'
        or diag "status " . ($lst // $lh->{_error}) . ', ' . length($lb // '') . ' of ' . length($page);

    # close-delimited (no Content-Length from the upstream)
    $up->route('/large-close', headers => $HTML, length => 0,
        body => ['<html><head><title>large</title></head>', { repeat => $chunk, times => $n }]);
    $page = '<html><head><title>large</title></head>' . ($chunk x $n);
    ($lst, $lh, $lb) = $t->http(GET => '/large-close', timeout => 30);
    ok defined $lst && $lst == 200 && defined $lb && $lb eq $page,
        '5 MB close-delimited, no body tag: complete and identical'
        or diag "status " . ($lst // $lh->{_error}) . ', ' . length($lb // '') . ' of ' . length($page);
}

# --- no banner applies: untouched ---------------------------------------------
$up->clear_requests;
my @cond = ('Accept-Encoding' => 'gzip, deflate', 'If-None-Match' => '"zz"',
    'If-Modified-Since' => 'Sat, 01 Nov 2025 09:00:00 GMT', 'X-Custom' => 'kept');
for my $loc (['quiet' => 'no incident on the page'], ['off' => 'status_edge_banner off']) {
    my ($where, $why) = @$loc;
    $up->clear_requests;
    my ($qs, $qh, $qb) = $t->http(GET => "/$where/basic", headers => \@cond);
    ok $qs == 200 && $qb eq $basic, "$why: page byte-identical";
    is $qh->{'content-length'}, length $basic, "$why: Content-Length kept";
    is $qh->{etag}, '"v1"', "$why: strong ETag kept";
    is $qh->{'last-modified'}, 'Sat, 01 Nov 2025 10:00:00 GMT', "$why: Last-Modified kept";
    is $qh->{'accept-ranges'}, 'bytes', "$why: Accept-Ranges kept";
    is $qh->{'cache-control'}, 'public, max-age=600', "$why: Cache-Control kept";
    is $qh->{'x-se-banner'}, '0', "$why: \$status_edge_banner is 0";
    is $qh->{'x-se-incident'} // '', '', "$why: \$status_edge_incident is empty";
    my $qr = $up->last_request('/basic');
    is_deeply [map { $qr->{h}{$_} } qw(accept-encoding if-none-match if-modified-since x-custom)],
        ['gzip, deflate', '"zz"', 'Sat, 01 Nov 2025 09:00:00 GMT', 'kept'],
        "$why: upstream request untouched";
    ($qs, $qh, $qb) = $t->http(GET => "/$where/basic", headers => ['Range' => 'bytes=0-9']);
    is "$qs " . ($qb // ''), '206 ' . substr($basic, 0, 10), "$why: ranges work as without the module";
}

# --- a page nginx serves itself ----------------------------------------------
{
    my $sp = '<html><head></head><body>static</body></html>';
    my ($ss, $sh, $sb) = $t->http(GET => '/static.html');
    my $si = inserted_at($sb, $sp, length '<html><head></head><body>');
    ok $ss == 200 && defined $si && banner_count($si) == 1, 'return 200 text/html: banner inserted'
        or diag $sb;
    is $sh->{'content-length'}, length $sb,
        '... with the exact Content-Length (tag in the first buffer)';
    is $sh->{'x-se-banner'}, '1', '... $status_edge_banner 1';
}

# --- the stylesheet ------------------------------------------------------------
{
    my ($cs, $ch, $cb) = $t->http(GET => '/status-edge/banner.css');
    is $cs, 200, 'banner.css: 200';
    like $ch->{'content-type'} // '', qr{\Atext/css}, 'banner.css: text/css';
    like $cb // '', qr/\.se-banner\b/, 'banner.css: the banner styles';
    ok defined $cb && $cb !~ /[^\x09\x0a\x0d\x20-\x7e]/, 'banner.css: ASCII';
    my ($hs, undef, $hb) = $t->http(HEAD => '/status-edge/banner.css');
    is "$hs " . length($hb // ''), '200 0', 'banner.css: HEAD';
}

$t->stop;
$up->stop;
done_testing;
