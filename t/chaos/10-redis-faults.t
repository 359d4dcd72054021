#!/usr/bin/perl
# Redis faults under load: nginx reads Redis through the fault proxy
# while a mixed load (the API, a page proxied with a banner, the status
# page, event streams) runs; every fault mode of the proxy and every
# answer of the fake Redis in turn.  During each fault a new state is
# written into Redis; when the fault ends every worker must serve it
# within 2 s.  Throughout: 0 non-2xx, 0 wrong or truncated bodies, 0
# failed requests, every stream kept open with only right events, and
# no [alert], [crit] or [emerg] in the log.
#
# CHAOS_LONG=1: each fault held 10 s (else 3 s), 1,000 event streams
# (else 100).

use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use Time::HiRes qw(time sleep);
use StatusEdge::Test;
use StatusEdge::FakeRedis;
use StatusEdge::Load qw(chaos_env newest_everywhere check_result);

$SIG{PIPE} = "IGNORE";
my $LONG = $ENV{CHAOS_LONG};
my $HOLD = $LONG ? 10 : 3;
my $STREAMS = $LONG ? 1000 : 100;

my $env = chaos_env();
my ($t, $fp) = @$env{qw(t fp)};
my $fr = StatusEdge::FakeRedis->new->start;
my $real = $t->redis_port;

my @faults = (
    [proxy => 'latency', 10000],
    [proxy => 'bandwidth', 200],
    [proxy => 'blackhole'],
    [proxy => 'reset', 3000],
    [proxy => 'slice', 20],
    map({ [fake => $_] } @StatusEdge::FakeRedis::MODES),
);
# the faults nothing gets through: the old state must still be served
my %sealed = map { $_ => 1 } qw(latency bandwidth blackhole),
    @StatusEdge::FakeRedis::MODES;

my $load = StatusEdge::Load->new(port => $t->port, dir => $t->prefix . '/load',
    expect => $env->{expect}, clients => 3, rate => 150,
    streams => $STREAMS, max_seconds => 60 + @faults * ($HOLD + 20));
$load->start;
ok $load->wait_streams(60), "all $STREAMS streams open";

my @recovery;
for my $f (@faults) {
    my ($kind, $mode, $arg) = @$f;
    my $name = join ' ', $kind, $mode, $arg // ();
    my $old = $env->{version};
    if ($kind eq 'proxy') {
        $fp->mode($mode, $arg);
        # the links open now were made before: cut them, so the fault
        # meets the reconnect too
        $fp->drop_all if $mode ne 'blackhole';
    } else {
        $fr->mode($mode);
        $fp->target($fr->port);
    }
    my $t0 = time;
    sleep 0.5;
    my $new = $env->{next_state}->();
    sleep $HOLD - (time - $t0) if time - $t0 < $HOLD;
    if ($sealed{$mode}) {
        my ($ind, $ver) = $t->ind;
        is $ver, $old, "$name: the last state ($old) still served, not $new";
    }
    # the fault ends
    if ($kind eq 'proxy') { $fp->mode('pass') } else { $fp->target($real) }
    my $since = time;
    my $took = newest_everywhere($t, $new, since => $since, timeout => 15);
    push @recovery, [$name, $took];
    # the reconnect backoff is at most 1 s (it was 5 s: this found it)
    ok defined $took && $took <= 2, sprintf '%s: every worker on version %d '
        . '%.2f s after the fault ended (at most 2 s)', $name, $new,
        $took // -1;
}

my $r = $load->stop;
check_result($r, requests => 100 * @faults, streams => $STREAMS);
for my $p (@{ $env->{paths} }) {
    my $b = $r->{by_path}{$p} || {};
    ok(($b->{ok} // 0) > 0 && $b->{ok} == $b->{requests},
        "$p: $b->{ok} of $b->{requests} right");
}
my $s = $r->{streams};
is $s->{ended}, 0, 'no stream ended';
ok $s->{events} >= $STREAMS * (1 + @faults), "$s->{events} events";
diag 'recovery: ', join '; ',
    map { sprintf '%s %.2f s', $_->[0], $_->[1] // -1 } @recovery;

$fp->stop;
$fr->stop;
$t->stop;
done_testing;
