package StatusEdge::Load;

# A bounded mixed load on a test nginx, every response checked: forked
# HTTP/1.1 keepalive clients going round a list of paths (the API, pages
# proxied with a banner, the status page, ...), each response compared
# byte for byte with the bodies the test expects for that path, and one
# non-blocking process holding N event streams that behave as
# EventSource does (reconnect after the retry they were given, with
# Last-Event-ID).  Bounded in count and time; loopback only; Perl core
# modules only.
#
#   my $load = StatusEdge::Load->new(port => $t->port,
#       dir => $t->prefix . '/load',
#       expect => { '/api/v2/summary.json' => [$body_a, $body_b], ... },
#       clients => 3, rate => 150,        # per client, requests a second
#       streams => 100, stream_path => '/events',
#       max_seconds => 120, max_requests => 500000);
#   $load->start;
#   ... faults ...
#   my $r = $load->stop;       # the counts, below
#   $load->report($r)          # one line for a note / the docs
#
# The result: { requests, ok, non2xx, wrong, truncated, errors (no answer
# or a broken connection), retried (requests sent again because a
# keepalive connection was closed as they went out, no byte answered),
# by_path => { path => { requests, ok, ... } },
# failures => [first 30 descriptions], seconds, rate,
# streams => { opened, refused, non200, connect_errors, ended, reconnects,
# events, wrong_events, open (at the end), delays => [ms from an end to
# the stream back, per reconnect], retries => [the retry ms each end
# had], back => [{ delay (ms from the end), lag (ms this process was
# late to reconnect, on a busy machine), admit (ms from the connect to
# the stream's header), refusals (on the way back), retry (given at the
# end) }, per reconnect], late => [the reconnects admitted more than 1 s
# after their connect, described], all_open_once
# (1 when all N were open at one moment) } }.
#
# A body is "wrong" when it is not one of the expected bodies of its path
# (a missing banner, another state, garbage); "truncated" when the
# connection ended before Content-Length bytes (or the last chunk).
#
# check_result($r, requests => N, streams => N): the assertions on a load
# through faults the clients must not see: no non-2xx, wrong, truncated or
# failed answer, every load process to the end, at least N requests; the
# N streams opened once, all open at the end, none refused or failed,
# every event one of the states' summaries.
#
# Also: newest_everywhere($t, $version, %o): the seconds until every worker
# of $t answers /ind with $version or newer (concurrent requests, so each
# worker is reached; each worker must be seen, and, once all were, no
# older answer may follow), or undef after $o{timeout} (default 15) s.
#
# chaos_env(%o): the environment of the chaos tests, started: Redis, a
# fault proxy in front of it (nginx's status_edge_redis), an upstream
# with an HTML page, nginx with the API, /site/ (proxied, banner on),
# /status/ (the status page), /events and /ind; two states A and B
# (chaos_state: the sample state, B with other names), each served once
# to learn its bodies, then A again.  Returns a hash: t, fp (the proxy),
# up, expect (path => [body A, body B]), paths, version (served now), cur
# ('A' or 'B'), and next_state->() writes the other state straight into
# Redis (not through the proxy) and returns its version.  Options:
# workers (2), poll, resync, redis_opts (after the address), main,
# http_extra (PREFIX in it: the test's temp prefix), conf (a sub that
# edits the whole conf), nginx (more start_nginx options), detached (1:
# nginx started by start_detached, the master not a child of the test,
# for a binary upgrade).

use strict;
use warnings;

use Carp qw(croak);
use Errno ();
use Exporter qw(import);
use File::Path qw(make_path);
use IO::Select;
use IO::Socket::INET;
use POSIX qw(WNOHANG);
use Scalar::Util qw(weaken);
use Socket qw(IPPROTO_TCP TCP_NODELAY);
use Storable qw(nstore retrieve);
use Test::More ();
use Time::HiRes qw(time sleep);

our @EXPORT_OK = qw(newest_everywhere chaos_env chaos_state check_result);

my @INSTANCES;

