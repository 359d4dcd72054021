# tools/bench, the common part: processes, HTTP, nginx, wrk, CPU time, callgrind,
# the machine
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
# processes and cleanup

our $MAIN_PID = $$;
our %CHILD;           # pid => { name, kind }
our $DIR;
our $CLEANED = 0;

sub cleanup {
    return if $CLEANED++ || $$ != $MAIN_PID;
    local $?;
    # nginx masters first (their workers go with them), then the rest
    my @pids = sort { ($CHILD{$a}{kind} eq 'nginx' ? 0 : 1)
                      <=> ($CHILD{$b}{kind} eq 'nginx' ? 0 : 1) } keys %CHILD;
    stop_child($_) for @pids;
    if ($DIR && -d $DIR) {
        if ($ENV{BENCH_KEEP}) {
            print STDERR "bench: kept $DIR\n";
        } else {
            remove_tree($DIR);
        }
    }
}

sub spawn {
    my ($name, $kind, $out, @cmd) = @_;
    my $pid = fork;
    die "fork: $!" unless defined $pid;
    if (!$pid) {
        $SIG{$_} = 'DEFAULT' for qw(INT TERM HUP ALRM PIPE);
        open STDIN, '<', '/dev/null';
        open STDOUT, '>>', $out or POSIX::_exit(126);
        open STDERR, '>&', \*STDOUT or POSIX::_exit(126);
        { no warnings 'exec'; exec { $cmd[0] } @cmd; }
        POSIX::_exit(127);
    }
    $CHILD{$pid} = { name => $name, kind => $kind };
    return $pid;
}

# waits for $pid; 1 when it has exited
sub reap {
    my ($pid, $timeout) = @_;
    my $deadline = time + $timeout;
    while (1) {
        my $r = waitpid($pid, WNOHANG);
        if ($r == $pid || $r == -1) {
            delete $CHILD{$pid};
            return 1;
        }
        return 0 if time > $deadline;
        sleep 0.01;
    }
}

sub stop_child {
    my ($pid) = @_;
    return unless $CHILD{$pid};
    my @workers = $CHILD{$pid}{kind} eq 'nginx' ? children_of($pid) : ();
    kill 'TERM', $pid;
    if (!reap($pid, 5)) {
        kill 'KILL', $pid;
        reap($pid, 2);
    }
    # workers of a master that had to be killed: by their ids
    for my $w (@workers) {
        my $ppid = proc_parent($w);
        kill 'KILL', $w if ($ppid == 1 || $ppid == $pid)
            && slurp("/proc/$w/cmdline") =~ /\Anginx: worker/;
    }
}

sub proc_parent {
    my ($pid) = @_;
    open my $fh, '<', "/proc/$pid/stat" or return -1;
    my $stat = <$fh>;
    return -1 unless defined $stat && $stat =~ /\)\s+(\S)\s+(\d+)/;
    return -1 if $1 eq 'Z';
    return $2;
}

