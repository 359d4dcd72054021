package StatusEdge::Receiver;

# A local HTTP receiver for webhook deliveries: a forked child on a free
# loopback port (StatusEdge::ForkedServer) that records every request it
# gets and answers each path from a script the test changes at any time
# (each change acknowledged through the control pipe before script()
# returns).  One non-blocking select loop, HTTP/1.1 with keep-alive and
# pipelining, request bodies by Content-Length or chunked, Expect:
# 100-continue answered.  Perl core modules only.
#
#   my $rx = StatusEdge::Receiver->new(dir => $t->prefix . '/rx');
#                                     # dir made (default: a temporary
#                                     # one), its requests.jsonl emptied;
#                                     # options: max_conn, max_body,
#                                     # idle_timeout, hang_timeout,
#                                     # max_life (see Bounded below)
#   $rx->start;                       # forks; ->port, ->dir
#   $rx->url('/hook/a');              # "http://127.0.0.1:PORT/hook/a"
#   $rx->script('/hook/a', 500, 500, 200);  # answers in order, the last
#                                     # repeats
#   $rx->script('/hook/b', 500);      # always 500
#   $rx->script('/hook/c', 'hang');   # reads the request, never answers
#                                     # (until the client closes)
#   $rx->script('/hook/d', 'close');  # closes the connection unanswered
#   $rx->script('*', 503);            # every path without a script of its
#                                     # own (else 200 "ok")
#   $rx->script('/hook/a');           # no script: back to 200
#                                     # (statuses 200..599; scripts set
#                                     # before start() apply from the start;
#                                     # setting one rewinds it)
#   my @r = $rx->requests;            # every request, in arrival order
#   my @r = $rx->requests(path => '/hook/a');   # (also method => 'POST')
#   my @r = $rx->wait_requests(3, timeout => 10, path => '/hook/a');
#                                     # the list once >= 3 arrived, else
#                                     # the list so far after the timeout
#   $rx->clear;                       # forgets the requests, rewinds the
#                                     # scripts (they stay)
#   my $s = $rx->stats;               # { accepted, open, requests }
#   $rx->stop;                        # also from DESTROY / END
#
# A recorded request is a hash:
#   { n        => 1, 2, ... (arrival order, not reset by clear),
#     conn     => the connection's number (the same for the requests of
#                 one kept-alive connection),
#     time     => epoch seconds (float) when the request was complete,
#     method, uri (as sent), path (without the query), query (undef when
#     the URI has no "?"), version ('1.1'),
#     headers  => { lower-case name => value } (repeated names joined
#                 with ", "), header_list => [[Name, value], ...] (as sent),
#     body     => the body's bytes (chunked: de-chunked),
#     status   => what was answered: 200, 500, ... or 'hang' / 'close' }
# Each is appended as one JSON line to "$dir/requests.jsonl" before the
# answer is written (once the client has its answer, requests() has the
# request): {"body_b64":"<the body in base64>", the other fields}, the
# strings the bytes received (JSON::PP without ascii/utf8: a byte in
# 0x80-0xff of a header stays that byte), so anything round-trips.
#
# Answers: "HTTP/1.1 <status> <reason>", Content-Type: text/plain,
# Content-Length, body "ok" for 2xx, "error" otherwise (none for HEAD,
# 204, 304); the connection stays open unless the client sent
# Connection: close (or spoke HTTP/1.0 without keep-alive).
#
# Bounded: at most max_conn connections at once (default 4096, more are
# closed at accept), request heads up to 64 KiB (else 431), bodies up to
# max_body bytes (default 64 MiB, else 413), a connection idle (no byte
# either way) for idle_timeout seconds (default 60) is closed, a 'hang'
# one after hang_timeout (default 300); the child exits when the control
# pipe closes (its parent gone) or after max_life seconds (default 3600).

use strict;
use warnings;

use Carp qw(croak);
use File::Path qw(make_path);
use File::Temp qw(tempdir);
use IO::Select;
use JSON::PP ();
use MIME::Base64 qw(encode_base64 decode_base64);
use Socket qw(IPPROTO_TCP TCP_NODELAY);
use StatusEdge::ForkedServer;
use Time::HiRes qw(time sleep);

use parent -norequire, 'StatusEdge::ForkedServer';

