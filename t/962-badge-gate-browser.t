#!/usr/bin/perl
# The badge and the gate page in Debian's Chromium (t/browser/badge-gate.mjs):
# badges load as images, their texts measured in the real font fit the
# boxes the Verdana width table gave them (Latin and Hangul), and the
# gate's 503 page reads on a phone-sized screen in Korean.

use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use StatusEdge::Test qw(sample_state ts browser_test);

plan skip_all => 'no chromium or node' unless -x '/usr/bin/chromium'
    && grep { -x "$_/node" } split /:/, $ENV{PATH};

my $S = sample_state();
my $M = $S->{maintenances}[0];
$M->{gate} = 'on';
$M->{status} = 'in_progress';
$M->{scheduled_for} = ts(time - 600);
$M->{scheduled_until} = ts(time + 3600);

my $t = StatusEdge::Test->new;
$t->start_redis;
my $v = $t->write_state($S);
$t->start_nginx(poll => '1s', servers => $t->server_conf(extra => <<'EOF'));
        location = /badge.svg {
            status_edge_badge;
        }
        location /shop/ {
            status_edge_gate on;
            proxy_pass http://127.0.0.1:1;
        }
EOF
ok $t->wait_version($v), "state $v loaded";

my $base = 'http://127.0.0.1:' . $t->port;
browser_test('badge-gate.mjs', BADGE_URL => "$base/badge.svg",
    GATE_URL => "$base/shop/cart");

$t->stop;
done_testing;
