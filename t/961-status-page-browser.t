#!/usr/bin/perl
# The status page in headless Chromium (t/browser/status-page.mjs): light
# and dark schemes, English and Korean, contrast, no script, no
# third-party request, no CSP violation, narrow screens; screenshots in
# build/screenshots/status-page-{light,dark}.png.

use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use StatusEdge::Test qw(sample_state browser_test);

plan skip_all => 'node and Chromium not installed (make build/.browser-deps)'
    unless -x '/usr/bin/chromium' && -d "$FindBin::Bin/browser/node_modules";

my $t = StatusEdge::Test->new;
$t->start_redis;
my $v = $t->write_state(sample_state());
$t->start_nginx(servers => $t->server_conf(extra => <<"CONF"));
        location /status/ {
            status_edge_status_page;
        }
CONF
ok $t->wait_version($v), "every worker serves version $v";

browser_test('status-page.mjs',
    PAGE_URL => 'http://127.0.0.1:' . $t->port('http') . '/status/');

$t->stop;
done_testing;
