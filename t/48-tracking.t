#!/usr/bin/perl
# Redis pushes the changes (CLIENT TRACKING ... BCAST, redirected to the
# subscriber connection), so an idle edge reads nothing:
#  1. two pages, one prefix within the other ("status:" and "status:eu:",
#     which Redis refuses as two BCAST prefixes): hand edits of either are
#     served, the poll and the resync a minute away;
#  2. an idle link, counted through a proxy and INFO commandstats over 20 s
#     with a 3 s resync: no read of the state, only the keepalives (PING,
#     ROLE); its bytes are printed and bounded at 1 KB a minute;
#  3. a writer's MULTI/EXEC with PUBLISH is one read (by the instance's
#     one reader), not one for
#     the PUBLISH and one for the invalidation; a redis-cli session that
#     edits key by key is read at most once per 50 ms;
#  4. FLUSHDB of another database (an invalidation of every key, nil) reads
#     the pages again, the state served is unchanged;
#  5. an ACL user with only what the module needs: tracking on;
#  6. an ACL user without CLIENT: one [warn] line (the reader's), the version
#     poll and the resync as before tracking.

use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Time::HiRes ();
use StatusEdge::Test qw(sample_state wait_until);
use StatusEdge::FaultProxy;

my $t = StatusEdge::Test->new;
$t->start_redis;

sub cmdstats {
    my $info = $t->redis('INFO', 'commandstats');
    my %c = $info =~ /^cmdstat_([^:]+):calls=(\d+)/mg;
    return \%c;
}

