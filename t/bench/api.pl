# tools/bench, part 1: throughput of the JSON API
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
# part 1: throughput


sub throughput {
    my ($redis) = @_;

    # a throwaway nginx renders the bytes the reference will serve
    my $fetch = start_nginx(name => 'fetch', workers => 1,
        ready => '/api/v2/summary.json',
        server => '        location /api/v2/ { status_edge_api; }');
    my $res = http_get($fetch->{port}, '/api/v2/summary.json', 5)
        or die "bench: cannot fetch summary.json\n";
    stop_nginx($fetch);
    die "bench: summary.json answered $res->{status}\n"
        unless $res->{status} == 200;

    my $ref = reference_location($res);
    my $server = join("\n", '        location /api/v2/ { status_edge_api; }',
                      $ref->{location});
    my $ng = start_nginx(name => 'throughput', workers => 1,
        cpu => $CPU{nginx}, ready => '/ref/summary.json', http => $ref->{http},
        server => $server);

    # byte-for-byte check in the measured nginx, before measuring
    my $m = http_get($ng->{port}, '/api/v2/summary.json', 5);
    my $r = http_get($ng->{port}, '/ref/summary.json', 5);
    die "bench: no answer from the measured nginx\n" unless $m && $r;
    die "bench: module answered $m->{status}, reference $r->{status}\n"
        unless $m->{status} == 200 && $r->{status} == 200;
    if ($m->{body} ne $r->{body}) {
        die "bench: /ref/summary.json differs from /api/v2/summary.json ("
            . length($r->{body}) . ' vs ' . length($m->{body})
            . " bytes): refusing to measure\n";
    }
    (my $mh = $m->{head}) =~ s/^Date: .*\r\n//mi;
    (my $rh = $r->{head}) =~ s/^Date: .*\r\n//mi;
    my $same_head = $mh eq $rh;
    unless ($same_head) {
        print "warning: response headers differ (the body is identical):\n";
        print "  module:\n", map({ "    $_\n" } split /\r\n/, $mh);
        print "  reference:\n", map({ "    $_\n" } split /\r\n/, $rh);
    }
    print "note: $ref->{note}\n" if $ref->{note};

    my %t = (body => length $m->{body}, head => length($m->{head}) + 2,
             head_ref => length($r->{head}) + 2, same_head => $same_head,
             label => $ref->{label}, note => $ref->{note},
             etag => header($m, 'ETag'), server => $server,
             http => $ref->{http});
    my %path = (module => '/api/v2/summary.json', ref => '/ref/summary.json');

    printf "throughput: %s body %d bytes, header %d bytes; wrk -t%d -c%d "
        . "-d%ds, %d rounds each, alternating%s\n",
        '/api/v2/summary.json', $t{body}, $t{head}, $OPT{threads},
        $OPT{connections}, $OPT{duration}, $OPT{rounds},
        defined $CPU{wrk}
            ? " (wrk on CPU $CPU{wrk}, nginx worker on CPU $CPU{nginx})" : '';

    my ($worker) = children_of($ng->{pid});

    if ($OPT{warmup}) {
        run_wrk($ng->{port}, $path{$_}, $OPT{warmup}, $worker)
            for qw(module ref);
    }

    print "  round side       req/s  latency  worker busy  worker us/req"
        . "  other CPUs busy\n";
    my $w = alternating_rounds($ng->{port}, \%path, $worker, sub {
        my ($i, $side, $w) = @_;
        printf "  %5d %-6s %10.0f  %7s  %10.0f%%  %13.2f  %15.2f%s\n",
            $i, $side eq 'ref' ? 'nginx' : 'module', $w->{rps},
            $w->{latency}, 100 * $w->{worker_busy}, $w->{us_per_req},
            $w->{other},
            $w->{errors} ? "  ($w->{errors} errors)" : '';
    });
    my ($rps, $cost, $errors) = @$w{qw(rps cost errors)};
    my @other = @{ $w->{other} };

    # the state must not have changed under the measurement
    my $after = http_get($ng->{port}, '/api/v2/summary.json', 5);
    $t{changed} = !$after || $after->{body} ne $m->{body};
    print "warning: summary.json changed during the measurement\n"
        if $t{changed};

    stop_nginx($ng);

    @t{qw(module ref errors)} = (median(@{ $rps->{module} }),
                                 median(@{ $rps->{ref} }), $errors);
    $t{ratio} = $t{module} / $t{ref};
    $t{ratio_paired} = median(@{ $w->{ratios} });
    @t{qw(mod_min mod_max)} = (sort { $a <=> $b } @{ $rps->{module} })[0, -1];
    @t{qw(ref_min ref_max)} = (sort { $a <=> $b } @{ $rps->{ref} })[0, -1];
    $t{cost_module} = median(@{ $cost->{module} });
    $t{cost_ref} = median(@{ $cost->{ref} });
    $t{cost_ratio} = $t{cost_module} ? $t{cost_ref} / $t{cost_module} : 0;
    $t{busy} = median(@{ $w->{busy} });
    $t{other} = median(@other);
    $t{runs} = scalar @other;
    $t{disturbed} = grep { $_ > 0.15 } @other;
    return \%t;
}

1;
