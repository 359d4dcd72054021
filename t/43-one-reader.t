#!/usr/bin/perl
# One reader per nginx instance (issue 14): with worker_processes 8,
#  1. Redis sees at most two connections from nginx, all of the one worker
#     the metrics name as the reader (status_edge_reader_pid);
#  2. a write is served by every worker (status_edge_worker_version of
#     each, from the zone, and requests on fresh connections), and every
#     scrape of any worker shows the same instance figures;
#  3. the reader killed with SIGKILL: another worker takes over within a
#     second (measured), changes keep arriving, still two connections;
#  4. a reload moves the reader to a new worker, every request meanwhile
#     answered 200, and changes arrive after it.

use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use POSIX ();
use Time::HiRes qw(time sleep);
use StatusEdge::Test qw(sample_state wait_until json_decode);

my $WORKERS = 8;
my $P = 'status:';

my $t = StatusEdge::Test->new(workers => $WORKERS);
$t->start_redis;
my $S = sample_state();
my $v = $t->write_state($S);

# poll and resync a minute away: only the reader's subscription brings
# the changes below
$t->start_nginx(poll => '60s', resync => '60s');
ok $t->wait_version($v), "initial load: version $v";

sub metric { StatusEdge::Test::metric(@_) }

# the instance's figures, from any worker
sub reader_pid {
    my $m = $t->metrics or return undef;
    return metric($m, 'status_edge_reader_pid');
}

# every worker of nginx serves version >= $v, by the zone's per-worker
# versions (one scrape shows them all, whichever worker answers)
sub all_workers_serve {
    my ($v, $timeout) = @_;
    return $t->wait_workers_serve($v, page => $P, workers => $WORKERS,
        timeout => $timeout);
}

