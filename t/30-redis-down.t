#!/usr/bin/perl
# Redis killed: the last state is still served (200, same content), the
# metrics say stale and disconnected, nothing is logged above [error].
# Redis restarted (empty, as after a crash without persistence): the module
# reconnects and a new state written to it is served.

use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use StatusEdge::Test qw(sample_state json_decode wait_until);

my $t = StatusEdge::Test->new;
$t->start_redis;
my $S = sample_state();
my $v = $t->write_state($S);
$t->start_nginx(poll => '1s', resync => '3s',
    redis => ['127.0.0.1:' . $t->redis_port . ' timeout=500ms']);
ok $t->wait_version($v), 'state loaded';
my (undef, $h0, $before) = $t->http(GET => '/api/v2/summary.json');
my $m = $t->metrics;
is StatusEdge::Test::metric($m, 'status_edge_redis_connected'), 1, 'connected';
my $reconnects0 = StatusEdge::Test::metric($m, 'status_edge_redis_reconnects_total') // 0;

# --- kill Redis
$t->stop_redis(signal => 'KILL');

# metrics of every worker report stale and disconnected
my %seen;
my $stale = wait_until(sub {
    my $mm = $t->metrics or return;
    my $conn = StatusEdge::Test::metric($mm, 'status_edge_redis_connected') // -1;
    my $st = StatusEdge::Test::metric($mm, 'status_edge_state_stale', page => 'status:') // -1;
    my ($w) = grep { /^status_edge_redis_connected\{/ } keys %$mm;
    $seen{$w // 'x'} = ($conn == 0 && $st == 1);
    my @w = $t->worker_pids;
    return @w && @w == grep { $_ } values %seen;
}, 20);
ok $stale, 'metrics: stale 1 and redis_connected 0 (every worker seen)'
    or diag explain \%seen;

# the same state is still served, for a while, by every endpoint
my $bad = 0;
my $n = 0;
for my $round (1 .. 15) {
    for my $ep (qw(summary.json status.json incidents/unresolved.json)) {
        my ($st, $h, $body) = $t->http(GET => "/api/v2/$ep", timeout => 5);
        $n++;
        $bad++, diag("$ep: " . ($st // $h->{_error})) unless defined $st && $st == 200;
        $bad++, diag("$ep: not JSON") unless json_decode($body // '');
        if ($ep eq 'summary.json' && defined $body && $body ne $before) {
            $bad++;
            diag('summary.json changed while Redis is down');
        }
    }
    select undef, undef, undef, 0.1;
}
is $bad, 0, "$n requests with Redis down: all 200, same content";
my ($st304) = $t->http(GET => '/api/v2/summary.json',
    headers => ['If-None-Match' => $h0->{etag}]);
is $st304, 304, 'ETag of the stale state still matches';
my ($ind, $ver) = $t->ind;
is "$ind $ver", "major $v", 'variables still report the last state';
my $age = StatusEdge::Test::metric(scalar $t->metrics, 'status_edge_state_age_seconds', page => 'status:');
ok defined $age && $age >= 1, "state age grows while Redis is down ($age s)";
my ($pst) = $t->http(GET => '/plain');
is $pst, 200, 'plain location answers';

# a reload (or a respawned worker) while Redis is down: the new workers
# must go on serving the last state nginx had, not 503
{
    my $ok = eval { $t->reload; 1 };
    ok $ok, 'reload while Redis is down' or diag $@;
    my %st;
    for (1 .. 20) {
        my ($st, undef, $body) = $t->http(GET => '/api/v2/summary.json', timeout => 5);
        $st{ ($st // 'none') . (defined $body && $body eq $before ? ' same' : ' other') }++;
    }
    is_deeply \%st, { '200 same' => 20 },
        'after the reload: still the last state, 200' or diag explain \%st;
}

# --- restart Redis, empty; write a new state (version 1 again: data lost)
$t->start_redis;
$S->{page}{name} = 'Recovered';
$S->{components}[0]{status} = 'operational';
my $v2 = $t->write_state($S);
is $v2, 1, 'fresh Redis: version starts again at 1';
my $d = $t->wait_json('/api/v2/summary.json',
    sub { $_[0]{page}{name} eq 'Recovered' }, timeout => 30, row => 10);
ok $d, 'new state served after the restart';
is $d && $d->{status}{indicator}, 'major', 'indicator of the new state';

my $ok = wait_until(sub {
    my $mm = $t->metrics or return;
    return (StatusEdge::Test::metric($mm, 'status_edge_redis_connected') // 0) == 1
        && (StatusEdge::Test::metric($mm, 'status_edge_state_stale', page => 'status:') // 1) == 0;
}, 15);
ok $ok, 'metrics: connected again, not stale';
ok wait_until(sub {
    (StatusEdge::Test::metric(scalar $t->metrics, 'status_edge_redis_reconnects_total') // 0)
        > $reconnects0 }, 10), 'reconnects counted';

# later changes arrive by PUBLISH again
$S->{page}{name} = 'After restart';
my $v3 = $t->write_state($S);
ok $t->wait_version($v3), "version $v3 after the restart";
ok $t->wait_json('/api/v2/status.json', sub { $_[0]{page}{name} eq 'After restart' }),
    'change after the restart served';

# Redis down is an expected condition: logged, but not as alert/crit
$t->stop;
done_testing;