sub new {
    my ($class, %o) = @_;
    croak 'port needed' unless $o{port};
    croak 'dir needed' unless $o{dir};
    my $self = bless {
        port         => $o{port},
        dir          => $o{dir},
        expect       => $o{expect} || {},
        paths        => $o{paths} || [sort keys %{ $o{expect} || {} }],
        headers      => $o{headers} || {},
        clients      => $o{clients} // 2,
        rate         => $o{rate} // 150,
        streams      => $o{streams} // 0,
        stream_path  => $o{stream_path} // '/events',
        stream_expect => $o{stream_expect},
        max_seconds  => $o{max_seconds} // 120,
        max_requests => $o{max_requests} // 500000,
        timeout      => $o{timeout} // 5,
        owner        => $$,
        pids         => [],
    }, $class;
    make_path($self->{dir});
    push @INSTANCES, $self;
    weaken($INSTANCES[-1]);
    return $self;
}

sub start {
    my ($self) = @_;
    unlink glob "$self->{dir}/*";
    my $per = int($self->{max_requests} / ($self->{clients} || 1));
    for my $i (1 .. $self->{clients}) {
        push @{ $self->{pids} }, $self->_fork("client-$i", sub {
            $self->_client($i, $per);
        });
    }
    if ($self->{streams}) {
        push @{ $self->{pids} }, $self->_fork('streams', sub {
            $self->_streams;
        });
    }
    $self->{t0} = time;
    # every client started and connected once
    my $end = time + 10;
    while (time < $end) {
        my $ready = grep { -e "$self->{dir}/$_.ready" }
            (map { "client-$_" } 1 .. $self->{clients}),
            ($self->{streams} ? 'streams' : ());
        last if $ready == $self->{clients} + ($self->{streams} ? 1 : 0);
        sleep 0.05;
    }
    return $self;
}

sub _fork {
    my ($self, $name, $cb) = @_;
    my $pid = fork // die "fork: $!";
    return $pid if $pid;
    $SIG{$_} = q(DEFAULT) for qw(TERM INT);
    $SIG{PIPE} = q(IGNORE);
    my $r = eval { $cb->() };
    if (!$r) {
        $r = { died => "$@" };
    }
    nstore($r, "$self->{dir}/$name.result.tmp");
    rename "$self->{dir}/$name.result.tmp", "$self->{dir}/$name.result";
    POSIX::_exit(0);
}

sub _stopping { -e "$_[0]{dir}/stop" }

