# tools/bench, part 3: the banner filter
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
# part 3: the banner filter on a proxied 20 KB HTML page
#
# One nginx (1 worker) in front of a core nginx backend serving a fixed
# 20 KB page from a file (keepalive to it), four locations proxying it:
#   plain   status_edge_banner off
#   banner  status_edge_banner on, the sample state (an active incident)
#   subf    core sub_filter '<body>' inserting the very bytes the banner
#           filter inserts (taken from a throwaway nginx's response)
#   calm    status_edge_banner on, page calm: (every incident resolved)
#   sized   status_edge_banner off, a backend page that already holds the
#           banner's bytes: the cost of the bigger response alone, so
#           that banner / sized is the filter's own cost
# and, for the instruction counts only, the page with a <title> that
# differs on every request (the backend's sub_filter puts $request_id in
# it), so that the filter's kept insertion point never applies and every
# page is scanned:
#   vplain  status_edge_banner off
#   vbanner status_edge_banner on
# Bodies are checked byte for byte before measuring; then alternating
# rounds, as in part 1, and the callgrind instruction counts.

our @BANNER_SIDES = qw(plain banner subf calm sized);
our %BANNER_LABEL = (plain => 'plain proxy', banner => 'banner',
                    subf => 'sub_filter', calm => 'no incident',
                    sized => 'plain proxy, same bytes',
                    vplain => 'plain proxy, head differs per request',
                    vbanner => 'banner, head differs per request');
our @BANNER_SCAN_SIDES = qw(vplain vbanner);
our %BANNER_TARGET = (banner_plain => 0.97, banner_subf => 1.0,
                     calm_plain => 0.99);

# a state of page calm: with incidents, every one of them resolved
our $CALM_STATE = <<'REDIS';
HSET calm:page id calm name "Calm Cloud" url "https://www.example.com" time_zone "UTC"
ZADD calm:components 1 api 2 web
HSET calm:component:api name "API" status operational description "Public REST API" updated_at "2026-11-21T15:00:00Z"
HSET calm:component:web name "Website" status operational updated_at "2026-11-20T09:00:00Z"
ZADD calm:incidents 1795788000 api-errors 1795100000 login-slow
HSET calm:incident:api-errors name "Elevated API error rates" status resolved impact major created_at "2026-11-21T14:00:00Z" updated_at "2026-11-21T15:00:00Z" resolved_at "2026-11-21T15:00:00Z" components "api"
RPUSH calm:incident:api-errors:updates '{"id":"u3","status":"resolved","body":"Error rates are back to normal.","created_at":"2026-11-21T15:00:00Z"}' '{"id":"u1","status":"investigating","body":"We are investigating elevated error rates on the API.","created_at":"2026-11-21T14:00:00Z"}'
HSET calm:incident:login-slow name "Slow logins" status resolved impact minor created_at "2026-11-13T10:00:00Z" updated_at "2026-11-13T11:00:00Z" resolved_at "2026-11-13T11:00:00Z" components web
RPUSH calm:incident:login-slow:updates '{"id":"l2","status":"resolved","body":"Logins are fast again.","created_at":"2026-11-13T11:00:00Z"}'
INCR calm:version
REDIS

# the backend's page: exactly 20480 bytes, a plain <body> near the start
sub bench_page {
    my $size = 20480;
    my $head = qq{<!DOCTYPE html>\n<html lang="en">\n<head>\n}
        . qq{<meta charset="utf-8">\n<title>status-edge bench page</title>\n}
        . qq{<link rel="stylesheet" href="/app.css">\n</head>\n<body>\n};
    my $tail = "</body>\n</html>\n";
    my $body = '';
    for (my $i = 1; ; $i++) {
        my $p = "<p>Paragraph $i. The quick brown fox jumps over the lazy "
            . "dog; pack my box with five dozen liquor jugs.</p>\n";
        last if length($head . $body . $p . $tail) > $size;
        $body .= $p;
    }
    my $pad = $size - length($head . $body . $tail);
    $body .= $pad >= 10 ? '<!-- ' . ('x' x ($pad - 10)) . " -->\n"
                        : ' ' x $pad;
    return $head . $body . $tail;
}

