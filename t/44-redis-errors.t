#!/usr/bin/perl
# An error reply moves to the next address, and the state served never goes
# backwards.  Two real redis-servers, a (first) and b (second), both with
# an ACL user "edge" that nginx logs in as:
#  1. LOADING: a restarted with a big RDB loaded slowly (key-load-delay):
#     nginx, started while a loads, serves b; once a has loaded, the resync
#     goes back to it;
#  2. BUSY: a script runs on a past busy-reply-threshold: the keepalive's
#     -BUSY moves to b; SCRIPT KILL, and the resync goes back to a;
#  3. NOPERM: the ACL of "edge" on a loses TIME (a command the snapshot
#     script runs: Redis 7 says "ERR The user executing the script can't
#     run this command", Redis' refusal, not the script's failure), then
#     EVALSHA and EVAL (the reads go by EVALSHA, which falls back to EVAL
#     when refused): a hand edit on a, whose read is refused, moves to b;
#  4. MASTERDOWN from a fake Redis (every command refused): b is served.
# Each of them, on the code before, stayed on a: b's state was never
# served.  Every answer of /ind is checked: no worker's version goes down.

use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use StatusEdge::Test qw(sample_state wait_until);
use StatusEdge::Fleet;
use StatusEdge::FakeRedis;

my $t = StatusEdge::Test->new;
my $f = StatusEdge::Fleet->new($t);
my @user = ('--user', 'edge', 'on', '>edge-pw', '~*', '&*', '+@all');
$f->redis($_, args => [@user]) for qw(a b);
my ($pa, $pb) = ($f->port('a'), $f->port('b'));

my %last;
my @backwards;
sub sample { $t->sample_backwards(\%last, \@backwards) }