my $MAX_HEAD = 64 << 10;
# no ascii/latin1/utf8: byte strings in and out, and 20 times faster
my $JSON = JSON::PP->new->canonical;

my %REASON = (
    100 => 'Continue', 200 => 'OK', 201 => 'Created', 202 => 'Accepted',
    204 => 'No Content', 301 => 'Moved Permanently', 302 => 'Found',
    304 => 'Not Modified', 307 => 'Temporary Redirect',
    308 => 'Permanent Redirect', 400 => 'Bad Request',
    401 => 'Unauthorized', 403 => 'Forbidden', 404 => 'Not Found',
    405 => 'Method Not Allowed', 408 => 'Request Timeout', 410 => 'Gone',
    413 => 'Content Too Large', 429 => 'Too Many Requests',
    431 => 'Request Header Fields Too Large',
    500 => 'Internal Server Error', 501 => 'Not Implemented',
    502 => 'Bad Gateway', 503 => 'Service Unavailable',
    504 => 'Gateway Timeout',
);

sub new {
    my ($class, %o) = @_;
    my $dir = $o{dir} // tempdir('status-edge-rx-XXXXXX', TMPDIR => 1,
        CLEANUP => !$ENV{STATUS_EDGE_KEEP});
    make_path($dir);
    my $file = "$dir/requests.jsonl";
    open my $fh, '>', $file or croak "$file: $!";
    close $fh;
    return $class->register(
        dir          => $dir,
        file         => $file,
        scripts      => {},
        max_conn     => $o{max_conn} // 4096,
        max_body     => $o{max_body} // (64 << 20),
        idle_timeout => $o{idle_timeout} // 60,
        hang_timeout => $o{hang_timeout} // 300,
        max_life     => $o{max_life} // 3600,
        cache        => [],
        offset       => 0,
    );
}

