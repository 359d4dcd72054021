#!/usr/bin/perl
# The chaos harness itself: the fault proxy forwards, delays, throttles,
# goes silent, resets in the middle of a reply and slices replies, and
# the fake Redis answers each of its modes; checked with a plain RESP
# client against a real redis-server, so the chaos tests can trust them.

use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use IO::Select;
use IO::Socket::INET;
use Time::HiRes qw(time sleep);
use StatusEdge::Test;
use StatusEdge::FaultProxy;
use StatusEdge::FakeRedis;

my $t = StatusEdge::Test->new;
$t->start_redis;
my $big = 'x' x 20000;
$t->redis('SET', 'big', $big);

my $fp = StatusEdge::FaultProxy->new(target => $t->redis_port)->start;

sub client {
    StatusEdge::Test::Redis->new(port => $fp->port, timeout => $_[0] // 5);
}

# raw bytes of the answer to GET big, as the client reads them: (bytes,
# number of reads, error)
sub raw_get {
    my ($timeout) = @_;
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
        PeerPort => $fp->port)
        or return ('', 0, "connect: $!");
    syswrite $s, "*2\r\n\$3\r\nGET\r\n\$3\r\nbig\r\n";
    my $want = length("\$20000\r\n") + 20000 + 2;
    my ($buf, $reads, $err) = ('', 0);
    my $sel = IO::Select->new($s);
    my $end = time + $timeout;
    while (length $buf < $want && time < $end) {
        $sel->can_read($end - time) or last;
        my $n = sysread($s, $buf, 65536, length $buf);
        if (!defined $n) { $err = "$!"; last }
        if (!$n) { $err = 'eof'; last }
        $reads++;
        sleep 0.001;
    }
    return ($buf, $reads, $err);
}

# pass
{
    my $c = client();
    is $c->cmd('PING'), 'PONG', 'pass: PING answered';
    is $c->cmd('GET', 'big'), $big, 'pass: 20000 bytes forwarded intact';
    $c->close;
}

# latency
{
    $fp->mode('latency', 400);
    my $c = client();
    my $t0 = time;
    is $c->cmd('PING'), 'PONG', 'latency: answered';
    my $took = time - $t0;
    ok $took >= 0.75 && $took < 3,
        sprintf 'latency: 400 ms each way (%.2f s)', $took;
    $c->close;
}

# bandwidth
{
    $fp->mode('bandwidth', 10000);
    my $c = client(10);
    my $t0 = time;
    is $c->cmd('GET', 'big'), $big, 'bandwidth: reply intact';
    my $took = time - $t0;
    ok $took >= 1.5 && $took < 4,
        sprintf 'bandwidth: 20 KB at 10 KB/s in %.2f s', $took;
    $c->close;
}

# slice
{
    $fp->mode('slice', 20);
    my ($buf, $reads, $err) = raw_get(20);
    is $buf, "\$20000\r\n$big\r\n", 'slice: reply intact';
    ok $reads > 50, "slice: the reply came in $reads reads";
}

# reset
{
    $fp->mode('reset', 5000);
    my ($buf, $reads, $err) = raw_get(5);
    ok length($buf) >= 1 && length($buf) <= 5000,
        'reset: cut after ' . length($buf) . ' bytes (at most 5000)';
    is $err, 'Connection reset by peer', 'reset: the client gets an RST';
    ok $fp->stats->{resets} >= 1, 'reset: counted';
}

# blackhole
{
    $fp->mode('pass');
    my $held = client(0.5);
    is $held->cmd('PING'), 'PONG', 'before the black hole: answered';
    $fp->mode('blackhole');
    my $c = client(0.5);
    ok !eval { $c->cmd('PING'); 1 },
        'blackhole: a new connection is accepted, then silent';
    like $@, qr/timeout/, 'blackhole: ... the client times out';
    ok !eval { $held->cmd('PING'); 1 },
        'blackhole: an open connection goes silent';
    my $s = $fp->stats;
    is $s->{held}, 2, 'blackhole: both connections held open';
    $fp->mode('pass');
    ok !eval { $c->cmd('PING'); 1 }, 'after: a held connection stays silent';
    my $n = client();
    is $n->cmd('PING'), 'PONG', 'after: a new connection is answered';
    $fp->drop_all;
    is $fp->stats->{open}, 0, 'drop_all closes every connection';
}

