# tools/bench, parts "fleet" and "herd": edges on replicas of one primary,
# and as many edges as the machine holds on one Redis
# (one file of the bench, in its package: see tools/bench)

use strict;
use warnings;

use IO::Select;
use IO::Socket::INET;
use POSIX qw(WNOHANG);
use Time::HiRes qw(time sleep);
use StatusEdge::Test qw(children_of);
use StatusEdge::Fleet;

our @FLEET_ROWS;    # the rows of both parts in the report

my $VERSION_LOCATION = join("\n",
    '        location = /v {',
    '            default_type text/plain;',
    '            return 200 "$pid $status_edge_version\n";',
    '        }');

# ---------------------------------------------------------------------------
# probes

# GET /v on a fresh connection to each port of @$ports (a port may repeat:
# reuseport spreads fresh connections over the workers), all at once:
# [port, worker pid, version, time of the answer] of every answer
sub probe_all {
    my ($ports, $timeout) = @_;
    my (%conn, @got);
    my $sel = IO::Select->new;
    for my $port (@$ports) {
        my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
            PeerPort => $port, Proto => 'tcp', Timeout => 1) or next;
        next unless defined syswrite($s, "GET /v HTTP/1.0\r\n\r\n");
        $conn{fileno $s} = { s => $s, port => $port, buf => '' };
        $sel->add($s);
    }
    my $deadline = time + $timeout;
    while ($sel->count) {
        my $left = $deadline - time;
        last if $left <= 0;
        for my $s ($sel->can_read($left)) {
            my $c = $conn{fileno $s};
            my $n = sysread($s, $c->{buf}, 4096, length $c->{buf});
            next if $n;
            $sel->remove($s);
            close $s;
            push @got, [$c->{port}, $1, $2, time]
                if $c->{buf} =~ m{\AHTTP/1\.\d 200 .*?\r\n\r\n(\d+) (\d+)}s;
        }
    }
    close $_ for $sel->handles;
    return @got;
}

# probes until every worker of every edge (%$edges: port => [pids]) has
# answered version $v or higher, or $limit s after $t0: (port => s from
# $t0 to its last worker, answers from processes not listed)
sub wait_served {
    my ($edges, $v, $t0, $limit) = @_;
    my (%pending, %done);
    my $foreign = 0;
    for my $port (keys %$edges) {
        $pending{$port}{$_} = 1 for @{ $edges->{$port} };
    }
    while (%pending && time - $t0 < $limit) {
        my @ports = map { my $n = keys %{ $pending{$_} };
                          ($_) x ($n > 1 ? 2 * @{ $edges->{$_} } : 1) }
                    keys %pending;
        for my $a (probe_all(\@ports, 1)) {
            my ($port, $pid, $pv, $when) = @$a;
            next unless $pending{$port};
            if (!grep { $_ == $pid } @{ $edges->{$port} }) {
                $foreign++;
                next;
            }
            next unless $pv >= $v && delete $pending{$port}{$pid};
            next if %{ $pending{$port} };
            delete $pending{$port};
            $done{$port} = $when - $t0;
        }
    }
    return (\%done, $foreign);
}

sub start_edges {
    my (%o) = @_;
    my @edges;
    for my $i (1 .. $o{count}) {
        push @edges, start_nginx(name => "$o{name}$i", workers => $o{workers},
            listen => ' reuseport', ready => '/v',
            redis => $o{redis}->($i), worker_connections => 256,
            main => "thread_pool default threads=1;\n",
            server => $VERSION_LOCATION);
        $edges[-1]{workers} = [children_of($edges[-1]{pid})];
    }
    return @edges;
}

sub stop_edges {
    my (@edges) = @_;
    kill 'TERM', map { $_->{pid} } @edges;
    stop_nginx($_) for @edges;
}

sub edge_map { return { map { $_->{port} => $_->{workers} } @_ } }

# nginx's connections to the Redis on $port, from CLIENT LIST and /proc:
# (per edge, the total, and the connections no edge owns)
sub edge_connections {
    my ($t, $port, $list, @edges) = @_;
    my ($by, $others) = $t->redis_clients_by_pid(port => $port,
        list => $list, pids => [map { @{ $_->{workers} } } @edges]);
    my @per = map { my $n = 0; $n += $by->{$_} // 0 for @{ $_->{workers} };
                    $n } @edges;
    my $total = 0;
    $total += $_ for @per;
    return (\@per, $total, $others);
}

