# tools/bench, part 11: the notifier's webhooks
# (one file of the bench, in its package: see tools/bench)
#
# BENCH_NOTIFY_SUBSCRIBERS (1,000) webhook subscribers on one local
# receiver (StatusEdge::Receiver).  The notifier runs as a daemon
# (status-edge notify --consumer bench --parallel P); the admin tool
# opens an incident; measured: from just before the tool starts to the
# arrival of the last subscriber's request, and the deliveries per
# second.  The reference, in the same rounds: the same number of POSTs of
# the same body and headers sent by curl --parallel --parallel-max 32
# from a config file to the same receiver.  Rounds alternate the sides;
# the medians are reported.  Then the same subscribers on a core nginx
# answering "return 200" (a receiver much faster than the Perl one):
# the notifier at the first --parallel next to curl again.

use strict;
use warnings;

use Digest::SHA qw(hmac_sha256_hex);
use File::Copy qw(copy);
use POSIX qw(strftime);
use Time::HiRes qw(time sleep);
use StatusEdge::Test qw(children_of);
use StatusEdge::Receiver;

our @NOTIFY_ROWS;    # its rows in the report

my $NOTIFY_REF_PARALLEL = 32;
my $NOTIFY_TARGET = 2.0;     # s: the write to the last of the webhooks
my $NOTIFY_STALL = 0.05;     # s: a gap between two arrivals counted

# ---------------------------------------------------------------------------
# the two receivers, each { url, clear, wait, arrivals, cpu }: arrivals
# are [time, method, path, status] of the requests since clear

# the harness's receiver: a line of requests.jsonl per complete request,
# counted without being parsed while the bench waits
sub notify_rx_sink {
    my ($rx) = @_;
    my $file = $rx->dir . '/requests.jsonl';
    return {
        name => 'receiver',
        url => sub { $rx->url($_[0]) },
        clear => sub { $rx->clear },
        lines => sub {
            my ($off) = @_;
            return count_lines($file, $off);
        },
        arrivals => sub {
            return map { [$_->{time}, $_->{method}, $_->{path},
                          $_->{status}] } $rx->requests;
        },
        requests => sub { $rx->requests },
        cpu => sub { cpu_ns($rx->{pid}) },
    };
}

# a core nginx, "return 200" for every path, its access log the record
# ($msec: when the request was answered, to the millisecond)
sub notify_nginx_sink {
    my $log = "$DIR/logs/notify-sink-access.log";
    spit($log, '');
    chmod 0666, $log;
    my $ng = start_nginx(name => 'notify-sink', workers => 1, bare => 1,
        ready => '/ready',
        http => "    log_format bench_sink '\$msec \$request_method "
            . "\$uri \$status';\n",
        server => "        location / { access_log $log bench_sink; "
            . "return 200 ok; }\n"
            . "        location = /ready { return 200; }");
    my ($worker) = children_of($ng->{pid});
    my $from = 0;
    my %s = (
        name => 'nginx', nginx => $ng,
        url => sub { "http://127.0.0.1:$ng->{port}$_[0]" },
        clear => sub { $from = -s $log },
        lines => sub {
            my ($off) = @_;
            $$off = $from if $$off < $from;
            return count_lines($log, $off);
        },
        arrivals => sub {
            open my $fh, '<:raw', $log or return;
            seek $fh, $from, 0;
            my @a;
            while (my $l = <$fh>) {
                push @a, [$1, $2, $3, $4]
                    if $l =~ /\A(\d+\.\d+) (\S+) (\S+) (\d+)\n\z/;
            }
            return @a;
        },
        cpu => sub { cpu_ns($worker) },
    );
    return \%s;
}

# the lines added to $file after offset $$off (moved on)
sub count_lines {
    my ($file, $off) = @_;
    open my $fh, '<:raw', $file or return 0;
    my $size = -s $fh;
    return 0 if $size <= $$off;
    seek $fh, $$off, 0;
    my $got = read $fh, my $buf, $size - $$off;
    close $fh;
    return 0 unless $got;
    $$off += $got;
    return $buf =~ tr/\n//;
}

# waits for $n requests, bounded; the number seen
sub notify_wait {
    my ($sink, $n, $timeout) = @_;
    my $deadline = time + $timeout;
    my ($lines, $off) = (0, 0);
    while (1) {
        $lines += $sink->{lines}->(\$off);
        return $lines if $lines >= $n || time > $deadline;
        sleep 0.005;
    }
}

