#!/usr/bin/perl
# Which responses get the banner (SPEC §3): only a main GET request, status
# 200, an HTML type of status_edge_banner_types, no Content-Encoding, no
# Sec-Fetch-Dest other than document.  HEAD, POST, 304, 206, 204, 404,
# SSI subrequests, text/event-stream (even when listed in the types),
# application/json, image/png pass through untouched.  A gzip upstream:
# identity is asked for while a banner applies, nginx's gzip compresses
# the page with the banner for a client that asked; an upstream that
# sends gzip anyway is passed through untouched.

use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use StatusEdge::Upstream qw(banner_env banner_count inserted_at gunzip_bytes);

my ($t, $up, $v) = banner_env(locations => <<'EOF');
        location / {
            proxy_pass http://UPSTREAM;
            status_edge_banner on;
            add_header X-SE-Banner "$status_edge_banner" always;
        }
        location /ssi/ {
            proxy_pass http://UPSTREAM/;
            ssi on;
            status_edge_banner on;
        }
        location /gz/ {
            proxy_pass http://UPSTREAM/;
            status_edge_banner on;
            gzip on;
            gzip_min_length 1;
        }
        location /quietgz/ {
            status_edge_page quiet:;
            proxy_pass http://UPSTREAM/;
            status_edge_banner on;
        }
        location /types/ {
            proxy_pass http://UPSTREAM/;
            status_edge_banner on;
            status_edge_banner_types text/html application/xhtml+xml text/event-stream;
        }
EOF

my $head = '<!DOCTYPE html><html><head><title>E</title></head><body class="e">';
my $page = $head . "<p>eligibility</p></body></html>\n";
my $pos = length $head;

sub route {
    my ($path, %o) = @_;
    my $ct = delete $o{type} // 'text/html';
    $up->route($path, headers => ['Content-Type' => $ct, ETag => '"e1"',
        'Last-Modified' => 'Sat, 01 Nov 2025 10:00:00 GMT', @{ delete $o{headers} || [] }],
        body => [substr($page, 0, 30), substr($page, 30)], delay => 0.01, %o);
}