# snapshot reads: the script sent whole or by its SHA1
sub reads { my $c = cmdstats(); ($c->{eval} // 0) + ($c->{evalsha} // 0) }

# --- 1. nested prefixes
my $S = sample_state();
my $E = sample_state();
$E->{page}{name} = 'Europe';
my $v = $t->write_state($S);
my $ve = $t->write_state($E, prefix => 'status:eu:');
my $servers = $t->server_conf . $t->server_conf(port => 'eu', page => 'status:eu:');
$t->start_nginx(poll => '60s', resync => '60s', servers => $servers);
ok $t->wait_version($v), "status: loaded, version $v";
ok $t->wait_version($ve, port => 'eu'), "status:eu: loaded, version $ve";
my $tr = $t->worker_metric('status_edge_redis_tracking');
is scalar(grep { $_ == 1 } values %$tr), scalar($t->worker_pids),
    'tracking on, shown by every worker, with nested prefixes';
unlike $t->log_text, qr/refuses CLIENT/, 'Redis took the prefixes';

$t->redis_cli('HSET', 'status:eu:component:api', 'status', 'major_outage');
my $api = sub { (grep { $_->{id} eq 'api' } @{ $_[0]{components} })[0] // {} };
ok $t->wait_json('/api/v2/components.json',
    sub { $api->($_[0])->{status} eq 'major_outage' }, port => 'eu'),
    'a hand edit under the nested prefix is served';
my (undef, undef, $c) = $t->get_json('/api/v2/components.json');
isnt $api->($c)->{status} // 'none', 'major_outage',
    'the outer page is unchanged by it';
$t->redis_cli('HSET', 'status:page', 'name', 'Outer edited');
ok $t->wait_json('/api/v2/status.json',
    sub { $_[0]{page}{name} eq 'Outer edited' }),
    'a hand edit under the outer prefix is served';
my (undef, undef, $eu) = $t->get_json('/api/v2/status.json', port => 'eu');
is $eu->{page}{name}, 'Europe', 'the nested page is unchanged by it';
$t->stop_nginx;

# --- 2. the cost of an idle link: one worker, through a counting proxy
my $fp = StatusEdge::FaultProxy->new(target => $t->redis_port)->start;
$t->start_nginx(workers => 1, poll => '1s', resync => '3s',
    redis => ['127.0.0.1:' . $fp->port]);
ok $t->wait_version($v), 'loaded through the proxy';
ok wait_until(sub { ($t->worker_metric('status_edge_redis_tracking')->{
    ($t->worker_pids)[0]} // 0) == 1 }, 10), 'tracking on';
$t->redis('CONFIG', 'RESETSTAT');
my $s0 = $fp->stats;
my $idle = 20;
sleep $idle;
my $s1 = $fp->stats;
my $cs = cmdstats();
delete @$cs{qw(config|resetstat info)};
my @reads = grep { !/^(?:ping|role)$/ } sort keys %$cs;
is "@reads", '', "no read of the state in $idle idle seconds (resync 3 s, poll 1 s)";
ok(($cs->{ping} // 0) >= 1, "the subscriber's keepalive PING ($cs->{ping})");
ok(($cs->{role} // 0) >= 1, "the command link's keepalive ROLE ($cs->{role})");
my $up = $s1->{up} - $s0->{up};
my $down = $s1->{down} - $s0->{down};
my $per_min = ($up + $down) * 60 / $idle;
diag "idle link, $idle s: $up bytes to Redis, $down bytes from Redis "
    . sprintf('(%.0f bytes a minute); commands: %s', $per_min,
        join(' ', map { "$_=$cs->{$_}" } sort keys %$cs));
ok $per_min < 1024, 'an idle link costs under 1 KB a minute';

# the script (4 KB) goes to Redis once, then each read is its SHA1
my $changes = 5;
$t->redis('CONFIG', 'RESETSTAT');
$s0 = $fp->stats;
for my $i (1 .. $changes) {
    $S->{page}{name} = "Through the proxy $i";
    $v = $t->write_state($S);
    ok $t->wait_version($v), "change $i through the proxy: version $v";
}
$s1 = $fp->stats;
$cs = cmdstats();
my $sent = ($s1->{up} - $s0->{up}) / $changes;
diag sprintf '%d changes: %.0f bytes to Redis a change, %.0f from it; '
    . 'evalsha=%d eval=%d', $changes, $sent,
    ($s1->{down} - $s0->{down}) / $changes, $cs->{evalsha} // 0,
    $cs->{eval} // 0;
is $cs->{evalsha} // 0, $changes, 'each change read by EVALSHA';
ok $sent < 1024, 'a read sends Redis the SHA1, not the 4 KB script';

# a Redis that lost its scripts (restart, SCRIPT FLUSH, another one after a
# failover) answers NOSCRIPT: sent the script again, on the same link
$t->redis('SCRIPT', 'FLUSH');
$t->redis('CONFIG', 'RESETSTAT');
$S->{page}{name} = 'After SCRIPT FLUSH';
$v = $t->write_state($S);
ok $t->wait_version($v), "after SCRIPT FLUSH: version $v served";
$cs = cmdstats();
is_deeply [map { $cs->{$_} // 0 } qw(evalsha script|load eval)], [1, 1, 1],
    'EVALSHA answered NOSCRIPT, then SCRIPT LOAD and EVAL';
$S->{page}{name} = 'After SCRIPT FLUSH 2';
$v = $t->write_state($S);
ok $t->wait_version($v), "version $v served";
is cmdstats()->{evalsha} // 0, 2, 'and the next read is an EVALSHA again';
unlike $t->log_text, qr/\[(?:error|warn)\].*(?:NOSCRIPT|script)/i,
    'nothing logged above notice for it';
$t->stop_nginx;
$fp->stop;

# --- 3. reads per change
$t->start_nginx(poll => '60s', resync => '60s');
ok $t->wait_version($v + 0), 'restarted';
# one worker reads Redis for the instance (the reader)
my $nw = 1;
$t->redis('CONFIG', 'RESETSTAT');
my $writes = 5;
for my $i (1 .. $writes) {
    $S->{page}{name} = "Written $i";
    $v = $t->write_state($S);
    ok $t->wait_version($v), "write $i: version $v";
}
my $evals = reads();
diag "$writes writes (MULTI/EXEC with PUBLISH), one reader: $evals reads";
ok $evals >= $writes * $nw, 'the reader read every write';
ok $evals <= ($writes + 1) * $nw,
    'one read per write: the PUBLISH and the invalidation together';

$t->redis('CONFIG', 'RESETSTAT');
my $edits = 20;
my $t0 = Time::HiRes::time();
$t->redis_cli_script([ map { ['HSET', 'status:page', 'name', "Edit $_"] } 1 .. $edits ]);
my $ms = 1000 * (Time::HiRes::time() - $t0);
ok $t->wait_json('/api/v2/status.json',
    sub { $_[0]{page}{name} eq "Edit $edits" }), 'the last of the edits served';
$evals = reads();
# a read at the first edit, then at most one per 50 ms window, the last
# one after the session
my $most = $nw * (2 + int($ms / 50) + 1);
diag sprintf 'a redis-cli session of %d HSETs in %.0f ms (redis-cli\'s start '
    . 'included), %d reader: %d reads (at most %d)', $edits, $ms, $nw,
    $evals, $most;
ok $evals <= $most, 'key by key edits are read at most once per 50 ms';

# --- 4. a flush elsewhere: nil invalidation, every page read again
my $loads = sub {
    my $m = $t->metrics or return -1;
    return StatusEdge::Test::metric($m, 'status_edge_loads_total',
        page => 'status:');
};
$t->redis('CONFIG', 'RESETSTAT');
$t->redis_cli('-n', '9', 'FLUSHDB');
ok wait_until(sub { reads() >= $nw }, 10),
    'FLUSHDB of another database: the reader read again';
my ($ind, $ver) = $t->ind;
is $ver, $v, 'the state served is unchanged';
$t->stop_nginx;

# --- 5. an ACL user with what the module needs only
$t->redis('ACL', 'SETUSER', 'edge', 'on', '>edge-pw', 'resetkeys',
    '~status:*', 'resetchannels', '&status:*', '&__redis__:invalidate',
    '-@all', '+eval', '+subscribe', '+ping', '+client|id',
    '+client|tracking', '+role', '+get', '+@read', '+memory|usage', '+time');
$t->redis('CONFIG', 'RESETSTAT');
$t->start_nginx(poll => '60s', resync => '60s',
    redis => ['127.0.0.1:' . $t->redis_port . ' user=edge password=edge-pw']);
ok $t->wait_version($v), 'the minimal ACL user reads the state';
$tr = $t->worker_metric('status_edge_redis_tracking');
is scalar(grep { $_ == 1 } values %$tr), scalar($t->worker_pids),
    'and has tracking on (every worker shows the reader\'s link)';
$t->redis_cli('HSET', 'status:page', 'name', 'Edited under ACL');
ok $t->wait_json('/api/v2/status.json',
    sub { $_[0]{page}{name} eq 'Edited under ACL' }), 'hand edit served';
unlike $t->log_text, qr/refuses/, 'nothing refused';
$cs = cmdstats();
ok !$cs->{evalsha} && $cs->{eval},
    'an ACL with EVAL but not SCRIPT: read by EVAL';
$t->stop_nginx;

# --- 6. an ACL user without CLIENT: the poll as before
$t->redis('ACL', 'SETUSER', 'edge', '-client');
$t->start_nginx(poll => '1s', resync => '2s',
    redis => ['127.0.0.1:' . $t->redis_port . ' user=edge password=edge-pw']);
ok $t->wait_version($v), 'an ACL user without CLIENT reads the state';
$tr = $t->worker_metric('status_edge_redis_tracking');
is scalar(grep { $_ == 0 } values %$tr), scalar($t->worker_pids),
    'tracking off';
$t->redis('HSET', 'status:page', 'name', 'Polled');
$v = $t->bump(publish => 0);
ok $t->wait_version($v), "INCR without PUBLISH: version $v seen by the poll";
$t->redis_cli('HSET', 'status:page', 'name', 'Resynced');
ok $t->wait_json('/api/v2/status.json',
    sub { $_[0]{page}{name} eq 'Resynced' }, timeout => 20),
    'a hand edit without a bump seen at the resync';
my @refused = $t->log_text =~ /(\[warn\].*refuses CLIENT ID.*)/g;
is scalar(@refused), $nw, 'one [warn] line, the reader\'s';
like $refused[0] // '', qr/NOPERM.*reading Pversion every 1000 ms/,
    'it says why and what instead';
$t->stop_nginx;

# --- 7. the poll and a state held back: Redis' version is lower than the
# one served, the read is held; the poll sees the same lower version again
# and does not read the state again at every poll (it did, once a poll)
$t->start_nginx(workers => 1, poll => '200ms', resync => '60s',
    redis => ['127.0.0.1:' . $t->redis_port . ' user=edge password=edge-pw']);
ok $t->wait_version($v), "the poll fallback serves version $v";
$t->redis('SET', 'status:version', $v - 1);
ok wait_until(sub {
        my $m = $t->metrics or return 0;
        (StatusEdge::Test::metric($m, 'status_edge_state_held_total',
            page => 'status:') // 0) > 0 }, 10),
    'a lower version is held back';
my $held_evals = reads();
sleep 2;
my $rereads = reads() - $held_evals;
ok $rereads <= 1, "no read again in 2 s of polls every 200 ms ($rereads)";
is +($t->ind)[1], $v, "version $v still served";
$v = $t->bump(publish => 0) for 1 .. 2;
ok $t->wait_version($v), "a higher version ($v) is read and served";

$t->stop;
done_testing;