sub what { 'receiver' }
sub dir  { $_[0]{dir} }
sub url  { 'http://127.0.0.1:' . $_[0]{port} . ($_[1] // '') }

# script($path, @answers): each a status (200..599) or 'hang' / 'close';
# none: the path's script is removed.  Takes effect at once (the next
# request of the path gets the first answer).
sub script {
    my ($self, $path, @a) = @_;
    croak 'script: a path without white space needed'
        unless defined $path && length $path && $path !~ /\s/;
    for (@a) {
        croak "script: bad answer '" . ($_ // 'undef') . "'"
            unless defined && /\A(?:[2-5]\d\d|hang|close)\z/;
    }
    $self->command(join ' ', 'script', $path, @a) if $self->{pid};
    if (@a) { $self->{scripts}{$path} = [@a] }
    else    { delete $self->{scripts}{$path} }
    return $self;
}

sub clear {
    my ($self) = @_;
    if ($self->{pid}) {
        $self->command('clear');
    } else {
        open my $fh, '>', $self->{file} or croak "$self->{file}: $!";
        close $fh;
    }
    $self->{cache} = [];
    $self->{offset} = 0;
    return $self;
}

# the complete lines added to the file since the last look
sub _load {
    my ($self) = @_;
    open my $fh, '<:raw', $self->{file} or return;
    my $size = -s $fh;
    if ($size < $self->{offset}) {    # truncated behind our back
        $self->{cache} = [];
        $self->{offset} = 0;
    }
    return if $size == $self->{offset};
    seek $fh, $self->{offset}, 0;
    local $/;
    my $data = <$fh> // '';
    close $fh;
    my $end = rindex($data, "\n");
    return if $end < 0;
    $self->{offset} += $end + 1;
    for my $line (split /\n/, substr($data, 0, $end)) {
        my $r = _from_line($line) or next;
        # bytes, as they were sent
        utf8::downgrade($_, 1) for values %{ $r->{headers} };
        for my $p (@{ $r->{header_list} }) { utf8::downgrade($_, 1) for @$p }
        push @{ $self->{cache} }, $r;
    }
}

sub requests {
    my ($self, %o) = @_;
    $self->_load;
    return grep {
        (!defined $o{path} || $_->{path} eq $o{path})
            && (!defined $o{method} || $_->{method} eq $o{method})
    } @{ $self->{cache} };
}

sub wait_requests {
    my ($self, $n, %o) = @_;
    my $end = time + ($o{timeout} // 10);
    delete $o{timeout};
    while (1) {
        my @r = $self->requests(%o);
        return @r if @r >= $n || time >= $end;
        sleep 0.02;
    }
}

# a record as a JSON line, its body first, in base64 (JSON::PP reads a
# long string a character at a time: _from_line takes the body out with
# a regular expression)
sub _to_line {
    my ($r) = @_;
    my %rest = %$r;
    my $body = delete $rest{body} // '';
    my $line = '{"body_b64":"' . encode_base64($body, '') . '",'
        . substr($JSON->encode(\%rest), 1) . "\n";
    utf8::downgrade($line);
    return $line;
}

sub _from_line {
    my ($line) = @_;
    my $r;
    if ($line =~ /\A\{"body_b64":"([A-Za-z0-9+\/=]*)",/) {
        my $b64 = $1;
        $r = eval { $JSON->decode('{' . substr($line, $+[0])) } or return;
        $r->{body} = decode_base64($b64);
    } else {
        $r = eval { $JSON->decode($line) } or return;
        $r->{body} = decode_base64(delete $r->{body_b64} // '');
    }
    return $r;
}

# ---------------------------------------------------------------------------
# the child

sub serve {
    my ($self, $l, $ctl, $ack) = @_;
    my $file = $self->{file};
    open my $log, '>>:raw', $file or die "$file: $!";
    my %script = map { $_ => { list => $self->{scripts}{$_}, pos => 0 } }
        keys %{ $self->{scripts} };
    my %st = (accepted => 0, requests => 0);
    my $deadline = time + $self->{max_life};
    my $rsel = IO::Select->new($l, $ctl);
    my $wsel = IO::Select->new;
    my %conn;    # fileno -> connection
    my ($nconn, $nreq, $cbuf, $paused, $sweep) = (0, 0, '', 0, time + 1);

    my $close = sub {
        my ($c) = @_;
        my $s = delete $c->{s} or return;
        delete $conn{ $c->{fd} };
        $rsel->remove($s);
        $wsel->remove($s);
        close $s;
    };
    # writes what it can of the output; closes when done and asked to
    my $flush = sub {
        my ($c) = @_;
        while (length $c->{out}) {
            my $w = syswrite($c->{s}, $c->{out});
            if (!defined $w) {
                last if $!{EAGAIN} || $!{EINTR};
                $close->($c);
                return;
            }
            substr($c->{out}, 0, $w, '');
            $c->{last} = time;
        }
        if (length $c->{out}) {
            $wsel->add($c->{s});
        } else {
            $wsel->remove($c->{s});
            $close->($c) if $c->{close_after};
        }
    };
    my $answer = sub {
        my ($c, $status, $keep, $method) = @_;
        my $body = $status >= 200 && $status < 300 ? 'ok' : 'error';
        my $head = "HTTP/1.1 $status " . ($REASON{$status} // 'Status')
            . "\r\n";
        if ($status == 204 || $status == 304) {
            $body = '';
        } else {
            $head .= "Content-Type: text/plain\r\nContent-Length: "
                . length($body) . "\r\n";
        }
        $body = '' if ($method // '') eq 'HEAD';
        $head .= $keep ? ($c->{v10} ? "Connection: keep-alive\r\n" : '')
                       : "Connection: close\r\n";
        $c->{out} .= "$head\r\n$body";
        $c->{close_after} = 1 unless $keep;
    };
    # an answer to a request the server refuses to read, then the close
    my $refuse = sub {
        my ($c, $status) = @_;
        $answer->($c, $status, 0);
        $c->{state} = 'done';
    };
    # a complete request: recorded, answered by the script
    my $complete = sub {
        my ($c) = @_;
        my $q = $c->{req};
        my $sc = $script{ $q->{path} } // $script{'*'};
        my $status = 200;
        if ($sc) {
            my $list = $sc->{list};
            $status = $list->[ $sc->{pos} < @$list ? $sc->{pos} : -1 ];
            $sc->{pos}++;
        }
        $q->{status} = $status;
        $q->{n} = ++$nreq;
        $q->{time} = time;
        $st{requests}++;
        my $line = _to_line($q);
        # one write, O_APPEND: the parent never sees half a line unless it
        # reads in the middle of it (it skips a last line without "\n")
        syswrite($log, $line) == length $line or die "$file: $!";
        delete $c->{req};
        if ($status eq 'hang') {
            $c->{state} = 'hang';
            $c->{hang_since} = time;
            return;
        }
        if ($status eq 'close') {
            $c->{close_after} = 1;
            $c->{state} = 'done';
            return;
        }
        $answer->($c, $status, $c->{keep}, $q->{method});
        $c->{state} = $c->{keep} ? 'head' : 'done';
    };
    # parses what arrived, as far as it goes
    my $parse = sub {
        my ($c) = @_;
        while (1) {
            my $st = $c->{state};
            if ($st eq 'hang' || $st eq 'done') {
                $c->{in} = '';
                return;
            }
            if ($st eq 'head') {
                $c->{in} =~ s/\A(?:\r?\n)+//;
                my ($head, $hlen);
                if ($c->{in} =~ /\r?\n\r?\n/) {
                    ($head, $hlen) = (substr($c->{in}, 0, $-[0]), $+[0]);
                    if ($hlen > $MAX_HEAD) { $refuse->($c, 431); next }
                } else {
                    $refuse->($c, 431) if length $c->{in} > $MAX_HEAD;
                    return;
                }
                substr($c->{in}, 0, $hlen, '');
                my ($rl, @lines) = split /\r?\n/, $head;
                my ($method, $uri, $ver) =
                    $rl =~ m{\A([!-~]+) +(\S+)(?: +HTTP/(\d\.\d))? *\z};
                if (!defined $method) { $refuse->($c, 400); next }
                $ver //= '0.9';
                my (@hl, %h);
                for (@lines) {
                    if (/\A[ \t]/ && @hl) {    # obsolete line folding
                        (my $more = $_) =~ s/\A[ \t]+|[ \t]+\z//g;
                        $hl[-1][1] .= " $more";
                        next;
                    }
                    my ($k, $v) = /\A([^:\s]+):[ \t]*(.*?)[ \t]*\z/ or next;
                    push @hl, [$k, $v];
                }
                for (@hl) {
                    my $k = lc $_->[0];
                    $h{$k} = exists $h{$k} ? "$h{$k}, $_->[1]" : $_->[1];
                }
                my ($path, $query) = split /\?/, $uri, 2;
                $path = $1 // '/' if $path =~ m{\A[a-zA-Z][\w+.-]*://[^/]*(/.*)?\z};
                my $conn = lc($h{connection} // '');
                $c->{v10} = $ver ne '1.1';
                $c->{keep} = $ver eq '1.1' ? $conn !~ /\bclose\b/
                                           : $conn =~ /\bkeep-alive\b/;
                $c->{req} = { conn => $c->{id}, method => $method,
                    uri => $uri, path => $path, query => $query,
                    version => $ver, headers => \%h, header_list => \@hl,
                    body => '' };
                my $te = lc($h{'transfer-encoding'} // '');
                if ($te =~ /\bchunked\b/) {
                    $c->{need} = undef;
                    $c->{chunk} = 'size';
                } elsif (defined $h{'content-length'}) {
                    if ($h{'content-length'} !~ /\A\d{1,15}\z/) {
                        $refuse->($c, 400);
                        next;
                    }
                    $c->{need} = $h{'content-length'} + 0;
                    $c->{chunk} = undef;
                    if ($c->{need} > $self->{max_body}) {
                        $refuse->($c, 413);
                        next;
                    }
                } else {
                    $c->{need} = 0;
                    $c->{chunk} = undef;
                }
                if (($h{expect} // '') =~ /\A100-continue\z/i && $ver eq '1.1'
                    && ($c->{chunk} || $c->{need} > length $c->{in})) {
                    $c->{out} .= "HTTP/1.1 100 Continue\r\n\r\n";
                }
                $c->{state} = 'body';
                next;
            }
            # the body
            my $q = $c->{req};
            if (!$c->{chunk}) {
                my $want = $c->{need} - length $q->{body};
                my $take = $want < length $c->{in} ? $want : length $c->{in};
                $q->{body} .= substr($c->{in}, 0, $take, '');
                return if length $q->{body} < $c->{need};
                $complete->($c);
                next;
            }
            if ($c->{chunk} eq 'size') {
                return unless $c->{in} =~ /\A([^\n]*)\n/;
                my $line = $1;
                substr($c->{in}, 0, $+[0], '');
                my ($hex) = $line =~ /\A[ \t]*([0-9a-fA-F]{1,15})[ \t]*(?:;[^\r]*)?\r?\z/;
                if (!defined $hex) { $refuse->($c, 400); next }
                $c->{need} = hex $hex;
                if (length($q->{body}) + $c->{need} > $self->{max_body}) {
                    $refuse->($c, 413);
                    next;
                }
                $c->{chunk} = $c->{need} ? 'data' : 'trailer';
                next;
            }
            if ($c->{chunk} eq 'data') {
                # the data, then its CRLF
                my $have = length $c->{in};
                return if $have < $c->{need} + 1;
                my $end = substr($c->{in}, $c->{need}, 2);
                if ($end eq "\r") { return }
                if ($end ne "\r\n" && substr($end, 0, 1) ne "\n") {
                    $refuse->($c, 400);
                    next;
                }
                $q->{body} .= substr($c->{in}, 0, $c->{need});
                substr($c->{in}, 0, $c->{need} + ($end eq "\r\n" ? 2 : 1), '');
                $c->{chunk} = 'size';
                next;
            }
            # trailer: header lines, up to an empty one
            return unless $c->{in} =~ /\A([^\n]*)\n/;
            my $line = $1;
            substr($c->{in}, 0, $+[0], '');
            if ($line =~ /\A\r?\z/) {
                $c->{chunk} = undef;
                $c->{need} = length $q->{body};
                $complete->($c);
            } elsif (length $c->{in} > $MAX_HEAD) {
                $refuse->($c, 431);
            }
        }
    };

    while (time < $deadline) {
        if ($paused && time >= $paused) {
            $rsel->add($l);
            $paused = 0;
        }
        my ($r, $w) = IO::Select->select($rsel, $wsel->count ? $wsel : undef,
            undef, 0.1);
        for my $s (@{ $w || [] }) {
            my $fd = fileno $s;
            my $c = defined $fd && $conn{$fd} or next;
            $flush->($c);
        }
        for my $s (@{ $r || [] }) {
            if ($s == $ctl) {
                $self->read_control($ctl, \$cbuf, $ack, sub {
                    my ($cmd, @a) = @_;
                    if ($cmd eq 'script') {
                        my $path = shift @a;
                        return 'error: script without a path' unless defined $path;
                        if (@a) { $script{$path} = { list => \@a, pos => 0 } }
                        else    { delete $script{$path} }
                        return 'ok';
                    }
                    if ($cmd eq 'clear') {
                        truncate($log, 0) or return "error: truncate: $!";
                        $_->{pos} = 0 for values %script;
                        return 'ok';
                    }
                    if ($cmd eq 'stats') {
                        return join ' ', 'open=' . scalar(keys %conn),
                            map { "$_=$st{$_}" } sort keys %st;
                    }
                    return "error: unknown command '$cmd'";
                }) or return;    # the parent is gone
                next;
            }
            if ($s == $l) {
                for (1 .. 256) {
                    my $cs = $l->accept;
                    if (!$cs) {
                        # out of descriptors (EMFILE...): a pause, not a spin
                        if (!$!{EAGAIN} && !$!{EWOULDBLOCK} && !$!{EINTR}) {
                            $rsel->remove($l);
                            $paused = time + 0.1;
                        }
                        last;
                    }
                    $st{accepted}++;
                    if (keys %conn >= $self->{max_conn}) { close $cs; next }
                    $cs->blocking(0);
                    setsockopt($cs, IPPROTO_TCP, TCP_NODELAY, 1);
                    my $c = { s => $cs, fd => fileno $cs, id => ++$nconn,
                        in => '', out => '', state => 'head', last => time };
                    $conn{ $c->{fd} } = $c;
                    $rsel->add($cs);
                }
                next;
            }
            my $fd = fileno $s;
            my $c = defined $fd && $conn{$fd} or next;
            my $n = sysread($s, $c->{in}, 65536, length $c->{in});
            next if !defined $n && ($!{EAGAIN} || $!{EINTR});
            if (!$n) { $close->($c); next }
            $c->{last} = time;
            $parse->($c);
            $flush->($c) if $c->{s};
        }
        if (time >= $sweep) {
            my $now = time;
            $sweep = $now + 1;
            for my $c (values %conn) {
                my $limit = $c->{state} eq 'hang'
                    ? $c->{hang_since} + $self->{hang_timeout}
                    : $c->{last} + $self->{idle_timeout};
                $close->($c) if $now >= $limit;
            }
        }
    }
}

1;
