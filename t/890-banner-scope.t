#!/usr/bin/perl
# status_edge_banner on at the http level (the natural "banner everywhere"
# configuration): what is not a page must keep working as without the
# module while an incident is open.  The module's own handlers (the JSON
# API, the stylesheet, the widget, the status page) still answer 304 to a
# matching If-None-Match, and the status page gets no banner;
# subresources a browser fetches (Sec-Fetch-Dest other than document)
# reach the upstream with their conditional, range and Accept-Encoding
# headers; an SSI page whose body tag comes from an include.

use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use StatusEdge::Upstream qw(banner_env banner_count inserted_at);

my ($t, $up, $v) = banner_env(http_extra => "    status_edge_banner on;\n", locations => <<'EOF');
        location / {
            proxy_pass http://UPSTREAM;
        }
        location /ssi/ {
            proxy_pass http://UPSTREAM/;
            ssi on;
        }
        location = /status-edge/widget.js {
            status_edge_widget;
        }
        location /status/ {
            status_edge_status_page;
        }
EOF

# the page itself gets the banner (inherited from http)
my $page = '<html><head></head><body>scope</body></html>';
$up->route('/page', headers => ['Content-Type' => 'text/html'], body => [$page]);
my ($st, $h, $body) = $t->http(GET => '/page');
ok defined inserted_at($body, $page, length '<html><head></head><body>'),
    'http-level status_edge_banner on: a proxied page gets the banner';

# the module's own handlers: 304 as without the banner
{
    my (undef, $ah) = $t->http(GET => '/api/v2/summary.json');
    my ($s1) = $t->http(GET => '/api/v2/summary.json', headers => ['If-None-Match' => $ah->{etag} // '"x"']);
    is $s1, 304, 'the JSON API answers 304 to its ETag (no Sec-Fetch-Dest: a poller)';
    my ($s2) = $t->http(GET => '/api/v2/summary.json',
        headers => ['If-None-Match' => $ah->{etag} // '"x"', 'Sec-Fetch-Dest' => 'empty']);
    is $s2, 304, 'the JSON API answers 304 to its ETag (Sec-Fetch-Dest: empty: the widget)';
    my (undef, $ch) = $t->http(GET => '/status-edge/banner.css');
    my ($s3) = $t->http(GET => '/status-edge/banner.css',
        headers => ['If-None-Match' => $ch->{etag} // '*']);
    is $s3, 304, 'the stylesheet answers 304 to its ETag';

    my (undef, $wh) = $t->http(GET => '/status-edge/widget.js');
    my ($s4) = $t->http(GET => '/status-edge/widget.js',
        headers => ['If-None-Match' => $wh->{etag} // '*', 'Sec-Fetch-Dest' => 'script']);
    is $s4, 304, 'the widget script answers 304 to its ETag';

    # the status page is HTML of our own: no banner in it, and its 304s
    my ($s5, $ph, $pb) = $t->http(GET => '/status/', headers => ['Accept' => 'text/html']);
    is $s5, 200, 'the status page is served';
    unlike $pb // '', qr/se-banner/, 'the status page gets no banner of its own';
    my ($s6) = $t->http(GET => '/status/', headers => ['Accept' => 'text/html',
        'If-None-Match' => $ph->{etag} // '*']);
    is $s6, 304, 'the status page answers 304 to its ETag';
}

# subresources fetched by a browser: untouched
{
    my $img = "\x89PNG\r\n\x1a\n" . ("\x01\x02" x 500);
    $up->route('/img.png', headers => ['Content-Type' => 'image/png', ETag => '"i1"'],
        body => [$img], conditional => 1, ranges => 1);
    $up->clear_requests;
    my ($s1) = $t->http(GET => '/img.png', headers => ['If-None-Match' => '"i1"',
        'Sec-Fetch-Dest' => 'image', 'Accept-Encoding' => 'gzip']);
    is $s1, 304, 'Sec-Fetch-Dest: image: the upstream\'s 304';
    my $r = $up->last_request('/img.png');
    is $r && $r->{h}{'accept-encoding'}, 'gzip', 'Sec-Fetch-Dest: image: Accept-Encoding reaches the upstream';
    my ($s2, $h2, $b2) = $t->http(GET => '/img.png', headers => ['Range' => 'bytes=0-9',
        'Sec-Fetch-Dest' => 'video']);
    is "$s2 " . length($b2 // ''), '206 10', 'Sec-Fetch-Dest: video, Range: 206';

    my ($s3) = $t->http(GET => '/img.png', headers => ['Range' => 'bytes=0-9']);
    is $s3, 206, 'a Range request without Sec-Fetch-Dest for an image: 206';
}

# SSI: the body tag comes from an included header
TODO: {
    local $TODO = 'the filter sees the main response before SSI: a body tag from an include is not seen';
    $up->route('/main', headers => ['Content-Type' => 'text/html'],
        body => ['<!--# include virtual="/ssi/header" --><p>content</p></body></html>']);
    $up->route('/header', headers => ['Content-Type' => 'text/html'],
        body => ['<html><head><title>t</title></head><body class="from-include">']);
    my $want = '<html><head><title>t</title></head><body class="from-include"><p>content</p></body></html>';
    my ($s, undef, $b) = $t->http(GET => '/ssi/main');
    my $ins = inserted_at($b, $want, length '<html><head><title>t</title></head><body class="from-include">');
    ok defined $ins && banner_count($ins) == 1, 'SSI page whose body tag comes from an include: one banner after it';
}

$t->stop;
$up->stop;
done_testing;