# the body of a response, chunked transfer coding removed; undef if broken
sub http_body {
    my ($res) = @_;
    return unless $res;
    my $te = header($res, 'Transfer-Encoding') // '';
    return $res->{body} unless $te =~ /chunked/i;
    my ($in, $out) = ($res->{body}, '');
    while ($in =~ s/\A([0-9a-fA-F]+)[^\r\n]*\r\n//) {
        my $n = hex $1;
        if ($n == 0) {
            return $out;
        }
        return if length($in) < $n + 2;
        $out .= substr($in, 0, $n);
        substr($in, 0, $n + 2) = '';
    }
    return;
}

# until GET $path answers $want (a state version loaded), or die
sub wait_body {
    my ($port, $path, $want, $timeout, $what) = @_;
    my $deadline = time + $timeout;
    while (1) {
        my $res = http_get($port, $path, 2);
        return if $res && $res->{status} == 200 && $res->{body} eq $want;
        die "bench: $what not loaded in $timeout s\n" if time > $deadline;
        sleep 0.05;
    }
}

# the front's locations; $subf: the sub_filter replacement, quoted (undef:
# no sub_filter location)
sub banner_locations {
    my ($subf) = @_;
    my $proxy = 'proxy_pass http://bench_backend/;';
    return join "\n",
        '        proxy_http_version 1.1;',
        '        proxy_set_header Connection "";',
        "        location /plain/ { status_edge_banner off; $proxy }",
        "        location /banner/ { status_edge_banner on; $proxy }",
        (defined $subf ? (
        '        location /subf/ {',
        "            sub_filter '<body>' $subf;",
        '            sub_filter_once on;',
        "            $proxy",
        '        }') : ()),
        '        location /calm/ {',
        '            status_edge_page calm:;',
        "            status_edge_banner on; $proxy",
        '        }',
        '        location /sized/ {',
        '            status_edge_banner off;',
        '            proxy_pass http://bench_backend/sized/;',
        '        }',
        '        location /vplain/ {',
        '            status_edge_banner off;',
        '            proxy_pass http://bench_backend/vary/;',
        '        }',
        '        location /vbanner/ {',
        '            status_edge_banner on;',
        '            proxy_pass http://bench_backend/vary/;',
        '        }',
        '        location = /se-version { return 200 "$status_edge_version"; }',
        '        location = /se-version-calm {',
        '            status_edge_page calm:;',
        '            return 200 "$status_edge_version";',
        '        }';
}

