#!/usr/bin/perl
# status_edge_events in Debian's Chromium (t/browser/events.mjs): a real
# EventSource refused by status_edge_events_max keeps retrying and gets
# its stream once there is room; the EventSources of a page come back
# after a reload, each after its own delay, and get the change made while
# they were away (Last-Event-ID).

use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use StatusEdge::Test qw(browser_test);

plan skip_all => 'no chromium or node' unless -x '/usr/bin/chromium'
    && grep { -x "$_/node" } split /:/, $ENV{PATH};

my $ROOT = "$FindBin::Bin/..";
my $CLI = $ENV{STATUS_EDGE_CLI} || "$ROOT/build/status-edge";

ok(-x $CLI, "the admin tool is built: $CLI") or BAIL_OUT('make first');
ok(-d "$ROOT/t/browser/node_modules/playwright-core",
   'playwright-core installed (make test runs npm ci in t/browser)')
    or BAIL_OUT('make build/.browser-deps first');

my $t = StatusEdge::Test->new(workers => 1);
$t->start_redis;
my $v = $t->write_state({
    page => { id => 'eventstest', name => 'Events in a browser',
              url => 'https://status.example.com' },
    components => [
        { id => 'api', position => 1, name => 'API', status => 'operational' },
    ],
});

$t->start_nginx(servers => $t->server_conf(extra => <<'EOF'));
        location = /page.html {
            default_type text/html;
            return 200 '<!doctype html><title>events</title><p>events';
        }
        location = /capped {
            status_edge_events;
            status_edge_events_max 1;
            status_edge_events_heartbeat off;
        }
        location = /events {
            status_edge_events;
            status_edge_events_heartbeat off;
        }
EOF
ok $t->wait_version($v), "version $v served";

my $base = 'http://127.0.0.1:' . $t->port . '/';
browser_test('events.mjs',
    BASE => $base,
    NGINX_PID => $t->nginx_pid,
    CLI => $CLI,
    STATUS_EDGE_REDIS => 'redis://127.0.0.1:' . $t->redis_port . '/0');

$t->stop;
done_testing;
