# tools/bench, part 2: propagation
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
# part 2: propagation of a change to every worker

our $WRITER_LUA = <<'LUA';
redis.call('HSET', KEYS[1], 'status', ARGV[1], 'description', ARGV[2],
           'updated_at', ARGV[3])
local v = redis.call('INCR', KEYS[2])
redis.call('PUBLISH', KEYS[3], v)
return v
LUA

# one probe on a fresh connection: (pid, version) or ()
sub probe {
    my ($port) = @_;
    my $res = http_get($port, '/v', 1) or return;
    return unless $res->{status} == 200
        && $res->{body} =~ /\A(\d+) (\d+)/;
    return ($1, $2);
}

sub propagation {
    my ($redis) = @_;
    my $ng = start_nginx(name => 'latency', workers => $OPT{prop_workers},
        listen => ' reuseport', ready => '/v',
        server => join("\n",
            '        location = /v {',
            '            default_type text/plain;',
            '            return 200 "$pid $status_edge_version\n";',
            '        }'));
    my %workers = map { $_ => 1 } children_of($ng->{pid});
    my $version = $redis->redis('GET', 'status:version');

    # every worker seen serving the current version before starting
    my %seen;
    my $deadline = time + 10;
    while (keys %seen < keys %workers && time < $deadline) {
        my ($pid, $v) = probe($ng->{port});
        $seen{$pid} = 1 if defined $pid && $v >= $version;
    }
    die "bench: not every worker answered within 10 s (reuseport?)\n"
        if keys %seen < keys %workers;

    printf "propagation: %d changes, %d workers (reuseport), fresh "
        . "connection per probe, miss after %.0f s\n",
        $OPT{changes}, scalar keys %workers, $MISS_AFTER;

    # Redis' side: nginx's connections, and the snapshot reads (EVAL of
    # the module; the writer's own EVALs are counted apart) per change
    my $clients = redis_clients($redis) - 1;    # less ours
    my $evals0 = eval_calls($redis);

    my (@lat, @probes);
    my ($misses, $probe_errors, $foreign) = (0, 0, 0);
    my $now = strftime('%Y-%m-%dT%H:%M:%SZ', gmtime);
    for my $i (1 .. $OPT{changes}) {
        my $status = $i % 2 ? 'major_outage' : 'partial_outage';
        my $t0 = time;    # before the write: an upper bound
        my $v = $redis->redis('EVAL', $WRITER_LUA, 3,
            'status:component:api', 'status:version', 'status:events',
            $status, "Public REST API (bench change $i)", $now);
        my (%first, $n);
        while (keys %first < keys %workers) {
            last if time - $t0 > $MISS_AFTER;
            my ($pid, $pv) = probe($ng->{port});
            $n++;
            if (!defined $pid) { $probe_errors++; next }
            if (!$workers{$pid}) { $foreign++; next }
            $first{$pid} //= time if $pv >= $v;
        }
        push @probes, $n;
        if (keys %first < keys %workers) {
            $misses++;
            push @lat, undef;
            printf "  change %d (version %d): miss, %d of %d workers in "
                . "%.0f s\n", $i, $v, scalar keys %first,
                scalar keys %workers, $MISS_AFTER;
        } else {
            my $last = (sort { $b <=> $a } values %first)[0];
            push @lat, ($last - $t0) * 1000;
        }
        sleep 0.02 + rand(0.03);    # changes not in step with anything
    }

    # the reads of the last changes may still be on their way
    sleep 0.2;
    my $reads = eval_calls($redis) - $evals0 - $OPT{changes};

    my @now = children_of($ng->{pid});
    my $respawned = join(',', sort @now) ne join(',', sort keys %workers);
    stop_nginx($ng);

    my @ok = grep { defined } @lat;
    return {
        changes  => scalar @lat,
        workers  => scalar keys %workers,
        p50      => percentile(50, @lat),
        p99      => percentile(99, @lat),
        max      => $misses ? undef : (sort { $b <=> $a } @ok)[0],
        mean     => @ok ? (eval { my $s = 0; $s += $_ for @ok; $s / @ok }) : undef,
        misses   => $misses,
        probes   => median(@probes),
        probe_errors => $probe_errors,
        respawned => $respawned,
        clients  => $clients,
        reads_per_change => $reads / $OPT{changes},
    };
}

sub redis_clients {
    my ($redis) = @_;
    return scalar grep { /\S/ } split /\n/, $redis->redis('CLIENT', 'LIST');
}

# scripts run, sent whole (the writer's) or by their SHA1 (the module's)
sub eval_calls {
    my ($redis) = @_;
    return snapshot_reads($redis->redis('INFO', 'commandstats'));
}

1;
