#!/usr/bin/perl
# The uptime bars in headless Chromium (t/browser/uptime.mjs): bars
# visible and coloured, tooltips by keyboard and by pointer with scripts
# off, 360 px shows 30 days, light and dark, contrast; screenshots in
# build/screenshots/uptime-*.png.

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
my $now = time;
my $v = $t->write_state(sample_state(now => $now));

# the sample page is in Asia/Seoul (UTC+9, no DST): a local day is
# [15:00Z the day before, 15:00Z)
my $today = int(($now + 9 * 3600) / 86400) * 86400 - 9 * 3600;
my @h = ([$now - 120 * 86400, 'operational'],
         [$today - 3 * 86400 + 10 * 3600, 'partial_outage'],
         [$today - 3 * 86400 + 10 * 3600 + 1800, 'operational'],
         [$today - 10 * 86400 + 2 * 3600, 'major_outage'],
         [$today - 10 * 86400 + 4 * 3600, 'operational'],
         [$today - 20 * 86400 + 3600, 'under_maintenance'],
         [$today - 20 * 86400 + 2 * 3600, 'operational'],
         [$now - 1800, 'partial_outage']);
$t->redis('ZADD', 'status:component:api:history',
          map { ($_->[0], "$_->[1]:$_->[0]") } @h);
$t->redis('ZADD', 'status:component:web:history', $now - 40 * 86400,
          'operational:' . ($now - 40 * 86400));
$v = $t->redis('INCR', 'status:version');

$t->start_nginx(servers => $t->server_conf(extra => <<"CONF"));
        location /status/ {
            status_edge_status_page;
        }
CONF
ok $t->wait_version($v), "every worker serves version $v";

browser_test('uptime.mjs',
    PAGE_URL => 'http://127.0.0.1:' . $t->port('http') . '/status/');

$t->stop;
done_testing;