# 10 answers in a row of status.json with page name $name (and /ind
# sampled between them)
sub wait_name {
    my ($name, $timeout) = @_;
    my $row = 0;
    return wait_until(sub {
        sample();
        my ($st, undef, $d) = $t->get_json('/api/v2/status.json');
        $row = ($st // 0) == 200 && ref $d && $d->{page}{name} eq $name
            ? $row + 1 : 0;
        return $row >= 10;
    }, $timeout // 15, 0.02);
}

sub loading { (eval { $f->cmd($_[0], 'INFO', 'persistence') } // '') =~ /^loading:1/m }

my $nginx_redis = ["127.0.0.1:$pa user=edge password=edge-pw",
                   "127.0.0.1:$pb user=edge password=edge-pw"];

# --- 1. LOADING
my $A = sample_state();
$A->{page}{name} = 'A';
$f->put_state('a', $A, 6);
$f->cmd('a', 'EVAL', "for i = 1, tonumber(ARGV[1]) do "
    . "redis.call('SET', 'filler:' .. i, 'x') end", 0, 40000);
$f->cmd('a', 'SAVE');
my $B = sample_state();
$B->{page}{name} = 'B';
$f->put_state('b', $B, 5);

$f->kill_one('a');
# started by hand: StatusEdge::Fleet waits for a PONG, not sent while loading
my $adir = $f->dir('a');
my $apid = StatusEdge::Test::_spawn(cmd => [$StatusEdge::Test::REDIS,
    '--port', $pa, '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
    '--dir', $adir, '--daemonize', 'no', '--protected-mode', 'no',
    '--loglevel', 'warning', @user, '--key-load-delay', 250,
    '--loading-process-events-interval-bytes', 1024],
    out => "$adir/log.loading", env => StatusEdge::Test::_plain_env());
END { kill 'KILL', $apid if $apid }
ok wait_until(sub { loading('a') }, 10), 'a is loading its RDB';

$t->start_nginx(redis => $nginx_redis, poll => '60s', resync => '2s');
ok wait_name('B', 15), "a answers LOADING: b's state served";
ok loading('a'), '... while a is still loading';
like $t->log_text, qr/"127\.0\.0\.1:$pa" command link: snapshot refused: LOADING/,
    'the LOADING reply is logged for a';
ok wait_until(sub { !loading('a') }, 60), 'a has loaded';
ok wait_name('A', 20), "the resync went back to a: a's state, version 6";

# --- 2. BUSY
$B->{page}{name} = 'B busy';
$f->put_state('b', $B, 6);
$f->cmd('a', 'CONFIG', 'SET', 'busy-reply-threshold', 100);
my $busy = StatusEdge::Test::Redis->new(port => $pa);
$busy->cmd('AUTH', 'edge', 'edge-pw');
$busy->send_cmd('EVAL', 'while true do end', 0);
ok wait_until(sub {
    my $r = eval { StatusEdge::Test::Redis->new(port => $pa)->cmd('GET', 'x') };
    ref $r && $r->{err} =~ /^BUSY/;
}, 10), 'a runs a script past busy-reply-threshold';
ok wait_name('B busy', 25), "the keepalive's BUSY moved to b";
like $t->log_text, qr/"127\.0\.0\.1:$pa" \w+ link: (?:ROLE|PING) refused: BUSY/,
    'the BUSY reply is logged for a';
my $kill = StatusEdge::Test::Redis->new(port => $pa)->cmd('SCRIPT', 'KILL');
is $kill, 'OK', 'SCRIPT KILL';
ok wait_name('A', 20), 'the resync went back to a';

# --- 3. NOPERM: a command of the script, then EVAL itself
$B->{page}{name} = 'B noperm';
$f->put_state('b', $B, 7);
$f->cmd('a', 'ACL', 'SETUSER', 'edge', '-time');
$f->cmd('a', 'HSET', 'status:page', 'name', 'A edited');
ok wait_name('B noperm', 15), 'a refuses the TIME of the script: b served';
my $log = $t->log_text;
my $refusal = qq{"127.0.0.1:$pa" command link: snapshot refused: }
    . q{ERR The user executing the script can't run};
like $log, qr/\Q$refusal\E/, 'logged as a refusal of a';
unlike $log, qr/please report/, 'not as a failure of the script';

$f->cmd('a', 'ACL', 'SETUSER', 'edge', '+time');
$A->{page}{name} = 'A again';
$f->put_state('a', $A, 8);
ok wait_name('A again', 20), 'a allowed again: the resync went back to it';
$B->{page}{name} = 'B no eval';
$f->put_state('b', $B, 9);
$f->cmd('a', 'ACL', 'SETUSER', 'edge', '-eval', '-evalsha');
$f->cmd('a', 'HSET', 'status:page', 'name', 'A edited again');
ok wait_name('B no eval', 15), 'a refuses EVALSHA and EVAL: b served';
my $m = $t->metrics;
ok((StatusEdge::Test::metric($m, 'status_edge_redis_error_replies_total') // 0) >= 1,
    'status_edge_redis_error_replies_total counts them');
$t->stop_nginx;

# --- 4. MASTERDOWN from a fake: every command refused
my $fr = StatusEdge::FakeRedis->new(mode => 'masterdown')->start;
$B->{page}{name} = 'B masterdown';
$f->put_state('b', $B, 10);
$t->start_nginx(poll => '60s', resync => '2s',
    redis => ['127.0.0.1:' . $fr->port, "127.0.0.1:$pb user=edge password=edge-pw"]);
ok wait_name('B masterdown', 15), 'a fake answering MASTERDOWN: b served';
$B->{page}{name} = 'B after';
$f->put_state('b', $B, 11);
ok wait_name('B after', 15), "and b's changes";
ok $fr->stats->{commands} > 0, 'the fake was asked';
$t->stop_nginx;
$fr->stop;

is "@backwards", '', 'no worker served a lower version than before';
diag 'versions last served: '
    . join(' ', map { "$_=$last{$_}" } sort keys %last);

$t->stop;
done_testing;