# the fake Redis, through the proxy retargeted
my $fr = StatusEdge::FakeRedis->new->start;
$fp->target($fr->port);
for my $m (qw(loading masterdown busy)) {
    $fr->mode($m);
    my $c = client();
    my $r = $c->cmd('GET', 'x');
    isa_ok $r, 'StatusEdge::Test::RedisError', "fake $m";
    like $r->{err}, qr/\A\U$m\E /, "fake $m: -\U$m\E ...";
    $c->close;
}
{
    $fr->mode('huge');
    my $c = client();
    $c->send_cmd('GET', 'x');
    my $line = eval { $c->_line(time + 2) };
    is $line, '*4294967295', 'fake huge: *4294967295';
    $c->close;
}
{
    $fr->mode('maxclients');
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
        PeerPort => $fr->port);
    my $buf = '';
    IO::Select->new($s)->can_read(2);
    sysread $s, $buf, 1000;
    is $buf, "-ERR max number of clients reached\r\n",
        'fake maxclients: at accept';
    is sysread($s, $buf, 1000), 0, 'fake maxclients: then closed';
}
{
    $fr->mode('garbage');
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
        PeerPort => $fr->port);
    syswrite $s, "*1\r\n\$4\r\nPING\r\n*1\r\n\$4\r\nPING\r\n";
    my $buf = '';
    IO::Select->new($s)->can_read(2);
    sleep 0.1;
    sysread $s, $buf, 10000;
    ok length($buf) >= 2,
        'fake garbage: ' . length($buf) . ' bytes for 2 commands';
    is $fr->stats->{commands}, 2 + 3 + 1, 'fake: every command counted';
}

# the load's checks, against an upstream that answers right, wrong, cut
# short and 500: each kind is counted where it belongs
{
    require StatusEdge::Upstream;
    require StatusEdge::Load;
    my $up = StatusEdge::Upstream->new(dir => $t->prefix . '/up');
    my $TP = ['Content-Type' => 'text/plain'];
    $up->routes(
        '/good' => { headers => $TP, body => ['hello ', 'world'] },
        '/other' => { headers => $TP, body => ['hello there'] },
        '/cut' => { headers => [@$TP, 'Content-Length' => 50], length => 0,
                    body => ['hello world'] },
        '/fail' => { status => 500, headers => $TP, body => ['hello world'] },
        '/chunked' => { headers => $TP, chunked => 1,
                        body => ['hello', ' ', 'world'] },
    );
    $up->start;
    my $load = StatusEdge::Load->new(port => $up->port,
        dir => $t->prefix . '/load', clients => 1, rate => 0,
        expect => { map { $_ => ['hello world'] } qw(/good /other /cut /fail
            /chunked) }, max_seconds => 3, max_requests => 50, timeout => 2);
    $load->start;
    my $r = $load->stop(wait => 1);
    note $load->report($r);
    my $p = $r->{by_path};
    is $r->{requests}, 50, 'load: bounded by its count';
    is $p->{'/good'}{ok}, 10, 'load: a right body counted as right';
    is $p->{'/chunked'}{ok}, 10, 'load: a right chunked body counted as right';
    is $p->{'/other'}{wrong}, 10, 'load: another body counted as wrong';
    is $p->{'/cut'}{truncated}, 10, 'load: a body short of Content-Length '
        . 'counted as truncated';
    is $p->{'/fail'}{non2xx}, 10, 'load: a 500 counted as non-2xx';
    is $r->{ok}, 20, 'load: nothing else counted as right';
    $up->stop;
}

$fp->stop;
$fr->stop;
$t->stop_redis(signal => 'TERM');
done_testing;