sub ms { defined $_[0] ? sprintf('%.1f', $_[0]) : '-' }

# ---------------------------------------------------------------------------
# part "fleet": three edges of four workers, each on its own replica

sub fleet_bench {
    my $edges_n = 3;
    my $workers = $OPT{prop_workers};
    my $t = StatusEdge::Test->new(name => 'bench-fleet');
    my $f = StatusEdge::Fleet->new($t);
    $f->redis('p');
    $f->redis("r$_", replicaof => 'p') for 1 .. $edges_n;
    my $w = StatusEdge::Test->new(name => 'bench-fleet',
        redis_port => $f->port('p'));
    my $v = load_state($w);
    my @edges = start_edges(name => 'fleet', count => $edges_n,
        workers => $workers,
        redis => sub { '127.0.0.1:' . $f->port("r$_[0]") });
    my ($start) = wait_served(edge_map(@edges), $v, time, 10);
    die "bench: fleet: not every worker of every edge serves version $v\n"
        if keys %$start < $edges_n;

    my $cli = $ENV{STATUS_EDGE_CLI} || "$TOP/build/status-edge";
    die "bench: $cli not found: run make first\n" unless -x $cli;
    printf "fleet: %d changes with the admin tool on the primary, %d edges "
        . "of %d workers, each on its own replica\n", $OPT{changes},
        $edges_n, $workers;

    my $repl0 = repl_bytes($f->cmd('p', 'INFO', 'stats'));
    my %reads0 = map { $_ => snapshot_reads($f->cmd($_, 'INFO',
        'commandstats')) } map { "r$_" } 1 .. $edges_n;
    my (@lat, @tool);
    my ($misses, $foreign, $failed) = (0, 0, 0);
    for my $i (1 .. $OPT{changes}) {
        my $status = $i % 2 ? 'major_outage' : 'degraded_performance';
        my $t0 = time;    # before the admin tool starts: an upper bound
        my $pid = fork // die "fork: $!";
        if (!$pid) {
            open STDIN, '<', '/dev/null';
            open STDOUT, '>', '/dev/null';
            open STDERR, '>>', "$DIR/logs/fleet-cli.log";
            $ENV{STATUS_EDGE_REDIS} = 'redis://127.0.0.1:' . $f->port('p');
            $ENV{USER} = 'bench';
            { no warnings 'exec'; exec { $cli } $cli, 'component', 'set',
                'api', $status; }
            POSIX::_exit(127);
        }
        $CHILD{$pid} = { name => 'status-edge', kind => 'cmd' };
        my ($done, $fo) = wait_served(edge_map(@edges), $v + 1, $t0,
            $MISS_AFTER);
        $foreign += $fo;
        reap($pid, 10) or die "bench: fleet: the admin tool hangs\n";
        push @tool, (time - $t0) * 1000 if $? == 0;
        $failed++ if $?;
        my $now = $w->redis('GET', 'status:version');
        if (keys %$done < $edges_n || $now != $v + 1) {
            $misses++;
            push @lat, undef;
            printf "  change %d (version %d, now %d): miss, %d of %d edges "
                . "in %.0f s\n", $i, $v + 1, $now, scalar keys %$done,
                $edges_n, $MISS_AFTER;
        } else {
            push @lat, 1000 * (sort { $b <=> $a } values %$done)[0];
        }
        $v = $now;
        sleep 0.02 + rand(0.03);
    }
    sleep 0.2;

    my (@conns, $primary);
    for my $i (1 .. $edges_n) {
        my $port = $f->port("r$i");
        my (undef, $n) = edge_connections($t, $port,
            $f->cmd("r$i", 'CLIENT', 'LIST'), $edges[$i - 1]);
        my (undef, $elsewhere) = edge_connections($t, $port,
            $f->cmd("r$i", 'CLIENT', 'LIST'), grep { $_ != $edges[$i - 1] }
            @edges);
        push @conns, "$n" . ($elsewhere ? " (+$elsewhere of others)" : '');
    }
    (undef, $primary) = edge_connections($t, $f->port('p'),
        $f->cmd('p', 'CLIENT', 'LIST'), @edges);
    my $repl = (repl_bytes($f->cmd('p', 'INFO', 'stats')) - $repl0)
        / $OPT{changes} / $edges_n;
    my @reads = map { (snapshot_reads($f->cmd("r$_", 'INFO',
        'commandstats')) - $reads0{"r$_"}) / $OPT{changes} } 1 .. $edges_n;
    stop_edges(@edges);
    $f->stop;

    my @ok = grep { defined } @lat;
    my $p99 = percentile(99, @lat);
    push @FLEET_ROWS,
        ['fleet: admin tool write to every worker, p50',
         ms(percentile(50, @lat)) . ' ms',
         "$edges_n edges x $workers workers on own replicas, "
         . "$OPT{changes} writes", '', ''],
        ['fleet: admin tool write to every worker, p99', ms($p99) . ' ms',
         sprintf('max %s ms, %d misses; the admin tool itself %s ms',
                 $misses ? '-' : ms((sort { $b <=> $a } @ok)[0]), $misses,
                 ms(median(@tool))),
         '< 100 ms', verdict(!$misses && defined $p99 && $p99 < 100)],
        ['fleet: Redis connections per edge', join(' / ', @conns),
         "on its own replica; on the primary: $primary", '<= 2',
         verdict(!$primary && !grep { !/\A[012]\z/ } @conns)],
        ['fleet: snapshot reads per change per replica',
         join(' / ', map { sprintf '%.2f', $_ } @reads),
         "the module's script runs on each replica", '', ''],
        ['fleet: replication per change per replica', sprintf('%.0f B',
         $repl), 'the primary\'s total_net_repl_output_bytes', '', ''];
    print "warning: fleet: $failed admin tool runs failed "
        . "(see $DIR/logs/fleet-cli.log)\n" if $failed;
    print "warning: fleet: $foreign answers from unknown workers\n"
        if $foreign;
}

