#!/usr/bin/perl
# How changes reach every worker:
#  1. PUBLISH: a write with the version bump and PUBLISH is served (poll and
#     resync set to a minute, so only a push can deliver it);
#  2. INCR without PUBLISH: Redis' invalidation of Pversion (CLIENT
#     TRACKING), the poll and the resync still a minute away;
#  3. a hand edit with redis-cli, no version bump: the invalidation of the
#     keys edited, the poll and the resync a minute away, seen within a
#     second (the time it took is printed).
# t/48-tracking.t has the version poll of a Redis that refuses tracking.

use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Time::HiRes ();
use StatusEdge::Test qw(sample_state json_decode);

my $t = StatusEdge::Test->new;
$t->start_redis;
my $S = sample_state();
my $v = $t->write_state($S);

# --- 1. PUBLISH
$t->start_nginx(poll => '60s', resync => '60s');
ok $t->wait_version($v), "initial load: version $v";
for my $round (1 .. 3) {
    $S->{page}{name} = "Published $round";
    $S->{components}[1]{status} = $round % 2 ? 'major_outage' : 'operational';
    $v = $t->write_state($S);
    ok $t->wait_version($v), "PUBLISH round $round: version $v on every worker";
    my $d = $t->wait_json('/api/v2/summary.json',
        sub { $_[0]{page}{name} eq "Published $round" }, row => 5);
    ok $d, "round $round: new name served";
    is $d && $d->{status}{indicator}, $round % 2 ? 'critical' : 'major',
        "round $round: indicator follows";
}
# the same through redis-cli only, one command at a time (no MULTI)
$t->redis_cli('HSET', 'status:component:web', 'status', 'degraded_performance');
my $nv = $t->redis_cli('INCR', 'status:version');
chomp $nv;
$t->redis_cli('PUBLISH', 'status:events', $nv);
ok $t->wait_version($nv), "redis-cli HSET/INCR/PUBLISH: version $nv";
my (undef, undef, $c) = $t->get_json('/api/v2/components.json');
is $c->{components}[1]{status}, 'degraded_performance', 'redis-cli edit served';

# Redis restarted: once every worker is connected again, PUBLISH reaches
# them again (the subscription is renewed; the poll is still a minute)
$t->restart_redis(signal => 'KILL');
$t->redis('SET', 'status:version', 100);
my %conn;
ok StatusEdge::Test::wait_until(sub {
    my $m = $t->metrics or return;
    my ($k) = grep { /^status_edge_redis_connected\{/ } keys %$m;
    $conn{$k // ''} = $m->{$k // ''} ? 1 : 0 if $k;
    my @w = $t->worker_pids;
    return @w && @w == grep { $_ } values %conn;
}, 30), 'every worker reconnected after the Redis restart';
$S->{page}{name} = 'After restart';
$v = $t->write_state($S);
ok $t->wait_version($v, timeout => 20), "PUBLISH after the restart: version $v";
$S->{page}{name} = 'After restart 2';
$v = $t->write_state($S);
ok $t->wait_version($v, timeout => 20), "and again: version $v";
ok $t->wait_json('/api/v2/status.json', sub { $_[0]{page}{name} eq 'After restart 2' }),
    'served';

# every worker has Redis push the changes, also after the restart: no poll
my %tracking;
StatusEdge::Test::wait_until(sub {
    my $m = $t->metrics or return 0;
    for my $k (grep { /^status_edge_redis_tracking\{/ } keys %$m) {
        my ($pid) = $k =~ /worker="(\d+)"/;
        $tracking{$pid} = $m->{$k};
    }
    my @w = $t->worker_pids;
    return @w && !grep { !defined $tracking{$_} } @w;
}, 10);
my @w = $t->worker_pids;
is scalar(grep { ($tracking{$_} // 0) == 1 } @w), scalar(@w),
    'CLIENT TRACKING on in every worker (status_edge_redis_tracking 1)';

# --- 2. INCR without PUBLISH: the invalidation of Pversion
$t->redis('HSET', 'status:page', 'name', 'Bumped');
$v = $t->bump(publish => 0);
ok $t->wait_version($v, timeout => 10),
    "INCR without PUBLISH: version $v seen without the poll";
my $d = $t->wait_json('/api/v2/status.json', sub { $_[0]{page}{name} eq 'Bumped' });
ok $d, 'bumped change served';

# --- 3. a hand edit without any version bump, the resync a minute away
my ($st, $h0) = $t->http(GET => '/api/v2/summary.json');
my $etag0 = $h0->{etag};
my $t0 = Time::HiRes::time();
$t->redis_cli('HSET', 'status:page', 'name', 'Hand edited');
$t->redis_cli('HSET', 'status:component:api', 'status', 'major_outage');
is $t->redis('GET', 'status:version'), $v, 'version unchanged by the hand edit';
$d = $t->wait_json('/api/v2/summary.json',
    sub { $_[0]{page}{name} eq 'Hand edited'
          && $_[0]{status}{indicator} eq 'critical' }, timeout => 10, row => 10);
ok $d, 'hand edit served with the resync a minute away';
diag sprintf 'hand edit served by every worker %.0f ms after the first HSET '
    . '(10 answers in a row)', 1000 * (Time::HiRes::time() - $t0);
is $d && $d->{status}{indicator}, 'critical', 'derived indicator recomputed';
my ($ind, $ver) = $t->ind;
is "$ind $ver", "critical $v", 'variables: new indicator, same version';
my (undef, $h1) = $t->http(GET => '/api/v2/summary.json');
isnt $h1->{etag}, $etag0, 'ETag changed although the version did not';
my ($s304) = $t->http(GET => '/api/v2/summary.json',
    headers => ['If-None-Match' => $etag0]);
is $s304, 200, 'the old ETag no longer gives 304';

# a hand edit of an update list (LPUSH a new update, no bump)
$t->redis_cli('LPUSH', 'status:incident:inc-api:updates',
    '{"id":"upd-api-3","status":"monitoring","body":"A fix is deployed.","created_at":"2026-01-01T00:00:00Z"}');
$t->redis_cli('HSET', 'status:incident:inc-api', 'status', 'monitoring');
# two edits, two pushes: the state after the first (the new update, the
# old status) may be served for a moment, so both are waited for
$d = $t->wait_json('/api/v2/incidents/unresolved.json',
    sub { ($_[0]{incidents}[0]{incident_updates}[0]{id} // '') eq 'upd-api-3'
          && ($_[0]{incidents}[0]{status} // '') eq 'monitoring' },
    timeout => 20);
ok $d, 'hand-pushed update served without a resync';
is $d && $d->{incidents}[0]{status}, 'monitoring', 'incident status monitoring';

$t->stop;
done_testing;
