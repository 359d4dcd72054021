#!/usr/bin/perl
# Three edges (issue 14): one primary, three replicas, three nginx of four
# workers each, every nginx reading only its own local replica.  The admin
# tool writes on the primary; every worker of every edge serves each write
# (the zone's per-worker versions, and the API on fresh connections).
# Each nginx holds two connections, both on its own replica, none on the
# primary or another edge's replica.  The time from the admin tool's start
# to every worker of every edge is printed (make bench measures it over
# 100 writes).  Real redis-server on free loopback ports.

use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Time::HiRes qw(time);
use StatusEdge::Test qw(sample_state);
use StatusEdge::Fleet;
use StatusEdge::CLI;

my $EDGES = 3;
my $WORKERS = 4;

my $base = StatusEdge::Test->new;
my $f = StatusEdge::Fleet->new($base);
$f->redis('p');
$f->redis("r$_", replicaof => 'p') for 1 .. $EDGES;

my $w = StatusEdge::Test->new(redis_port => $f->port('p'));
my $v = $w->write_state(sample_state());
my $c = StatusEdge::CLI->new(t => $w,
    redis => 'redis://127.0.0.1:' . $f->port('p'));

my @edges;
for my $i (1 .. $EDGES) {
    my $t = StatusEdge::Test->new(workers => $WORKERS);
    $t->start_nginx(redis => ['127.0.0.1:' . $f->port("r$i")]);
    push @edges, $t;
}
for my $i (1 .. $EDGES) {
    ok $edges[$i - 1]->wait_workers_serve($v, workers => $WORKERS),
        "edge $i: all $WORKERS workers serve version $v from replica r$i";
}
for my $i (1 .. $EDGES) {
    my $m = $edges[$i - 1]->metrics;
    is StatusEdge::Test::metric($m, 'status_edge_redis_info',
        address => '127.0.0.1:' . $f->port("r$i"), role => 'replica'), 1,
        "edge $i: status_edge_redis_info names r$i, a replica";
}

# --- connections: two per nginx, on its own replica only
for my $i (1 .. $EDGES) {
    my $t = $edges[$i - 1];
    my %on;
    my $ok = StatusEdge::Test::wait_until(sub {
        %on = ();
        for my $name ('p', map { "r$_" } 1 .. $EDGES) {
            my ($by) = $t->redis_clients_by_pid(port => $f->port($name),
                list => $f->cmd($name, 'CLIENT', 'LIST'));
            my $n = 0;
            $n += $_ for values %$by;
            $on{$name} = $n;
        }
        return $on{"r$i"} == 2
            && !grep { $_ ne "r$i" && $on{$_} } keys %on;
    }, 10, 0.05);
    ok $ok, "edge $i: two connections, both on r$i, none on the primary "
        . 'or another replica' or diag explain \%on;
}

# --- writes with the admin tool on the primary
my $P = 'status:';
my @took;
my $api = sub {
    (grep { $_->{id} eq 'api' } @{ $_[0]{components} })[0] // {};
};
for my $round (1 .. 6) {
    my $status = $round % 2 ? 'major_outage' : 'operational';
    my $t0 = time;
    cli_ok('component', 'set', 'api', $status);
    my $v = version();
    my $all = 1;
    for my $i (1 .. $EDGES) {
        $all = 0 unless $edges[$i - 1]->wait_workers_serve($v,
            workers => $WORKERS, timeout => 10);
    }
    push @took, (time - $t0) * 1000;
    ok $all, "write $round (api $status, version $v): every worker of "
        . "every edge serves it";
    for my $i (1 .. $EDGES) {
        my ($bad, %pids) = (0);
        for (1 .. 12) {
            my ($st, $h, $d) = $edges[$i - 1]->get_json(
                '/api/v2/components.json');
            $bad++ unless defined $st && $st == 200 && ref $d
                && $api->($d)->{status} eq $status;
        }
        is $bad, 0, "write $round: 12 API answers of edge $i, fresh "
            . "connections, all with api $status";
    }
}
diag sprintf 'from the admin tool\'s start to every worker of %d edges '
    . '(%d writes, scrapes of each edge\'s metrics): %s ms', $EDGES,
    scalar @took, join(' ', map { sprintf '%.0f', $_ } @took);

$_->stop for @edges;
$f->stop;
done_testing;