# waits until nginx's connections to Redis are all the reader's, two
sub check_connections {
    my ($what) = @_;
    my ($by, $reader);
    my $ok = wait_until(sub {
        $reader = reader_pid() or return 0;
        ($by) = $t->redis_clients_by_pid;
        my $n = 0;
        $n += $_ for values %$by;
        return $n == 2 && ($by->{$reader} // 0) == 2;
    }, 10, 0.05);
    ok $ok, "$what: Redis sees two connections from nginx, both of the "
        . "reader $reader" or diag explain { reader => $reader, by => $by,
            list => $t->redis('CLIENT', 'LIST') };
    return $reader;
}

# --- 1. connections
my $reader = check_connections("$WORKERS workers");
ok((grep { $_ == $reader } $t->worker_pids), 'the reader is a worker');
{
    my $m = $t->metrics;
    my $port = $t->redis_port;
    is metric($m, 'status_edge_redis_info', address => "127.0.0.1:$port",
        role => 'primary'), 1,
        'status_edge_redis_info names the address and its role';
    is metric($m, 'status_edge_reader_changes_total'), 1,
        'one reader since the start';
}

# --- 2. a write reaches every worker
for my $round (1 .. 3) {
    $S->{page}{name} = "Round $round";
    $v = $t->write_state($S);
    ok all_workers_serve($v), "round $round: version $v served by all "
        . "$WORKERS workers (per-worker metric)";
}
{
    # and on fresh connections, whichever worker accepts them
    my (%pids, $bad);
    for (1 .. 80) {
        my ($ind, $ver, $pid) = $t->ind;
        $bad++ unless defined $ver && $ver == $v;
        $pids{$pid}++ if defined $pid;
    }
    ok !$bad, "80 requests on fresh connections: all version $v ("
        . keys(%pids) . ' workers answered)';
}
{
    # every scrape shows the instance's figures, not one worker's
    my (%loads, %readers, %conn, %answered);
    for (1 .. 40) {
        my ($m, undef, $h) = $t->metrics;
        next unless $m;
        $loads{ metric($m, 'status_edge_loads_total', page => $P) // 'none' }++;
        $readers{ metric($m, 'status_edge_reader_pid') // 'none' }++;
        $conn{ metric($m, 'status_edge_redis_connected') // 'none' }++;
        my ($k) = grep { /^status_edge_redis_connected\{/ } keys %$m;
        $answered{$1}++ if $k && $k =~ /worker="(\d+)"/;
    }
    is keys(%loads), 1, 'status_edge_loads_total: the same in every scrape '
        . '(' . join(',', keys %loads) . ', ' . keys(%answered)
        . ' workers answered)' or diag explain \%loads;
    ok +(keys %loads)[0] >= 4, 'the reader\'s four loads counted';
    is_deeply [keys %readers], [$reader], 'every scrape names the reader';
    is_deeply [keys %conn], [1], 'every scrape: connected';
}

# --- 3. the reader killed
my $killed;
{
    my $loads0 = metric(scalar $t->metrics, 'status_edge_loads_total',
        page => $P);
    my $t0 = time;
    $killed = $reader;
    kill 'KILL', $reader;
    my $next;
    my $took = wait_until(sub {
        $next = reader_pid();
        return defined $next && $next != 0 && $next != $reader;
    }, 5, 0.01);
    my $dt = time - $t0;
    diag sprintf 'SIGKILL of reader %d: worker %s took over in %.0f ms',
        $reader, $next // '-', $dt * 1000;
    ok $took && $dt < 1.0, 'another worker takes the lease within a second';
    my $m = $t->metrics;
    is metric($m, 'status_edge_reader_changes_total'), 2, 'two readers so far';

    my $connected = wait_until(sub {
        (metric(scalar $t->metrics, 'status_edge_redis_connected') // 0) == 1
    }, 5, 0.01);
    diag sprintf 'the new reader connected %.0f ms after the SIGKILL',
        (time - $t0) * 1000;
    ok $connected, 'the new reader is connected';

    # the master's new worker included
    ok wait_until(sub { $t->worker_pids == $WORKERS }, 10),
        "$WORKERS workers again";
    $S->{page}{name} = 'After the kill';
    $v = $t->write_state($S);
    ok all_workers_serve($v), "after the kill: version $v served by all "
        . 'workers';
    ok $t->wait_json('/api/v2/summary.json',
        sub { $_[0]{page}{name} eq 'After the kill' }, row => 10),
        'the change is served';
    my $loads = metric(scalar $t->metrics, 'status_edge_loads_total',
        page => $P);
    ok defined $loads0 && defined $loads && $loads > $loads0,
        "the instance's loads go on from the dead reader's ($loads0 -> "
        . ($loads // '-') . ')';
    $reader = check_connections('after the kill');
}

# --- 4. a reload moves the reader, without a gap
{
    my $results = $t->prefix . '/load-results';
    my $stop = $t->prefix . '/load-stop';
    my $port = $t->port;
    my $pid = fork // die "fork: $!";
    if (!$pid) {
        open my $out, '>', $results or POSIX::_exit(1);
        my $end = time + 30;
        for my $i (1 .. 3000) {
            last if -e $stop || time > $end;
            my ($st, undef, $body) = StatusEdge::Test::http_request($port,
                GET => '/api/v2/status.json', timeout => 5);
            my $d = defined $body ? json_decode($body) : undef;
            printf $out "%s %s\n", $st // 'none',
                ref $d eq 'HASH' ? $d->{page}{name} // '-' : '-';
        }
        close $out;
        POSIX::_exit(0);
    }
    sleep 0.3;
    my @old = $t->worker_pids;
    my $ok = eval { $t->reload(timeout => 20); 1 };
    ok $ok, 'reload: new workers up, old ones gone' or diag $@;
    my %old = map { $_ => 1 } @old;
    my $new;
    ok wait_until(sub {
        $new = reader_pid();
        return $new && !$old{$new}
            && (metric(scalar $t->metrics, 'status_edge_redis_connected')
                // 0) == 1;
    }, 5, 0.01), "the reader moved to a new worker ($reader -> "
        . ($new // '-') . ')';
    $S->{page}{name} = 'After the reload';
    $v = $t->write_state($S);
    ok all_workers_serve($v), "after the reload: version $v served by all "
        . 'workers';
    sleep 0.2;
    open my $fh, '>', $stop or die;
    close $fh;
    my $reaped = wait_until(sub { waitpid($pid, POSIX::WNOHANG()) == $pid },
        40);
    kill 'KILL', $pid unless $reaped;
    open my $in, '<', $results or die "$results: $!";
    my @lines = <$in>;
    close $in;
    my @bad = grep { !/^200 / } @lines;
    ok @lines >= 20, scalar(@lines) . ' requests during the reload';
    ok !@bad, 'every one answered 200' or diag join '', @bad[0 .. 9];
    ok((grep { /^200 After the kill$/ } @lines)
        && !grep { /^200 (?!After the (?:kill|reload)$)/ } @lines,
        'during the reload: only the state before it and the one after');
    check_connections('after the reload');
}

# the SIGKILL's own line, and only that one
$t->stop(allow => qr/worker process $killed exited on signal 9$/);
done_testing;
