# tools/bench, part 10: the uptime history
# (one file of the bench, in its package: see tools/bench)

use strict;
use warnings;

use POSIX qw(strftime);
use Time::HiRes qw(time sleep);

our @UPTIME_ROWS;    # its rows in the report

# ---------------------------------------------------------------------------
# the status changes of one component over $days days before $now: from
# 100 days back operational, then each day degraded 20 min at 02:00,
# partial_outage 5 min at 09:00, major_outage 2 min at 17:00 (UTC), back
# to operational after each: 6 changes a day; as ZADD arguments
sub uptime_history_args {
    my ($days, $now, $salt) = @_;
    my $day0 = int($now / 86400) * 86400 - $days * 86400;
    my @h = ([$now - 100 * 86400, 'operational']);
    for my $d (0 .. $days - 1) {
        my $t = $day0 + $d * 86400 + ($salt % 60);
        for my $o ([2 * 3600, 1200, 'degraded_performance'],
                   [9 * 3600, 300, 'partial_outage'],
                   [17 * 3600, 120, 'major_outage']) {
            my $at = $t + $o->[0];
            last if $at + $o->[1] >= $now;
            push @h, [$at, $o->[2]], [$at + $o->[1], 'operational'];
        }
    }
    return map { ($_->[0], "$_->[1]:$_->[0]") } @h;
}

# a page of $n components under $prefix, with or without their history
sub uptime_page {
    my ($redis, $prefix, $n, $days, $history) = @_;
    my $now = time;
    $redis->redis('HSET', "${prefix}page", 'id', 'bench', 'name',
                  'Uptime bench', 'time_zone', 'America/New_York');
    for my $i (1 .. $n) {
        $redis->redis('ZADD', "${prefix}components", $i, "c$i");
        $redis->redis('HSET', "${prefix}component:c$i", 'name',
                      "Component $i", 'status', 'operational');
        $redis->redis('ZADD', "${prefix}component:c$i:history",
                      uptime_history_args($days, $now, $i)) if $history;
    }
    return $redis->redis('INCR', "${prefix}version");
}

# the version an ETag "se-<version>-..." names, or undef
sub uptime_served {
    my ($port, $path) = @_;
    my $res = http_get($port, $path, 2) or return;
    my $etag = header($res, 'ETag') // '';
    return $etag =~ /\A"se-(\d+)-/ ? $1 : undef;
}