# waits until all the streams were open at once (true), or $timeout s
sub wait_streams {
    my ($self, $timeout) = @_;
    my $end = time + ($timeout // 30);
    while (time < $end) {
        return 1 if -e "$self->{dir}/streams.open";
        sleep 0.05;
    }
    return 0;
}

# stops the load (wait => 1: lets it run to its bounds), collects and
# sums the results
sub stop {
    my ($self, %o) = @_;
    my @pids = @{ $self->{pids} } or return $self->{result};
    $self->{pids} = [];
    if (!$o{wait}) {
        open my $fh, q(>), "$self->{dir}/stop" or die "stop: $!";
        close $fh;
    }
    my $end = time + 30 + ($o{wait} ? $self->{max_seconds} : 0);
    for my $pid (@pids) {
        while (waitpid($pid, WNOHANG) == 0) {
            if (time > $end) { kill 'KILL', $pid; waitpid($pid, 0); last }
            sleep 0.02;
        }
    }
    my %r = (requests => 0, ok => 0, non2xx => 0, wrong => 0, truncated => 0,
        errors => 0, retried => 0, by_path => {}, failures => [], died => []);
    for my $f (glob "$self->{dir}/client-*.result") {
        my $c = retrieve($f);
        push @{ $r{died} }, $c->{died} if $c->{died};
        for my $k (qw(requests ok non2xx wrong truncated errors retried)) {
            $r{$k} += $c->{$k} // 0;
        }
        for my $p (keys %{ $c->{by_path} || {} }) {
            $r{by_path}{$p}{$_} += $c->{by_path}{$p}{$_}
                for keys %{ $c->{by_path}{$p} };
        }
        push @{ $r{failures} }, @{ $c->{failures} || [] };
    }
    splice @{ $r{failures} }, 30 if @{ $r{failures} } > 30;
    my $clients = grep { -e "$self->{dir}/client-$_.result" }
        1 .. $self->{clients};
    push @{ $r{died} },
        ($self->{clients} - $clients) . ' client(s) left no result'
        if $clients < $self->{clients};
    if ($self->{streams}) {
        my $f = "$self->{dir}/streams.result";
        $r{streams} = -e $f ? retrieve($f) : { died => 'no result' };
        push @{ $r{died} }, $r{streams}{died} if $r{streams}{died};
    }
    $r{seconds} = time - $self->{t0};
    $r{rate} = $r{seconds} > 0 ? $r{requests} / $r{seconds} : 0;
    return $self->{result} = \%r;
}

sub report {
    my ($self, $r) = @_;
    $r //= $self->{result};
    my $s = sprintf '%d requests in %.0f s (%.0f/s): %d non-2xx, %d wrong, '
        . '%d truncated, %d errors (%d sent again)', $r->{requests},
        $r->{seconds}, $r->{rate}, $r->{non2xx}, $r->{wrong},
        $r->{truncated}, $r->{errors}, $r->{retried} // 0;
    if (my $st = $r->{streams}) {
        $s .= sprintf '; streams: %d opened, %d events (%d wrong), %d ended, '
            . '%d back, %d refused, %d non-200, %d connect errors, %d open '
            . 'at the end', map { $st->{$_} // 0 } qw(opened events
            wrong_events ended reconnects refused non200 connect_errors open);
    }
    return $s;
}

sub DESTROY { $_[0]->stop if $_[0]{owner} == $$ && @{ $_[0]{pids} || [] } }

END {
    local $?;
    for my $l (@INSTANCES) {
        $l->stop if $l && $l->{owner} == $$ && @{ $l->{pids} || [] };
    }
}

# ---------------------------------------------------------------------------
# an HTTP client process

sub _connect {
    my ($self) = @_;
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
        PeerPort => $self->{port}, Proto => 'tcp', Timeout => $self->{timeout})
        or return undef;
    setsockopt($s, IPPROTO_TCP, TCP_NODELAY, 1);
    $s->blocking(0);
    return { s => $s, buf => '', sel => IO::Select->new($s) };
}

# reads into $c->{buf} until $cb is true; 0 on timeout, -1 on EOF / error
sub _read_until {
    my ($c, $deadline, $cb) = @_;
    until ($cb->()) {
        my $left = $deadline - time;
        return 0 if $left <= 0;
        $c->{sel}->can_read($left) or next;
        my $n = sysread($c->{s}, $c->{buf}, 262144, length $c->{buf});
        if (!defined $n) {
            next if $!{EAGAIN} || $!{EINTR};
            $c->{err} = "$!";
            return -1;
        }
        if (!$n) { $c->{err} = 'eof'; return -1 }
    }
    return 1;
}

