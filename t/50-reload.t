#!/usr/bin/perl
# nginx -s reload under load: a child process keeps requesting
# summary.json while the test reloads nginx three times (and changes the
# state once in between).  Every response is 200 with the full JSON; old
# workers exit (no timer or connection left behind) and the number of
# Redis client connections returns to what it was.

use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use POSIX ();
use Time::HiRes qw(time sleep);
use StatusEdge::Test qw(sample_state json_decode wait_until);

my $t = StatusEdge::Test->new;
$t->start_redis;
my $S = sample_state();
my $v = $t->write_state($S);
$t->start_nginx(poll => '1s', resync => '5s');
ok $t->wait_version($v), 'state loaded';

sub redis_clients {
    my $list = $t->redis('CLIENT', 'LIST');
    # ours is one of them
    return scalar(grep { /\S/ } split /\n/, $list) - 1;
}
my $clients0 = redis_clients();
ok $clients0 > 0, "nginx holds $clients0 Redis connections";

my $results = $t->prefix . '/load-results';
my $stop = $t->prefix . '/load-stop';
my $port = $t->port;
my $MAX_REQUESTS = 3000;
my $MAX_SECONDS = 40;

my $pid = fork // die "fork: $!";
if (!$pid) {
    # the load: sequential requests until told to stop (bounded)
    open my $out, '>', $results or POSIX::_exit(1);
    my $end = time + $MAX_SECONDS;
    for my $i (1 .. $MAX_REQUESTS) {
        last if -e $stop || time > $end;
        my ($st, $h, $body) = StatusEdge::Test::http_request($port, GET => '/api/v2/summary.json',
            timeout => 5);
        my $d = defined $body ? json_decode($body) : undef;
        my $full = ref $d eq 'HASH' && ref $d->{page} eq 'HASH'
            && ($d->{page}{id} // '') eq 'kctbh9vrtdwd'
            && ref $d->{components} eq 'ARRAY' && @{ $d->{components} } == 5
            && ref $d->{incidents} eq 'ARRAY' ? 1 : 0;
        printf $out "%d %s %d %d %s\n", $i, $st // 'none', length($body // ''), $full,
            ($st ? '' : $h->{_error});
    }
    close $out;
    POSIX::_exit(0);
}

sleep 0.3;
my $reloads = 0;
for my $n (1 .. 3) {
    my $ok = eval { $t->reload(timeout => 20); 1 };
    ok $ok, "reload $n: new workers up, old workers exited" or diag $@;
    $reloads++ if $ok;
    if ($n == 2) {
        $S->{page}{name} = 'Changed during reloads';
        $v = $t->write_state($S);
    }
    sleep 0.3;
}
open my $fh, '>', $stop or die;
close $fh;
my $reaped = wait_until(sub { waitpid($pid, POSIX::WNOHANG()) == $pid }, $MAX_SECONDS + 10);
ok $reaped, 'load process finished';
kill 'KILL', $pid unless $reaped;

open my $in, '<', $results or die "$results: $!";
my @lines = <$in>;
close $in;
my @bad = grep { !/^\d+ 200 \d+ 1 $/ } @lines;
ok @lines >= 50, scalar(@lines) . ' requests made during 3 reloads';
ok !@bad, 'every response 200 with the full JSON'
    or diag 'bad: ' . @bad . "\n" . join '', @bad[0 .. ($#bad > 9 ? 9 : $#bad)];

# the state changed between reloads is served by the new workers
ok $t->wait_version($v), "version $v served after the reloads";
ok $t->wait_json('/api/v2/summary.json',
    sub { $_[0]{page}{name} eq 'Changed during reloads' }), 'changed state served';

# no Redis connection left behind by the old workers
my $clients;
ok wait_until(sub { ($clients = redis_clients()) <= $clients0 }, 15),
    "Redis connections back to $clients0 (now $clients)"
    or diag $t->redis('CLIENT', 'LIST');

# a reload with a broken configuration: nginx keeps the old workers and
# keeps serving
{
    my @before = $t->worker_pids;
    my $good = StatusEdge::Test::slurp($t->conf_file);
    (my $bad = $good) =~ s/status_edge_redis [^;]+;/status_edge_redis nohost:abc;/;
    StatusEdge::Test::_write_file($t->conf_file, $bad);
    StatusEdge::Test::_run([StatusEdge::Test::_nginx_args($t, $t->conf_file), '-s', 'reload'],
        undef, StatusEdge::Test::_nginx_env());
    ok wait_until(sub { $t->log_text =~ /\[emerg\].*nohost:abc/ }, 10),
        'broken reload: the master reports the bad address';
    my ($st, undef, $d) = $t->get_json('/api/v2/summary.json');
    is $st, 200, 'broken reload: still serving';
    is_deeply [$t->worker_pids], \@before, 'broken reload: same workers';
    StatusEdge::Test::_write_file($t->conf_file, $good);
}

# a worker killed: the master starts a new one, which serves the state
# (requests keep getting 200 meanwhile)
{
    my ($victim) = $t->worker_pids;
    kill 'KILL', $victim;
    my @res;
    my $end = time + 2;
    while (time < $end && @res < 1500) {
        my ($st) = $t->http(GET => '/api/v2/summary.json', timeout => 5);
        push @res, $st // 'none';
    }
    my @bad = grep { $_ ne '200' } @res;
    ok !@bad, scalar(@res) . ' requests around a worker crash: all 200' or diag "@bad";
    ok !grep({ $_ == $victim } $t->worker_pids), 'a new worker replaced the killed one';
    ok $t->wait_version($v), 'every worker, the new one too, serves the state';
}

# a reload that changes the page of the server
{
    my $O = sample_state();
    $O->{page}{name} = 'Other page after reload';
    my $vo = $t->write_state($O, prefix => 'other:');
    $t->reload(conf => $t->nginx_conf(poll => '1s', resync => '5s',
        servers => $t->server_conf(page => 'other:')));
    ok $t->wait_json('/api/v2/summary.json',
        sub { $_[0]{page}{name} eq 'Other page after reload' }), 'reload: new page served';
    my ($ind, $ver) = $t->ind;
    is $ver, $vo, 'reload: variables of the new page';
}

$t->stop(allow => qr/nohost:abc|worker process \d+ exited on signal 9/);
done_testing;
