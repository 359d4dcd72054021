#!/usr/bin/perl
# Regressions around reloads and nginx's helper processes (each part
# starts its own Redis and nginx and stops them):
#
# 1. A reload that FAILS (a configuration error after the http block, or
#    an unknown variable inside it), then a worker killed with SIGKILL: the
#    worker the master starts again must serve 200 with the last state.
#    Before the fix, the module kept pointers to the shared zone and the
#    thread pool of the configuration being parsed; after the failed reload
#    they dangled and every respawned worker crashed (signal 11) in a loop.
#
#    The reload is signalled with SIGHUP to the master: `nginx -s reload`
#    parses the configuration itself first and, finding the error, exits
#    without signalling anything.
#
# 2. The same with Redis killed before the failed reload: the respawned
#    worker serves the last state from shared memory (stale).  Then a
#    successful reload while Redis is still down keeps serving 200.
#
# 3. proxy_cache_path in http: nginx runs a cache manager and a cache
#    loader, which have no thread pool; before the fix they loaded states
#    too and crashed on the first one.  Nothing may exit on a signal while
#    a state is loaded and changed.

use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Time::HiRes qw(sleep);
use StatusEdge::Test qw(sample_state wait_until);

my $S = '/api/v2/summary.json';

# lines of error.log (and nginx's output) that say a process crashed:
# exited on any signal but 9 (our SIGKILL), or dumped core
sub crash_lines {
    my ($t, $from) = @_;
    my $text = substr($t->log_text, $from // 0)
        . StatusEdge::Test::slurp($t->prefix . '/nginx.out');
    return grep { /exited on signal (?!9\b)\d+|signal 11|core dumped/ }
        split /\n/, $text;
}

# $from: an offset in error.log (default: all of it)
sub no_crash {
    my ($t, $what, $from) = @_;
    my @c = crash_lines($t, $from);
    my $n = @c;
    splice @c, 5 if @c > 5;
    ok !$n, "$what: no process exited on signal 11 (or any but 9)"
        or diag "$n lines:\n" . join "\n", @c;
}

sub count_matches {
    my ($t, $re) = @_;
    my @m = $t->log_text =~ /$re/g;
    return scalar @m;
}

# writes $conf, sends SIGHUP to the master, waits for the master to report
# $msg (an [emerg] logged by the master's pid), puts the good configuration
# back
sub failed_reload {
    my ($t, $conf, $msg, $what) = @_;
    my $master = $t->nginx_pid;
    my $re = qr/\[emerg\] $master#\d+: [^\n]*\Q$msg\E/;
    my $good = StatusEdge::Test::slurp($t->conf_file);
    my @before = $t->worker_pids;
    my $n0 = count_matches($t, $re);
    StatusEdge::Test::_write_file($t->conf_file, $conf);
    kill 'HUP', $t->nginx_pid;
    ok wait_until(sub { count_matches($t, $re) > $n0 }, 15),
        "$what: the master reports the error"
        or diag $t->log_tail(10);
    StatusEdge::Test::_write_file($t->conf_file, $good);
    # the old worker goes on: a failed reload starts none
    sleep 0.3;
    is_deeply [$t->worker_pids], \@before, "$what: same worker";
}

# SIGKILL to the (only) worker; waits for the master to start another one
sub kill_worker {
    my ($t, $what) = @_;
    my ($victim) = $t->worker_pids;
    ok $victim, "$what: a worker runs" or return;
    kill 'KILL', $victim;
    ok wait_until(sub {
        my @w = $t->worker_pids;
        return @w && !grep { $_ == $victim } @w;
    }, 15), "$what: the master started a new worker";
}

# the (new) worker serves $body: one 200 with it within 15 s, then 10 in a
# row
sub serves_same {
    my ($t, $body, $what) = @_;
    my $first = wait_until(sub {
        my ($st, undef, $b) = $t->http(GET => $S, timeout => 3);
        return defined $st && $st == 200 && defined $b && $b eq $body;
    }, 15, 0.1);
    my %st;
    if ($first) {
        for (1 .. 10) {
            my ($st, undef, $b) = $t->http(GET => $S, timeout => 5);
            $st{ ($st // 'none')
                . (defined $b && $b eq $body ? ' same' : ' other') }++;
        }
    }
    my $ok = $first && keys %st == 1 && ($st{'200 same'} // 0) == 10;
    ok $ok, "$what: 200 with the last state (then 10 in a row)"
        or diag $first ? explain \%st : 'no 200 with the last state in 15 s';
}

sub stale_metric {
    my ($t) = @_;
    my $m = $t->metrics or return -1;
    return StatusEdge::Test::metric($m, 'status_edge_state_stale',
        page => 'status:') // -1;
}

# --------------------------------------------------------------------------
# 1. failed reloads, then a worker killed; Redis up
{
    my $t = StatusEdge::Test->new(workers => 1);
    $t->start_redis;
    my $v = $t->write_state(sample_state());
    my $conf = $t->nginx_conf(poll => '1s', resync => '30s');
    $t->start_nginx(conf => $conf);
    ok $t->wait_version($v), 'state loaded';
    my (undef, undef, $before) = $t->http(GET => $S);

    failed_reload($t, "$conf\nbogus_directive;\n",
        'unknown directive "bogus_directive"',
        'reload with bogus_directive after http');
    kill_worker($t, 'after the failed reload');
    serves_same($t, $before, 'respawned worker');
    no_crash($t, 'bogus_directive');

    my $bad = $t->nginx_conf(poll => '1s', resync => '30s',
        servers => $t->server_conf(
            extra => "        location = /bad { return 200 \$no_such_variable; }\n"));
    failed_reload($t, $bad,
        'unknown "no_such_variable" variable',
        'reload with an unknown variable');
    kill_worker($t, 'after the second failed reload');
    serves_same($t, $before, 'respawned worker');

    # and a change is still loaded by the respawned worker
    my $N = sample_state();
    $N->{page}{name} = 'Changed after the failed reloads';
    my $v2 = $t->write_state($N);
    ok $t->wait_json($S, sub { $_[0]{page}{name} eq $N->{page}{name} },
        timeout => 15, row => 5), 'respawned worker loads a change';
    no_crash($t, 'unknown variable');

    $t->stop(allow => qr/bogus_directive|no_such_variable|exited on signal 9\b/);
}

# --------------------------------------------------------------------------
# 2. Redis killed, failed reload, worker killed: stale state from shared
#    memory; then a successful reload with Redis still down
{
    my $t = StatusEdge::Test->new(workers => 1);
    $t->start_redis;
    my $v = $t->write_state(sample_state());
    my $conf = $t->nginx_conf(poll => '1s', resync => '30s',
        redis => ['127.0.0.1:' . $t->redis_port . ' timeout=300ms']);
    $t->start_nginx(conf => $conf);
    ok $t->wait_version($v), 'state loaded';
    my (undef, undef, $before) = $t->http(GET => $S);

    $t->stop_redis(signal => 'KILL');
    ok wait_until(sub { stale_metric($t) == 1 }, 15), 'Redis down: stale';

    failed_reload($t, "$conf\nbogus_directive;\n",
        'unknown directive "bogus_directive"',
        'Redis down, reload with bogus_directive');
    kill_worker($t, 'Redis down, after the failed reload');
    serves_same($t, $before, 'Redis down, respawned worker');
    is stale_metric($t), 1, 'the respawned worker reports the state stale';
    no_crash($t, 'Redis down, failed reload');

    # a successful reload, Redis still down: the state from shared memory
    my $mark = length $t->log_text;
    my $ok = eval { $t->reload(timeout => 20); 1 };
    ok $ok, 'successful reload with Redis down' or diag $@;
    serves_same($t, $before, 'Redis down, after a successful reload');
    is stale_metric($t), 1, 'still stale';
    kill_worker($t, 'Redis down, after the successful reload');
    serves_same($t, $before, 'Redis down, respawned after the reload');
    no_crash($t, 'Redis down, successful reload', $mark);

    $t->stop(allow => qr/bogus_directive|exited on signal 9\b/);
}

# --------------------------------------------------------------------------
# 3. proxy_cache_path: cache manager and loader
{
    my $t = StatusEdge::Test->new;
    $t->start_redis;
    my $v = $t->write_state(sample_state());
    my $prefix = $t->prefix;
    $t->start_nginx(poll => '1s', resync => '2s',
        http_extra => "    proxy_cache_path $prefix/cache keys_zone=c:1m;\n");

    # the cache manager: one of the master's children, by its title
    my $manager = sub {
        for my $p (StatusEdge::Test::children_of($t->nginx_pid)) {
            my $cmd = StatusEdge::Test::slurp("/proc/$p/cmdline");
            return $p if $cmd =~ /cache manager/;
        }
        return undef;
    };
    my $m0 = wait_until($manager, 10);
    ok $m0, "a cache manager runs ($m0)";

    ok $t->wait_version($v), 'state loaded';
    my $N = sample_state();
    $N->{page}{name} = 'Changed with a cache';
    my $v2 = $t->write_state($N);
    ok $t->wait_version($v2), 'state changed';
    ok $t->wait_json($S, sub { $_[0]{page}{name} eq $N->{page}{name} },
        timeout => 15, row => 5), 'change served';

    # a few seconds (resyncs every 2 s) for the helpers to crash
    sleep 4;
    is $manager->(), $m0, 'the same cache manager still runs';
    my @c = grep { /cache (?:manager|loader) process \d+ exited/ }
        split /\n/, $t->log_text;
    ok !@c, 'no cache manager / loader exited' or diag join "\n", @c[0 .. ($#c > 4 ? 4 : $#c)];
    no_crash($t, 'proxy_cache_path');
    my ($st) = $t->http(GET => $S);
    is $st, 200, 'still 200';

    $t->stop;
}

# --------------------------------------------------------------------------
# A state too big for the shared zone does not lose the one kept there
# (issue 12, defect 6).  The save freed the old copy before allocating the
# new one, so when the new one did not fit nothing was left: workers
# started by a reload with Redis down answered 503.  Now the old copy is
# freed only once the new one is in, and those workers start from it.
{
    my $t = StatusEdge::Test->new;
    $t->start_redis;
    my $v1 = $t->write_state(sample_state());
    $t->start_nginx(http => $t->http_conf . "    status_edge_shm_size 64k;\n");
    ok $t->wait_version($v1), "state $v1 loaded and kept in a 64k zone";

    # One worker reads Redis and the others take its states from the zone
    # (issue 14): a state that does not fit reaches no other worker, so it
    # is served by none, and every worker keeps serving the same one.
    my $big = sample_state();
    $_->{description} = 'd' x 60000 for @{ $big->{components} };
    my $v2 = $t->write_state($big);
    ok wait_until(sub { $t->log_text =~ /version $v2, \d+ bytes, does not fit in "status_edge_shm_size"/ }, 10),
        "state $v2 of ~300 KB does not fit in the zone, and that is logged";
    my %served;
    for (1 .. 20) {
        my (undef, $ver, $pid) = $t->ind;
        $served{ $ver // 'none' }++;
    }
    is_deeply \%served, { $v1 => 20 }, "every worker still serves $v1"
        or diag explain \%served;
    my $m = $t->metrics;
    ok +(StatusEdge::Test::metric($m, 'status_edge_zone_full_total', page => 'status:') // 0) >= 1,
        'counted in status_edge_zone_full_total';

    $t->stop_redis;
    $t->reload;
    my ($st, $h, $body) = $t->http(GET => $S);
    is $st, 200, 'after a reload with Redis down: the state kept, not a 503';
    like $body, qr/"name":"Example Cloud"/, 'the page as it was kept';
    $t->stop;
}

done_testing;
