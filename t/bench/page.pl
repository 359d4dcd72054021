# tools/bench, part 5: the status page
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
# part 4: the status page next to a static file of the same bytes

sub page_throughput {
    my $loc = '        location /status/ { status_edge_status_page; }';

    my $fetch = start_nginx(name => 'pagefetch', workers => 1,
        ready => '/status/', server => $loc);
    my $res = http_get($fetch->{port}, '/status/', 5)
        or die "bench: cannot fetch /status/\n";
    stop_nginx($fetch);
    die "bench: /status/ answered $res->{status}\n"
        unless $res->{status} == 200;

    # the reference: the same bytes and headers from a file, the cheapest
    # way core nginx serves a page (no index lookup, cached open file)
    my @add;
    for my $h (qw(ETag Cache-Control Vary Content-Security-Policy
                  Access-Control-Allow-Origin X-Content-Type-Options)) {
        my $v = header($res, $h);
        die "bench: /status/ has no $h header\n" unless defined $v;
        (my $q = $v) =~ s/([\\'])/\\$1/g;
        push @add, "add_header $h '$q';";
    }
    my $type = header($res, 'Content-Type');
    mkdir "$DIR/html";
    mkdir "$DIR/html/ref";
    spit("$DIR/html/ref/page.html", $res->{body});
    my $server = join "\n", $loc,
        static_location('/ref/page.html', $type, @add);
    my %path = (module => '/status/', ref => '/ref/page.html');

    my $ng = start_nginx(name => 'page', workers => 1, cpu => $CPU{nginx},
        ready => $path{ref}, server => $server);
    my $m = http_get($ng->{port}, $path{module}, 5);
    my $r = http_get($ng->{port}, $path{ref}, 5);
    die "bench: no answer from the page nginx\n" unless $m && $r;
    die "bench: page: the file differs from /status/: refusing to measure\n"
        unless $m->{status} == 200 && $r->{status} == 200
        && $m->{body} eq $r->{body};
    my $sorted = sub {
        join "\n", sort map { lc($_->[0]) . ": $_->[1]" }
            grep { lc $_->[0] ne 'date' } @{ $_[0]{headers} };
    };
    my %p = (body => length $m->{body}, same_head => $sorted->($m) eq
             $sorted->($r), server => $server);
    print "warning: page: response headers differ (same body)\n"
        unless $p{same_head};

    printf "page: /status/ body %d bytes; wrk -t%d -c%d -d%ds, %d rounds "
        . "each, alternating\n", $p{body}, $OPT{threads}, $OPT{connections},
        $OPT{duration}, $OPT{rounds};

    my ($worker) = children_of($ng->{pid});
    if ($OPT{warmup}) {
        run_wrk($ng->{port}, $path{$_}, $OPT{warmup}, $worker)
            for qw(module ref);
    }

    my $w = alternating_rounds($ng->{port}, \%path, $worker, sub {
        my ($i, $side, $w) = @_;
        printf "  %5d %-6s %10.0f  %7s  %6.2f us/req\n", $i,
            $side eq 'ref' ? 'file' : 'page', $w->{rps}, $w->{latency},
            $w->{us_per_req};
    });
    my ($rps, $cost, $errors) = @$w{qw(rps cost errors)};
    stop_nginx($ng);

    @p{qw(module ref errors)} = (median(@{ $rps->{module} }),
                                 median(@{ $rps->{ref} }), $errors);
    $p{ratio} = $p{module} / $p{ref};
    $p{ratio_paired} = median(@{ $w->{ratios} });
    $p{cost_module} = median(@{ $cost->{module} });
    $p{cost_ref} = median(@{ $cost->{ref} });

    $p{ir} = callgrind_counts({ name => 'pagegrind', ready => $path{ref},
            server => $server }, \%path, [qw(module ref module ref)]);
    printf "page: user instructions per request (callgrind): page %.0f, "
        . "file %.0f\n", $p{ir}{module}, $p{ir}{ref} if $p{ir};
    return \%p;
}

1;
