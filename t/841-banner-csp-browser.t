#!/usr/bin/perl
# The banner under add_header's Content-Security-Policy in Debian's
# Chromium (t/browser/banner-csp.mjs, issue 12, defect 4): a policy that
# allows only nonced styles, set by nginx with a per-request nonce; the
# banner must be styled as on a page without a policy, with no violation.

use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use StatusEdge::Test qw(browser_test);
use StatusEdge::Upstream qw(banner_env);

plan skip_all => 'no chromium or node' unless -x '/usr/bin/chromium'
    && grep { -x "$_/node" } split /:/, $ENV{PATH};

my ($t, $up, $v) = banner_env(locations => <<'EOF');
        location /csp/ {
            proxy_pass http://UPSTREAM/;
            status_edge_banner on;
            add_header Content-Security-Policy "default-src 'none'; style-src 'nonce-$request_id'; img-src 'self'";
        }
        location /plain/ {
            proxy_pass http://UPSTREAM/;
            status_edge_banner on;
        }
EOF

my $page = '<!DOCTYPE html><html><head><meta charset="utf-8"><title>CSP</title></head>'
    . '<body><h1>Shop</h1><p>The page under a strict policy.</p></body></html>';
$up->route('/page', headers => ['Content-Type' => 'text/html; charset=utf-8'], body => [$page]);

my $base = 'http://127.0.0.1:' . $t->port;
browser_test('banner-csp.mjs', PAGE_URL => "$base/csp/page", PLAIN_URL => "$base/plain/page");

$t->stop;
$up->stop;
done_testing;
