#!/usr/bin/perl
# An array header cannot hang the Redis link (issue 12, found by
# fuzz_reply).  hiredis 0.14 allocates a pointer for every element an
# array reply announces, at once (the 14 bytes "*2147483647\r\n" are
# 16 GiB of address space), waits for them all, and walks them all when
# it frees the reply (7 s for that one).  Through a proxy that, once
# signalled, answers one snapshot EVAL with that header and then passes
# nothing on that connection: the link must fail at once and come back,
# so the state written next is served within 10 s, every request in the
# meantime answers 200 with the last state in under a second, the
# refused reply is logged, and nginx stops on QUIT in time.  Before the
# fix the link waited for the elements for good (the new state never
# came) and the worker could not exit.

use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Time::HiRes qw(sleep time);
use StatusEdge::SignalProxy;
use StatusEdge::Test qw(sample_state);

my $P = '/api/v2/status.json';

# a forked TCP proxy to Redis; after SIGUSR1, the next client buffer
# holding EVAL gets "*2147483647\r\n" instead of a reply, and that
# connection then passes nothing either way (it stays open); the others
# pass as they are
sub poisoning_proxy {
    my ($to) = @_;
    my $armed = 0;
    return StatusEdge::SignalProxy::start(to => $to,
        on_data => sub {
            my ($proxy, $from, $buf) = @_;
            return 1 unless $armed && $proxy->is_client($from)
                && $buf =~ /EVAL/;
            syswrite $from, "*2147483647\r\n";
            $proxy->mute($from);
            $armed = 0;
            return 0;
        },
        on_usr1 => sub { $armed = 1 });
}

my $t = StatusEdge::Test->new;
$t->start_redis;
my $S = sample_state();
$S->{page}{name} = 'Before the header';
my $v = $t->write_state($S);
my ($proxy, $port) = poisoning_proxy($t->redis_port);

$t->start_nginx(workers => 1, poll => '1s', resync => '60s',
    redis => ["127.0.0.1:$port timeout=1000"]);
ok $t->wait_version($v), "state $v served through the proxy";

kill 'USR1', $proxy;
sleep 0.2;
$S->{page}{name} = 'After the header';
$t->write_state($S);

# until the new state is served (10 s at most)
my ($worst, $fails, $n, $new) = (0, 0, 0, 0);
my $end = time + 10;
while (time < $end && !$new) {
    my $t0 = time;
    my ($st, $h, $body) = $t->http(GET => $P, timeout => 15);
    my $dt = time - $t0;
    $worst = $dt if $dt > $worst;
    $n++;
    $new = 1 if ($body // '') =~ /"name":"After the header"/;
    $fails++ unless defined $st && $st == 200
        && ($new || ($body // '') =~ /"name":"Before the header"/);
    sleep 0.1;
}
diag sprintf '%d requests, the slowest %.3f s', $n, $worst;
ok $new, 'the link came back: the new state is served';
is $fails, 0, 'every request answered 200 with a whole state';
cmp_ok $worst, '<', 1, 'no request waited a second';

my $log = $t->log_text // "";
like $log, qr/status_edge: .*Out of memory/, 'the refused reply is logged'
    or diag $log;
unlike $log, qr/\[(?:alert|crit|emerg)\]/, 'no alert';

kill 'TERM', $proxy;
waitpid $proxy, 0;
$t->stop;

done_testing;
