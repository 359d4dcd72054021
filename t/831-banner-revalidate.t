#!/usr/bin/perl
# Revalidation through the banner (issue 12, defect 3).  While a banner
# applies, the origin must still be able to answer 304:
#   - a page with the banner carries W/"<upstream tag>-se<state hash>"
#     ("-sw" for a weak upstream tag); sent back as If-None-Match under
#     the same state, the origin is asked with its own tag, and its 304
#     goes to the client with our ETag and "private, no-cache" (not the
#     origin's Cache-Control, Last-Modified or Expires);
#   - under another state: no conditional goes on, a full page with the
#     new banner comes back;
#   - a navigation (Accept names text/html) with a validator of the
#     origin (a copy from before the incident): a full page;
#   - other clients (a stylesheet or script load without Sec-Fetch-Dest,
#     curl with */*, no Accept at all): their conditionals reach the
#     origin as sent, the origin's 304 leaves as it sent it;
#   - a page nginx serves itself (its own 304s) likewise;
#   - an HTML response without a <body> leaves with the headers the
#     origin sent (Content-Length, ETag, Last-Modified, Expires,
#     Cache-Control, Accept-Ranges).

use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use StatusEdge::Test qw(sample_state ts wait_until);
use StatusEdge::Upstream qw(banner_env banner_count inserted_at curl_h2
    have_curl_http2);

my $CURL = have_curl_http2() or do {
    fail 'curl with HTTP/2 support is needed (apt-get install curl)';
    done_testing;
    exit 1;
};

my $S = sample_state();
my $h2 = StatusEdge::Test::free_port();
my ($t, $up, $v) = banner_env(state => $S,
    http_extra => "    proxy_cache_path PREFIX/cache keys_zone=rv:1m;\n",
    servers_extra => <<"EOF", locations => <<'EOF');
    server {
        listen 127.0.0.1:$h2 http2;
        server_name localhost;
        location / {
            proxy_pass http://UPSTREAM;
            status_edge_banner on;
        }
    }
EOF
        location / {
            proxy_pass http://UPSTREAM;
            status_edge_banner on;
        }
        location /off/ {
            proxy_pass http://UPSTREAM/;
            proxy_buffering off;
            status_edge_banner on;
        }
        location /tf/ {
            root html;
            try_files $uri @app;
            status_edge_banner on;
        }
        location @app {
            proxy_pass http://UPSTREAM;
            status_edge_banner on;
        }
        location /cached/ {
            proxy_pass http://UPSTREAM/;
            proxy_cache rv;
            proxy_cache_valid 200 1m;
            status_edge_banner on;
        }
        location /files/ {
            root html;
            status_edge_banner on;
        }
        location /quiet/ {
            status_edge_page quiet:;
            proxy_pass http://UPSTREAM/;
            status_edge_banner on;
        }
EOF

