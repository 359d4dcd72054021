# tools/bench, part 4: event streams
# (one file of the bench, in its package: see tools/bench)

use strict;
use warnings;

use File::Path qw(remove_tree);
use IO::Select;
use IO::Socket::INET;
use POSIX qw(WNOHANG strftime);
use Time::HiRes qw(time sleep);
use StatusEdge::Test qw(free_port children_of slurp);

# ---------------------------------------------------------------------------
# part 4: event streams on one worker

sub vm_rss_kb {
    my ($pid) = @_;
    my ($kb) = slurp("/proc/$pid/status") =~ /^VmRSS:\s+(\d+)\s+kB/m;
    return $kb;
}

# reads one line from the client within $timeout s
sub client_line {
    my ($fh, $timeout) = @_;
    my $sel = IO::Select->new($fh);
    my $deadline = time + $timeout;
    my $line = '';
    while ($line !~ /\n\z/) {
        my $left = $deadline - time;
        die "bench: sse_clients did not answer within $timeout s\n"
            if $left <= 0 || !$sel->can_read($left);
        my $n = sysread($fh, $line, 1, length $line);
        die "bench: sse_clients exited:\n"
            . log_tail("$DIR/logs/sse_clients.log", 10) unless $n;
    }
    chomp $line;
    return $line;
}

sub events_bench {
    my ($redis) = @_;
    my $n = $OPT{streams};
    my $gcc = find_bin('gcc') or die "bench: gcc not found\n";
    my $client = "$DIR/sse_clients";
    my ($rc, $out) = run_cmd(60, undef, $gcc, '-std=c99', '-O2', '-Wall',
        '-o', $client, "$TOP/t/bench/sse_clients.c");
    die "bench: building t/bench/sse_clients.c failed:\n$out" if $rc;

    # the worker: a descriptor per stream, and some; at most the hard limit
    my (undef, $hard) = run_cmd(5, undef, '/bin/sh', '-c', 'ulimit -Hn');
    $hard = $hard =~ /(\d+)/ ? $1 : 1024;
    my $nofile = $n + 1000;
    $nofile = $hard if $hard < $nofile;
    die "bench: the hard RLIMIT_NOFILE ($hard) is too low for $n streams\n"
        if $nofile < $n + 50;

    my $ng = start_nginx(name => 'events', workers => 1, cpu => $CPU{nginx},
        main => "worker_rlimit_nofile $nofile;\n",
        worker_connections => $n + 1000, listen => ' backlog=4096',
        ready => '/v',
        server => join("\n",
            '        location = /v {',
            '            default_type text/plain;',
            '            return 200 "$pid $status_edge_version\n";',
            '        }',
            '        location = /events {',
            '            status_edge_events;',
            "            status_edge_events_max $n;",
            '        }',
            ($ENV{BENCH_EVENTS_SERVER} // '')));
    my ($worker) = children_of($ng->{pid});

    # the worker warmed up by a few streams first, then measured idle
    http_get($ng->{port}, "/v", 2);
    sleep 0.5;
    my $rss0 = vm_rss_kb($worker);

    my @wrap = defined $CPU{wrk} && find_bin('taskset')
        ? (find_bin('taskset'), '-c', $CPU{wrk}) : ();
    pipe(my $from_client, my $client_out) or die "pipe: $!";
    pipe(my $client_in, my $to_client) or die "pipe: $!";
    my $pid = fork // die "fork: $!";
    if (!$pid) {
        $SIG{$_} = 'DEFAULT' for qw(INT TERM HUP ALRM PIPE);
        close $from_client;
        close $to_client;
        open STDIN, '<&', $client_in or POSIX::_exit(126);
        open STDOUT, '>&', $client_out or POSIX::_exit(126);
        open STDERR, '>>', "$DIR/logs/sse_clients.log" or POSIX::_exit(126);
        { no warnings 'exec';
          exec { $wrap[0] // $client } @wrap, $client, $ng->{port},
              '/events', $n; }
        POSIX::_exit(127);
    }
    $CHILD{$pid} = { name => 'sse_clients', kind => 'cmd' };
    close $client_in;
    close $client_out;
    $to_client->autoflush(1);

    printf "events: opening %d streams to one worker\n", $n;
    my $t_open = time;
    my $ready = client_line($from_client, 90);
    my $open_s = time - $t_open;
    my (undef, undef, $with_id, $failed) = split ' ', $ready;
    sleep 1;
    my $rss1 = vm_rss_kb($worker);
    printf "events: %d of %d streams got their first event in %.1f s "
        . "(%d failed to connect); worker VmRSS %d -> %d kB\n",
        $with_id, $n, $open_s, $failed, $rss0, $rss1;

    my (@runs, @probe_ms);
    my $now = strftime('%Y-%m-%dT%H:%M:%SZ', gmtime);
    for my $i (1 .. $OPT{ev_changes}) {
        my $next = $redis->redis('GET', 'status:version') + 1;
        print $to_client "wait $next\n";
        my $status = $i % 2 ? 'major_outage' : 'partial_outage';
        my $v = $redis->redis('EVAL', $WRITER_LUA, 3,
            'status:component:api', 'status:version', 'status:events',
            $status, "Public REST API (events change $i)", $now);
        die "bench: version $v, expected $next\n" unless $v == $next;

        # meanwhile, requests to the same worker: is it still answering?
        my $sel = IO::Select->new($from_client);
        my $t_probe_end = time + 20;
        until ($sel->can_read(0) || time > $t_probe_end) {
            my $t1 = time;
            my $res = http_get($ng->{port}, '/v', 5);
            push @probe_ms, (time - $t1) * 1000 if $res;
            sleep 0.005;
        }
        my $done = client_line($from_client, 20);
        my (undef, $got, $total, $p50, $p99, $max, $within) = split ' ',
            $done;
        printf "  change %d (version %d): %d of %d streams, p50 %s ms, "
            . "p99 %s ms, max %s ms, %d within 1 s\n", $i, $v, $got, $total,
            $p50, $p99, $max, $within;
        push @runs, { got => $got, total => $total, p50 => $p50,
                      p99 => $p99, max => $max, within => $within };
        sleep 0.3;
    }

    print $to_client "quit\n";
    close $to_client;
    reap($pid, 10) or stop_child($pid);
    stop_nginx($ng);

    my @p50 = map { $_->{p50} } @runs;
    my @p99 = map { $_->{p99} } @runs;
    my @max = map { $_->{max} } @runs;
    return {
        streams   => $n,
        opened    => $with_id,
        failed    => $failed,
        open_s    => $open_s,
        rss0      => $rss0,
        rss1      => $rss1,
        per_stream => $with_id ? ($rss1 - $rss0) * 1024 / $with_id : undef,
        changes   => scalar @runs,
        p50       => median(@p50),
        p99       => median(@p99),
        p99_worst => (sort { $b <=> $a } @p99)[0],
        max       => (sort { $b <=> $a } @max)[0],
        within_min => (sort { $a <=> $b } map { $_->{within} } @runs)[0],
        got_min   => (sort { $a <=> $b } map { $_->{got} } @runs)[0],
        probes    => scalar @probe_ms,
        probe_p50 => percentile(50, @probe_ms),
        probe_max => (sort { $b <=> $a } @probe_ms)[0],
    };
}

1;
