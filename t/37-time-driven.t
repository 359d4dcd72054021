#!/usr/bin/perl
# Time-driven changes apply on time from the state held, Redis or not
# (issue 12, defect 7).  A maintenance's banner lead time that begins, and
# an upcoming window that ends, change the banner by the clock alone.
# Before the fix they applied only at the next read of Redis, and never
# while Redis was down.  Here Redis is stopped once the state is loaded,
# and the poll and resync are an hour.

use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use StatusEdge::Test qw(sample_state wait_until ts);

my $t = StatusEdge::Test->new;
$t->start_redis;

my $now = time;
my $s = sample_state(now => $now);
$s->{incidents} = [];
$s->{maintenances} = [
    { id => 'soon', name => 'Network upgrade', status => 'scheduled',
      impact => 'maintenance', banner_lead => 3600,
      created_at => ts($now - 3600), updated_at => ts($now - 3600),
      scheduled_for => ts($now + 3600 + 4),
      scheduled_until => ts($now + 2 * 3600 + 4),
      updates => [ { id => 'u-soon', status => 'scheduled',
          body => 'The network will be upgraded.',
          created_at => ts($now - 3600) } ] },
];
my $v = $t->write_state($s);

$t->start_nginx(poll => '3600s', resync => '3600s',
    servers => $t->server_conf(extra => <<'EOF'));
        location = /banner {
            status_edge_banner on;
            default_type text/html;
            return 200 "<html><head></head><body>app</body></html>";
        }
EOF
ok $t->wait_version($v), "state $v loaded" or diag $t->log_tail;

sub banner { my (undef, undef, $b) = $t->http(GET => '/banner'); $b // '' }

unlike banner(), qr/Network upgrade/, 'the upgrade is not announced yet';

$t->stop_redis;
my $t0 = time;
ok wait_until(sub { banner() =~ /Network upgrade/ }, 15),
    'its banner lead time begins, with Redis down: the banner shows'
    or diag banner();
cmp_ok time - $t0, '<=', 8, 'on time (within a few seconds)';

# every worker: ask a few times
my $all = 1;
for (1 .. 10) { $all = 0 unless banner() =~ /Network upgrade/ }
ok $all, 'from every worker';

$t->stop;
done_testing;