my $NAV = ['Accept' => 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'];
my $LM = 'Sat, 01 Nov 2025 10:00:00 GMT';
my $EXP = 'Thu, 01 Jan 2037 00:00:00 GMT';
my @CACHING = ('Last-Modified' => $LM, 'Cache-Control' => 'public, max-age=600',
    'Expires' => $EXP);

my $head = '<!DOCTYPE html><html><head><title>R</title></head><body class="r">';
my $page = $head . "<p>revalidate</p></body></html>\n";
my $pos = length $head;
$up->route('/page', headers => ['Content-Type' => 'text/html', ETag => '"p1"', @CACHING],
    body => [$page], conditional => 1);
$up->route('/weak', headers => ['Content-Type' => 'text/html', ETag => 'W/"w1"'],
    body => [$page], conditional => 1);

sub get {
    my ($path, @h) = @_;
    $up->clear_requests;
    my ($st, $h, $body) = $t->http(GET => $path, headers => \@h);
    my $r = $up->last_request($path =~ s{^/(?:quiet|off|cached)/}{/}r);
    return ($st // 'error ' . $h->{_error}, $h, $body // '', $r ? $r->{h} : {});
}

sub has_banner { defined(inserted_at($_[0], $page, $pos)) && banner_count($_[0]) == 1 }

# --- the validator of a page with the banner --------------------------------
my ($st, $h, $body, $rq) = get('/page', @$NAV);
ok $st == 200 && has_banner($body), 'navigation: 200 with the banner';
my $tag = $h->{etag} // '';
like $tag, qr{\AW/"p1-se[0-9a-f]{16}"\z}, "weak ETag of the upstream's and the state's ($tag)";

# revalidated under the same state: the origin's 304 with our ETag
for my $c (['navigation', @$NAV], ['no Accept'], ['Sec-Fetch-Dest: document',
        'Sec-Fetch-Dest' => 'document', @$NAV]) {
    my ($why, @hh) = @$c;
    ($st, $h, $body, $rq) = get('/page', @hh, 'If-None-Match' => $tag,
        'If-Modified-Since' => $LM, 'Accept-Encoding' => 'gzip');
    is $rq->{'if-none-match'}, '"p1"', "$why: the origin is asked with its own tag";
    ok !exists $rq->{'if-modified-since'} && !exists $rq->{'accept-encoding'},
        "$why: no If-Modified-Since, no Accept-Encoding toward the origin"
        or diag explain $rq;
    is $st, 304, "$why: the origin's 304 reaches the client";
    is $body, '', "$why: 304 without a body";
    is $h->{etag}, $tag, "$why: the 304 repeats our ETag";
    is $h->{'cache-control'}, 'private, no-cache',
        "$why: the 304 keeps the page uncacheable (not the origin's max-age)";
    ok !exists $h->{'last-modified'} && !exists $h->{expires},
        "$why: the 304 has no Last-Modified, no Expires"
        or diag explain $h;
}

# proxy_buffering off, HTTP/2: the same
($st, $h, $body, $rq) = get('/off/page', @$NAV, 'If-None-Match' => $tag);
is "$st " . ($h->{etag} // '') . ' ' . ($rq->{'if-none-match'} // ''), qq{304 $tag "p1"},
    'proxy_buffering off: asked with "p1", the 304 with our ETag';
{
    $up->clear_requests;
    my ($s2, $hh) = curl_h2("http://127.0.0.1:$h2/page", headers => [@$NAV,
        'If-None-Match' => $tag]);
    my $r2 = $up->last_request('/page');
    is "$s2 " . ($hh->{etag} // '') . ' ' . ($r2 ? $r2->{h}{'if-none-match'} // '' : ''),
        qq{304 $tag "p1"}, 'HTTP/2: asked with "p1", the 304 with our ETag';
}

# try_files ... @app: the request is decided again after the internal
# redirect, with the upstream's tag already in place of ours
$up->route('/tf/page', headers => ['Content-Type' => 'text/html', ETag => '"p1"', @CACHING],
    body => [$page], conditional => 1);
for my $c (['navigation', @$NAV], ['curl', 'Accept' => '*/*']) {
    my ($why, @hh) = @$c;
    $up->clear_requests;
    my ($s2, $hh) = $t->http(GET => '/tf/page', headers => [@hh, 'If-None-Match' => $tag]);
    my $r2 = $up->last_request('/tf/page');
    is "$s2 " . ($hh->{etag} // '') . ' ' . ($r2 ? $r2->{h}{'if-none-match'} // '' : ''),
        qq{304 $tag "p1"}, "try_files to a named location, $why: asked with \"p1\", 304 with our ETag";
    is $hh->{'cache-control'}, 'private, no-cache',
        "try_files to a named location, $why: the 304 keeps the page uncacheable";
}

# proxy_cache: nginx answers from the cached page (the origin's own tag)
($st, $h, $body) = get('/cached/page', @$NAV);
my $ctag = $h->{etag} // '';
ok $st == 200 && has_banner($body) && $ctag eq $tag, 'proxy_cache: the page with the banner, our ETag';
($st, $h, $body, $rq) = get('/cached/page', @$NAV, 'If-None-Match' => $ctag);
is "$st " . ($h->{etag} // ''), "304 $tag", "proxy_cache: nginx's 304 from the cache, our ETag";
is $h->{'cache-control'}, 'private, no-cache', 'proxy_cache: the 304 keeps the page uncacheable';

# a list with our tag among others: only ours goes on
($st, $h, $body, $rq) = get('/page', @$NAV, 'If-None-Match' => qq{"zz", $tag, W/"other"});
is $rq->{'if-none-match'}, '"p1"', 'a list with our tag: the origin gets its own tag alone';
is $st, 304, '... and its 304 passes';

# the page changed at the origin: its 200, with the banner
$up->route('/page', headers => ['Content-Type' => 'text/html', ETag => '"p2"', @CACHING],
    body => [$page], conditional => 1);
($st, $h, $body, $rq) = get('/page', @$NAV, 'If-None-Match' => $tag);
is $rq->{'if-none-match'}, '"p1"', 'changed page: asked with the old tag';
ok $st == 200 && has_banner($body), 'changed page: 200 with the banner';
like $h->{etag} // '', qr{\AW/"p2-se[0-9a-f]{16}"\z}, 'changed page: the new weak ETag';
my $tag2 = $h->{etag} // '';

# a weak upstream tag: revalidated with the weak tag
($st, $h, $body) = get('/weak', @$NAV);
my $wtag = $h->{etag} // '';
like $wtag, qr{\AW/"w1-sw[0-9a-f]{16}"\z}, "weak upstream tag: W/\"w1-sw<hash>\" ($wtag)";
($st, $h, $body, $rq) = get('/weak', @$NAV, 'If-None-Match' => $wtag);
is $rq->{'if-none-match'}, 'W/"w1"', 'weak upstream tag: the origin is asked with W/"w1"';
is "$st " . ($h->{etag} // ''), "304 $wtag", 'weak upstream tag: 304 with our ETag';

# --- a navigation with the origin's own validator: a full page ---------------
($st, $h, $body, $rq) = get('/page', @$NAV, 'If-None-Match' => '"p2"', 'If-Modified-Since' => $LM);
ok !exists $rq->{'if-none-match'} && !exists $rq->{'if-modified-since'},
    "navigation with the origin's validator (cached before the incident): no conditional on";
ok $st == 200 && has_banner($body), '... 200 with the banner';

# --- other clients: their conditionals reach the origin ------------------------
my $css = ".c { color: red }\n" x 40;
$up->route('/site.css', headers => ['Content-Type' => 'text/css', ETag => '"c1"', @CACHING],
    body => [$css], conditional => 1);
for my $c (['a stylesheet load without Sec-Fetch-Dest', 'Accept' => 'text/css,*/*;q=0.1'],
           ['curl', 'Accept' => '*/*'], ['no Accept']) {
    my ($why, @hh) = @$c;
    ($st, $h, $body, $rq) = get('/site.css', @hh, 'If-None-Match' => '"c1"',
        'If-Modified-Since' => $LM);
    is_deeply [$rq->{'if-none-match'}, $rq->{'if-modified-since'}], ['"c1"', $LM],
        "$why: If-None-Match and If-Modified-Since reach the origin";
    is $st, 304, "$why: the origin's 304";
    is_deeply [map { $h->{$_} } qw(etag last-modified cache-control expires)],
        ['"c1"', $LM, 'public, max-age=600', $EXP], "$why: the 304 as the origin sent it";
    ($st, $h, $body, $rq) = get('/site.css', @hh, 'If-Modified-Since' => $LM);
    is "$st $rq->{'if-modified-since'}", "304 $LM", "$why: If-Modified-Since alone: 304";
}
# ... and a page for such a client still gets its banner
($st, $h, $body, $rq) = get('/page', 'Accept' => '*/*', 'If-None-Match' => '"old"');
is $rq->{'if-none-match'}, '"old"', 'curl with a stale tag of a page: asked as sent';
ok $st == 200 && has_banner($body), '... the page comes with the banner';

# --- no <body>: the origin's headers --------------------------------------------
my $frag = qq{<div class="fragment"><p>no body tag in here</p></div>\n};
$up->route('/frag', headers => ['Content-Type' => 'text/html', ETag => '"f1"', @CACHING],
    body => [$frag], ranges => 1, conditional => 1);
($st, $h, $body) = get('/frag', @$NAV);
is "$st $body", "200 $frag", 'HTML without <body>: the page as sent';
is_deeply [map { $h->{$_} } qw(content-length etag last-modified cache-control expires accept-ranges)],
    [length $frag, '"f1"', $LM, 'public, max-age=600', $EXP, 'bytes'],
    'HTML without <body>: Content-Length, ETag, Last-Modified, Cache-Control, Expires, '
    . 'Accept-Ranges as the origin sent them'
    or diag explain $h;

# --- a page nginx serves itself: its own 304s ------------------------------------
{
    my $dir = $t->prefix . '/html/files';
    mkdir $t->prefix . '/html';
    mkdir $dir;
    open my $fh, '>', "$dir/index.html" or die "$dir: $!";
    print $fh $page;
    close $fh;
    chmod 0755, $t->prefix . '/html', $dir;
    chmod 0644, "$dir/index.html";
    ($st, $h, $body) = get('/files/index.html', @$NAV);
    ok $st == 200 && has_banner($body), 'static file: 200 with the banner';
    my $ftag = $h->{etag} // '';
    like $ftag, qr{\AW/"[0-9a-f]+-[0-9a-f]+-se[0-9a-f]{16}"\z}, "static file: our weak ETag ($ftag)";
    ($st, $h, $body) = get('/files/index.html', @$NAV, 'If-None-Match' => $ftag);
    is "$st " . ($h->{etag} // ''), "304 $ftag", "static file: nginx's 304 with our ETag";
    ok !exists $h->{'last-modified'}, "static file: the 304 has no Last-Modified";
}

# --- another state: no conditional, the new banner --------------------------------
$S->{incidents}[0]{updates}[0]{body} = 'A fix is being deployed now.';
$S->{incidents}[0]{updates}[0]{id} = 'upd-api-9';
$v = $t->write_state($S);
ok $t->wait_version($v), "state $v loaded";
my $tag3;
ok wait_until(sub {
    my (undef, $hh) = $t->http(GET => '/page', headers => $NAV);
    $tag3 = $hh->{etag} // '';
    $tag3 ne $tag2 && $tag3 =~ /-se/;
}, 10), "the weak ETag follows the state ($tag2 -> " . ($tag3 // '') . ')';
for (1 .. 4) {    # both workers
    ($st, $h, $body, $rq) = get('/page', @$NAV, 'If-None-Match' => $tag2);
    last if $st != 200 || exists $rq->{'if-none-match'};
}
ok !exists $rq->{'if-none-match'}, 'a validator of another state: no conditional on';
ok $st == 200 && has_banner($body) && $body =~ /A fix is being deployed now\./,
    '... a full page with the new banner';
is $h->{etag}, $tag3, '... and the new weak ETag';

# --- no banner: untouched ------------------------------------------------------------
($st, $h, $body, $rq) = get('/quiet/page', @$NAV, 'If-None-Match' => '"p2"',
    'If-Modified-Since' => $LM);
is_deeply [$rq->{'if-none-match'}, $rq->{'if-modified-since'}], ['"p2"', $LM],
    'no incident: the conditionals reach the origin';
is "$st " . ($h->{etag} // ''), '304 "p2"', "no incident: the origin's 304 as sent";

$t->stop;
$up->stop;
done_testing;