sub repl_bytes {
    my ($info) = @_;
    return $info =~ /^total_net_repl_output_bytes:(\d+)/m ? $1 : 0;
}

# the module's snapshot reads (its read-only script): from INFO
# commandstats, or from commands by name
my $SCRIPT_CALL = qr/\A(?:eval|evalsha|eval_ro|evalsha_ro)\z/;

sub snapshot_reads {
    my ($info) = @_;
    my %cmds = $info =~ /^cmdstat_([^:]+):calls=(\d+)/mg;
    return script_calls(\%cmds);
}

sub script_calls {
    my ($cmds) = @_;
    my $n = 0;
    $n += $cmds->{$_} for grep { $_ =~ $SCRIPT_CALL } keys %$cmds;
    return $n;
}

# ---------------------------------------------------------------------------
# part "herd": many edges on one Redis, what Redis pays

# a RESP connection of our own, counting what it sends and receives, so
# that INFO's byte counters can be told apart from the edges'
sub resp_connect {
    my ($port) = @_;
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port,
        Proto => 'tcp', Timeout => 2) or die "bench: herd: connect: $!\n";
    return { s => $s, buf => '', sent => 0, got => 0, mine => {} };
}

sub resp_cmd {
    my ($c, $count, @args) = @_;
    my $req = '*' . @args . "\r\n"
        . join('', map { '$' . length($_) . "\r\n$_\r\n" } @args);
    syswrite($c->{s}, $req) == length $req or die "bench: herd: write: $!\n";
    $c->{sent} += length $req;
    my $got_before = $c->{got};
    my $sel = IO::Select->new($c->{s});
    my $deadline = time + 5;
    my $reply;
    while (1) {
        if ($c->{buf} =~ /\A([+\-:])([^\r]*)\r\n/) {
            $reply = $1 eq '-' ? die("bench: herd: $2\n") : $2;
            $c->{got} += $+[0];
            substr($c->{buf}, 0, $+[0], '');
            last;
        }
        if ($c->{buf} =~ /\A\$(\d+)\r\n/
            && length $c->{buf} >= $+[0] + $1 + 2) {
            $reply = substr($c->{buf}, $+[0], $1);
            my $len = $+[0] + $1 + 2;
            $c->{got} += $len;
            substr($c->{buf}, 0, $len, '');
            last;
        }
        die "bench: herd: no reply to $args[0]\n"
            unless $sel->can_read($deadline - time);
        sysread($c->{s}, $c->{buf}, 65536, length $c->{buf})
            or die "bench: herd: Redis closed the connection\n";
    }
    $c->{mine}{$_}++ for @$count;
    return ($reply, $got_before);
}

