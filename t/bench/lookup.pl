# tools/bench, part 6: lookups (badge, gate)
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
# part 4: lookups: the badge and the gate next to core nginx "return" of
# the same bytes and headers

# waits until the nginx on $port serves a state: the badge has an ETag
# (before the first state it is the grey "unknown" badge, without one)
sub wait_badge_state {
    my ($port) = @_;
    my $deadline = time + 30;
    until (do { my $r = http_get($port, '/badge.svg', 2);
                $r && header($r, 'ETag') }) {
        die "bench: no state loaded in 30 s\n" if time > $deadline;
        sleep 0.05;
    }
}

sub lookup_throughput {
    my ($redis) = @_;

    # a public maintenance in progress with gate on, for the whole site
    my $now = time;
    my $iso = sub { strftime('%Y-%m-%dT%H:%M:%SZ', gmtime $_[0]) };
    $redis->redis('HSET', 'status:maintenance:bench-gate',
        name => 'Bench maintenance', status => 'in_progress',
        impact => 'maintenance', gate => 'on',
        scheduled_for => $iso->($now - 60),
        scheduled_until => $iso->($now + 86400));
    $redis->redis('ZADD', 'status:maintenances', $now - 60, 'bench-gate');
    my $v = $redis->redis('INCR', 'status:version');
    $redis->redis('PUBLISH', 'status:events', $v);

    # the module's locations; the upstream does not exist: a request that
    # reached it would fail
    my $module = join "\n",
        '        location = /badge.svg { status_edge_badge; }',
        '        location /gated/ {',
        '            status_edge_gate on;',
        '            proxy_pass http://127.0.0.1:1;',
        '        }';
    my $fetch = start_nginx(name => 'lookup-fetch', workers => 1,
        ready => '/badge.svg', server => $module);
    wait_badge_state($fetch->{port});
    my %side = (
        badge => { path => '/badge.svg?component=api', status => 200,
                   ref => '/ref/badge?component=api',
                   headers => [qw(ETag Cache-Control Vary
                                  Access-Control-Allow-Origin
                                  X-Content-Type-Options)] },
        gate  => { path => '/gated/page', status => 503,
                   ref => '/ref/gate',
                   headers => [qw(Retry-After Cache-Control Vary)] },
    );
    my @locs = ($module);
    for my $k (qw(badge gate)) {
        my $o = $side{$k};
        my ($res, $deadline) = (undef, time + 10);
        until ($res && $res->{status} == $o->{status}) {
            die "bench: $k: no $o->{status} in 10 s\n" if time > $deadline;
            sleep 0.05;
            $res = http_get($fetch->{port}, $o->{path}, 2);
        }
        my ($quoted) = nginx_quote($res->{body});
        my $type = header($res, 'Content-Type');
        push @locs, join "\n", "        location = /ref/$k {",
            "            default_type '$type';",
            (map { my $hv = header($res, $_);
                   die "bench: $k has no $_ header\n" unless defined $hv;
                   "            add_header $_ '$hv' always;" }
                 @{ $o->{headers} }),
            "            return $o->{status} $quoted;",
            '        }';
        $o->{bytes} = length $res->{body};
    }
    stop_nginx($fetch);

    my $ng = start_nginx(name => 'lookup', workers => 1, cpu => $CPU{nginx},
        ready => '/badge.svg', server => join("\n", @locs));
    wait_badge_state($ng->{port});
    for my $k (qw(badge gate)) {
        my $o = $side{$k};
        my $m = http_get($ng->{port}, $o->{path}, 5);
        my $r = http_get($ng->{port}, $o->{ref}, 5);
        die "bench: $k: no answer\n" unless $m && $r;
        die "bench: /ref/$k differs from $o->{path}: refusing to measure\n"
            unless $m->{status} == $o->{status}
                && $r->{status} == $o->{status} && $m->{body} eq $r->{body};
    }

    my ($worker) = children_of($ng->{pid});
    my @res;
    for my $k (qw(badge gate)) {
        my $o = $side{$k};
        my %path = (module => $o->{path}, ref => $o->{ref});
        run_wrk($ng->{port}, $path{$_}, 1, $worker) for qw(module ref);
        my (%rps, %cost, @ratios);
        for my $i (1 .. $OPT{banner_rounds}) {
            my %round;
            for my $s ($i % 2 ? qw(module ref) : qw(ref module)) {
                my $w = run_wrk($ng->{port}, $path{$s},
                                $OPT{banner_duration}, $worker);
                $round{$s} = $w;
                push @{ $rps{$s} }, $w->{rps};
                push @{ $cost{$s} }, $w->{us_per_req};
            }
            push @ratios, $round{module}{rps} / $round{ref}{rps};
            printf "  lookup %-5s round %d: module %.0f req/s, nginx %.0f "
                . "req/s\n", $k, $i, $round{module}{rps}, $round{ref}{rps};
        }
        my ($mr, $rr) = (median(@{ $rps{module} }), median(@{ $rps{ref} }));
        my ($mc, $rc) = (median(@{ $cost{module} }),
                         median(@{ $cost{ref} }));
        my $what = $k eq 'badge' ? "badge ($o->{bytes} B SVG)"
                                 : "gate ($o->{bytes} B 503 page)";
        push @LOOKUP_ROWS,
            ["$what, module", sprintf('%.0f req/s', $mr),
             sprintf('%.2f us CPU/req', $mc), '', ''],
            ["$what, nginx return", sprintf('%.0f req/s', $rr),
             sprintf('%.2f us CPU/req', $rc), '', ''],
            ["ratio $k / nginx", sprintf('%.3f', $mr / $rr),
             sprintf('paired %.3f, by CPU %.3f', median(@ratios),
                     $mc ? $rc / $mc : 0),
             sprintf('>= %.2f', $RATIO_TARGET),
             verdict($mr / $rr >= $RATIO_TARGET)];
    }
    stop_nginx($ng);

    # user-space instructions per request: what a busy machine cannot blur
    my $ir = callgrind_counts({ name => 'callgrind-lookup',
            ready => '/badge.svg', server => join("\n", @locs),
            prepare => sub { wait_badge_state($_[0]{port}) } },
        { badge => $side{badge}{path}, badge_ref => $side{badge}{ref},
          gate => $side{gate}{path}, gate_ref => $side{gate}{ref} },
        [qw(badge badge_ref gate gate_ref badge badge_ref gate gate_ref)]);
    if ($ir) {
        for my $k (qw(badge gate)) {
            push @LOOKUP_ROWS,
                ["$k instructions/request, module", sprintf('%.0f', $ir->{$k}),
                 sprintf('nginx %.0f, module %+.1f%%; its own code %.0f',
                         $ir->{"${k}_ref"},
                         100 * ($ir->{$k} / $ir->{"${k}_ref"} - 1),
                         $ir->{own}{$k}), '', ''];
        }
    }

    $redis->redis('DEL', 'status:maintenance:bench-gate');
    $redis->redis('ZREM', 'status:maintenances', 'bench-gate');
    $v = $redis->redis('INCR', 'status:version');
    $redis->redis('PUBLISH', 'status:events', $v);
}

1;
