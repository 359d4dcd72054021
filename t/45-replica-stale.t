#!/usr/bin/perl
# A replica whose link to its primary is down is stale: it is left for the
# next address, and read as stale only when no address is both usable and
# fresh.  Real redis-servers in replication, two nginx addresses:
#  1. r1 (a replica of p1) first, q (another primary) second: p1 killed,
#     the keepalive's ROLE finds r1's link down, q is read; logged, counted;
#  2. r2a and r2b, both replicas of p2: p2 killed, a round finds both
#     stale, r2a (the first of the freshest) is read and served as stale;
#     p2 back (from its RDB): fresh again, and its changes arrive;
#  3. r3 (replica-serve-stale-data no, whose reads of keys say MASTERDOWN)
#     first, q second: p3 killed, q is read, and no worker ever serves an
#     empty state or a lower version (the version poll left at its default).
# On the code before, each stayed on the first address.  Every answer of
# /ind is checked: no worker's version goes down.

use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use StatusEdge::Test qw(sample_state wait_until);
use StatusEdge::Fleet;

my $t = StatusEdge::Test->new;
my $f = StatusEdge::Fleet->new($t);

my %last;
my @backwards;
my @empty;
sub sample { $t->sample_backwards(\%last, \@backwards) }

sub wait_name {
    my ($name, $timeout) = @_;
    my $row = 0;
    return wait_until(sub {
        sample();
        my ($st, undef, $d) = $t->get_json('/api/v2/summary.json');
        if (($st // 0) == 200 && ref $d && !@{ $d->{components} || [] }) {
            push @empty, "version $d->{page}{name}";
        }
        $row = ($st // 0) == 200 && ref $d && $d->{page}{name} eq $name
            ? $row + 1 : 0;
        return $row >= 10;
    }, $timeout // 15, 0.02);
}

# { pid => value } of the page's status_edge_state_stale, every worker
sub stale_by_worker {
    my %v;
    wait_until(sub {
        sample();
        my $m = $t->metrics or return 0;
        my ($k) = grep { /^status_edge_redis_connected\{/ } keys %$m;
        my ($pid) = ($k // '') =~ /worker="(\d+)"/ or return 0;
        $v{$pid} = StatusEdge::Test::metric($m, 'status_edge_state_stale',
            page => 'status:');
        my @w = $t->worker_pids;
        return @w && !grep { !defined $v{$_} } @w;
    }, 10, 0.02);
    return \%v;
}

sub all_workers {
    my ($v, $want) = @_;
    my @w = $t->worker_pids;
    return @w && !grep { ($v->{$_} // -1) != $want } @w;
}

sub counted {
    my $n = 0;
    for (1 .. 20) {
        my $m = $t->metrics or next;
        my $c = StatusEdge::Test::metric($m,
            'status_edge_redis_stale_replicas_total') // 0;
        $n = $c if $c > $n;
    }
    return $n;
}

my $S = sample_state();

# --- 1. a replica whose primary is killed, a fresh second address
$f->redis('p1');
$f->redis('r1', replicaof => 'p1');
$f->redis('q');
$S->{page}{name} = 'P1';
$f->put_state('p1', $S, 5);
$S->{page}{name} = 'Q';
$f->put_state('q', $S, 5);
ok wait_until(sub { ($f->cmd('r1', 'GET', 'status:version') // 0) == 5 }, 10),
    'r1 has p1\'s state';
$t->start_nginx(poll => '60s', resync => '60s',
    redis => ['127.0.0.1:' . $f->port('r1'), '127.0.0.1:' . $f->port('q')]);
ok wait_name('P1'), "r1 is read: p1's state";
ok all_workers(stale_by_worker(), 0), 'not stale';
$f->kill_one('p1');
ok wait_name('Q', 25), "p1 killed: r1's link is down, q is read";
my $log = $t->log_text;
like $log, qr/"127\.0\.0\.1:${\ $f->port('r1')}" command link: stale replica: its link to the primary is "connect/,
    'logged: which address, what ROLE says';
ok counted() >= 1, 'counted in status_edge_redis_stale_replicas_total';
$S->{page}{name} = 'Q6';
$f->put_state('q', $S, 6);
ok wait_name('Q6'), "q's changes are served";
ok all_workers(stale_by_worker(), 0), 'a fresh address: not stale';
$t->stop_nginx;

# --- 2. every address a stale replica
$f->redis('p2');
$f->redis($_, replicaof => 'p2') for qw(r2a r2b);
$S->{page}{name} = 'P2';
$f->put_state('p2', $S, 7);
# (a replica's full sync may still have p2's BGSAVE running)
ok wait_until(sub { ($f->try('p2', 'SAVE') // '') eq 'OK' }, 20),
    'p2 saved its RDB';
ok wait_until(sub {
    !grep { ($f->cmd($_, 'GET', 'status:version') // 0) != 7 } qw(r2a r2b)
}, 10), 'r2a and r2b have p2\'s state';
$t->start_nginx(poll => '60s', resync => '60s',
    redis => ['127.0.0.1:' . $f->port('r2a'), '127.0.0.1:' . $f->port('r2b')]);
ok wait_name('P2'), "p2's state served";
$f->kill_one('p2');
ok wait_until(sub { all_workers(stale_by_worker(), 1) }, 25),
    'p2 killed, both replicas stale: the state is served as stale';
ok wait_name('P2'), 'the last state, not nothing';
$log = $t->log_text;
like $log, qr/no Redis address is both usable and fresh: reading "127\.0\.0\.1:${\ $f->port('r2a')}"/,
    'r2a read (the first of the freshest)';
like $log, qr/serving the state of a replica whose link to its primary is "connect\w*" as stale/,
    'the stale state is logged';
$f->redis('p2');    # from its RDB: the replicas sync again, state kept
ok wait_until(sub { all_workers(stale_by_worker(), 0) }, 30),
    'p2 back: fresh again';
$S->{page}{name} = 'P2 8';
$f->put_state('p2', $S, 8);
ok wait_name('P2 8'), "p2's changes arrive";
$t->stop_nginx;

# --- 3. replica-serve-stale-data no
$f->redis('p3');
$f->redis('r3', replicaof => 'p3',
    args => ['--replica-serve-stale-data', 'no']);
$S->{page}{name} = 'P3';
$f->put_state('p3', $S, 9);
ok wait_until(sub { ($f->cmd('r3', 'GET', 'status:version') // 0) == 9 }, 10),
    'r3 has p3\'s state';
$t->start_nginx(resync => '60s',
    redis => ['127.0.0.1:' . $f->port('r3'), '127.0.0.1:' . $f->port('q')]);
ok wait_name('P3'), "r3 is read: p3's state";
$S->{page}{name} = 'Q10';
$f->put_state('q', $S, 10);    # ahead of r3: going to q is not going back
$f->kill_one('p3');
ok wait_until(sub {
    my $r = $f->try('r3', 'GET', 'status:version');
    ref $r && $r->{err} =~ /^MASTERDOWN/;
}, 10), 'p3 killed: r3 answers MASTERDOWN';
ok wait_name('Q10', 25), 'q is read';
$t->stop_nginx;

is "@empty", '', 'no empty state was ever served';
is "@backwards", '', 'no worker served a lower version than before';
diag 'versions last served: '
    . join(' ', map { "$_=$last{$_}" } sort keys %last);

$t->stop;
done_testing;