# Redis' counters now, and ours at the same point: our request of this
# INFO counted (Redis counts a request as it reads it), its reply not
sub herd_snapshot {
    my ($c) = @_;
    my %mine = %{ $c->{mine} };
    my ($info, $got) = resp_cmd($c, ['info'], 'INFO', 'stats',
        'commandstats');
    my %cmds = $info =~ /^cmdstat_([^:]+):calls=(\d+)/mg;
    my ($sha_usec) = $info =~ /^cmdstat_evalsha:calls=\d+,usec=(\d+)/m;
    my ($in) = $info =~ /^total_net_input_bytes:(\d+)/m;
    my ($out) = $info =~ /^total_net_output_bytes:(\d+)/m;
    return { t => time, in => $in, out => $out, cmds => \%cmds,
             sha_usec => $sha_usec // 0,
             sent => $c->{sent}, got => $got, mine => \%mine };
}

# what the edges cost Redis between two snapshots: bytes in and out,
# commands by name
sub herd_cost {
    my ($s0, $s1) = @_;
    my %cmds;
    for my $k (keys %{ $s1->{cmds} }) {
        my $n = $s1->{cmds}{$k} - ($s0->{cmds}{$k} // 0)
            - (($s1->{mine}{$k} // 0) - ($s0->{mine}{$k} // 0));
        $cmds{$k} = $n if $n;
    }
    my $n = 0;
    $n += $_ for values %cmds;
    return { s => $s1->{t} - $s0->{t},
             in => $s1->{in} - $s0->{in} - ($s1->{sent} - $s0->{sent}),
             out => $s1->{out} - $s0->{out} - ($s1->{got} - $s0->{got}),
             cmds => \%cmds, commands => $n,
             sha_usec => $s1->{sha_usec} - $s0->{sha_usec} };
}

sub cmd_list {
    my ($cmds, $div) = @_;
    return join(' ', map { sprintf '%s=%.3g', $_, $cmds->{$_} / $div }
                     grep { abs($cmds->{$_} / $div) >= 0.05 }
                     sort keys %$cmds) || 'none';
}

# one herd: $count edges of $workers workers; idle, then changes
sub herd_round {
    my ($t, $c, $count, $workers, $idle, $changes) = @_;
    my $name = "herd${workers}w-";
    my $t_start = time;
    my @edges = start_edges(name => $name, count => $count,
        workers => $workers, redis => sub { '127.0.0.1:' . $t->redis_port });
    my $v = $t->redis('GET', 'status:version');
    my ($start) = wait_served(edge_map(@edges), $v, time, 20);
    die "bench: herd: " . (keys %$start) . " of $count edges serve version "
        . "$v\n" if keys %$start < $count;
    printf "herd: %d edges of %d worker(s) started in %.0f s; %d s idle, "
        . "then %d changes\n", $count, $workers, time - $t_start, $idle,
        $changes;
    sleep 2;    # the links settle: tracking on, the first keepalives

    my $list = $t->redis('CLIENT', 'LIST');
    my ($per, $conns, $others) = edge_connections($t, $t->redis_port, $list,
        @edges);
    my $clients = scalar grep { /\S/ } split /\n/, $list;

    my $i0 = herd_snapshot($c);
    sleep $idle;
    my $i1 = herd_snapshot($c);
    my $idle_cost = herd_cost($i0, $i1);

    my (@conv, @first, $misses);
    $misses = 0;
    my $c0 = herd_snapshot($c);
    for my $i (1 .. $changes) {
        my $status = $i % 2 ? 'major_outage' : 'partial_outage';
        my $t0 = time;
        my ($nv) = resp_cmd($c, [qw(eval hset incr publish)], 'EVAL',
            $WRITER_LUA, 3, 'status:component:api', 'status:version',
            'status:events', $status, "Public REST API (herd change $i)",
            POSIX::strftime('%Y-%m-%dT%H:%M:%SZ', gmtime));
        my ($done) = wait_served(edge_map(@edges), $nv, $t0, $MISS_AFTER);
        if (keys %$done < $count) {
            $misses++;
            push @conv, undef;
        } else {
            my @d = sort { $a <=> $b } values %$done;
            push @conv, 1000 * $d[-1];
            push @first, 1000 * $d[0];
        }
        sleep 0.3;    # every edge's read done before the next change
    }
    my $c1 = herd_snapshot($c);
    my $change_cost = herd_cost($c0, $c1);
    # less what the same edges cost idle for as long
    my $scale = $change_cost->{s} / $idle_cost->{s};
    my %cmds = %{ $change_cost->{cmds} };
    for my $k (keys %{ $idle_cost->{cmds} }) {
        $cmds{$k} -= $idle_cost->{cmds}{$k} * $scale;
        delete $cmds{$k} if abs $cmds{$k} < 0.5;
    }
    my $bytes = $change_cost->{in} + $change_cost->{out}
        - ($idle_cost->{in} + $idle_cost->{out}) * $scale;
    stop_edges(@edges);

    return {
        count => $count, workers => $workers,
        conns => $conns, per_max => (sort { $b <=> $a } @$per)[0],
        others => $others, clients => $clients,
        idle_bytes_min => ($idle_cost->{in} + $idle_cost->{out})
            * 60 / $idle_cost->{s} / $count,
        idle_cmds_min => $idle_cost->{commands} * 60 / $idle_cost->{s}
            / $count,
        idle_list => cmd_list($idle_cost->{cmds},
            $count * $idle_cost->{s} / 60),
        change_bytes => $bytes / $changes,
        change_in => ($change_cost->{in} - $idle_cost->{in} * $scale)
            / $changes,
        change_cmds => \%cmds, changes => $changes,
        reads => script_calls(\%cmds) / $changes,
        read_usec => $cmds{evalsha}
            ? $change_cost->{sha_usec} / $cmds{evalsha} : undef,
        conv_p50 => percentile(50, @conv),
        conv_max => $misses ? undef : (sort { $b <=> $a } @conv)[0],
        first_p50 => percentile(50, @first),
        misses => $misses,
    };
}

sub herd_bench {
    my $t = StatusEdge::Test->new(name => 'bench-herd')->start_redis;
    load_state($t);
    my $c = resp_connect($t->redis_port);
    my $one = herd_round($t, $c, $OPT{herd_edges}, 1, $OPT{herd_idle},
        $OPT{herd_changes});
    my $wide = herd_round($t, $c, $OPT{herd_wide_edges}, 8, $OPT{herd_idle},
        $OPT{herd_changes});
    $t->stop_redis;

    for my $h ($one, $wide) {
        my $what = "herd: $h->{count} edges x $h->{workers} worker"
            . ($h->{workers} > 1 ? 's' : '');
        my $per_edge = $h->{change_bytes} / $h->{count};
        push @FLEET_ROWS,
            ["$what, Redis connections", $h->{conns},
             sprintf('at most %d per edge; CLIENT LIST %d (the '
                     . "bench's %d)", $h->{per_max}, $h->{clients},
                     $h->{others}),
             '<= 2 per edge', verdict($h->{per_max} <= 2)],
            ["$what, idle edge", sprintf('%.0f B/min', $h->{idle_bytes_min}),
             sprintf('%.1f commands/min: %s', $h->{idle_cmds_min},
                     $h->{idle_list}),
             '< 1 KB/min', verdict($h->{idle_bytes_min} < 1024)],
            ["$what, Redis work per change",
             sprintf('%.0f B, %.2f snapshot reads', $h->{change_bytes},
                     $h->{reads}),
             sprintf('per edge %.0f B (%.0f B to Redis), %.2f reads; '
                     . 'per edge: %s', $per_edge, $h->{change_in} / $h->{count},
                     $h->{reads} / $h->{count},
                     cmd_list($h->{change_cmds}, $h->{changes} * $h->{count})),
             '1 read per edge', verdict(abs($h->{reads} / $h->{count} - 1)
                                        < 0.05)],
            ["$what, change to every edge",
             sprintf('p50 %s ms, max %s ms', ms($h->{conv_p50}),
                     ms($h->{conv_max})),
             sprintf('first edge p50 %s ms; %d changes, %d misses; Redis '
                     . 'runs a read (EVALSHA) in %s us',
                     ms($h->{first_p50}), $h->{changes}, $h->{misses},
                     ms($h->{read_usec})),
             '', ''];
    }
}

1;
