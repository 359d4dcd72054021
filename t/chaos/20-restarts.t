#!/usr/bin/perl
# Redis killed and restarted, and ten-second black holes, under load:
# Redis (with its append-only file, as a production Redis keeps its data)
# is killed with SIGKILL and started again K times, 2 s down each time,
# and the link to it becomes a black hole for 10 s K times.  After each
# recovery a new state is written and every worker must serve it within
# 2 s.  Throughout: 0 non-2xx, 0 wrong or truncated bodies, 0 failed
# requests, every event stream kept open, no [alert] or [crit].
#
# CHAOS_LONG=1: 20 restarts and 20 black holes, 1,000 streams (else 3, 2
# and 100).

use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use Time::HiRes qw(time sleep);
use StatusEdge::Test;
use StatusEdge::Load qw(chaos_env newest_everywhere check_result);

$SIG{PIPE} = 'IGNORE';
my $LONG = $ENV{CHAOS_LONG};
my $RESTARTS = $LONG ? 20 : 3;
my $HOLES = $LONG ? 20 : 2;
my $STREAMS = $LONG ? 1000 : 100;
my $DOWN = 2;
my $HOLE = 10;

my $env = chaos_env(redis_args => ['--appendonly', 'yes',
    '--appendfsync', 'always']);
my ($t, $fp) = @$env{qw(t fp)};

my $load = StatusEdge::Load->new(port => $t->port, dir => $t->prefix . '/load',
    expect => $env->{expect}, clients => 3, rate => 150,
    streams => $STREAMS,
    max_seconds => 60 + $RESTARTS * ($DOWN + 10) + $HOLES * ($HOLE + 10));
$load->start;
ok $load->wait_streams(60), "all $STREAMS streams open";

my (@kept, @late, @times);
my $check = sub {
    my ($name, $since) = @_;
    my $new = $env->{next_state}->();
    my $took = newest_everywhere($t, $new, since => $since, timeout => 15);
    push @times, $took // 99;
    push @late, sprintf('%s: %s', $name, defined $took
        ? sprintf('%.2f s', $took) : 'never') if !defined $took || $took > 2;
};

for my $i (1 .. $RESTARTS) {
    my $old = $env->{version};
    $t->stop_redis;    # SIGKILL
    sleep $DOWN;
    my ($ind, $ver) = $t->ind;
    push @kept, "restart $i: version " . ($ver // 'none') . " served while "
        . "Redis was down, not $old" if ($ver // -1) != $old;
    $t->start_redis;
    $check->("restart $i", time);
}
for my $i (1 .. $HOLES) {
    my $old = $env->{version};
    $fp->mode('blackhole');
    my $t0 = time;
    sleep 0.5;
    my $new = $env->{next_state}->();
    sleep $HOLE - (time - $t0);
    my ($ind, $ver) = $t->ind;
    push @kept, "black hole $i: version " . ($ver // 'none')
        . " served in the black hole, not $old" if ($ver // -1) != $old;
    $fp->mode('pass');
    my $since = time;
    my $took = newest_everywhere($t, $new, since => $since, timeout => 15);
    push @times, $took // 99;
    push @late, sprintf('black hole %d: %s', $i, defined $took
        ? sprintf('%.2f s', $took) : 'never') if !defined $took || $took > 2;
}
my @sorted = sort { $a <=> $b } @times;
diag sprintf 'recovery to the newest state: median %.2f s, max %.2f s over %d',
    $sorted[$#sorted / 2], $sorted[-1], scalar @sorted;
ok !@kept, "$RESTARTS restarts and $HOLES black holes: the last state kept "
    . 'while Redis was away' or diag join "\n", @kept;
# the reconnect backoff is at most 1 s (it was 5 s: this found it)
ok !@late, 'every worker on the newest state within 2 s'
    or diag join "\n", @late;

my $r = $load->stop;
check_result($r, requests => 1000, streams => $STREAMS);

$fp->stop;
$t->stop;
done_testing;
