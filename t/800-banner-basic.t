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
# The upstream's routes are set first, then one block a request
# (StatusEdge::Blocks).

use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use StatusEdge::Blocks qw(run_blocks);
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

# a page in $size-byte pieces
sub pieces {
    my ($page, $size) = @_;
    return [map { substr($page, $_ * $size, $size) }
        0 .. int(length($page) / $size)];
}

# a block: GET $path answers 200 with $page and one banner inserted at
# $pos, the rest intact; $more->($inserted, $headers, $body) checks more
sub banner_block {
    my ($name, $path, $page, $pos, %o) = @_;
    my $more = delete $o{more};
    return {
        name    => $name,
        request => [GET => $path],
        status  => 200,
        check   => sub {
            my (undef, $h, $body) = @_;
            my $ins = inserted_at($body, $page, $pos);
            ok defined $ins && banner_count($ins) == 1
                && banner_count($body) == 1,
                "$name: one banner right after the body tag, the rest intact"
                or diag banner_count($body) . ' banners; expected insertion '
                    . "at $pos after:\n" . substr($page, 0, $pos) . "\ngot:\n"
                    . substr($body // '', 0, $pos + 2500);
            $more->($ins // '', $h, $body) if $more;
        },
        %o,
    };
}

# a block: GET $path answers 200 with $page byte for byte (no banner)
sub untouched_block {
    my ($name, $path, $page, %o) = @_;
    return { name => $name, request => [GET => $path], status => 200,
             body => $page, %o };
}

# a block for a page of 5 MB: the check compares without printing it
sub large_block {
    my ($name, $path, $page, $pos) = @_;
    return {
        name    => $name,
        request => [GET => $path, timeout => 30],
        status  => 200,
        check   => sub {
            my (undef, undef, $body) = @_;
            my $ok = defined $pos
                ? banner_count(inserted_at($body, $page, $pos) // '') == 1
                : defined $body && $body eq $page;
            ok $ok, "$name: " . (defined $pos ? 'one banner, the rest' : 'all')
                . ' complete and identical'
                or diag length($body // '') . ' of ' . length $page;
        },
    };
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

my @basic = (
    banner_block('basic page', '/basic', $basic, length $basic_head,
        before  => sub { $up->clear_requests },
        # the header waits for the first body buffers: with the tag in
        # them the page keeps an exact Content-Length (the upstream's plus
        # the banner)
        content_length => 1,
        headers => {
            # RFC 9110 8.8.3: W/ DQUOTE *etagc DQUOTE, the upstream's tag
            # and the state
            etag => [qr{\AW/"}, qr{\AW/"v1-se[0-9a-f]{16}"\z}],
            # no cache keeps the page past the incident
            'cache-control' => 'private, no-cache',
            'x-upstream'    => 'yes',
            'content-type'  => qr{\Atext/html},
            'x-se-banner'   => '1',
            'x-se-incident' => 'inc-api' },
        absent  => [qw(last-modified accept-ranges expires)],
        more    => sub {
            my ($ins) = @_;
            like $ins, qr{<div class="se-banner se-major" role="status"},
                'major banner, role="status"';
            like $ins, qr{ lang="en"}, 'lang="en" without Accept-Language';
            like $ins, qr{<span class="se-name">Elevated API error rates</span>},
                'incident name';
            like $ins, qr{A faulty deploy has been identified and is being rolled back\.},
                'latest update body';
            like $ins, qr{<a class="se-dismiss" href="/status-edge/dismiss\?id=inc-api&amp;u=upd-api-2&amp;r=/basic"},
                'dismiss link: id, latest update, return path';
            like $ins, qr{<link (?=[^>]*\brel="stylesheet")(?=[^>]*\bhref="/status-edge/banner\.css")[^>]*>},
                'stylesheet link (no CSP)';
            unlike $ins, qr{<style}i, 'no inline style without a CSP nonce';
            unlike $ins, qr{<script}i, 'no script';
            is_deeply [markup_problems($ins, link_ok => $LINK_OK)], [],
                'only the module\'s own markup, ASCII';
            my $r = $up->last_request('/basic');
            is $r && $r->{method}, 'GET', 'upstream got the GET';
        }),

    # the request toward the upstream while a banner applies: a browser's
    # navigation (Accept names text/html) revalidating a copy cached
    # before the incident gets the full page (what other clients'
    # validators do: t/831-banner-revalidate.t)
    { name    => 'If-None-Match of the page cached before the incident',
      before  => sub { $up->clear_requests },
      request => [GET => '/basic', headers => [
          'Accept' => 'text/html,application/xhtml+xml,*/*;q=0.8',
          'Accept-Encoding' => 'gzip, deflate, br',
          'If-None-Match' => '"v1"',
          'If-Modified-Since' => 'Sat, 01 Nov 2025 10:00:00 GMT',
          'X-Custom' => 'kept', 'Cookie' => 'session=abc']],
      status  => 200,
      check   => sub {
          my (undef, undef, $body) = @_;
          is banner_count($body), 1, '... with the banner';
          my $r = $up->last_request('/basic');
          my @gone = grep { exists $r->{h}{$_} }
              qw(accept-encoding if-none-match if-modified-since);
          is_deeply \@gone, [],
              'upstream request: no Accept-Encoding or conditional headers'
              or diag explain $r->{h};
          is $r->{h}{'x-custom'}, 'kept', 'upstream request: other headers kept';
          is $r->{h}{cookie}, 'session=abc', 'upstream request: Cookie kept';
      } },

    # Range and If-Range reach the upstream: a partial answer carries no
    # banner (only a 200 is eligible), so resumed downloads keep working
    { name    => 'Range while a banner applies',
      before  => sub { $up->clear_requests },
      request => [GET => '/basic',
                  headers => ['Range' => 'bytes=0-9', 'If-Range' => '"v1"']],
      check   => sub {
          my ($st, $h, $body) = @_;
          my $r = $up->last_request('/basic');
          ok $r && exists $r->{h}{range} && exists $r->{h}{'if-range'},
              'upstream request: Range and If-Range kept';
          $st //= 0;
          ok $st == 206 ? banner_count($body) == 0
                        : defined inserted_at($body, $basic, length $basic_head),
              "Range while a banner applies: 206 without a banner or 200 with it ($st)";
          ok $st == 206 || !exists $h->{'accept-ranges'},
              '... a page with the banner advertises no Accept-Ranges';
      } },

    # the weak ETag back: 304 is fine, a 200 must carry the banner
    { name    => 'the banner page',
      request => [GET => '/basic'],
      status  => 200,
      save    => { etag => 'etag' } },
    { name    => "If-None-Match with the banner page's own ETag",
      request => [GET => '/basic',
                  headers => ['If-None-Match' => sub { $_[0]{etag} // '"x"' }]],
      check   => sub {
          my ($st, undef, $body) = @_;
          $st //= 0;
          ok $st == 304 || $st == 200 && banner_count($body) == 1,
              "If-None-Match with the banner page's own ETag: 304 or 200 "
              . "with the banner ($st)";
      } },
);

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
my @tags;
for my $c (@cases) {
    my ($name, $head, $tail) = @$c;
    $i++;
    my $page = $head . $tail;
    my $half = int(length($page) / 2);
    page_route("/case$i", [substr($page, 0, $half), substr($page, $half)]);
    push @tags, banner_block($name, "/case$i", $page, length $head);
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
    my ($name, $page) = @$c;
    $i++;
    page_route("/case$i", length $page ? [$page] : []);
    push @tags, untouched_block($name, "/case$i", $page);
}

# --- the scan window ----------------------------------------------------------
my $pad = '<!-- ' . ('p' x 1990) . ' -->';        # 2000 bytes
my $late = "<html><head>$pad</head><body>late</body></html>";
page_route('/late', [substr($late, 0, 700), substr($late, 700)]);
my $early = '<html><head><!-- ' . ('e' x 400) . ' --></head><body>early</body></html>';
page_route('/early', [substr($early, 0, 300), substr($early, 300)]);
# default window 64 KiB
my $p70 = '<html><head><!-- ' . ('q' x 70_000) . ' --></head><body>far</body></html>';
page_route('/far', pieces($p70, 8192), route => { delay => 0 });
my $p60 = '<html><head><!-- ' . ('m' x 60_000) . ' --></head><body>near</body></html>';
page_route('/near', pieces($p60, 8192), route => { delay => 0 });
my @window = (
    untouched_block('status_edge_banner_window 1k: body tag after 2000 bytes',
        '/win1k/late', $late),
    banner_block('status_edge_banner_window 1k: body tag within 500 bytes',
        '/win1k/early', $early, index($early, '<body>') + 6),
    untouched_block('default window: body tag after 70 KB: no banner',
        '/far', $p70),
    banner_block('default window: body tag after 60 KB: banner',
        '/near', $p60, index($p60, '<body>') + 6),
);

# --- 5 MB through, complete and identical ------------------------------------
my $chunk = join '', map { sprintf "<p>line %05d of a large page, no body tag here</p>\n", $_ } 1 .. 1300;
$chunk = substr($chunk, 0, 65536);
my $n = 80;                                        # 5 MiB
my $lhead = '<html><head><title>large</title></head>';
my $bhead = '<!DOCTYPE html><html><head></head><body class="big">';
$up->route('/large', headers => $HTML,
    body => [$lhead, { repeat => $chunk, times => $n }]);
$up->route('/large-banner', headers => $HTML,
    body => [$bhead, { repeat => $chunk, times => $n }, '</body></html>']);
# close-delimited (no Content-Length from the upstream)
$up->route('/large-close', headers => $HTML, length => 0,
    body => [$lhead, { repeat => $chunk, times => $n }]);
my @large = (
    large_block('5 MB without a body tag', '/large', $lhead . ($chunk x $n)),
    large_block('5 MB with a body tag at the start',
        '/large-banner', $bhead . ($chunk x $n) . '</body></html>',
        length $bhead),
    large_block('5 MB close-delimited, no body tag', '/large-close',
        $lhead . ($chunk x $n)),
);

# --- no banner applies: untouched ---------------------------------------------
my @cond = ('Accept-Encoding' => 'gzip, deflate', 'If-None-Match' => '"zz"',
    'If-Modified-Since' => 'Sat, 01 Nov 2025 09:00:00 GMT', 'X-Custom' => 'kept');
my @quiet = map {
    my ($where, $why) = @$_;
    untouched_block($why, "/$where/basic", $basic,
        before  => sub { $up->clear_requests },
        request => [GET => "/$where/basic", headers => \@cond],
        headers => {
            'content-length' => length $basic,
            etag             => '"v1"',
            'last-modified'  => 'Sat, 01 Nov 2025 10:00:00 GMT',
            'accept-ranges'  => 'bytes',
            'cache-control'  => 'public, max-age=600',
            'x-se-banner'    => '0' },
        # $status_edge_incident is empty: add_header sends no empty value
        absent  => ['x-se-incident'],
        check   => sub {
            my $qr = $up->last_request('/basic');
            is_deeply [map { $qr->{h}{$_} }
                       qw(accept-encoding if-none-match if-modified-since x-custom)],
                ['gzip, deflate', '"zz"', 'Sat, 01 Nov 2025 09:00:00 GMT', 'kept'],
                "$why: upstream request untouched";
        }),
    { name    => "$why: ranges work as without the module",
      request => [GET => "/$where/basic", headers => ['Range' => 'bytes=0-9']],
      status  => 206,
      body    => substr($basic, 0, 10) }
} ['quiet' => 'no incident on the page'], ['off' => 'status_edge_banner off'];

# --- a page nginx serves itself ----------------------------------------------
my $sp = '<html><head></head><body>static</body></html>';
my @static = banner_block('return 200 text/html', '/static.html', $sp,
    length '<html><head></head><body>',
    headers => { 'x-se-banner' => '1' },
    more    => sub {
        my (undef, $h, $body) = @_;
        is $h->{'content-length'}, length $body,
            '... with the exact Content-Length (tag in the first buffer)';
    });

# --- the stylesheet ------------------------------------------------------------
my @css = (
    { name        => 'banner.css',
      request     => [GET => '/status-edge/banner.css'],
      status      => 200,
      headers     => { 'content-type' => qr{\Atext/css} },
      body        => qr/\.se-banner\b/,
      body_unlike => qr/[^\x09\x0a\x0d\x20-\x7e]/ },
    { name    => 'banner.css HEAD',
      request => [HEAD => '/status-edge/banner.css'],
      status  => 200,
      body    => '' },
);

run_blocks(t => $t,
    blocks => [@basic, @tags, @window, @large, @quiet, @static, @css]);

$t->stop;
$up->stop;
done_testing;