# one request on a keepalive connection: ($status, \%h, $body, $problem)
# where $problem is undef, 'truncated' or an error text
sub _one {
    my ($self, $c, $path) = @_;
    my $req = "GET $path HTTP/1.1\r\nHost: localhost\r\n";
    my @h = @{ $self->{headers}{$path} || [] };
    while (my ($k, $v) = splice @h, 0, 2) { $req .= "$k: $v\r\n" }
    $req .= "\r\n";
    my $w = syswrite($c->{s}, $req);
    return (undef, {}, undef, "write: $!")
        unless defined $w && $w == length $req;
    my $deadline = time + $self->{timeout};
    my $he;
    my $r = _read_until($c, $deadline,
        sub { ($he = index($c->{buf}, "\r\n\r\n")) >= 0 });
    $c->{silent} = !length $c->{buf};
    return (undef, {}, undef, $r ? "read: $c->{err}" : 'timeout') if $r < 1;
    my $head = substr($c->{buf}, 0, $he + 4, '');
    my ($status) = $head =~ m{\AHTTP/1\.[01] (\d{3})}
        or return (undef, {}, undef, 'bad status line');
    my %h;
    $h{lc $1} = $2 while $head =~ /^([^:\r\n]+):\s*([^\r\n]*)\r$/mg;
    my $body = '';
    if (defined(my $len = $h{'content-length'})) {
        $r = _read_until($c, $deadline, sub { length $c->{buf} >= $len });
        return ($status, \%h, $c->{buf}, 'truncated') if $r < 1;
        $body = substr($c->{buf}, 0, $len, '');
    } elsif (($h{'transfer-encoding'} // '') =~ /chunked/i) {
        while (1) {
            my $i;
            $r = _read_until($c, $deadline,
                sub { ($i = index($c->{buf}, "\r\n")) >= 0 });
            return ($status, \%h, $body, 'truncated') if $r < 1;
            my $n = hex substr($c->{buf}, 0, $i);
            $r = _read_until($c, $deadline,
                sub { length $c->{buf} >= $i + 2 + $n + 2 });
            return ($status, \%h, $body, 'truncated') if $r < 1;
            $body .= substr($c->{buf}, $i + 2, $n);
            substr($c->{buf}, 0, $i + 2 + $n + 2, '');
            last if $n == 0;
        }
    } else {
        $r = _read_until($c, $deadline, sub { 0 });
        $body = $c->{buf};
        $c->{buf} = '';
        $c->{closed} = 1;
        return ($status, \%h, $body, 'timeout') if $r == 0;
    }
    $c->{closed} = 1 if ($h{connection} // '') =~ /close/i;
    return ($status, \%h, $body, undef);
}

sub _client {
    my ($self, $i, $max) = @_;
    my %r = (requests => 0, ok => 0, non2xx => 0, wrong => 0, truncated => 0,
        errors => 0, by_path => {}, failures => [], retried => 0);
    my %want;
    for my $p (@{ $self->{paths} }) {
        $want{$p} = { map { $_ => 1 } @{ $self->{expect}{$p} || [] } };
    }
    my @paths = @{ $self->{paths} };
    my $end = time + $self->{max_seconds};
    my $gap = $self->{rate} ? 1 / $self->{rate} : 0;
    my $next = time;
    my $c;
    my $k = $i;
    my $fail = sub {
        my ($what, $path, $detail) = @_;
        $r{$what}++;
        $r{by_path}{$path}{$what}++;
        push @{ $r{failures} }, sprintf('%.3f %s %s: %s', time, $what, $path,
            $detail) if @{ $r{failures} } < 30;
    };
    open my $fh, '>', "$self->{dir}/client-$i.ready";
    close $fh;
    while ($r{requests} < $max && time < $end) {
        last if $r{requests} % 20 == 0 && $self->_stopping;
        if ($gap) {
            my $now = time;
            sleep($next - $now) if $next > $now;
            $next = ($next > $now - 1 ? $next : $now) + $gap;
        }
        my $path = $paths[$k++ % @paths];
        $c = $self->_connect if !$c || $c->{closed};
        $r{requests}++;
        $r{by_path}{$path}{requests}++;
        if (!$c) { $fail->('errors', $path, "connect: $!"); sleep 0.05; next }
        my ($st, $h, $body, $problem) = $self->_one($c, $path);
        if (defined $problem && $problem ne 'truncated' && $c->{n}
            && $c->{silent})
        {
            # a keepalive connection the server closed as the request
            # went out (a worker exiting on reload closes its idle ones):
            # no byte came back, so it is sent again on a new connection,
            # once, as browsers do with idempotent requests (RFC 9112
            # 9.3.1)
            $r{retried}++;
            $c = $self->_connect;
            ($st, $h, $body, $problem) = $c ? $self->_one($c, $path)
                : (undef, {}, undef, "connect: $!");
        }
        $c->{n}++ if $c;
        if (defined $problem && $problem ne 'truncated') {
            $fail->('errors', $path, $problem);
            $c = undef;
            next;
        }
        if ($st < 200 || $st > 299) {
            $fail->('non2xx', $path, "status $st");
        } elsif (defined $problem) {
            $fail->('truncated', $path, sprintf '%d of %s bytes',
                length $body, $h->{'content-length'} // 'chunked');
            $c = undef;
            next;
        } elsif (%{ $want{$path} } && !$want{$path}{$body}) {
            $fail->('wrong', $path, sprintf '%d bytes: %s', length $body,
                substr($body, 0, 120) =~ s/[^\x20-\x7e]/./gr);
        } else {
            $r{ok}++;
            $r{by_path}{$path}{ok}++;
        }
    }
    return \%r;
}

# ---------------------------------------------------------------------------
# the event-stream process: N streams, one select loop

sub _streams {
    my ($self) = @_;
    my $n = $self->{streams};
    my %want = map { $_ => 1 } @{ $self->{stream_expect}
        || $self->{expect}{'/api/v2/summary.json'} || [] };
    my %r = (opened => 0, refused => 0, non200 => 0, connect_errors => 0,
        ended => 0, reconnects => 0, events => 0, wrong_events => 0,
        delays => [], retries => [], back => [], late => []);
    my $end = time + $self->{max_seconds};
    my @s = map { { i => $_, state => 'idle', due => 0, retry => 5000 } }
        1 .. $n;
    my %of;
    my $open = sub {
        my ($x) = @_;
        my $sock = IO::Socket::INET->new(Proto => 'tcp', Blocking => 0)
            or do { $r{connect_errors}++; $x->{due} = time + 1; return };
        my $addr = Socket::pack_sockaddr_in($self->{port},
            Socket::inet_aton('127.0.0.1'));
        if (!connect($sock, $addr) && !$!{EINPROGRESS}) {
            $r{connect_errors}++;
            $x->{due} = time + 1;
            close $sock;
            return;
        }
        my $req = "GET $self->{stream_path} HTTP/1.1\r\nHost: localhost\r\n"
            . "Accept: text/event-stream\r\n"
            . (defined $x->{id} ? "Last-Event-ID: $x->{id}\r\n" : '') . "\r\n";
        @$x{qw(sock out buf state text chunked since)} =
            ($sock, $req, '', 'connecting', '', 0, time);
        $x->{attempts}++;
        # this process's own lag: how late it is to come back
        $x->{lag} += time - $x->{due} if $x->{ended_at};
        $of{ fileno $sock } = $x;
    };
    my $ended = sub {
        my ($x, $why) = @_;
        if ($x->{state} eq 'open') {
            $r{ended}++;
            push @{ $r{retries} }, $x->{retry};
            $x->{ended_at} = time;
            $x->{end_retry} = $x->{retry};
            $x->{attempts} = $x->{lag} = 0;
        } elsif ($why eq 'connect') {
            $r{connect_errors}++;
        }
        delete $of{ fileno $x->{sock} };
        close $x->{sock};
        delete $x->{sock};
        $x->{state} = 'idle';
        # EventSource: back after the retry it was given
        $x->{due} = time + $x->{retry} / 1000;
    };
    open my $fh, '>', "$self->{dir}/streams.ready";
    close $fh;
    my $opened_all = 0;
    while (time < $end && !$self->_stopping) {
        my $now = time;
        # open the idle ones that are due (at most 200 per turn)
        my $k = 0;
        for my $x (@s) {
            next unless $x->{state} eq 'idle' && $x->{due} <= $now;
            last if ++$k > 200;
            $open->($x);
        }
        my $rs = IO::Select->new;
        my $ws = IO::Select->new;
        for my $x (values %of) {
            if (length $x->{out}) { $ws->add($x->{sock}) }
            else { $rs->add($x->{sock}) }
        }
        my ($rr, $wr) = IO::Select->select($rs, $ws, undef, 0.05);
        for my $sock (@{ $wr || [] }) {
            my $x = $of{ fileno $sock } or next;
            my $w = syswrite($sock, $x->{out});
            if (!defined $w) {
                next if $!{EAGAIN} || $!{EINPROGRESS};
                $ended->($x, 'connect');
                next;
            }
            substr($x->{out}, 0, $w, '');
        }
        for my $sock (@{ $rr || [] }) {
            my $x = $of{ fileno $sock } or next;
            my $got = sysread($sock, $x->{buf}, 65536, length $x->{buf});
            next if !defined $got && ($!{EAGAIN} || $!{EINTR});
            if (!$got) {
                $ended->($x, $x->{state} eq 'connecting' ? 'connect' : 'eof');
                next;
            }
            if ($x->{state} eq 'connecting') {
                my $i = index($x->{buf}, "\r\n\r\n");
                next if $i < 0;
                my $head = substr($x->{buf}, 0, $i + 4, '');
                my ($st) = $head =~ m{\AHTTP/1\.[01] (\d+)};
                if (($st // 0) != 200
                    || $head !~ m{^content-type:\s*text/event-stream}im)
                {
                    $r{non200}++;
                    $ended->($x, 'non200');
                    next;
                }
                if ($head =~ /^content-length:/im) {
                    # a refusal: a short stream that says when to come back
                    $r{refused}++;
                    $x->{state} = 'refused';
                    ($x->{cl}) = $head =~ /^content-length:\s*(\d+)/im;
                } else {
                    $x->{state} = 'open';
                    $r{opened}++;
                    if ($x->{ended_at}) {
                        $r{reconnects}++;
                        my $d = int(1000 * (time - $x->{ended_at}));
                        my $admit = int(1000 * (time - $x->{since}));
                        push @{ $r{delays} }, $d;
                        push @{ $r{back} }, { delay => $d,
                            lag => int(1000 * $x->{lag}), admit => $admit,
                            refusals => $x->{refusals} // 0,
                            retry => $x->{end_retry} };
                        push @{ $r{late} }, sprintf('%.3f: admitted %d ms '
                            . 'after its connect, back %d ms after its end, '
                            . '%d attempts', time, $admit, $d,
                            $x->{attempts}) if $admit > 1000;
                        delete $x->{ended_at};
                        $x->{refusals} = $x->{lag} = 0;
                    }
                }
                $x->{chunked} = $head =~ /^transfer-encoding:\s*chunked/im;
            }
            # decode chunks into text
            if ($x->{chunked}) {
                while ((my $i = index($x->{buf}, "\r\n")) >= 0) {
                    my $size = hex substr($x->{buf}, 0, $i);
                    last if length($x->{buf}) < $i + 2 + $size + 2;
                    $x->{text} .= substr($x->{buf}, $i + 2, $size);
                    substr($x->{buf}, 0, $i + 2 + $size + 2, '');
                }
            } else {
                $x->{text} .= $x->{buf};
                $x->{buf} = '';
            }
            if ($x->{state} eq 'refused' && length $x->{text} >= $x->{cl}) {
                # its end: back after the retry it says, as EventSource
                $x->{retry} = $1 if $x->{text} =~ /^retry: (\d+)$/m;
                $x->{refusals}++ if $x->{ended_at};
                $ended->($x, 'refused');
                next;
            }
            while ((my $i = index($x->{text}, "\n\n")) >= 0) {
                my $block = substr($x->{text}, 0, $i + 2, '');
                my ($data, $id);
                for my $line (split /\n/, $block) {
                    $x->{retry} = $1 if $line =~ /\Aretry: (\d+)\z/;
                    $id = $1 if $line =~ /\Aid: ?(.*)\z/;
                    $data = $1 if $line =~ /\Adata: ?(.*)\z/;
                }
                $x->{id} = $id if defined $id;
                if (defined $data) {
                    $r{events}++;
                    $r{wrong_events}++ if %want && !$want{$data};
                }
            }
        }
        if (!$opened_all && !grep { $_->{state} ne 'open' } @s) {
            $opened_all = 1;
            open my $fh, '>', "$self->{dir}/streams.open";
            close $fh;
        }
    }
    $r{open} = grep { $_->{state} eq 'open' } @s;
    $r{all_open_once} = $opened_all ? 1 : 0;
    close $_->{sock} for grep { $_->{sock} } @s;
    return \%r;
}

# ---------------------------------------------------------------------------

# a zone where it is about noon at $now: the status page's days change
# at local midnight, which a run of up to 12 hours does not then cross
sub noon_zone {
    my ($now) = @_;
    my $x = 12 - (gmtime $now)[2];
    return $x == 0 ? 'Etc/GMT' : $x > 0 ? "Etc/GMT-$x" : 'Etc/GMT+' . -$x;
}

sub chaos_state {
    my ($which, $now) = @_;
    my $s = StatusEdge::Test::sample_state(now => $now);
    $s->{page}{time_zone} = noon_zone($now);
    if ($which eq 'B') {
        $s->{incidents}[0]{name} = 'Elevated API error rates (B)';
        $s->{components}[0]{description} = 'REST and GraphQL API (B)';
    }
    return $s;
}

sub chaos_env {
    my (%o) = @_;
    require StatusEdge::Test;
    require StatusEdge::Upstream;
    require StatusEdge::FaultProxy;
    my $t = StatusEdge::Test->new(workers => $o{workers} // 2);
    my $up = StatusEdge::Upstream->new(dir => $t->prefix . '/upstream');
    my $page = '<!DOCTYPE html><html><head><title>Shop</title></head>'
        . '<body class="home"><h1>Shop</h1>' . ('<p>goods</p>' x 200)
        . '</body></html>';
    $up->route('/page',
        headers => ['Content-Type' => 'text/html; charset=utf-8'],
        body => [substr($page, 0, 100), substr($page, 100)]);
    $up->start;
    $t->start_redis(args => $o{redis_args});
    my $fp = StatusEdge::FaultProxy->new(target => $t->redis_port)->start;
    my $now = time;
    my $v = $t->write_state(chaos_state('A', $now));
    my $upstream = '127.0.0.1:' . $up->port;
    my $servers = $t->server_conf(extra => <<"EOF");
        location /site/ {
            proxy_pass http://$upstream/;
            status_edge_banner on;
        }
        location = /status-edge/banner.css {
            status_edge_banner_css;
        }
        location /status/ {
            status_edge_status_page;
        }
        location = /events {
            status_edge_events;
        }
EOF
    my $conf = $t->nginx_conf(servers => $servers,
        redis => ['127.0.0.1:' . $fp->port . ($o{redis_opts} // '')],
        poll => $o{poll} // '1s', resync => $o{resync} // '5s',
        # a sanitizer build: the runtime goes to a new binary too (nginx
        # passes only the variables named by env to a binary upgrade)
        main => "worker_rlimit_nofile 8192;\n"
            . ($ENV{STATUS_EDGE_PRELOAD} ? "env LD_PRELOAD;\n" : q())
            . ($o{main} // q()),
        http_extra => ($o{http_extra} // '') =~ s/PREFIX/$t->prefix/ger);
    $conf =~ s/worker_connections 256;/worker_connections 4096;/
        or die 'no worker_connections in the conf';
    $conf = $o{conf}->($conf) if $o{conf};
    if ($o{detached}) { start_detached($t, $conf) }
    else { $t->start_nginx(conf => $conf, %{ $o{nginx} || {} }) }
    $t->wait_version($v) or die "state $v not loaded";
    my @paths = ('/api/v2/summary.json', '/api/v2/status.json',
        '/api/v2/incidents/unresolved.json', '/site/page', '/status/');
    my %expect;
    my %env = (t => $t, fp => $fp, up => $up, paths => \@paths,
        expect => \%expect, now => $now);
    my $learn = sub {
        my ($which, $ver) = @_;
        defined newest_everywhere($t, $ver, timeout => 15)
            or die "state $which ($ver) not served by every worker";
        for my $p (@paths) {
            my %seen;
            for (1 .. 6) {
                my ($st, $h, $body) = $t->http(GET => $p);
                die "$p: status " . ($st // $h->{_error})
                    unless ($st // 0) == 200;
                $seen{$body}++;
            }
            die "$p: the body of state $which varies" if keys %seen != 1;
            push @{ $expect{$p} }, keys %seen;
        }
    };
    $learn->('A', $v);
    $v = $t->write_state(chaos_state('B', $now));
    $learn->('B', $v);
    # status.json has the indicator only: the same for both
    for my $p (@paths) {
        next if $expect{$p}[0] ne $expect{$p}[1];
        die "$p: the same body for A and B" if $p ne "/api/v2/status.json";
        pop @{ $expect{$p} };
    }
    $v = $t->write_state(chaos_state('A', $now));
    defined newest_everywhere($t, $v) or die "state A ($v) not served again";
    @env{qw(version cur)} = ($v, 'A');
    my $e = \%env;
    weaken($e);
    $env{next_state} = sub {
        $e->{cur} = $e->{cur} eq 'A' ? 'B' : 'A';
        return $e->{version} = $t->write_state(chaos_state($e->{cur}, $now));
    };
    return \%env;
}

# starts nginx as a daemon (daemon on: the master is the child of a
# process that exits at once): a master started with daemon off, whose
# parent is still the one it started with, ignores USR2, the binary
# upgrade (nginx takes that parent for an old binary still running).
# The harness then follows the master by its pid file.
sub start_detached {
    my ($t, $conf) = @_;
    my $prefix = $t->prefix;
    $conf =~ s/^daemon off;$/daemon on;/m or die 'no "daemon off" in the conf';
    no warnings 'once';
    open my $fh, '>', $t->conf_file or die "conf: $!";
    print $fh $conf;
    close $fh;
    unlink "$prefix/nginx.pid";
    my @cmd = ($StatusEdge::Test::NGINX, '-p', "$prefix/", '-c',
        $t->conf_file, '-e', "$prefix/error.log");
    my $pid = fork // die "fork: $!";
    if (!$pid) {
        open STDIN, '<', '/dev/null';
        open STDOUT, '>>', "$prefix/nginx.out";
        open STDERR, '>&', \*STDOUT;
        %ENV = %{ StatusEdge::Test::_nginx_env() };
        { no warnings 'exec'; exec { $cmd[0] } @cmd; }
        POSIX::_exit(127);
    }
    waitpid($pid, 0);
    die "nginx failed to start ($?):\n" . $t->log_tail if $?;
    my $master;
    my $ok = StatusEdge::Test::wait_until(sub {
        open my $p, '<', "$prefix/nginx.pid" or return 0;
        ($master) = (<$p> // '') =~ /(\d+)/;
        return 0 unless $master && StatusEdge::Test::children_of($master);
        return IO::Socket::INET->new(PeerAddr => '127.0.0.1',
            PeerPort => $t->port, Timeout => 1);
    }, 15);
    die "nginx did not start:\n" . $t->log_tail unless $ok;
    $t->{nginx_pid} = $master;
    return $master;
}

sub check_result {
    my ($r, %o) = @_;
    Test::More::diag(__PACKAGE__->report($r));
    Test::More::is($r->{non2xx}, 0, 'no non-2xx answer');
    Test::More::is($r->{wrong}, 0, 'no wrong body');
    Test::More::is($r->{truncated}, 0, 'no truncated body');
    Test::More::is($r->{errors}, 0, 'no failed request');
    Test::More::ok(!@{ $r->{died} }, 'every load process ran to the end')
        or Test::More::diag(join "\n", @{ $r->{died} });
    Test::More::diag(join "\n", @{ $r->{failures} }) if @{ $r->{failures} };
    Test::More::ok($r->{requests} >= $o{requests},
        "$r->{requests} requests checked");
    my $s = $r->{streams};
    Test::More::is($s->{opened}, $o{streams},
        "$o{streams} event streams opened, none reopened");
    Test::More::is($s->{open}, $o{streams}, 'all open at the end');
    Test::More::is($s->{non200} + $s->{connect_errors} + $s->{refused}, 0,
        'no stream refused or failed');
    Test::More::is($s->{wrong_events}, 0,
        "every event one of the states' summaries");
}

sub newest_everywhere {
    my ($t, $v, %o) = @_;
    my $t0 = $o{since} // time;
    my $deadline = time + ($o{timeout} // 15);
    my %new;
    my $path = $o{path} // '/ind';
    while (time < $deadline) {
        my @w = $t->worker_pids;
        my %w = map { $_ => 1 } @w;
        # eight at once, so that more than one worker accepts
        my @socks;
        for (1 .. 8) {
            my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                PeerPort => $t->port, Timeout => 2) or next;
            syswrite $s, "GET $path HTTP/1.1\r\nHost: localhost\r\n"
                . "Connection: close\r\n\r\n";
            push @socks, $s;
        }
        for my $s (@socks) {
            my $buf = '';
            my $sel = IO::Select->new($s);
            my $end = time + 2;
            while (time < $end && $sel->can_read($end - time)) {
                my $n = sysread($s, $buf, 4096, length $buf) or last;
            }
            close $s;
            my ($pid) = $buf =~ /^X-Pid: (\d+)/mi;
            my ($ver) = $buf =~ /\r\n\r\n\S+ (\d+)\z/;
            next unless defined $pid && $w{$pid};
            if (defined $ver && $ver >= $v) {
                $new{$pid} = 1;
            } else {
                delete $new{$pid};
            }
        }
        return time - $t0 if @w && !grep { !$new{$_} } @w;
        sleep 0.01;
    }
    return undef;
}

1;