sub untouched {
    my ($name, $method, $path, $want_status, %o) = @_;
    my ($st, $h, $body) = $t->http($method => $path, headers => $o{headers} || []);
    my $want = $o{body} // $page;
    is $st, $want_status, "$name: status $want_status";
    is banner_count($body), 0, "$name: no banner";
    ok defined $body && $body eq $want, "$name: body byte-identical"
        or diag "got:\n" . substr($body // '', 0, 400);
    return ($st, $h, $body);
}

sub with_banner {
    my ($name, $path, %o) = @_;
    my ($st, $h, $body) = $t->http(GET => $path, headers => $o{headers} || []);
    my $ins = inserted_at($body, $o{page} // $page, $o{pos} // $pos);
    ok defined $st && $st == 200 && defined $ins && banner_count($ins) == 1,
        "$name: banner right after the body tag"
        or diag "status " . ($st // $h->{_error}) . "\n" . substr($body // '', 0, 500);
    return ($st, $h, $body);
}

route('/page');
with_banner('plain GET', '/page');

# --- methods ------------------------------------------------------------------
{
    my ($st, $h, $body) = $t->http(HEAD => '/page');
    is $st, 200, 'HEAD: 200';
    is length($body // ''), 0, 'HEAD: no body';
    is $h->{'content-length'}, length $page, "HEAD: the upstream's Content-Length";
    is $h->{etag}, '"e1"', 'HEAD: strong ETag untouched';
    untouched('POST', POST => '/page', 200);
}

# --- statuses -----------------------------------------------------------------
route('/304', status => 304);
untouched('upstream answers 304', GET => '/304', 304, body => '');
route('/206', status => 206, headers => ['Content-Range' => 'bytes 0-' . (length($page) - 1) . '/' . length $page]);
untouched('upstream answers 206', GET => '/206', 206);
route('/204', status => 204);
untouched('upstream answers 204', GET => '/204', 204, body => '');
route('/404', status => 404);
my (undef, $h404) = untouched('upstream answers 404 text/html', GET => '/404', 404);
is $h404->{'content-length'}, length $page, '404: Content-Length kept';
route('/500', status => 500);
untouched('upstream answers 500 text/html', GET => '/500', 500);
route('/302', status => 302, headers => [Location => '/elsewhere']);
untouched('upstream answers 302 text/html', GET => '/302', 302);

# --- types ----------------------------------------------------------------------
route('/json', type => 'application/json');
untouched('application/json', GET => '/json', 200);
route('/sse', type => 'text/event-stream', length => 0);
untouched('text/event-stream', GET => '/sse', 200);
untouched('text/event-stream listed in status_edge_banner_types', GET => '/types/sse', 200);
route('/xhtml', type => 'application/xhtml+xml');
untouched('application/xhtml+xml, not in the default types', GET => '/xhtml', 200);
with_banner('application/xhtml+xml in status_edge_banner_types', '/types/xhtml');
with_banner('text/html in a list of types', '/types/page');
{
    my $png = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR" . '<body>' . ("\0\xff" x 50);
    $up->route('/png', headers => ['Content-Type' => 'image/png'], body => [$png]);
    untouched('image/png holding "<body>"', GET => '/png', 200, body => $png);
}
route('/charset', type => 'text/html; charset=ISO-8859-1');
with_banner('text/html with a charset parameter', '/charset');
route('/upper', type => 'Text/HTML; Charset=UTF-8');
with_banner('Text/HTML (type names are case-insensitive)', '/upper');
route('/textplain', type => 'text/plain');
untouched('text/plain', GET => '/textplain', 200);
# the type is matched as nginx's *_types match it: without a charset
# parameter, any case, and nothing more or less than the name
route('/nospace', type => 'text/html;charset=utf-8');
with_banner('text/html;charset= without a space', '/nospace');
route('/lower', type => 'TEXT/HTML');
with_banner('TEXT/HTML', '/lower');
with_banner('TEXT/HTML in a list of types', '/types/lower');
route('/param', type => 'text/html; level=1');
untouched('text/html with a parameter other than charset', GET => '/param', 200);
route('/longer', type => 'text/htmlx');
untouched('text/htmlx', GET => '/longer', 200);
route('/shorter', type => 'text/htm');
untouched('text/htm', GET => '/shorter', 200);
route('/slash', type => 'text.html');
untouched('text.html', GET => '/slash', 200);

# --- Sec-Fetch-Dest -------------------------------------------------------------
{
    $up->clear_requests;
    my (undef, $h) = untouched('Sec-Fetch-Dest: iframe', GET => '/page', 200,
        headers => ['Sec-Fetch-Dest' => 'iframe', 'Accept-Encoding' => 'gzip']);
    is $h->{'x-se-banner'}, '0', 'Sec-Fetch-Dest: iframe: $status_edge_banner 0';
    is $h->{'content-length'}, length $page, 'Sec-Fetch-Dest: iframe: Content-Length kept';
    my $r = $up->last_request('/page');
    is $r && $r->{h}{'accept-encoding'}, 'gzip',
        'Sec-Fetch-Dest: iframe: no banner, so the upstream request is untouched';
    untouched('Sec-Fetch-Dest: empty', GET => '/page', 200, headers => ['Sec-Fetch-Dest' => 'empty']);
    untouched('Sec-Fetch-Dest: frame', GET => '/page', 200, headers => ['Sec-Fetch-Dest' => 'frame']);
    my (undef, $hd) = with_banner('Sec-Fetch-Dest: document', '/page',
        headers => ['Sec-Fetch-Dest' => 'document']);
    is $hd->{'x-se-banner'}, '1', 'Sec-Fetch-Dest: document: $status_edge_banner 1';
}

# --- SSI: the included fragment gets no banner, the page one -----------------------
{
    my $main = '<html><head></head><body class="ssi"><!--# include virtual="/ssi/frag" --><p>end</p></body></html>';
    my $frag = '<div class="frag"><body class="in-fragment">fragment</div>';
    $up->route('/main', headers => ['Content-Type' => 'text/html'], body => [$main]);
    $up->route('/frag', headers => ['Content-Type' => 'text/html'], body => [$frag]);
    my $want = '<html><head></head><body class="ssi">' . $frag . '<p>end</p></body></html>';
    my ($st, $h, $body) = $t->http(GET => '/ssi/main');
    my $ins = inserted_at($body, $want, length '<html><head></head><body class="ssi">');
    ok $st == 200 && defined $ins && banner_count($body) == 1,
        'SSI: one banner, after the main page\'s body tag, none in the included fragment'
        or diag "status $st, " . banner_count($body) . " banners:\n" . ($body // '');
    ok $up->last_request('/frag'), 'SSI: the fragment was fetched by a subrequest';
}

# --- gzip -------------------------------------------------------------------------
{
    route('/gzpage', gzip => 'accept');
    $up->clear_requests;
    my ($st, $h, $body) = $t->http(GET => '/gzpage', headers => ['Accept-Encoding' => 'gzip']);
    my $r = $up->last_request('/gzpage');
    ok $r && !exists $r->{h}{'accept-encoding'},
        'gzip upstream, banner applies: the upstream is asked for identity';
    ok !exists $h->{'content-encoding'}, 'without nginx gzip: identity to the client';
    ok defined inserted_at($body, $page, $pos), '... the page with the banner';

    $up->clear_requests;
    ($st, $h, $body) = $t->http(GET => '/gz/gzpage', headers => ['Accept-Encoding' => 'gzip']);
    is $h->{'content-encoding'}, 'gzip', 'gzip on in nginx: the client gets gzip';
    my $plain = defined $body ? gunzip_bytes($body) : undef;
    my $ins = inserted_at($plain, $page, $pos);
    ok defined $ins && banner_count($ins) == 1, '... which inflates to the page with the banner'
        or diag substr($plain // '(not gzip)', 0, 400);
    $r = $up->last_request('/gzpage');
    ok $r && !exists $r->{h}{'accept-encoding'}, '... and the upstream was asked for identity';
    ($st, $h, $body) = $t->http(GET => '/gz/gzpage');
    ok !exists $h->{'content-encoding'} && defined inserted_at($body, $page, $pos),
        'gzip on in nginx, client without Accept-Encoding: identity with the banner';

    # no banner applies: Accept-Encoding goes to the upstream, gzip passes
    $up->clear_requests;
    ($st, $h, $body) = $t->http(GET => '/quietgz/gzpage', headers => ['Accept-Encoding' => 'gzip']);
    $r = $up->last_request('/gzpage');
    is $r && $r->{h}{'accept-encoding'}, 'gzip', 'no incident: Accept-Encoding reaches the upstream';
    is $h->{'content-encoding'}, 'gzip', 'no incident: the upstream\'s gzip body';
    is gunzip_bytes($body // '') // '', $page, '... inflating to the page, no banner';

    # an upstream that sends gzip although it was not asked to
    route('/gzalways', gzip => 'always');
    ($st, $h, $body) = $t->http(GET => '/gzalways', headers => ['Accept-Encoding' => 'gzip']);
    is $h->{'content-encoding'}, 'gzip', 'upstream sends gzip anyway: Content-Encoding kept';
    is gunzip_bytes($body // '') // '(not gzip)', $page, '... body untouched (no banner in compressed bytes)';
    is $h->{'content-length'}, length($body // ''), '... Content-Length kept';
    ($st, $h, $body) = $t->http(GET => '/gz/gzalways', headers => ['Accept-Encoding' => 'gzip']);
    is gunzip_bytes($body // '') // '(not gzip)', $page,
        '... also with nginx gzip on: not compressed twice, untouched';
}

$t->stop;
$up->stop;
done_testing;
