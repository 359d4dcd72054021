#!/usr/bin/perl
# Several status_edge_redis lines are ordered fallbacks: with two Redis
# servers, the first one is used while it is up; when it dies the module
# moves on to the second; when the second dies and the first is back, it
# moves back.  Requests are answered with 200 all along.

use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use StatusEdge::Test qw(sample_state);

my $t = StatusEdge::Test->new;     # nginx and the first Redis
my $t2 = StatusEdge::Test->new;    # the second Redis
$t->start_redis;
$t2->start_redis;

sub state_named {
    my ($name) = @_;
    my $s = sample_state();
    $s->{page}{name} = $name;
    return $s;
}
$t->write_state(state_named('First'));
$t2->write_state(state_named('Second'));
$t2->write_state(state_named('Second'));

$t->start_nginx(poll => '1s', resync => '3s', redis => [
    '127.0.0.1:' . $t->redis_port . ' timeout=300ms',
    '127.0.0.1:' . $t2->redis_port . ' timeout=300ms',
]);

sub serves {
    my ($name, $what) = @_;
    ok $t->wait_json('/api/v2/status.json', sub { $_[0]{page}{name} eq $name },
        timeout => 30, row => 10), $what;
}

serves('First', 'both up: the first address is used');

$t->stop_redis(signal => 'KILL');
serves('Second', 'first down: the second address is used');
$t2->write_state(state_named('Second, changed'));
serves('Second, changed', 'changes on the second arrive');

# the first one comes back empty: its writer carries the version on, or
# the module holds its state back as going backwards
# (t/47-never-backwards.t)
$t->start_redis;
$t->redis('SET', 'status:version', $t2->redis('GET', 'status:version'));
$t->write_state(state_named('First again'));
$t2->stop_redis(signal => 'KILL');
serves('First again', 'second down, first back: the first is used again');

my @bad;
for (1 .. 20) {
    my ($st) = $t->http(GET => '/api/v2/summary.json');
    push @bad, $st // 'none' unless defined $st && $st == 200;
}
ok !@bad, 'all 200' or diag "@bad";

$t->stop;
$t2->stop;
done_testing;