# the arrivals checked: a POST to each path of @$paths, answered 200;
# (first, last, the longest gap between two, gaps over $NOTIFY_STALL)
sub notify_check {
    my ($sink, $what, $paths) = @_;
    my @a = $sink->{arrivals}->();
    my %want = map { $_ => 1 } @$paths;
    my $bad = 0;
    for my $q (@a) {
        $bad++ unless $q->[1] eq 'POST' && $q->[3] eq '200'
            && delete $want{ $q->[2] };
    }
    die sprintf("bench: notify: %s: %d requests, %d paths missing, %d not "
        . "a first 200 POST to a path of its own\n", $what, scalar @a,
        scalar keys %want, $bad) if @a != @$paths || %want || $bad;
    my @t = sort { $a <=> $b } map { $_->[0] } @a;
    my ($gap, $stalls) = (0, 0);
    for my $i (1 .. $#t) {
        my $g = $t[$i] - $t[$i - 1];
        $gap = $g if $g > $gap;
        $stalls++ if $g >= $NOTIFY_STALL;
    }
    return ($t[0], $t[-1], $gap, $stalls);
}

# the notifier's daemon, blocked in XREADGROUP once ready
sub notify_daemon {
    my ($redis, $cli, $env, $parallel, @opt) = @_;
    my $log = "$DIR/logs/notify-daemon.log";
    append($log, "--- --parallel $parallel\n");
    my $pid = do {
        local @ENV{keys %$env} = values %$env;
        spawn("status-edge notify -p $parallel", 'cmd', $log, $cli,
            'notify', '--consumer', 'bench', '--parallel', $parallel, @opt);
    };
    my $deadline = time + 10;
    while (1) {
        my $list = $redis->redis('CLIENT', 'LIST');
        last if $list =~ /^(?=.*\bcmd=xreadgroup\b)(?=.*\bflags=\w*b)/m;
        die "bench: notify: the notifier exited at start:\n"
            . log_tail($log, 10) if reap($pid, 0);
        die "bench: notify: the notifier is not reading the stream after "
            . "10 s:\n" . log_tail($log, 10) if time > $deadline;
        sleep 0.005;
    }
    return $pid;
}

sub notify_pending {
    my ($redis) = @_;
    return $redis->redis('XPENDING', 'status:audit', 'status-edge-notify')
        ->[0];
}

sub notify_metrics {
    my ($redis) = @_;
    return { @{ $redis->redis('HGETALL', 'status:notify:metrics') } };
}