sub uptime_bench {
    my ($redis) = @_;
    my $n = env_int('BENCH_UPTIME_COMPONENTS', 50);
    my $days = 90;
    my $changes = env_int('BENCH_UPTIME_CHANGES', 20);
    my %prefix = (hist => 'uph:', flat => 'upf:');

    my %v;
    $v{$_} = uptime_page($redis, $prefix{$_}, $n, $days, $_ eq 'hist')
        for qw(hist flat);
    my $entries = 0;
    $entries += $redis->redis('ZCARD', "uph:component:c$_:history")
        for 1 .. $n;

    my $server = join "\n",
        map {
            my $p = $prefix{$_};
            "        location /$_/ { status_edge_page $p; "
            . "status_edge_status_page; }\n"
            . "        location /$_/api/ { status_edge_page $p; "
            . "status_edge_api; }"
        } qw(hist flat);
    my $ng = start_nginx(name => 'uptime', workers => 1,
        ready => '/hist/api/status.json', server => $server, wait => 20);

    for my $side (qw(hist flat)) {
        my $deadline = time + 20;
        sleep 0.02 until (uptime_served($ng->{port}, "/$side/api/status.json")
                          // 0) >= $v{$side} || time > $deadline;
    }

    my $page = http_get($ng->{port}, '/hist/', 5);
    my $json = http_get($ng->{port}, '/hist/api/components/c1/uptime.json', 5);
    die "bench: uptime: /hist/ answered " . ($page ? $page->{status} : 'nothing')
        . "\n" unless $page && $page->{status} == 200
        && $json && $json->{status} == 200;
    my $bars = () = $page->{body} =~ /<li class="b d-/g;
    die "bench: uptime: $bars bars on the page, not " . $n * $days . "\n"
        unless $bars == $n * $days;

    # Redis' time per read of each page, from the slow log
    $redis->redis('CONFIG', 'SET', 'slowlog-log-slower-than', 0);
    $redis->redis('CONFIG', 'SET', 'slowlog-max-len', 10000);
    $redis->redis('SLOWLOG', 'RESET');

    printf "uptime: %d components x %d days, %d history entries; the page "
        . "%d bytes with %d bars, uptime.json %d bytes; %d changes each, "
        . "alternating\n", $n, $days, $entries, length $page->{body}, $bars,
        length $json->{body}, $changes;

    my $now = strftime('%Y-%m-%dT%H:%M:%SZ', gmtime);
    my (%lat, $misses);
    for my $i (1 .. $changes) {
        for my $side ($i % 2 ? qw(hist flat) : qw(flat hist)) {
            my $p = $prefix{$side};
            my $t0 = time;
            my $v = $redis->redis('EVAL', $WRITER_LUA, 3,
                "${p}component:c1", "${p}version", "${p}events",
                'operational', "bench change $i", $now);
            my $got;
            while (1) {
                $got = uptime_served($ng->{port}, "/$side/api/status.json");
                last if defined $got && $got >= $v;
                if (time - $t0 > $MISS_AFTER) { $misses++; last }
                sleep 0.001;
            }
            push @{ $lat{$side} }, (time - $t0) * 1000;
        }
    }

    my %redis_us;
    my $log = $redis->redis('SLOWLOG', 'GET', 100000);
    for my $e (@$log) {
        my ($us, $args) = @$e[2, 3];
        next unless ref $args && uc($args->[0] // '') eq 'EVALSHA';
        my ($p) = grep { defined && /\Aup[hf]:\z/ } @$args;
        next unless $p;
        push @{ $redis_us{$p eq 'uph:' ? 'hist' : 'flat'} }, $us;
    }
    $redis->redis('CONFIG', 'SET', 'slowlog-log-slower-than', 10000);
    stop_nginx($ng);

    my %r = (components => $n, days => $days, entries => $entries,
             page => length $page->{body}, json => length $json->{body},
             misses => $misses // 0);
    for my $side (qw(hist flat)) {
        my @l = sort { $a <=> $b } @{ $lat{$side} };
        $r{$side} = { p50 => median(@l), max => $l[-1],
                      redis_us => @{ $redis_us{$side} || [] }
                                  ? median(@{ $redis_us{$side} }) : undef };
        printf "  %-4s  write -> served: p50 %6.1f ms  max %6.1f ms;  Redis "
            . "per read %s\n", $side eq 'hist' ? 'with' : 'none',
            $r{$side}{p50}, $r{$side}{max},
            defined $r{$side}{redis_us}
                ? sprintf('%.0f us', $r{$side}{redis_us}) : 'n/a';
    }
    $r{cost} = $r{hist}{p50} - $r{flat}{p50};
    push @UPTIME_ROWS,
        ["uptime: write to served, $n components x $days days",
         sprintf('%.1f ms', $r{hist}{p50}),
         sprintf('max %.1f ms; %d history entries, page %d KB',
                 $r{hist}{max}, $entries, length($page->{body}) / 1024),
         '', ''],
        ['uptime: the same page without history', sprintf('%.1f ms',
         $r{flat}{p50}), sprintf('max %.1f ms', $r{flat}{max}), '', ''],
        ['uptime: what the history adds to a change', sprintf('%.1f ms',
         $r{cost}), sprintf('Redis per read %s vs %s us',
         map { defined $_ ? sprintf('%.0f', $_) : 'n/a' }
             $r{hist}{redis_us}, $r{flat}{redis_us}),
         '< 1000 ms', verdict($r{cost} < 1000 && !$r{misses})];
    printf "uptime: the history adds %.1f ms to a change (read, derive, "
        . "render; target well under 1000 ms)%s\n", $r{cost},
        $r{misses} ? ", $r{misses} misses" : '';
    return \%r;
}

1;
