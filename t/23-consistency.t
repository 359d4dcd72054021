#!/usr/bin/perl
# One consistent snapshot per load: while a writer keeps changing the page
# name, a component and an incident together (MULTI/EXEC with the version
# bump and PUBLISH), every document served carries the three from the same
# write, and matches the $status_edge_version of the worker.

use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use POSIX ();
use Time::HiRes qw(time sleep);
use StatusEdge::Test qw(sample_state wait_until);

my $WRITES = 150;

my $t = StatusEdge::Test->new;
$t->start_redis;
my $S = sample_state();
$S->{page}{name} = 'w0';
$S->{components}[0]{description} = 'w0';
$S->{incidents}[0]{name} = 'w0';
my $v0 = $t->write_state($S);
$t->start_nginx(servers => $t->server_conf(extra => <<'EOF'));
        location /cons/ {
            status_edge_api;
            add_header X-Version $status_edge_version always;
        }
EOF
ok $t->wait_version($v0), 'state loaded';

my $port = $t->redis_port;
my $pid = fork // die "fork: $!";
if (!$pid) {
    my $r = StatusEdge::Test::Redis->new(port => $port);
    for my $i (1 .. $WRITES) {
        my $v = $v0 + $i;
        my $tag = "w$i";
        $r->cmd('MULTI');
        $r->cmd('HSET', 'status:page', 'name', $tag);
        $r->cmd('HSET', 'status:component:api', 'description', $tag);
        $r->cmd('HSET', 'status:incident:inc-api', 'name', $tag);
        $r->cmd('INCR', 'status:version');
        $r->cmd('PUBLISH', 'status:events', $v);
        $r->cmd('EXEC');
        sleep 0.005;
    }
    POSIX::_exit(0);
}

my ($n, @mixed, @errors) = (0);
my %versions;
my $deadline = time + 30;
while (time < $deadline) {
    my $done = waitpid($pid, POSIX::WNOHANG()) == $pid;
    my ($st, $h, $d) = $t->get_json('/cons/summary.json');
    $n++;
    if (!defined $st || $st != 200 || !ref $d) {
        push @errors, $st // $h->{_error};
    } else {
        my @tags = ($d->{page}{name}, $d->{components}[0]{description},
                    $d->{incidents}[0]{name});
        my $v = $h->{'x-version'} // '';
        my $want = 'w' . (($v =~ /^\d+$/ ? $v : 0) - $v0);
        push @mixed, "version $v: @tags" if grep { ($_ // '') ne $want } @tags;
        $versions{$v}++;
    }
    last if $done;
}
ok !@errors, "$n requests, all 200" or diag "@errors[0 .. ($#errors > 5 ? 5 : $#errors)]";
ok !@mixed, 'every document from one write, matching $status_edge_version'
    or diag join "\n", @mixed[0 .. ($#mixed > 9 ? 9 : $#mixed)];
ok keys(%versions) > 3, scalar(keys %versions) . ' distinct versions seen while writing';
ok $t->wait_version($v0 + $WRITES), 'the last write is served';

$t->stop;
done_testing;