# one change delivered by a running notifier: the times from just before
# the admin tool starts
sub notify_round {
    my ($redis, $sink, $cli, $env, $parallel, $k, $paths, $opt) = @_;
    my $n = @$paths;
    my $pid = notify_daemon($redis, $cli, $env, $parallel, @$opt);
    my $m0 = notify_metrics($redis);
    $sink->{clear}->();
    my $cpu0 = cpu_ns($pid);
    my $rx0 = $sink->{cpu}->();
    my ($rc, $out);
    my $t0 = time;
    {
        local @ENV{keys %$env} = values %$env;
        ($rc, $out) = run_cmd(30, undef, $cli, 'incident', 'open', '--name',
            "Bench change $k", '--impact', 'minor', '--message',
            "Bench change $k: looking into it.");
    }
    my $tool = time - $t0;
    die "bench: notify: incident open failed ($rc):\n$out" if $rc;
    my $got = notify_wait($sink, $n, 30);
    my $rx1 = $sink->{cpu}->();
    die "bench: notify: $got of $n requests after 30 s (--parallel "
        . "$parallel):\n" . log_tail("$DIR/logs/notify-daemon.log", 10)
        if $got < $n;
    # every entry acknowledged, the metrics written: then it stops
    my $deadline = time + 10;
    sleep 0.01 while notify_pending($redis) && time < $deadline;
    my $cpu1 = cpu_ns($pid);
    stop_child($pid);
    my $m1 = notify_metrics($redis);
    my %d = map { $_ => ($m1->{"webhook_$_"} // 0)
                        - ($m0->{"webhook_$_"} // 0) }
        qw(queued delivered retried dead_lettered);
    die "bench: notify: metrics after the change: queued $d{queued}, "
        . "delivered $d{delivered}, retried $d{retried}, dead_lettered "
        . "$d{dead_lettered} (want $n, $n, 0, 0)\n"
        if $d{queued} != $n || $d{delivered} != $n || $d{retried}
           || $d{dead_lettered};
    my ($first, $last, $gap, $stalls) = notify_check($sink,
        "$sink->{name}, --parallel $parallel", $paths);
    return { total => $last - $t0, first => $first - $t0,
             spread => $last - $first, tool => $tool, gap => $gap,
             stalls => $stalls, cpu => ($cpu1 - $cpu0) / 1e9,
             rx_cpu => ($rx1 - $rx0) / 1e9 };
}

# the reference: curl --parallel of the same POSTs
sub curl_round {
    my ($sink, $curl, $config, $paths) = @_;
    my $n = @$paths;
    $sink->{clear}->();
    my $rx0 = $sink->{cpu}->();
    my @c0 = (times)[2, 3];
    my $t0 = time;
    my ($rc, $out) = run_cmd(60, undef, $curl, '--config', $config);
    my $done = time;
    my @c1 = (times)[2, 3];
    my $got = notify_wait($sink, $n, 10);
    my $rx1 = $sink->{cpu}->();
    my $codes = () = $out =~ /^200$/mg;
    die "bench: notify: curl exited $rc, $codes of $n answers 200, $got "
        . "requests arrived\n" . substr($out, 0, 500)
        if $rc || $codes != $n || $got < $n;
    my ($first, $last, $gap, $stalls) = notify_check($sink,
        "$sink->{name}, curl", $paths);
    return { total => $last - $t0, first => $first - $t0,
             spread => $last - $first, tool => $done - $t0, gap => $gap,
             stalls => $stalls,
             cpu => $c1[0] + $c1[1] - $c0[0] - $c0[1],
             rx_cpu => ($rx1 - $rx0) / 1e9 };
}

# a curl config file: the headers and body of one of the notifier's
# requests for each URL of @$urls
sub curl_config {
    my ($file, $req, $urls, $parallel) = @_;
    my $q = sub { my ($s) = @_; $s =~ s/(["\\])/\\$1/g; "\"$s\"" };
    spit("$file.body", $req->{body});
    my $c = "parallel\nparallel-max = $parallel\nsilent\nshow-error\n"
        . "write-out = \"\\n%{http_code}\\n\"\n"
        . "data-binary = " . $q->('@' . "$file.body") . "\n"
        # the notifier sends no "Expect: 100-continue" either
        . "header = \"Expect:\"\n";
    for my $h (@{ $req->{header_list} }) {
        my ($name, $v) = @$h;
        next if $name =~ /\A(?:host|content-length|accept|expect)\z/i;
        if (lc $name eq 'user-agent') {
            $c .= "user-agent = " . $q->($v) . "\n";
            next;
        }
        $c .= "header = " . $q->("$name: $v") . "\n";
    }
    $c .= "url = " . $q->($_) . "\n" for @$urls;
    spit($file, $c);
}

# redis-cli commands from a file
sub notify_redis_file {
    my ($redis, $name, @cmds) = @_;
    spit("$DIR/$name", join("\n", @cmds) . "\n");
    my ($rc, $out) = run_cmd(30, "$DIR/$name", '/usr/bin/redis-cli', '-p',
        $redis->redis_port);
    die "bench: notify: redis-cli < $name failed:\n" . substr($out, 0, 500)
        if $rc || $out =~ /ERR/;
}

# the subscribers, in the schema subscriber add writes
# (src/cli/se_cli_subscriber.c), by redis-cli: ids sub-bench0001...,
# webhooks $url->("/hook/$i"); their secrets by path
sub notify_subscribers {
    my ($redis, $url, $cli, $env, $n) = @_;

    # one by the admin tool, to compare its fields with the bench's
    my ($rc, $out) = do {
        local @ENV{keys %$env} = values %$env;
        run_cmd(10, undef, $cli, 'subscriber', 'add', '--webhook',
            $url->('/schema'), '--secret', 'bench-schema-0123456789');
    };
    my ($sid) = $out =~ /\A(sub-\S+)/;
    die "bench: notify: subscriber add failed ($rc):\n$out"
        if $rc || !$sid;
    my %tool = @{ $redis->redis('HGETALL', "status:subscriber:$sid") };
    ($rc, $out) = do {
        local @ENV{keys %$env} = values %$env;
        run_cmd(10, undef, $cli, 'subscriber', 'remove', $sid);
    };
    die "bench: notify: subscriber remove failed ($rc):\n$out" if $rc;

    my $now = time;
    my $created = strftime('%Y-%m-%dT%H:%M:%SZ', gmtime $now);
    my (@cmds, %secret);
    for my $i (1 .. $n) {
        my $id = sprintf 'sub-bench%04d', $i;
        my $u = $url->("/hook/$i");
        my $secret = sprintf 'bench-secret-%04d-0123456789', $i;
        my @f = (channel => 'webhook', target => $u, components => '',
                 audience => 'public', lang => 'en', state => 'active',
                 created_at => $created, source => 'cli',
                 secret => $secret);
        if ($i == 1) {
            my @mine = sort map { $f[2 * $_] } 0 .. @f / 2 - 1;
            my @theirs = sort keys %tool;
            die "bench: notify: subscriber add writes the fields @theirs, "
                . "the bench @mine\n" unless "@mine" eq "@theirs";
            die "bench: notify: subscriber add wrote created_at "
                . "$tool{created_at}, not like $created\n" unless
                $tool{created_at} =~ /\A\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\z/;
        }
        push @cmds, "ZADD status:subscribers " . int($now) . " $id",
            join(' ', 'HSET', "status:subscriber:$id",
                 map { $_ eq '' ? '""' : $_ } @f),
            qq(HSET status:subscribers:targets "webhook $u" $id);
        $secret{"/hook/$i"} = $secret;
    }
    notify_redis_file($redis, 'notify-subscribers.redis', @cmds);
    my $count = $redis->redis('ZCARD', 'status:subscribers');
    die "bench: notify: $count subscribers, not $n\n" unless $count == $n;

    # the admin tool reads them whole
    ($rc, $out) = do {
        local @ENV{keys %$env} = values %$env;
        run_cmd(30, undef, $cli, 'subscriber', 'list');
    };
    my $listed = () = $out
        =~ /^sub-bench\d+  webhook  \S+  \*  public  en  active$/mg;
    die "bench: notify: subscriber list shows $listed of $n:\n"
        . substr($out, 0, 500) if $rc || $listed != $n || $out =~ /broken/;
    return \%secret;
}

# every subscriber's webhook moved from $from to $to (the same paths)
sub notify_move {
    my ($redis, $n, $from, $to) = @_;
    my @cmds;
    for my $i (1 .. $n) {
        my $id = sprintf 'sub-bench%04d', $i;
        my ($old, $new) = map { $_->("/hook/$i") } $from, $to;
        push @cmds, "HSET status:subscriber:$id target $new",
            qq(HDEL status:subscribers:targets "webhook $old"),
            qq(HSET status:subscribers:targets "webhook $new" $id);
    }
    notify_redis_file($redis, 'notify-move.redis', @cmds);
}

sub notify_side_line {
    my ($i, $label, $n, $r) = @_;
    printf "  round %d %-12s first %5.1f ms  last %6.1f ms  %6.0f/s  "
        . "longest gap %5.1f ms  tool %5.1f ms  CPU %4.0f ms, receiver "
        . "%4.0f ms\n", $i, $label, 1000 * $r->{first}, 1000 * $r->{total},
        $n / $r->{spread}, 1000 * $r->{gap}, 1000 * $r->{tool},
        1000 * $r->{cpu}, 1000 * $r->{rx_cpu};
}

sub notify_medians {
    my ($n, @r) = @_;
    my %m = map { my $f = $_; ($f => median(map { $_->{$f} } @r)) }
        qw(total first spread tool cpu rx_cpu gap);
    $m{max} = (sort { $b <=> $a } map { $_->{total} } @r)[0];
    $m{stalls} = 0;
    $m{stalls} += $_->{stalls} for @r;
    $m{rate} = median(map { $n / $_->{spread} } @r);
    $m{rate_total} = median(map { $n / $_->{total} } @r);
    return \%m;
}

sub notify_bench {
    my $n = env_int('BENCH_NOTIFY_SUBSCRIBERS', 1000, 2, 100000);
    my $rounds = env_int('BENCH_NOTIFY_ROUNDS', 3, 1, 50);
    my @parallel = split /\s*,\s*/,
        ($ENV{BENCH_NOTIFY_PARALLEL} // '32,8,128');
    die "bench: BENCH_NOTIFY_PARALLEL: numbers from 1 to 1024\n"
        if !@parallel || grep { !/\A\d+\z/ || $_ < 1 || $_ > 1024 }
                              @parallel;
    my $tool = $ENV{STATUS_EDGE_CLI} || "$TOP/build/status-edge";
    die "bench: $tool not found: run make first\n" unless -x $tool;
    # a private copy, as the module's: a rebuild does not change it midway
    my $cli = "$DIR/status-edge";
    copy($tool, $cli) && chmod(0755, $cli)
        or die "bench: copy $tool: $!\n";
    my $curl = find_bin('curl')
        or die "bench: curl not found (apt-get install curl)\n";
    my ($curl_v) = (run_cmd(5, undef, $curl, '--version'))[1]
        =~ /\Acurl (\S+)/;

    my $t_part = time;
    my $redis = StatusEdge::Test->new(name => 'bench-notify')->start_redis;
    load_state($redis);
    my %env = (STATUS_EDGE_REDIS => 'redis://127.0.0.1:'
                   . $redis->redis_port, USER => 'bench');
    my $rx = StatusEdge::Receiver->new(dir => "$DIR/notify-rx")->start;
    my $rxs = notify_rx_sink($rx);
    my $secret_file = "$DIR/notify.secret";
    spit($secret_file, "0123456789abcdef0123456789abcdef\n");
    my @opt = ('--secret-file', $secret_file);

    # the first run makes the consumer group: from then on
    my ($rc, $out) = do {
        local @ENV{keys %env} = values %env;
        run_cmd(30, undef, $cli, 'notify', '--once', @opt);
    };
    die "bench: notify --once failed ($rc):\n$out" if $rc
        || $out !~ /^queued 0 delivered 0 retried 0 dead_lettered 0$/m;

    my $secret = notify_subscribers($redis, $rxs->{url}, $cli, \%env, $n);
    my @hooks = map { "/hook/$_" } 1 .. $n;
    my @refs = map { "/ref/$_" } 1 .. $n;
    printf "notify: %d webhook subscribers on one receiver; the notifier "
        . "running (--parallel %s), the admin tool's incident open; curl "
        . "%s --parallel-max %d of the same POSTs; %d rounds\n", $n,
        join('/', @parallel), $curl_v // '?', $NOTIFY_REF_PARALLEL, $rounds;

    # a warm-up change, whose requests are also checked through and
    # give the reference its body and headers
    my $k = 0;
    my $w = notify_round($redis, $rxs, $cli, \%env, $parallel[0], ++$k,
                         \@hooks, \@opt);
    my @reqs = $rxs->{requests}->();
    my $bad_sig = grep {
        ($_->{headers}{'x-status-edge-signature'} // '') ne 'sha256='
            . hmac_sha256_hex($_->{body}, $secret->{ $_->{path} })
    } @reqs;
    die "bench: notify: $bad_sig requests without the subscriber's "
        . "signature\n" if $bad_sig;
    my @order = map { $_->{path} } sort { $a->{n} <=> $b->{n} } @reqs;
    my ($sample) = grep { $_->{path} eq '/hook/1' } @reqs;
    my %conns = map { $_->{conn} => 1 } @reqs;
    my $body = length $sample->{body};
    curl_config("$DIR/notify-curl.conf", $sample,
        [map { $rxs->{url}->($_) } @refs], $NOTIFY_REF_PARALLEL);
    printf "  warm-up: %d deliveries over %d connections, %.0f ms to the "
        . "last; body %d bytes; arrival order %s, %s, ... %s\n", $n,
        scalar keys %conns, 1000 * $w->{total}, $body, @order[0, 1, -1];

    my %res;    # side => [round results]
    for my $i (1 .. $rounds) {
        my @sides = ('curl', map { "p$_" } @parallel);
        @sides = reverse @sides unless $i % 2;
        for my $side (@sides) {
            my $r = $side eq 'curl'
                ? curl_round($rxs, $curl, "$DIR/notify-curl.conf", \@refs)
                : notify_round($redis, $rxs, $cli, \%env, substr($side, 1),
                               ++$k, \@hooks, \@opt);
            push @{ $res{$side} }, $r;
            notify_side_line($i, $side eq 'curl' ? 'curl'
                             : '-p ' . substr($side, 1), $n, $r);
        }
    }

    # the same on a core nginx: what the notifier does with a receiver
    # that answers at once
    my $ngs = notify_nginx_sink();
    notify_move($redis, $n, $rxs->{url}, $ngs->{url});
    curl_config("$DIR/notify-curl-nginx.conf", $sample,
        [map { $ngs->{url}->($_) } @refs], $NOTIFY_REF_PARALLEL);
    my $p0 = $parallel[0];
    printf "notify: the same subscribers on a core nginx (return 200): "
        . "--parallel %d and curl\n", $p0;
    for my $i (1 .. $rounds) {
        for my $side ($i % 2 ? qw(ncurl np) : qw(np ncurl)) {
            my $r = $side eq 'ncurl'
                ? curl_round($ngs, $curl, "$DIR/notify-curl-nginx.conf",
                             \@refs)
                : notify_round($redis, $ngs, $cli, \%env, $p0, ++$k,
                               \@hooks, \@opt);
            push @{ $res{$side} }, $r;
            notify_side_line($i, $side eq 'ncurl' ? 'nginx, curl'
                             : "nginx, -p $p0", $n, $r);
        }
    }
    stop_nginx($ngs->{nginx});
    $rx->stop;
    $redis->stop_redis(signal => 'TERM');

    my %m = map { $_ => notify_medians($n, @{ $res{$_} }) } keys %res;
    my ($c, $d, $nc, $np) = @m{'curl', "p$p0", 'ncurl', 'np'};
    my $ms = sub { sprintf '%.0f ms', 1000 * $_[0] };
    for my $p (@parallel) {
        my $s = $m{"p$p"};
        push @NOTIFY_ROWS,
            ["notify -p $p: write -> last of $n webhooks",
             $ms->($s->{total}),
             sprintf('max %s; first %s; curl %s: ratio %.2f',
                     $ms->($s->{max}), $ms->($s->{first}),
                     $ms->($c->{total}), $s->{total} / $c->{total}),
             $p == $p0 ? "< $NOTIFY_TARGET s" : '',
             $p == $p0 ? verdict($s->{max} < $NOTIFY_TARGET) : ''],
            ["notify -p $p: deliveries/s", sprintf('%.0f /s', $s->{rate}),
             sprintf('%.0f /s from the write; curl %.0f /s: ratio %.2f; CPU '
                     . '%.0f us/delivery; longest gap %s',
                     $s->{rate_total}, $c->{rate}, $s->{rate} / $c->{rate},
                     1e6 * $s->{cpu} / $n, $ms->($s->{gap})), '', ''];
    }
    push @NOTIFY_ROWS,
        ["notify: curl --parallel-max $NOTIFY_REF_PARALLEL, same POSTs",
         $ms->($c->{total}),
         sprintf('%.0f /s; first %s; CPU %.0f us/request; receiver CPU %s '
                 . '(notifier -p %d: %s)', $c->{rate}, $ms->($c->{first}),
                 1e6 * $c->{cpu} / $n, $ms->($c->{rx_cpu}), $p0,
                 $ms->($d->{rx_cpu})), '', ''],
        ["notify -p $p0 to nginx: write -> last of $n",
         $ms->($np->{total}),
         sprintf('max %s; curl %s: ratio %.2f; %d gaps >= %.0f ms in %d '
                 . 'rounds, longest %s', $ms->($np->{max}),
                 $ms->($nc->{total}), $np->{total} / $nc->{total},
                 $np->{stalls}, 1000 * $NOTIFY_STALL, $rounds,
                 $ms->($np->{gap})),
         "< $NOTIFY_TARGET s", verdict($np->{max} < $NOTIFY_TARGET)],
        ["notify -p $p0 to nginx: deliveries/s",
         sprintf('%.0f /s', $np->{rate}),
         sprintf('curl %.0f /s: ratio %.2f; curl: %d gaps >= %.0f ms',
                 $nc->{rate}, $np->{rate} / $nc->{rate}, $nc->{stalls},
                 1000 * $NOTIFY_STALL), '', ''];
    printf "notify: the write to the last of %d webhooks %s (max %s; "
        . "target < %.0f s), curl %s: ratio %.2f; %.0f deliveries/s, curl "
        . "%.0f/s; to nginx %s, curl %s: ratio %.2f (medians of %d rounds; "
        . "the part took %.0f s)\n", $n, $ms->($d->{total}),
        $ms->($d->{max}), $NOTIFY_TARGET, $ms->($c->{total}),
        $d->{total} / $c->{total}, $d->{rate}, $c->{rate},
        $ms->($np->{total}), $ms->($nc->{total}),
        $np->{total} / $nc->{total}, $rounds, time - $t_part;
    return \%m;
}

1;