# runs a short command, output to a file; bounded; returns (exit code, output)
sub run_cmd {
    my ($timeout, $stdin, @cmd) = @_;
    my $out = "$DIR/cmd.out";
    unlink $out;
    my $pid = fork;
    die "fork: $!" unless defined $pid;
    if (!$pid) {
        $SIG{$_} = 'DEFAULT' for qw(INT TERM HUP ALRM PIPE);
        open STDIN, '<', ($stdin // '/dev/null') or POSIX::_exit(126);
        open STDOUT, '>', $out or POSIX::_exit(126);
        open STDERR, '>&', \*STDOUT or POSIX::_exit(126);
        { no warnings 'exec'; exec { $cmd[0] } @cmd; }
        POSIX::_exit(127);
    }
    $CHILD{$pid} = { name => $cmd[0], kind => 'cmd' };
    my $deadline = time + $timeout;
    my $rc;
    while (1) {
        my $r = waitpid($pid, WNOHANG);
        if ($r == $pid) { $rc = $? >> 8; delete $CHILD{$pid}; last }
        if (time > $deadline) {
            kill 'KILL', $pid;
            reap($pid, 2);
            die "bench: '@cmd' did not finish within $timeout s\n";
        }
        sleep 0.02;
    }
    return ($rc, slurp($out));
}

# ---------------------------------------------------------------------------
# small helpers

sub env_int {
    my ($name, $default, $min, $max) = @_;
    my $v = $ENV{$name};
    return $default unless defined $v && length $v;
    die "bench: $name must be an integer in $min..$max\n"
        unless $v =~ /\A\d+\z/ && $v >= $min && $v <= $max;
    return $v + 0;
}

sub find_bin {
    my ($name) = @_;
    for my $d (split /:/, $ENV{PATH} || '/usr/bin:/bin') {
        return "$d/$name" if -x "$d/$name";
    }
    return undef;
}

sub spit {
    my ($file, $s) = @_;
    open my $fh, '>:raw', $file or die "bench: $file: $!\n";
    print $fh $s;
    close $fh or die "bench: $file: $!\n";
}

sub append {
    my ($file, $s) = @_;
    open my $fh, '>>:raw', $file or die "bench: $file: $!\n";
    print $fh $s;
    close $fh or die "bench: $file: $!\n";
}

sub median {
    my @v = sort { $a <=> $b } @_;
    return undef unless @v;
    return @v % 2 ? $v[$#v / 2] : ($v[@v / 2 - 1] + $v[@v / 2]) / 2;
}

# nearest-rank percentile; undef values (misses) sort last
sub percentile {
    my ($p, @v) = @_;
    my @s = sort { (defined $a ? $a : 9e99) <=> (defined $b ? $b : 9e99) } @v;
    my $i = int($p / 100 * @s + 0.999999) - 1;
    $i = 0 if $i < 0;
    return $s[$i];
}

sub log_tail {
    my ($file, $n) = @_;
    my @l = split /\n/, slurp($file);
    @l = @l[-$n .. -1] if @l > $n;
    return join('', map { "    $_\n" } @l);
}

# ---------------------------------------------------------------------------
# HTTP/1.1 over loopback, one request per connection

sub http_get {
    my ($port, $path, $timeout) = @_;
    $timeout //= 2;
    my $deadline = time + $timeout;
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port,
        Proto => 'tcp', Timeout => $timeout) or return;
    my $req = "GET $path HTTP/1.1\r\nHost: 127.0.0.1:$port\r\n"
            . "Connection: close\r\n\r\n";
    return unless defined syswrite($s, $req);
    my $sel = IO::Select->new($s);
    my $buf = '';
    while (1) {
        my $left = $deadline - time;
        return if $left <= 0;
        next unless $sel->can_read($left);
        my $n = sysread($s, $buf, 65536, length $buf);
        return unless defined $n;
        last if $n == 0;
    }
    close $s;
    my $end = index($buf, "\r\n\r\n");
    return if $end < 0;
    my $head = substr($buf, 0, $end + 2);
    my $body = substr($buf, $end + 4);
    my ($status) = $head =~ m{\AHTTP/1\.\d (\d{3})} or return;
    my @headers;
    for my $line (split /\r\n/, $head) {
        push @headers, [$1, $2] if $line =~ /\A([^:\s]+):\s*(.*)\z/;
    }
    return { status => $status, head => $head, headers => \@headers,
             body => $body };
}

sub header {
    my ($res, $name) = @_;
    for my $h (@{ $res->{headers} }) {
        return $h->[1] if lc $h->[0] eq lc $name;
    }
    return undef;
}

# ---------------------------------------------------------------------------
# redis-server and nginx

our $REDIS_PORT;

# the test harness's redis-server (stopped at exit by the harness); the
# object's redis() sends a command
sub start_redis {
    my $redis = StatusEdge::Test->new(name => 'bench')->start_redis;
    $REDIS_PORT = $redis->redis_port;
    return $redis;
}

# a file of redis-cli commands writing the state of page prefix $prefix
sub load_state {
    my ($redis, $file, $prefix) = @_;
    $file //= $STATE;
    $prefix //= 'status:';
    my ($rc, $out) = run_cmd(10, $file, '/usr/bin/redis-cli', '-p',
        $redis->redis_port);
    die "bench: loading $file failed:\n$out" if $rc || $out =~ /^\(?ERR/m;
    my $version = $redis->redis('GET', "${prefix}version");
    $redis->redis('PUBLISH', "${prefix}events", $version);
    return $version;
}

our %CPU = (wrk => undef, nginx => undef);

sub plan_cpus {
    return unless $OPT{pin} && find_bin('taskset');
    my ($list) = slurp('/proc/self/status') =~ /^Cpus_allowed_list:\s*(\S+)/m;
    return unless $list;
    my @cpus;
    for my $part (split /,/, $list) {
        if ($part =~ /\A(\d+)-(\d+)\z/) { push @cpus, $1 .. $2 }
        elsif ($part =~ /\A(\d+)\z/)    { push @cpus, $1 }
    }
    return unless @cpus >= 2;
    @CPU{qw(wrk nginx)} = @cpus[0, 1];
}

sub nginx_conf {
    my (%o) = @_;
    my $name = $o{name};
    my $temp = join '', map { "    ${_}_temp_path $DIR/tmp/$_;\n" }
        qw(client_body proxy fastcgi uwsgi scgi);
    my $affinity = defined $o{cpu}
        ? "worker_cpu_affinity 1" . ('0' x $o{cpu}) . ";\n" : '';
    # bare: core nginx only (the banner part's backend)
    my $load = $o{bare} ? ''
        : "load_module $DIR/ngx_http_status_edge_module.so;\n";
    my $redis_conf = $o{bare} ? ''
        : "    status_edge_redis " . ($o{redis} // "127.0.0.1:$REDIS_PORT")
          . ";\n";
    my $main = $o{main} // '';
    my $wc = $o{worker_connections} // 4096;
    return <<CONF;
${load}worker_processes $o{workers};
${affinity}${main}pid $DIR/$name.pid;
error_log $DIR/logs/$name-error.log notice;
events { worker_connections $wc; }
http {
    access_log off;
$temp    keepalive_requests 1000000;
    keepalive_timeout 60s;
$redis_conf$o{http}
    server {
        listen 127.0.0.1:$o{port}$o{listen};
        server_name localhost;
$o{server}
    }
}
CONF
}

sub start_nginx {
    my (%o) = @_;
    my $name = $o{name};
    $o{port} = free_port();
    $o{listen} //= '';
    $o{http} //= '';
    spit("$DIR/$name.conf", nginx_conf(%o));
    my $single = $o{single} ? ' master_process off;' : '';
    my $pid = spawn("nginx $name", 'nginx', "$DIR/logs/$name-stderr.log",
        @{ $o{wrap} || [] }, $NGINX, '-p', "$DIR/", '-c', "$DIR/$name.conf",
        '-e', "$DIR/logs/$name-error.log", '-g', "daemon off;$single");
    my $wait = $o{wait} || 10;
    my $deadline = time + $wait;
    while (1) {
        if (waitpid($pid, WNOHANG) == $pid) {
            delete $CHILD{$pid};
            die "bench: nginx ($name) exited at start:\n"
                . log_tail("$DIR/logs/$name-stderr.log", 10)
                . log_tail("$DIR/logs/$name-error.log", 10);
        }
        my $res = http_get($o{port}, $o{ready}, 1);
        last if $res && $res->{status} == 200
            && ($o{single} || (my @w = children_of($pid)) >= $o{workers});
        die "bench: nginx ($name) not ready in $wait s (no state from "
            . "Redis?):\n" . log_tail("$DIR/logs/$name-error.log", 10)
            if time > $deadline;
        sleep 0.05;
    }
    return { pid => $pid, port => $o{port}, name => $name };
}

sub stop_nginx { stop_child($_[0]{pid}) }

# ---------------------------------------------------------------------------
# part 1: throughput

# the body as an nginx single-quoted string: \ and ' escaped; $ through a
# geo variable, since a complex value has no escape for it
sub nginx_quote {
    my ($s) = @_;
    $s =~ s/([\\'])/\\$1/g;
    my $dollars = ($s =~ s/\$/\${bench_dollar}/g);
    return ("'$s'", $dollars);
}

sub reference_location {
    my ($res) = @_;
    my @add;
    for my $h (qw(ETag Cache-Control Access-Control-Allow-Origin
                  X-Content-Type-Options)) {
        my $v = header($res, $h);
        die "bench: summary.json has no $h header\n" unless defined $v;
        die "bench: $h header value has a quote: $v\n" if $v =~ /'/;
        push @add, "add_header $h '$v';";
    }
    my $type = header($res, 'Content-Type') // 'application/json';
    my ($quoted, $dollars) = nginx_quote($res->{body});
    my %ref = (http => '', note => '');
    my $kind = $OPT{ref};

    # nginx reads one configuration token into a 4096-byte buffer
    if ($kind eq 'return' && length($quoted) > 4000) {
        $kind = 'static';
        $ref{note} = 'summary.json is ' . length($res->{body})
            . " bytes: over nginx's 4 KiB limit for one configuration token,"
            . " so the reference is a static file instead of return 200";
    }

    if ($kind eq 'return') {
        if ($dollars) {
            $ref{http} = "    geo \$bench_dollar { default \"\$\"; }\n";
            $ref{note} = "the body has $dollars '\$': the reference evaluates"
                . ' a variable for each';
        }
        $ref{label} = 'nginx return 200';
        $ref{location} = join "\n", '        location = /ref/summary.json {',
            "            default_type '$type';",
            (map { "            $_" } @add),
            "            return 200 $quoted;",
            '        }';
    } else {
        mkdir "$DIR/html";
        mkdir "$DIR/html/ref";
        spit("$DIR/html/ref/summary.json", $res->{body});
        $ref{label} = 'nginx static file';
        # identical headers: no Last-Modified, Accept-Ranges or nginx ETag
        $ref{location} = static_location('/ref/summary.json', $type, @add);
    }
    return \%ref;
}

# the location serving $DIR/html$path as nginx's reference for an answer
# of the module: the same type, added headers @add, and none of the
# static file's own (Last-Modified, Accept-Ranges, its ETag)
sub static_location {
    my ($path, $type, @add) = @_;
    return join "\n", "        location = $path {",
        "            root $DIR/html;",
        "            types { } default_type '$type';",
        '            etag off; max_ranges 0;',
        '            open_file_cache max=16; open_file_cache_valid 600s;',
        "            add_header Last-Modified '';",
        (map { "            $_" } @add),
        '        }';
}

# $OPT{rounds} rounds of wrk on both sides of %$path (module, ref), in
# alternating order; $each->($round, $side, $wrk) after every run.
# Returns { rps => { side => [...] }, cost => { side => [us/req ...] },
# ratios => [module / ref per round], errors, busy => [...], other => [...] }
sub alternating_rounds {
    my ($port, $path, $worker, $each) = @_;
    my %r = (rps => {}, cost => {}, ratios => [], errors => 0, busy => [],
             other => []);
    for my $i (1 .. $OPT{rounds}) {
        my %round;
        for my $side ($i % 2 ? qw(module ref) : qw(ref module)) {
            my $w = run_wrk($port, $path->{$side}, $OPT{duration}, $worker);
            $round{$side} = $w;
            $r{errors} += $w->{errors};
            push @{ $r{rps}{$side} }, $w->{rps};
            push @{ $r{cost}{$side} }, $w->{us_per_req};
            push @{ $r{busy} }, $w->{worker_busy};
            push @{ $r{other} }, $w->{other};
            $each->($i, $side, $w);
        }
        push @{ $r{ratios} }, $round{module}{rps} / $round{ref}{rps};
    }
    return \%r;
}

# CPU time of a process in ns (schedstat, else stat in clock ticks)
sub cpu_ns {
    my ($pid) = @_;
    my ($ns) = slurp("/proc/$pid/schedstat") =~ /\A(\d+)/;
    return $ns if defined $ns;
    my @f = split ' ', (slurp("/proc/$pid/stat") =~ /\)\s+(.*)/)[0] // '';
    return (($f[11] // 0) + ($f[12] // 0)) * 1e7;
}

# user and system CPU time of a process in s (clock ticks: coarse, fine
# over a run of seconds)
our $HZ = POSIX::sysconf(POSIX::_SC_CLK_TCK()) || 100;
sub cpu_user_sys {
    my ($pid) = @_;
    my @f = split ' ', (slurp("/proc/$pid/stat") =~ /\)\s+(.*)/)[0] // '';
    return (($f[11] // 0) / $HZ, ($f[12] // 0) / $HZ);
}

# busy and total jiffies of all CPUs
sub cpu_total {
    my ($line) = slurp('/proc/stat') =~ /^cpu\s+(.*)$/m;
    my @f = split ' ', $line // '';
    push @f, 0 while @f < 8;
    my $total = 0;
    $total += $_ for @f[0 .. 7];
    return ($total - $f[3] - $f[4], $total);
}

# $also: pids of other processes of the bench (the banner part's backend)
# whose CPU time is not "other processes"
sub run_wrk {
    my ($port, $path, $duration, $worker, $also) = @_;
    my $out = "$DIR/wrk.out";
    unlink $out;
    my @cmd = ($WRK, '-t', $OPT{threads}, '-c', $OPT{connections},
        '-d', "${duration}s", '--timeout', '2s', "http://127.0.0.1:$port$path");
    unshift @cmd, 'taskset', '-c', $CPU{wrk} if defined $CPU{wrk};
    my (undef, undef, $cu0, $cs0) = times;
    my @sys0 = cpu_total();
    my $w0 = $worker ? cpu_ns($worker) : 0;
    my @us0 = $worker ? cpu_user_sys($worker) : (0, 0);
    my $a0 = 0;
    $a0 += cpu_ns($_) for @{ $also || [] };
    my $t0 = time;
    my $pid = spawn('wrk', 'wrk', $out, @cmd);
    unless (reap($pid, $duration + 20)) {
        kill 'KILL', $pid;
        reap($pid, 2);
        die "bench: wrk did not finish\n";
    }
    my $wall = time - $t0;
    my $wcpu = $worker ? (cpu_ns($worker) - $w0) / 1e9 : 0;
    my @us1 = $worker ? cpu_user_sys($worker) : (0, 0);
    my $acpu = -$a0;
    $acpu += cpu_ns($_) for @{ $also || [] };
    $acpu /= 1e9;
    my @sys1 = cpu_total();
    my (undef, undef, $cu1, $cs1) = times;
    my $wrkcpu = $cu1 + $cs1 - $cu0 - $cs0;
    my $hz = 100;
    my $busy = ($sys1[0] - $sys0[0]) / $hz;
    my $text = slurp($out);
    my ($rps) = $text =~ /^Requests\/sec:\s+([\d.]+)/m
        or die "bench: no result from wrk:\n$text";
    my ($lat) = $text =~ /^\s+Latency\s+(\S+)/m;
    my ($n) = $text =~ /^\s+(\d+) requests in/m;
    my ($bytes) = $text =~ /requests in \S+, (\S+) read/m;
    my $errors = 0;
    $errors += $1 if $text =~ /Non-2xx or 3xx responses:\s+(\d+)/;
    if ($text =~ /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/) {
        $errors += $1 + $2 + $3 + $4;
    }
    $n //= 0;
    return { rps => $rps, latency => $lat // '?', requests => $n,
             errors => $errors, text => $text,
             worker_busy => $wcpu / $wall, also_busy => $acpu / $wall,
             wrk_busy => $wrkcpu / $wall,
             us_per_req => $n ? $wcpu * 1e6 / $n : 0,
             us_user => $n ? ($us1[0] - $us0[0]) * 1e6 / $n : 0,
             us_sys => $n ? ($us1[1] - $us0[1]) * 1e6 / $n : 0,
             other => ($busy - $wcpu - $acpu - $wrkcpu) / $wall };
}
# ---------------------------------------------------------------------------
# part 1b: user-space instructions per request, counted by callgrind: free
# of the noise of a shared machine (the kernel side is the same for both:
# one recv and one writev of the same bytes per request)

# user-space instructions per request in a single-process nginx under
# callgrind, started with the start_nginx options %$o (prepare: a sub
# called with that nginx before counting); for each side of @$order, in
# that order, wrk -c4 for 2 s on $paths->{side}; a side named twice keeps
# its lowest count.  side => instructions per request, and own => { side
# => instructions per request in the module's own code }, or nothing when
# it could not count.  The dumps are $DIR/NAME.out.N (BENCH_KEEP=1 keeps
# them for callgrind_annotate).
sub callgrind_counts {
    my ($o, $paths, $order) = @_;
    my $vg = find_bin('valgrind');
    my $ctl = find_bin('callgrind_control');
    return unless $vg && $ctl && ($ENV{BENCH_CALLGRIND} // 1);

    my %so = %$o;
    my $prepare = delete $so{prepare};
    my $name = $so{name};
    # the resync (every 30 s: a whole snapshot read, parsed and compared)
    # is not a request's cost: landing in a counted window it added up to
    # ~700 instructions to each of its requests
    $so{http} = ($so{http} // '') . "    status_edge_resync_interval 1h;\n";
    my $ng = start_nginx(workers => 1, single => 1, wait => 60, %so,
        wrap => [$vg, '--tool=callgrind', '--instr-atstart=no',
                 "--callgrind-out-file=$DIR/$name.out"]);
    $prepare->($ng) if $prepare;
    my (%ir, %own);
    my $dump = 0;
    # wrk -c4 on a side for $secs: the requests it made
    my $load = sub {
        my ($side, $secs) = @_;
        my $out = "$DIR/wrk.out";
        unlink $out;
        my $pid = spawn('wrk', 'wrk', $out, $WRK, '-t1', '-c4', "-d${secs}s",
            "http://127.0.0.1:$ng->{port}$paths->{$side}");
        reap($pid, 30) or die "bench: wrk did not finish\n";
        my ($n) = slurp($out) =~ /^\s+(\d+) requests in/m;
        return $n;
    };
    # warm-ups, not counted: every location once, then each one again
    # just before it is counted, so that the heap is in the same steady
    # state for all (a fresh heap makes malloc cheaper for the first)
    my %seen;
    $load->($_, 1) for grep { !$seen{$_}++ } @$order;
    for my $side (@$order) {
        $load->($side, 1);
        run_cmd(20, undef, $ctl, '-i', 'on', $ng->{pid});
        run_cmd(20, undef, $ctl, '-z', $ng->{pid});
        my $n = $load->($side, 2);
        run_cmd(20, undef, $ctl, '-d', $side, $ng->{pid});
        run_cmd(20, undef, $ctl, '-i', 'off', $ng->{pid});
        $dump++;
        my ($total) = slurp("$DIR/$name.out.$dump") =~ /^totals:\s*(\d+)/m;
        if (!$n || !$total) {
            stop_nginx($ng);
            return;
        }
        my $module = module_self_cost("$DIR/$name.out.$dump");
        push @{ $ir{$side} }, $total / $n;
        push @{ $own{$side} }, $module / $n;
        append("$DIR/$name.requests",
               "$name.out.$dump $side $n $total $module\n");
    }
    stop_nginx($ng);
    my $lowest = sub { (sort { $a <=> $b } @{ $_[0] })[0] };
    return { (map { $_ => $lowest->($ir{$_}) } keys %ir),
             own => { map { $_ => $lowest->($own{$_}) } keys %own } };
}

# the instructions a callgrind dump counts in the module's own functions
# (self cost: not the nginx or libc functions they call).  The total of a
# request moves by 1-2 % from run to run with the state of glibc's heap
# (the same malloc calls, each costing more or less); this part does not.
sub module_self_cost {
    my ($file) = @_;
    open my $fh, '<', $file or return 0;
    my (%object, $ob, $in_module, $call);
    my $cost = 0;
    while (my $line = <$fh>) {
        if ($line =~ /\A(c?)ob=\((\d+)\)(?: (.*?))?\s*\z/) {
            $object{$2} = $3 if defined $3;
            $ob = $2 unless $1;
        } elsif ($line =~ /\Afn=/) {
            $in_module = defined $ob && ($object{$ob} // '')
                =~ m{/ngx_http_status_edge_module\.so\z};
        } elsif ($line =~ /\Acalls=/) {
            $call = 1;
        } elsif ($line =~ /\A[-+*]?\d*\s+(\d+)\s*\z/) {
            # the line after calls= is the call's inclusive cost
            if ($call) {
                $call = 0;
            } elsif ($in_module) {
                $cost += $1;
            }
        }
    }
    return $cost;
}

sub instructions {
    my ($server, $http) = @_;
    my $r = callgrind_counts({ name => 'callgrind',
            ready => '/ref/summary.json', http => $http, server => $server },
        { module => '/api/v2/summary.json', ref => '/ref/summary.json' },
        [qw(module ref module ref)]) or return;
    printf "instructions: user space per request (callgrind): module %.0f, "
        . "nginx %.0f\n", $r->{module}, $r->{ref};
    return $r;
}

# ---------------------------------------------------------------------------
# machine

sub machine {
    my %m;
    my $cpuinfo = slurp('/proc/cpuinfo');
    ($m{cpu}) = $cpuinfo =~ /^model name\s*:\s*(.+)$/m;
    $m{cpu} //= 'unknown CPU';
    my $nproc = find_bin('nproc');
    $m{nproc} = $nproc ? (run_cmd(5, undef, $nproc))[1] : '';
    $m{nproc} =~ s/\s+//g;
    $m{nproc} ||= () = $cpuinfo =~ /^processor\s*:/mg;
    ($m{nginx}) = (run_cmd(5, undef, $NGINX, '-v'))[1] =~ m{(nginx/\S+)};
    ($m{redis}) = (run_cmd(5, undef, '/usr/bin/redis-server', '--version'))[1]
        =~ /(v=\S+)/;
    $m{redis} = "Redis " . ($m{redis} // '?');
    $m{redis} =~ s/v=//;
    ($m{wrk}) = (run_cmd(5, undef, $WRK, '-v'))[1] =~ /^wrk (\S+)/m;
    $m{wrk} = "wrk " . ($m{wrk} // '?');
    ($m{kernel}) = slurp('/proc/sys/kernel/osrelease') =~ /(\S+)/;
    $m{kernel} = "Linux " . ($m{kernel} // '?');
    return \%m;
}

1;
