#!/usr/bin/perl
# Redis slow: while Redis is blocked (DEBUG SLEEP 3 from another client),
# no worker is blocked: every request is answered well before the sleep
# ends, the API ones with the full state, and a plain `return 200` too.
# Afterwards the module recovers and a change arrives.

use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Time::HiRes qw(time sleep);
use StatusEdge::Test qw(sample_state json_decode wait_until);

my $SLEEP = 3;

my $t = StatusEdge::Test->new;
$t->start_redis(args => ['--enable-debug-command', 'local']);
my $S = sample_state();
my $v = $t->write_state($S);
$t->start_nginx(poll => '1s', resync => '2s',
    redis => ['127.0.0.1:' . $t->redis_port . ' timeout=500ms']);
ok $t->wait_version($v), 'state loaded';
my (undef, undef, $before) = $t->http(GET => '/api/v2/summary.json');

for my $round (1 .. 2) {
    # block Redis; make sure it really is blocked before measuring
    my $blocker = $t->redis_send_async('DEBUG', 'SLEEP', $SLEEP);
    my $t0 = time;
    my $probe = StatusEdge::Test::Redis->new(port => $t->redis_port, timeout => 0.3);
    my $blocked = !eval { $probe->cmd('PING'); 1 };
    ok $blocked, "round $round: Redis is blocked by DEBUG SLEEP $SLEEP";
    # a change published during the sleep is queued; the module polls,
    # resyncs and times out meanwhile
    my @res;
    while (time < $t0 + $SLEEP - 1.2) {
        for my $path ('/api/v2/summary.json', '/plain', '/api/v2/status.json', '/ind') {
            my $s = time;
            my ($st, $h, $body) = $t->http(GET => $path, timeout => 1);
            push @res, { path => $path, st => $st, err => $h->{_error},
                         body => $body, took => time - $s, end => time };
        }
        sleep 0.05;
    }
    my $n = @res;
    ok $n >= 8, "round $round: $n requests made during the sleep";
    my @unanswered = grep { !defined $_->{st} } @res;
    ok !@unanswered, "round $round: every request answered within 1 s"
        or diag join "\n", map { "$_->{path}: $_->{err}" } @unanswered;
    my @late = grep { $_->{end} >= $t0 + $SLEEP } @res;
    ok !@late, "round $round: all answered before the sleep ended";
    my @not200 = grep { ($_->{st} // 0) != 200 } @res;
    ok !@not200, "round $round: all 200"
        or diag join "\n", map { "$_->{path}: " . ($_->{st} // 'none') } @not200;
    my @wrong = grep { $_->{path} eq '/api/v2/summary.json' && ($_->{body} // '') ne $before } @res;
    ok !@wrong, "round $round: the full state served";
    my @plain = grep { $_->{path} eq '/plain' && ($_->{body} // '') eq 'plain' } @res;
    ok @plain > 0, "round $round: plain location answered " . scalar(@plain) . ' times';
    my $max = 0;
    $max < $_->{took} and $max = $_->{took} for @res;
    note sprintf 'round %d: slowest answer %.3f s', $round, $max;

    # the sleep ends
    my $r = eval { $blocker->read_reply($SLEEP + 5) };
    is $r, 'OK', "round $round: DEBUG SLEEP returned";
    $blocker->close;
    $probe->close;
}

# recovery: a change is served
$S->{page}{name} = 'After the slow Redis';
$v = $t->write_state($S);
ok $t->wait_version($v, timeout => 20), "version $v served after the sleeps";
ok $t->wait_json('/api/v2/summary.json',
    sub { $_[0]{page}{name} eq 'After the slow Redis' }), 'new content served';
ok wait_until(sub {
    (StatusEdge::Test::metric(scalar $t->metrics, 'status_edge_redis_connected') // 0) == 1
}, 15), 'connected again';

$t->stop;
done_testing;
