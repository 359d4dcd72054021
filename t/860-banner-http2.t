#!/usr/bin/perl
# The banner over HTTP/2 (h2c with prior knowledge, by curl: there is no
# HTTP/2 client among Perl's core modules): inserted right after the body
# tag, also when split across writes, no content-length, weak etag, gzip
# to the client, HEAD and Sec-Fetch-Dest untouched, the dismissal cookie
# (HTTP/2 clients may send cookies as several header fields), SSI.
# Without a curl that speaks HTTP/2 this test fails; it does not skip
# (the Makefile's DEMO_PKGS installs curl).

use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use StatusEdge::Test qw(free_port);
use StatusEdge::Upstream qw(banner_env banner_count inserted_at gunzip_bytes
    have_curl_http2 curl_h2 se_banner_key);

if (!ok have_curl_http2(), 'curl with HTTP/2 support is installed') {
    diag 'no curl with HTTP/2: the banner over HTTP/2 is NOT tested';
    done_testing;
    exit 1;
}

my $h2 = free_port();
my ($t, $up, $v) = banner_env(servers_extra => <<"EOF");
    server {
        listen 127.0.0.1:$h2 http2;
        server_name localhost;
        location / {
            proxy_pass http://UPSTREAM;
            status_edge_banner on;
            add_header X-SE-Banner "\$status_edge_banner" always;
        }
        location /off/ {
            proxy_pass http://UPSTREAM/;
            proxy_buffering off;
            status_edge_banner on;
        }
        location /gz/ {
            proxy_pass http://UPSTREAM/;
            status_edge_banner on;
            gzip on;
            gzip_min_length 1;
        }
        location /ssi/ {
            proxy_pass http://UPSTREAM/;
            ssi on;
            status_edge_banner on;
        }
    }
EOF
my $base = "http://127.0.0.1:$h2";

my $head = '<!DOCTYPE html><html><head><title>H2</title></head><body class="h2">';
my $page = $head . '<p>over HTTP/2</p></body></html>';
my $pos = length $head;
$up->route('/page', headers => ['Content-Type' => 'text/html', ETag => '"h1"',
    'Last-Modified' => 'Sat, 01 Nov 2025 10:00:00 GMT'],
    body => [substr($page, 0, 40), substr($page, 40)], delay => 0.02, gzip => 'accept');

# the server really speaks HTTP/2
my ($st, $h, $body) = curl_h2("$base/page");
is $h->{_version}, '2', 'h2c: the answer is HTTP/2' or diag $h->{_error};
my $ins = inserted_at($body, $page, $pos);
ok defined $st && $st == 200 && defined $ins && banner_count($ins) == 1,
    'HTTP/2: banner right after the body tag, page intact'
    or diag "status " . ($st // $h->{_error}) . "\n" . substr($body // '', 0, 500);
ok !exists $h->{'content-length'} || $h->{'content-length'} == length $body,
    'HTTP/2: content-length absent or exact';
like $h->{etag} // '', qr{\AW/"}, 'HTTP/2: weak etag';
ok !exists $h->{'last-modified'}, 'HTTP/2: no last-modified';
is $h->{'x-se-banner'}, '1', 'HTTP/2: $status_edge_banner 1';

# every split of the body tag, unbuffered and buffered
{
    my @bad;
    for my $k (length($head) - 25 .. length($head) + 1) {
        $up->route("/s/$k", headers => ['Content-Type' => 'text/html'],
            body => [substr($page, 0, $k), substr($page, $k)], delay => 0.02);
        for my $p ("/s/$k", "/off/s/$k") {
            my ($s2, $h2h, $b2) = curl_h2("$base$p");
            my $i2 = inserted_at($b2, $page, $pos);
            push @bad, "$p: " . ($s2 // $h2h->{_error}) . ' ' . substr($b2 // '', 0, 200)
                unless defined $s2 && $s2 == 200 && defined $i2 && banner_count($i2) == 1;
        }
    }
    ok !@bad, 'HTTP/2: body tag split at 27 positions, buffered and not: banner right after it'
        or diag join "\n", @bad[0 .. ($#bad > 5 ? 5 : $#bad)];
}

# the upstream request of a navigation (Accept names text/html) whose
# copy predates the incident: no validator of the origin's goes on
$up->clear_requests;
($st, $h, $body) = curl_h2("$base/page", headers => ['Accept-Encoding' => 'gzip',
    'Accept' => 'text/html,*/*;q=0.8', 'If-None-Match' => '"h1"']);
is $st, 200, 'HTTP/2, If-None-Match: 200 with the banner';
my $r = $up->last_request('/page');
ok $r && !grep({ exists $r->{h}{$_} } qw(accept-encoding if-none-match)),
    'HTTP/2: navigation\'s upstream request without Accept-Encoding, If-None-Match'
    or diag explain $r && $r->{h};

# gzip to the client
($st, $h, $body) = curl_h2("$base/gz/page", headers => ['Accept-Encoding' => 'gzip']);
is $h->{'content-encoding'}, 'gzip', 'HTTP/2 + gzip on: gzip to the client';
$ins = inserted_at(gunzip_bytes($body // ''), $page, $pos);
ok defined $ins && banner_count($ins) == 1, '... inflating to the page with the banner';

# not eligible
($st, $h, $body) = curl_h2("$base/page", method => 'HEAD');
ok $st == 200 && $body eq '' && ($h->{etag} // '') eq '"h1"'
    && ($h->{'content-length'} // '') eq length($page), 'HTTP/2 HEAD: untouched headers, no body';
($st, $h, $body) = curl_h2("$base/page", headers => ['Sec-Fetch-Dest' => 'iframe']);
ok $st == 200 && $body eq $page, 'HTTP/2 Sec-Fetch-Dest: iframe: no banner';

# dismissal cookie, alone and among several cookie fields
my $key = se_banner_key('inc-api', 'upd-api-2');
($st, $h, $body) = curl_h2("$base/page", headers => [Cookie => "status_edge_dismissed=$key"]);
ok $st == 200 && $body eq $page, 'HTTP/2 with the dismissal cookie: no banner';
($st, $h, $body) = curl_h2("$base/page", headers => [Cookie => 'a=1', Cookie => "status_edge_dismissed=$key",
    Cookie => 'b=2']);
ok $st == 200 && $body eq $page, 'HTTP/2, the cookie in one of several cookie fields: no banner'
    or diag banner_count($body) . ' banners';

# SSI
{
    my $main = '<html><body><!--# include virtual="/ssi/frag" --></body></html>';
    my $frag = '<body class="frag">fragment';
    $up->route('/main', headers => ['Content-Type' => 'text/html'], body => [$main]);
    $up->route('/frag', headers => ['Content-Type' => 'text/html'], body => [$frag]);
    ($st, $h, $body) = curl_h2("$base/ssi/main");
    my $want = "<html><body>$frag</body></html>";
    $ins = inserted_at($body, $want, length '<html><body>');
    ok $st == 200 && defined $ins && banner_count($body) == 1, 'HTTP/2 SSI: one banner, in the main page'
        or diag $body;
}

$t->stop;
$up->stop;
done_testing;