sub banner_throughput {
    my ($redis) = @_;
    my %v;
    spit("$DIR/calm-state.redis", $CALM_STATE);
    $v{calm} = load_state($redis, "$DIR/calm-state.redis", 'calm:');
    $v{status} = $redis->redis('GET', 'status:version');

    my $page = bench_page();
    my $at = index($page, '<body>') + length '<body>';
    mkdir "$DIR/backend";
    spit("$DIR/backend/page.html", $page);

    # the backend: core nginx, on the CPU of wrk when pinned, so that the
    # measured worker has its CPU to itself
    my $be = start_nginx(name => 'backend', workers => 1, bare => 1,
        cpu => $CPU{wrk}, ready => '/page.html', server => join("\n",
            '        location = /page.html {',
            "            root $DIR/backend;",
            '            default_type text/html;',
            '            open_file_cache max=16; open_file_cache_valid 600s;',
            '        }',
            '        location = /sized/page.html {',
            "            root $DIR/backend;",
            '            default_type text/html;',
            '            open_file_cache max=16; open_file_cache_valid 600s;',
            '        }',
            '        location = /vary/page.html {',
            "            alias $DIR/backend/page.html;",
            '            default_type text/html;',
            '            open_file_cache max=16; open_file_cache_valid 600s;',
            "            sub_filter '<title>' '<title>\$request_id ';",
            '        }'));
    my ($be_worker) = children_of($be->{pid});
    my $direct = http_body(http_get($be->{port}, '/page.html', 5));
    die "bench: the backend does not serve the page it was given\n"
        unless defined $direct && $direct eq $page;
    my $http = "    upstream bench_backend {\n"
        . "        server 127.0.0.1:$be->{port};\n"
        . "        keepalive 32;\n    }\n";
    my $wait_states = sub {
        my ($ng, $timeout) = @_;
        wait_body($ng->{port}, '/se-version', $v{status}, $timeout,
                  'state status:');
        wait_body($ng->{port}, '/se-version-calm', $v{calm}, $timeout,
                  'state calm:');
    };

    # a throwaway nginx: the bytes the banner filter inserts
    my $fetch = start_nginx(name => 'banner-fetch', workers => 1,
        ready => '/se-version', http => $http,
        server => banner_locations(undef));
    $wait_states->($fetch, 10);
    my $res = http_get($fetch->{port}, '/banner/page.html', 5);
    stop_nginx($fetch);
    my $got = http_body($res);
    die "bench: /banner/page.html: no answer or a broken body\n"
        unless defined $got && $res->{status} == 200;
    my $ins = substr($got, $at, length($got) - length($page));
    mkdir "$DIR/backend/sized";
    spit("$DIR/backend/sized/page.html", $got);
    die "bench: no banner in /banner/page.html (" . length($got)
        . " bytes), or not right after <body>: refusing to measure\n"
        unless length($got) > length($page)
            && substr($got, 0, $at) eq substr($page, 0, $at)
            && substr($got, $at + length $ins) eq substr($page, $at);

    my ($quoted, $dollars) = nginx_quote('<body>' . $ins);
    die "bench: the banner is " . length($ins) . " bytes: over nginx's "
        . "4 KiB limit for one configuration token (sub_filter)\n"
        if length($quoted) > 4000;
    $http .= "    geo \$bench_dollar { default \"\$\"; }\n" if $dollars;

    my %bt = (page => length $page, banner_bytes => length $ins,
             http => $http, server => banner_locations($quoted));
    my $ng = start_nginx(name => 'banner', workers => 1,
        cpu => $CPU{nginx}, ready => '/se-version', http => $http,
        server => $bt{server});
    $wait_states->($ng, 10);
    my %path = map { $_ => "/$_/page.html" } @BANNER_SIDES;

    # byte-for-byte checks in the measured nginx, before measuring
    my %want = (plain => $page, calm => $page, banner => $got,
                subf => $got, sized => $got);
    for my $side (@BANNER_SIDES) {
        my $r = http_get($ng->{port}, $path{$side}, 5);
        my $body = http_body($r);
        die "bench: $path{$side}: no answer or a broken body\n"
            unless defined $body;
        die "bench: $path{$side} answered $r->{status}\n"
            unless $r->{status} == 200;
        die "bench: $path{$side} (" . length($body) . " bytes) is not "
            . ($side =~ /plain|calm/ ? "the backend's page"
               : "the page with the banner") . " (" . length($want{$side})
            . " bytes): refusing to measure\n" if $body ne $want{$side};
        $bt{"head_$side"} = length($r->{head}) + 2;
        $bt{"te_$side"} = (header($r, 'Transfer-Encoding') // '') =~ /chunked/i
            ? 'chunked' : 'length';
    }

    # the page whose head differs: scanned every time, the banner after
    # its <body> all the same
    (my $vins = $ins) =~ s{/banner/page\.html}{/vbanner/page.html}g;
    for my $side (@BANNER_SCAN_SIDES) {
        my $p = "/$side/page.html";
        my @b = map { http_body(http_get($ng->{port}, $p, 5)) } 1 .. 2;
        my $ok = defined $b[0] && defined $b[1] && $b[0] ne $b[1];
        for my $body (@b) {
            last unless $ok;
            my $at2 = index($body, '<body>') + length '<body>';
            $ok = $side eq 'vbanner'
                ? substr($body, $at2, length $vins) eq $vins
                : index($body, 'se-banner') < 0
                  && length($body) > length($page);
        }
        die "bench: $p: not the page with a per-request <title>"
            . ($side eq 'vbanner' ? ' and the banner' : '')
            . ": refusing to measure\n" unless $ok;
        $path{$side} = $p;
    }

    printf "banner: 20 KB page via proxy_pass (%d bytes, banner %d bytes); "
        . "wrk -t%d -c%d -d%ds, %d rounds of each of %s, rotating%s\n",
        $bt{page}, $bt{banner_bytes}, $OPT{threads}, $OPT{connections},
        $OPT{banner_duration}, $OPT{banner_rounds},
        join(', ', @BANNER_SIDES), defined $CPU{wrk}
            ? " (wrk and backend on CPU $CPU{wrk}, front worker on CPU "
              . "$CPU{nginx})" : '';

    my ($worker) = children_of($ng->{pid});
    run_wrk($ng->{port}, $path{$_}, 1, $worker, [$be_worker])
        for @BANNER_SIDES;

    print "  round side          req/s  latency  worker busy  worker us/req"
        . " (user+sys)  wrk busy  backend busy  other CPUs busy\n";
    my (%rps, %cost, %user, %sys, %paired, %cpaired, @busy, @be_busy,
        @wrk_busy, @other);
    my $errors = 0;
    # ABBA: the sides compared against a target stay next to each other
    # (sub_filter and plain on either side of banner, no incident after
    # plain) and every other round is reversed, so that a drift of the
    # machine's speed within a round touches both sides of a ratio alike
    my @abba = qw(sized subf banner plain calm);
    for my $i (0 .. $OPT{banner_rounds} - 1) {
        my @order = $i % 2 ? reverse(@abba) : @abba;
        my %round;
        for my $side (@order) {
            my $w = run_wrk($ng->{port}, $path{$side},
                            $OPT{banner_duration}, $worker, [$be_worker]);
            $round{$side} = $w->{rps};
            $errors += $w->{errors};
            push @{ $rps{$side} }, $w->{rps};
            push @{ $cost{$side} }, $w->{us_per_req};
            push @{ $user{$side} }, $w->{us_user};
            push @{ $sys{$side} }, $w->{us_sys};
            push @busy, $w->{worker_busy};
            push @be_busy, $w->{also_busy};
            push @wrk_busy, $w->{wrk_busy};
            push @other, $w->{other};
            printf "  %5d %-11s %9.0f  %7s  %10.0f%%  %6.2f (%5.1f+%4.1f)"
                . "  %7.0f%%  %11.0f%%  %15.2f%s\n", $i + 1,
                $BANNER_LABEL{$side}, $w->{rps}, $w->{latency},
                100 * $w->{worker_busy}, $w->{us_per_req}, $w->{us_user},
                $w->{us_sys}, 100 * $w->{wrk_busy},
                100 * $w->{also_busy}, $w->{other},
                $w->{errors} ? "  ($w->{errors} errors)" : '';
        }
        for my $k (qw(banner_plain banner_subf calm_plain banner_sized)) {
            my ($x, $y) = split /_/, $k;
            push @{ $paired{$k} }, $round{$x} / $round{$y};
            push @{ $cpaired{$k} }, $cost{$x}[-1]
                ? $cost{$y}[-1] / $cost{$x}[-1] : 0;
        }
    }

    # the states must not have changed under the measurement
    my $after = http_body(http_get($ng->{port}, $path{banner}, 5));
    $bt{changed} = !defined $after || $after ne $got;
    print "warning: the banner changed during the measurement\n"
        if $bt{changed};
    stop_nginx($ng);

    for my $side (@BANNER_SIDES) {
        my @s = sort { $a <=> $b } @{ $rps{$side} };
        $bt{rps}{$side} = median(@s);
        $bt{range}{$side} = [@s[0, -1]];
        $bt{cost}{$side} = median(@{ $cost{$side} });
        $bt{user}{$side} = median(@{ $user{$side} });
        $bt{sys}{$side} = median(@{ $sys{$side} });
    }
    for my $k (keys %paired) {
        my ($x, $y) = split /_/, $k;
        $bt{ratio}{$k} = $bt{rps}{$x} / $bt{rps}{$y};
        $bt{paired}{$k} = median(@{ $paired{$k} });
        $bt{cost_ratio}{$k} = $bt{cost}{$x} ? $bt{cost}{$y} / $bt{cost}{$x} : 0;
        $bt{cost_paired}{$k} = median(@{ $cpaired{$k} });
    }
    $bt{errors} = $errors;
    $bt{busy} = median(@busy);
    $bt{be_busy} = median(@be_busy);
    $bt{wrk_busy} = median(@wrk_busy);
    $bt{other} = median(@other);
    $bt{runs} = scalar @other;
    $bt{disturbed} = grep { $_ > 0.15 } @other;

    # instructions per request of the front nginx alone
    $bt{ir} = callgrind_counts({ name => 'callgrind-banner',
            ready => '/se-version', http => $http, server => $bt{server},
            prepare => sub { $wait_states->($_[0], 60) } },
        \%path, [@BANNER_SIDES, @BANNER_SCAN_SIDES,
                 reverse(@BANNER_SIDES), reverse(@BANNER_SCAN_SIDES)]);
    if ($bt{ir}) {
        printf "instructions: user space per request of the front nginx "
            . "(callgrind): %s\n", join(', ', map {
                sprintf '%s %.0f', $BANNER_LABEL{$_}, $bt{ir}{$_}
            } @BANNER_SIDES, @BANNER_SCAN_SIDES);
    }
    stop_nginx($be);
    return \%bt;
}

1;
