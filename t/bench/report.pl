# tools/bench, the report
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
# report

sub fmt_ms {
    my ($v) = @_;
    return defined $v ? sprintf('%.1f ms', $v) : sprintf('miss (> %.0f s)',
        $MISS_AFTER);
}

sub verdict { $_[0] ? 'PASS' : 'BELOW TARGET' }

# $t, $ir: part 1; $bt: part 3; $l: part 2; a part not run is undef
sub report {
    my ($m, $t, $ir, $bt, $l, $alerts, $ev, $pt) = @_;
    my (@rows, @info, @cond, @warn, @run);

    if ($t) {
        push @rows,
        ['summary.json, status_edge_api',
         sprintf('%.0f req/s', $t->{module}),
         sprintf('%.0f-%.0f', $t->{mod_min}, $t->{mod_max}), '', ''],
        ["same bytes, $t->{label}",
         sprintf('%.0f req/s', $t->{ref}),
         sprintf('%.0f-%.0f', $t->{ref_min}, $t->{ref_max}), '', ''],
        ['ratio module / nginx', sprintf('%.3f', $t->{ratio}),
         sprintf('paired %.3f', $t->{ratio_paired}),
         sprintf('>= %.2f', $RATIO_TARGET),
         verdict($t->{ratio} >= $RATIO_TARGET)],
        ['worker CPU per request, module',
         sprintf('%.2f us', $t->{cost_module}), '', '', ''],
        ['worker CPU per request, nginx',
         sprintf('%.2f us', $t->{cost_ref}),
         sprintf('ratio nginx/module %.3f', $t->{cost_ratio}), '', ''],
        ($ir ? (
        ['user instructions/request, module', sprintf('%.0f', $ir->{module}),
         'callgrind', '', ''],
        ['user instructions/request, nginx', sprintf('%.0f', $ir->{ref}),
         sprintf('module %+.1f%%', 100 * ($ir->{module} / $ir->{ref} - 1)),
         '', ''],
        ["  of which the module's own code",
         sprintf('%.0f', $ir->{own}{module}),
         'its functions, not those they call', '', ''],
        ) : ());
        push @info, sprintf "throughput: 1 nginx, 1 worker, wrk -t%d -c%d "
            . "-d%ds keepalive, %d rounds each side, median; body %d bytes, "
            . "header %d bytes%s", $OPT{threads}, $OPT{connections},
            $OPT{duration}, $OPT{rounds}, $t->{body}, $t->{head},
            $t->{same_head} ? ' (identical headers)' : ' (headers DIFFER)';
        push @run, "wrk -t$OPT{threads} -c$OPT{connections} "
            . "-d$OPT{duration}s, $OPT{rounds} rounds each side; body "
            . "$t->{body} bytes, header $t->{head} bytes";
        push @cond, sprintf "nginx worker busy %.0f%% of a CPU, other "
            . "processes ~%.1f CPUs busy (medians over the runs); %d of %d "
            . "wrk runs disturbed (other processes > 0.15 CPUs)",
            100 * $t->{busy}, $t->{other}, $t->{disturbed}, $t->{runs};
        push @warn, "note: $t->{note}" if $t->{note};
        push @warn, sprintf "warning: the nginx worker was only %.0f%% busy "
            . "(median): req/s were limited by wrk or other load, compare "
            . "the CPU per request", 100 * $t->{busy} if $t->{busy} < 0.9;
        push @warn, sprintf "warning: other processes kept ~%.1f CPUs busy "
            . "(median): the machine was not quiet, req/s are noisy",
            $t->{other} if $t->{other} > 0.15;
        push @warn, "warning: $t->{errors} wrk errors / non-2xx responses"
            if $t->{errors};
    }

    if ($bt) {
        my ($r, $c) = ($bt->{rps}, $bt->{cost});
        my $lab = '20 KB proxied page';
        for my $s (@BANNER_SIDES) {
            my $what = { plain => 'plain proxy', banner => 'with the banner',
                         subf => 'sub_filter, same bytes',
                         calm => 'banner on, no incident',
                         sized => 'plain proxy of the page with the '
                                  . 'banner in it' }->{$s};
            push @rows, ["$lab, $what", sprintf('%.0f req/s', $r->{$s}),
                sprintf('%.0f-%.0f', @{ $bt->{range}{$s} }), '', ''];
        }
        # the ratios of req/s, then the same from the worker's CPU time
        # per request (what req/s would be with the worker saturated):
        # the median of the per-round ratios (the sides of a ratio run
        # next to each other in every round), and the ratio of the
        # medians beside it
        for my $by (qw(paired cost_paired)) {
            my $of = $by eq 'paired' ? 'ratio' : 'cost_ratio';
            for my $k (qw(banner_plain banner_subf calm_plain
                          banner_sized)) {
                my ($x, $y) = split /_/, $k;
                my $target = $BANNER_TARGET{$k};
                my $name = "ratio $BANNER_LABEL{$x} / $BANNER_LABEL{$y}"
                    . ($by eq 'paired' ? ', req/s' : ', by CPU/request');
                my $note = sprintf('of the medians %.3f', $bt->{$of}{$k});
                if (!defined $target) {
                    # a control, no target: the filter's own cost
                    push @rows, [$name, sprintf('%.3f', $bt->{$by}{$k}),
                        "$note; control: the same response bytes", '', ''];
                    next;
                }
                my $v = $bt->{$by}{$k};
                push @rows, [$name, sprintf('%.3f', $v), $note,
                    $k eq 'banner_subf' ? '> 1.00'
                        : sprintf('>= %.2f', $target),
                    verdict($k eq 'banner_subf' ? $v > $target
                            : $v >= $target)];
            }
        }
        my $each = 'plain, banner, sub_filter, no incident, same bytes';
        push @rows, ["worker CPU/request: $each", join(' / ', map {
            sprintf '%.1f', $c->{$_} } @BANNER_SIDES) . ' us', '', '', ''],
            ["  of which user: $each", join(' / ', map {
            sprintf '%.1f', $bt->{user}{$_} } @BANNER_SIDES) . ' us',
            'clock ticks', '', ''],
            ["  of which kernel: $each", join(' / ', map {
            sprintf '%.1f', $bt->{sys}{$_} } @BANNER_SIDES) . ' us',
            'clock ticks', '', ''];
        if (my $ir = $bt->{ir}) {
            for my $s (@BANNER_SIDES, @BANNER_SCAN_SIDES) {
                my $ref = $s eq 'vbanner' ? 'vplain' : 'plain';
                push @rows, ["front instructions/request, $BANNER_LABEL{$s}",
                    sprintf('%.0f', $ir->{$s}), $s eq $ref ? 'callgrind'
                    : sprintf('%+.0f (%+.1f%%) vs %s',
                              $ir->{$s} - $ir->{$ref},
                              100 * ($ir->{$s} / $ir->{$ref} - 1),
                              $BANNER_LABEL{$ref}), '', ''];
            }
            my @all = (@BANNER_SIDES, @BANNER_SCAN_SIDES);
            push @rows, ["  of which the module's own code: "
                . join(', ', @all),
                join(' / ', map { sprintf '%.0f', $ir->{own}{$_} } @all),
                'its functions, not those they call', '', ''];
        }
        push @info, sprintf "banner: 1 front nginx, 1 worker, proxy_pass "
            . "(keepalive) to a core nginx backend serving a %d-byte page; "
            . "banner %d bytes; wrk -t%d -c%d -d%ds, %d rounds each side, "
            . "median; headers %s bytes", $bt->{page}, $bt->{banner_bytes},
            $OPT{threads}, $OPT{connections}, $OPT{banner_duration},
            $OPT{banner_rounds}, join(' / ', map {
                $bt->{"head_$_"} . " ($bt->{\"te_$_\"})" } @BANNER_SIDES);
        push @run, "banner part: wrk -t$OPT{threads} -c$OPT{connections} "
            . "-d$OPT{banner_duration}s, $OPT{banner_rounds} rounds each "
            . "side, page $bt->{page} bytes, banner $bt->{banner_bytes} bytes";
        push @cond, sprintf "banner part: front worker busy %.0f%% of a "
            . "CPU, wrk %.0f%%, backend worker %.0f%%, other processes "
            . "~%.1f CPUs (medians); %d of %d wrk runs disturbed",
            100 * $bt->{busy}, 100 * $bt->{wrk_busy}, 100 * $bt->{be_busy},
            $bt->{other}, $bt->{disturbed}, $bt->{runs};
        push @warn, sprintf "warning: banner part: the front worker was only "
            . "%.0f%% busy (median): req/s were limited by wrk and the "
            . "backend or by other load, and their ratios understate the "
            . "differences: compare the CPU per request (CPU/req ratios) "
            . "and the instructions", 100 * $bt->{busy}
            if $bt->{busy} < 0.9;
        push @warn, sprintf "warning: banner part: other processes kept "
            . "~%.1f CPUs busy (median): req/s are noisy", $bt->{other}
            if $bt->{other} > 0.15;
        push @warn, "warning: banner part: $bt->{errors} wrk errors / "
            . "non-2xx responses" if $bt->{errors};
        push @warn, "warning: the banner changed during the measurement"
            if $bt->{changed};
    }

    if ($l) {
        push @rows,
        ['change -> every worker, p50', fmt_ms($l->{p50}), '', '', ''],
        ['change -> every worker, p99', fmt_ms($l->{p99}), '',
         "< $P99_TARGET ms",
         verdict(defined $l->{p99} && $l->{p99} < $P99_TARGET)],
        ['change -> every worker, max', fmt_ms($l->{max}),
         "$l->{misses} misses / $l->{changes}", '', ''],
        ['Redis connections of nginx', $l->{clients},
         "$l->{workers} workers", '<= 2', verdict($l->{clients} <= 2)],
        ['snapshot reads per change', sprintf('%.2f', $l->{reads_per_change}),
         'scripts the module ran', '1 (not one per worker)',
         verdict($l->{reads_per_change} < 1.5)];
        push @info, sprintf "propagation: %d workers, %d changes, median %d "
            . "probes per change; latency = last worker first seen serving "
            . "the change (upper bound)", $l->{workers}, $l->{changes},
            $l->{probes} // 0;
        push @run, "$l->{changes} changes, $l->{workers} workers";
        push @warn, "warning: $l->{probe_errors} failed probes"
            if $l->{probe_errors};
        push @warn, "warning: nginx workers were respawned during the run"
            if $l->{respawned};
    }

    if ($ev) {
        push @rows,
        ["event streams open on one worker", "$ev->{opened} / $ev->{streams}",
         sprintf('first events in %.1f s, %d failed', $ev->{open_s},
                 $ev->{failed}), '', ''],
        ['change -> every stream, p50', sprintf('%.1f ms', $ev->{p50}),
         "median of $ev->{changes} changes", '', ''],
        ['change -> every stream, p99', sprintf('%.1f ms', $ev->{p99}),
         sprintf('worst change %.1f ms', $ev->{p99_worst}), '', ''],
        ['change -> every stream, max', sprintf('%.1f ms', $ev->{max}),
         'over all changes', '< 1000 ms', verdict($ev->{max} < 1000
             && $ev->{got_min} == $ev->{streams})],
        ['streams with the change within 1 s', sprintf('%d / %d',
             $ev->{within_min}, $ev->{streams}), 'worst change',
         "all $ev->{streams}",
         verdict($ev->{within_min} == $ev->{streams})],
        ['request to the worker while it sends, max',
         defined $ev->{probe_max} ? sprintf('%.1f ms', $ev->{probe_max})
             : '-', sprintf('%d requests, p50 %.1f ms', $ev->{probes},
                            $ev->{probe_p50} // 0), '', ''],
        ['worker memory per idle stream',
         defined $ev->{per_stream}
             ? sprintf('%.0f bytes', $ev->{per_stream}) : '-',
         sprintf('VmRSS %d -> %d kB', $ev->{rss0}, $ev->{rss1}), '', ''];
        push @info, sprintf "events: %d streams to 1 worker from an epoll "
            . "client, %d changes; latency = from just before the Redis "
            . "write to the last stream reading the new id (upper bound)",
            $ev->{streams}, $ev->{changes};
        push @run, "$ev->{streams} event streams, $ev->{changes} changes";
    }

    if ($pt) {
        push @rows,
        ['status page, status_edge_status_page',
         sprintf('%.0f req/s', $pt->{module}),
         sprintf('%d bytes', $pt->{body}), '', ''],
        ['same bytes, nginx static file', sprintf('%.0f req/s', $pt->{ref}),
         $pt->{same_head} ? 'same headers' : 'headers differ', '', ''],
        ['ratio page / file', sprintf('%.3f', $pt->{ratio}),
         sprintf('paired %.3f', $pt->{ratio_paired}),
         sprintf('>= %.2f', $PAGE_TARGET),
         verdict($pt->{ratio} >= $PAGE_TARGET)],
        ['worker CPU per request, page / file',
         sprintf('%.2f / %.2f us', $pt->{cost_module}, $pt->{cost_ref}),
         '', '', ''],
        ($pt->{ir} ? (
        ['user instructions/request, page / file',
         sprintf('%.0f / %.0f', $pt->{ir}{module}, $pt->{ir}{ref}),
         'callgrind', '', ''],
        ["  of which the module's own code", sprintf('%.0f',
         $pt->{ir}{own}{module}), 'its functions, not those they call',
         '', '']) : ());
        push @run, "page part: wrk -t$OPT{threads} -c$OPT{connections} "
            . "-d$OPT{duration}s x $OPT{rounds}";
        push @warn, "warning: page part: $pt->{errors} wrk errors"
            if $pt->{errors};
    }

    push @rows, @LOOKUP_ROWS, @FLEET_ROWS, @UPTIME_ROWS, @NOTIFY_ROWS;

    my @head = ('measure', 'median / value', 'range / note', 'target',
                'verdict');
    my @w = map { length $head[$_] } 0 .. 4;
    for my $r (@rows) {
        for my $i (0 .. 4) {
            $w[$i] = length $r->[$i] if length $r->[$i] > $w[$i];
        }
    }
    my $line = sub {
        my @c = @_;
        return join('  ', map { sprintf "%-*s", $w[$_], $c[$_] } 0 .. 4)
            =~ s/\s+\z//r . "\n";
    };

    print "\n== status-edge bench results ==\n";
    printf "machine: %s CPUs, %s; %s; %s; %s; %s\n", $m->{nproc}, $m->{cpu},
        $m->{kernel}, $m->{nginx}, $m->{redis}, $m->{wrk};
    print "$_\n" for @info;
    print "conditions: $_\n" for @cond;
    print "\n", $line->(@head), $line->(map { '-' x $_ } @w);
    print $line->(@$_) for @rows;
    print "\n";
    print "$_\n" for @warn;
    print "warning: $_\n" for @$alerts;

    if (my $file = $ENV{BENCH_MARKDOWN}) {
        my $md = "| measure | median / value | range / note | target "
            . "| verdict |\n| --- | --- | --- | --- | --- |\n";
        $md .= '| ' . join(' | ', @$_) . " |\n" for @rows;
        $md = "Machine: $m->{nproc} CPUs ($m->{cpu}), $m->{kernel}, "
            . "$m->{nginx}, $m->{redis}, $m->{wrk}.\n"
            . "Run: " . join('; ', strftime('%Y-%m-%d %H:%M UTC', gmtime),
                             @run) . ".\n"
            . (@cond ? "Conditions: " . join('; ', @cond) . ".\n" : '')
            . "\n" . $md;
        spit($file, $md);
        print "results written to $file\n";
    }
}

1;
