package StatusEdge::Upstream;

# A test upstream HTTP server controlled byte by byte, for the banner filter
# tests (t/8*-banner-*.t): a forked server on a free loopback port that
# answers each path from a script, writes the body in pieces (one TCP write
# each, TCP_NODELAY, optional delays between them, so nginx sees the splits)
# and records every request it gets.  Perl core modules only.
#
#   my $up = StatusEdge::Upstream->new(dir => $t->prefix . '/upstream');
#   $up->route('/page',
#       status  => 200,                          # default 200
#       headers => ['Content-Type' => 'text/html', ETag => '"a"'],
#       body    => ['<html><bo', 'dy>hi'],       # pieces, one write each
#       delay   => 0.03);                        # seconds between writes
#   $up->start;                                  # forks; ->port, ->url
#   ... proxy_pass http://127.0.0.1:$port ...
#   my @r = $up->requests(path => '/page');      # what nginx sent upstream
#   $r[-1]{h}{'accept-encoding'}                 # lower-case names
#   $up->clear_requests;
#   $up->stop;                                   # also from DESTROY / END
#
# Routes can be added or changed while the server runs (route() rewrites a
# Storable file the server reads for every request).  A request is matched
# by its whole URI (path and query) first, then by its path, then by the
# route '*' if any; else 404 text/plain "no route".
#
# Route options:
#   status       status code (default 200); reason    reason phrase
#   headers      [name => value, ...] in order (Content-Length and
#                Connection are added by the server, see below)
#   body         [piece, ...]: each piece a string or
#                { repeat => STRING, times => N }: N writes of STRING
#   delay        seconds to sleep between writes (default 0); head_delay:
#                sleep after the header block (default: delay)
#   head_with_body  1: the header block and the first piece in one write
#   length       1 (default): Content-Length of the whole body;
#                0: none (the body ends when the connection closes)
#   chunked      1: Transfer-Encoding: chunked, one chunk per piece (only
#                when the request is HTTP/1.1; else close-delimited)
#   gzip         'accept': gzip the body when the request's
#                Accept-Encoding names gzip (Content-Encoding: gzip, Vary);
#                'always': gzip whatever the request says (a misbehaving
#                upstream); the compressed bytes go in gzip_pieces writes
#                (default 2)
#   conditional  1: answer 304 (headers of the route, no body) when the
#                request has If-None-Match equal to the route's ETag (or
#                "*"), or If-Modified-Since equal to its Last-Modified
#   ranges       1: answer 206 with Content-Range to "Range: bytes=A-B"
#                (one range), Accept-Ranges: bytes on every answer
#   raw          [piece, ...]: the response bytes exactly, nothing added
#                (delay applies between the pieces)
#   close_early  1: with chunked, close without the last (empty) chunk
#                (for a body cut short, send "Content-Length" yourself in
#                headers with length => 0)
#
# HEAD requests get the header block only.  Every response carries
# "Connection: close" and the connection is closed after it (nginx speaks
# HTTP/1.0 to upstreams by default).  Each connection is served by its own
# forked process, so slow responses do not hold up others; the server and
# those processes are one process group, which stop() ends (TERM, then
# KILL after 5 s).
#
# Recorded requests ($up->requests): hashes { n, time, method, uri, path,
# query, version, headers => [[Name, value], ...], h => { lc name =>
# value (repeated names joined with ", ") }, body }, in arrival order.
#
# Also exported, for the banner tests:
#   se_banner_key($id, $update_id)  the module's dismissal key (16 hex)
#   gunzip_bytes($bytes)            inflated bytes, or undef
#   have_curl_http2()               curl with HTTP/2 support, or undef
#   curl_h2($url, %o)               one h2c request (prior knowledge) with
#                                   curl: ($status, \%headers, $body)
#   http_parallel($port, [[METHOD, PATH, headers => [...]], ...], %o)
#                                   many requests at once (batches of
#                                   $o{batch}, default 32); a list of
#                                   [$status, \%headers, $body]
#   banner_count($html)             number of banner divs in it
#   inserted_at($got, $page, $pos)  the bytes the module inserted at offset
#                                   $pos of $page to give $got, or undef
#                                   when $got is not $page with one
#                                   insertion at $pos
#   markup_problems($inserted)      what in the inserted bytes is not the
#                                   module's own markup (tags, attributes,
#                                   URLs), a list of strings
#   norm_ret($s)                    the dismiss link's r= value replaced
#                                   by "R" (it varies with the request)
#   banner_env(%o)                  a started environment: ($t, $up, $v):
#       redis with $o{state} (default sample_state()) under status: and
#       quiet_state() under quiet: (no incident), the upstream, and nginx
#       with server_conf(extra => $o{locations}) where UPSTREAM in the
#       text is replaced by 127.0.0.1:<upstream port>; plus the locations
#       /status-edge/banner.css, /status-edge/dismiss and /qind (the
#       variables of the quiet: page); waits for both states.  Other
#       options go to start_nginx (http_extra, poll, resync, ...);
#       PREFIX in http_extra is the test's temp prefix, and servers_extra
#       (more server blocks, UPSTREAM replaced) is added after the server;
#       server => {...} are more options of server_conf().
#   quiet_state()                   a page without incident or maintenance

use strict;
use warnings;

use Carp qw(croak);
use Errno ();
use Exporter qw(import);
use File::Path qw(make_path);
use File::Temp qw(tempdir);
use IO::Compress::Gzip qw(gzip $GzipError);
use IO::Select;
use IO::Socket::INET;
use IO::Uncompress::Gunzip qw(gunzip $GunzipError);
use Math::BigInt;
use POSIX qw(WNOHANG);
use Scalar::Util qw(weaken);
use Socket qw(IPPROTO_TCP TCP_NODELAY);
use Storable qw(nstore retrieve);
use StatusEdge::Test ();
use Time::HiRes qw(time sleep);

our @EXPORT_OK = qw(se_banner_key gunzip_bytes have_curl_http2 http_parallel
    banner_count inserted_at markup_problems norm_ret curl_h2 banner_env
    quiet_state);

my @INSTANCES;

sub new {
    my ($class, %o) = @_;
    my $dir = $o{dir} // tempdir('status-edge-up-XXXXXX', TMPDIR => 1,
        CLEANUP => !$ENV{STATUS_EDGE_KEEP});
    make_path("$dir/req");
    my $self = bless {
        dir    => $dir,
        routes => {},
        owner  => $$,
        seq    => 0,
    }, $class;
    $self->_save;
    push @INSTANCES, $self;
    weaken($INSTANCES[-1]);
    return $self;
}

sub dir  { $_[0]{dir} }
sub port { $_[0]{port} }
sub url  { 'http://127.0.0.1:' . $_[0]{port} }

# route($path, %options): adds or replaces; route($path) removes
sub route {
    my ($self, $path, %o) = @_;
    if (%o) {
        $self->{routes}{$path} = { %o };
    } else {
        delete $self->{routes}{$path};
    }
    $self->_save;
    return $self;
}

# many routes at once: routes(path => {options}, ...), one file write
sub routes {
    my ($self, %r) = @_;
    $self->{routes}{$_} = { %{ $r{$_} } } for keys %r;
    $self->_save;
    return $self;
}

sub _save {
    my ($self) = @_;
    my $f = "$self->{dir}/routes";
    my $tmp = "$f.tmp.$$";
    nstore($self->{routes}, $tmp) or die "store routes: $!";
    rename $tmp, $f or die "rename $tmp: $!";
}

sub start {
    my ($self) = @_;
    croak 'upstream already running' if $self->{pid};
    my $ls = IO::Socket::INET->new(Listen => 128, LocalAddr => '127.0.0.1',
        LocalPort => 0, Proto => 'tcp', ReuseAddr => 1)
        or die "upstream listen: $!";
    $self->{port} = $ls->sockport;
    my $pid = fork // die "fork: $!";
    if (!$pid) {
        setpgrp(0, 0);
        $SIG{TERM} = sub { POSIX::_exit(0) };
        @INSTANCES = ();
        eval { $self->_serve($ls) };
        POSIX::_exit(0);
    }
    close $ls;
    $self->{pid} = $pid;
    return $self;
}

sub stop {
    my ($self) = @_;
    my $pid = delete $self->{pid} or return;
    return unless $self->{owner} == $$;
    # the server and its connection handlers are one process group
    kill 'TERM', -$pid;
    kill 'TERM', $pid;
    my $deadline = time + 5;
    while (time < $deadline) {
        my $r = waitpid($pid, WNOHANG);
        last if $r == $pid || $r == -1;
        sleep 0.02;
    }
    kill 'KILL', -$pid;
    kill 'KILL', $pid;
    waitpid($pid, 0);
    return $self;
}

sub DESTROY { local ($?, $!, $@); $_[0]->stop }

END {
    local $?;
    for my $u (@INSTANCES) { $u->stop if $u }
}

# ---------------------------------------------------------------------------
# recorded requests

sub requests {
    my ($self, %o) = @_;
    my $dir = "$self->{dir}/req";
    opendir my $d, $dir or return ();
    my @files = sort grep { /^\d/ } readdir $d;
    closedir $d;
    my @r;
    for my $f (@files) {
        my $r = eval { retrieve("$dir/$f") } or next;
        next if defined $o{path} && $r->{path} ne $o{path};
        next if defined $o{uri} && $r->{uri} ne $o{uri};
        push @r, $r;
    }
    return @r;
}

# the last request for a path (or any), undef when none
sub last_request {
    my ($self, $path) = @_;
    my @r = $self->requests(defined $path ? (path => $path) : ());
    return $r[-1];
}

sub clear_requests {
    my ($self) = @_;
    my $dir = "$self->{dir}/req";
    opendir my $d, $dir or return;
    unlink map { "$dir/$_" } grep { /^\d/ } readdir $d;
    closedir $d;
}

# ---------------------------------------------------------------------------
# the server (in the child)

sub _serve {
    my ($self, $ls) = @_;
    my $n = 0;
    $SIG{CHLD} = 'DEFAULT';
    while (1) {
        1 while waitpid(-1, WNOHANG) > 0;
        my $sel = IO::Select->new($ls);
        next unless $sel->can_read(0.5);
        my $c = $ls->accept or next;
        $n++;
        my $pid = fork;
        if (!defined $pid) { close $c; next }
        if (!$pid) {
            close $ls;
            $SIG{TERM} = 'DEFAULT';
            eval { $self->_conn($c, $n) };
            POSIX::_exit(0);
        }
        close $c;
    }
}

sub _read_request {
    my ($c) = @_;
    my $buf = '';
    my $sel = IO::Select->new($c);
    my $deadline = time + 10;
    while (index($buf, "\r\n\r\n") < 0) {
        return undef if time > $deadline;
        $sel->can_read(1) or next;
        my $r = sysread($c, $buf, 65536, length $buf);
        if (!defined $r) { next if $!{EINTR} || $!{EAGAIN}; return undef }
        return undef if $r == 0;
    }
    my $i = index($buf, "\r\n\r\n");
    my $head = substr($buf, 0, $i);
    my $rest = substr($buf, $i + 4);
    my ($line, @lines) = split /\r\n/, $head;
    my ($method, $uri, $version) = $line =~ m{\A(\S+) (\S+) HTTP/(\d\.\d)\z}
        or return undef;
    my (@headers, %h);
    for (@lines) {
        my ($k, $v) = /\A([^:]+):[ \t]*(.*?)[ \t]*\z/ or next;
        push @headers, [$k, $v];
        my $l = lc $k;
        $h{$l} = exists $h{$l} ? "$h{$l}, $v" : $v;
    }
    my $len = $h{'content-length'} // 0;
    while (length($rest) < $len) {
        last if time > $deadline;
        $sel->can_read(1) or next;
        my $r = sysread($c, $rest, 65536, length $rest);
        last if !defined $r && !$!{EINTR} || defined $r && $r == 0;
    }
    my ($path, $query) = split /\?/, $uri, 2;
    return { method => $method, uri => $uri, path => $path, query => $query,
             version => $version, headers => \@headers, h => \%h,
             body => $rest, head => $head };
}

sub _write_all {
    my ($c, $data) = @_;
    my $off = 0;
    while ($off < length $data) {
        my $r = syswrite($c, $data, length($data) - $off, $off);
        if (!defined $r) {
            next if $!{EINTR} || $!{EAGAIN};
            die "write: $!\n";
        }
        $off += $r;
    }
}

sub _conn {
    my ($self, $c, $n) = @_;
    setsockopt($c, IPPROTO_TCP, TCP_NODELAY, 1);
    my $req = _read_request($c) or return;
    $req->{n} = $n;
    $req->{time} = time;
    my $f = sprintf('%s/req/%017.6f-%06d-%d', $self->{dir}, time, $n, $$);
    nstore($req, "$f.tmp");
    rename "$f.tmp", $f;

    my $routes = eval { retrieve("$self->{dir}/routes") } || {};
    my $r = $routes->{ $req->{uri} } // $routes->{ $req->{path} } // $routes->{'*'}
        // { status => 404, headers => ['Content-Type' => 'text/plain'],
             body => ["no route\n"] };
    my $delay = $r->{delay} // 0;
    my $head_delay = $r->{head_delay} // $delay;

    if ($r->{raw}) {
        my $first = 1;
        for my $p (@{ $r->{raw} }) {
            sleep $delay if !$first && $delay;
            $first = 0;
            _write_all($c, $p);
        }
        close $c;
        return;
    }

    # the body as a list of writes
    my @pieces;
    for my $p (@{ $r->{body} || [] }) {
        if (ref $p) { push @pieces, ($p->{repeat}) x $p->{times} }
        else { push @pieces, $p }
    }
    my $status = $r->{status} // 200;
    my @hdr = @{ $r->{headers} || [] };
    my %rh;
    for (my $i = 0; $i < @hdr; $i += 2) { $rh{ lc $hdr[$i] } = $hdr[$i + 1] }
    my $full = join '', @pieces;

    my $gz = $r->{gzip} // '';
    if ($gz eq 'always'
        || $gz eq 'accept' && ($req->{h}{'accept-encoding'} // '') =~ /\bgzip\b/i) {
        my $z;
        gzip(\$full => \$z, Minimal => 1) or die "gzip: $GzipError";
        my $np = $r->{gzip_pieces} // 2;
        my $size = int((length($z) + $np - 1) / $np) || 1;
        @pieces = ();
        for (my $o = 0; $o < length $z; $o += $size) { push @pieces, substr($z, $o, $size) }
        $full = $z;
        push @hdr, 'Content-Encoding' => 'gzip';
    }
    push @hdr, 'Vary' => 'Accept-Encoding' if $gz eq 'accept';

    if ($r->{conditional} && $status == 200) {
        my $inm = $req->{h}{'if-none-match'};
        my $etag = $rh{etag};
        if (defined $inm && ($inm eq '*' || defined $etag
                && grep { $_ eq $etag || "W/$_" eq $etag || $_ eq "W/$etag" }
                   split /\s*,\s*/, $inm)
            || defined $req->{h}{'if-modified-since'} && defined $rh{'last-modified'}
               && $req->{h}{'if-modified-since'} eq $rh{'last-modified'}) {
            $status = 304;
            @pieces = ();
            $full = '';
        }
    }
    push @hdr, 'Accept-Ranges' => 'bytes' if $r->{ranges};
    if ($r->{ranges} && $status == 200
        && ($req->{h}{range} // '') =~ /\Abytes=(\d+)-(\d*)\z/) {
        my ($a, $b) = ($1, length $2 ? $2 : length($full) - 1);
        $b = length($full) - 1 if $b > length($full) - 1;
        if ($a <= $b) {
            $status = 206;
            push @hdr, 'Content-Range' => "bytes $a-$b/" . length($full);
            $full = substr($full, $a, $b - $a + 1);
            @pieces = ($full);
        }
    }

    my $chunked = $r->{chunked} && $req->{version} eq '1.1';
    my $nobody = $status == 304 || $status == 204 || $status < 200;
    if ($chunked && !$nobody) {
        push @hdr, 'Transfer-Encoding' => 'chunked';
    } elsif (($r->{length} // 1) && !$nobody) {
        push @hdr, 'Content-Length' => length $full;
    }
    push @hdr, 'Connection' => 'close';

    my %reason = (200 => 'OK', 204 => 'No Content', 206 => 'Partial Content',
        301 => 'Moved Permanently', 302 => 'Found', 304 => 'Not Modified',
        404 => 'Not Found', 500 => 'Internal Server Error',
        503 => 'Service Unavailable');
    my $head = "HTTP/1.1 $status " . ($r->{reason} // $reason{$status} // 'X') . "\r\n";
    for (my $i = 0; $i < @hdr; $i += 2) { $head .= "$hdr[$i]: $hdr[$i + 1]\r\n" }
    $head .= "\r\n";

    @pieces = () if $nobody || $req->{method} eq 'HEAD';
    @pieces = map { sprintf('%x', length $_) . "\r\n$_\r\n" } grep { length } @pieces
        if $chunked;
    push @pieces, "0\r\n\r\n" if $chunked && !$nobody && $req->{method} ne 'HEAD'
        && !$r->{close_early};

    if ($r->{head_with_body} && @pieces) {
        _write_all($c, $head . shift @pieces);
    } else {
        _write_all($c, $head);
        sleep $head_delay if $head_delay && @pieces;
    }
    my $first = 1;
    for my $p (@pieces) {
        sleep $delay if !$first && $delay;
        $first = 0;
        _write_all($c, $p);
    }
    shutdown($c, 1);
    # let the peer read everything before the close
    my $sel = IO::Select->new($c);
    my $junk;
    if ($sel->can_read(2)) { sysread($c, $junk, 65536) }
    close $c;
}

# ---------------------------------------------------------------------------
# helpers for the banner tests

my $MASK = Math::BigInt->new('0xffffffffffffffff');
my $FNV_PRIME = Math::BigInt->new('0x100000001b3');

# se_banner_key() of src/core/se_banner.c: FNV-1a 64 of id NUL update_id,
# then the splitmix64 finalizer, as 16 lower-case hex digits
sub se_banner_key {
    my ($id, $uid) = @_;
    $uid //= '';
    my $h = Math::BigInt->new('0xcbf29ce484222325');
    for my $b (unpack('C*', $id), 0, unpack('C*', $uid)) {
        $h = ($h->bxor($b)->bmul($FNV_PRIME))->band($MASK);
    }
    $h = $h->copy->bxor($h->copy->brsft(30));
    $h = $h->bmul(Math::BigInt->new('0xbf58476d1ce4e5b9'))->band($MASK);
    $h = $h->copy->bxor($h->copy->brsft(27));
    $h = $h->bmul(Math::BigInt->new('0x94d049bb133111eb'))->band($MASK);
    $h = $h->copy->bxor($h->copy->brsft(31));
    my $hex = substr($h->as_hex, 2);
    return ('0' x (16 - length $hex)) . $hex;
}

sub gunzip_bytes {
    my ($z) = @_;
    my $out;
    gunzip(\$z => \$out) or return undef;
    return $out;
}

# many requests at once over separate connections
sub http_parallel {
    my ($port, $reqs, %o) = @_;
    my $batch = $o{batch} // 32;
    my $timeout = $o{timeout} // 20;
    my @res;
    for (my $i = 0; $i < @$reqs; $i += $batch) {
        my $last = $i + $batch - 1;
        $last = $#$reqs if $last > $#$reqs;
        my (%conn, @order);
        for my $k ($i .. $last) {
            my ($method, $path, %ro) = @{ $reqs->[$k] };
            my @h = @{ $ro{headers} || [] };
            my $req = "$method $path HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n";
            while (my ($hk, $hv) = splice @h, 0, 2) { $req .= "$hk: $hv\r\n" }
            $req .= "\r\n";
            my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port,
                Proto => 'tcp', Timeout => 5);
            if (!$s) { $res[$k] = [undef, { _error => "connect: $!" }, undef]; next }
            _write_all($s, $req);
            $s->blocking(0);
            $conn{ fileno $s } = { s => $s, k => $k, buf => '', method => $method };
        }
        my $sel = IO::Select->new(map { $_->{s} } values %conn);
        my $deadline = time + $timeout;
        while ($sel->count && time < $deadline) {
            for my $s ($sel->can_read(0.5)) {
                my $c = $conn{ fileno $s };
                my $n = sysread($s, $c->{buf}, 65536, length $c->{buf});
                next if !defined $n && ($!{EAGAIN} || $!{EINTR});
                if (!$n) {
                    $sel->remove($s);
                    close $s;
                    $res[ $c->{k} ] = [StatusEdge::Test::parse_response($c->{buf}, $c->{method})];
                }
            }
        }
        for my $c (values %conn) {
            next if defined $res[ $c->{k} ];
            $res[ $c->{k} ] = [undef, { _error => 'timeout', _raw => $c->{buf} }, undef];
            close $c->{s};
        }
    }
    return @res;
}

sub banner_count {
    my ($html) = @_;
    return 0 unless defined $html;
    my $n = () = $html =~ /<div class="se-banner[ "]/g;
    return $n;
}

sub inserted_at {
    my ($got, $page, $pos) = @_;
    return undef unless defined $got;
    my $rest = length($page) - $pos;
    return undef if length($got) < length($page);
    return undef if substr($got, 0, $pos) ne substr($page, 0, $pos);
    return undef if $rest && substr($got, -$rest) ne substr($page, $pos);
    return substr($got, $pos, length($got) - length($page));
}

sub norm_ret {
    my ($s) = @_;
    return undef unless defined $s;
    $s =~ s/(&amp;r=)[^"]*"/$1R"/g;
    return $s;
}

# the module's banner markup (se_banner.h) and its stylesheet link or
# <style nonce>: anything else is reported
my %TAG_ATTRS = (
    div    => { map { $_ => 1 } qw(class role aria-live lang) },
    p      => { class => 1 },
    strong => { class => 1 },
    span   => { map { $_ => 1 } qw(class aria-hidden) },
    a      => { map { $_ => 1 } qw(class href aria-label title) },
    br     => {},
    link   => { map { $_ => 1 } qw(rel href) },
    style  => { nonce => 1 },
);

sub markup_problems {
    my ($s, %o) = @_;
    my @p;
    push @p, 'not ASCII' if $s =~ /[^\x09\x0a\x0d\x20-\x7e]/;
    my $css = $s;
    # the content of <style> is CSS, not markup
    $css =~ s{(<style\b[^>]*>)(.*?)(</style>)}{$1$3}gs;
    for my $lc ($css =~ /<!--|<!|<\?/g) { push @p, "markup declaration or comment: $lc" }
    while ($css =~ /<(\/?)([A-Za-z][^\s\/>]*)([^>]*)>/g) {
        my ($end, $name, $attrs) = ($1, lc $2, $3);
        my $allowed = $TAG_ATTRS{$name};
        if (!$allowed) { push @p, "tag <$end$name>"; next }
        next if $end;
        my $a = $attrs;
        while ($a =~ /\G\s*([^\s=\/>]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/gc) {
            my ($an, $av) = (lc $1, $2 // $3 // $4);
            push @p, "attribute $an on <$name>" unless $allowed->{$an};
            push @p, "unquoted attribute $an on <$name>" if defined $4;
            if ($an eq 'href') {
                my $v = $av // '';
                $v =~ s/&amp;/&/g;
                push @p, "href $v"
                    unless $v =~ m{\A/status-edge/(?:dismiss\?|banner\.css\z)}
                        || ($o{link_ok} && $v =~ $o{link_ok});
            }
            push @p, "event handler $an" if $an =~ /^on/;
        }
        $a =~ /\G\s*\/?\s*\z/gc or push @p, "unparsed attributes on <$name>: $attrs";
    }
    push @p, 'raw "<" outside tags' if $css =~ /<(?![A-Za-z\/])/;
    push @p, 'javascript: URL' if $css =~ /javascript:/i && $css =~ /href="[^"]*javascript:/i;
    return @p;
}

# one request over HTTP/2 with prior knowledge (h2c), by curl
sub curl_h2 {
    my ($url, %o) = @_;
    my $curl = have_curl_http2() or return (undef, { _error => 'no curl with HTTP2' }, undef);
    my $dir = tempdir('se-curl-XXXXXX', TMPDIR => 1, CLEANUP => 1);
    my @cmd = ($curl, '-s', '--http2-prior-knowledge', '-D', "$dir/h", '-o', "$dir/b",
        '--max-time', $o{timeout} // 10);
    push @cmd, '-X', $o{method} if $o{method} && $o{method} ne 'HEAD';
    push @cmd, '-I' if ($o{method} // '') eq 'HEAD';
    my @h = @{ $o{headers} || [] };
    while (my ($k, $v) = splice @h, 0, 2) { push @cmd, '-H', "$k: $v" }
    push @cmd, $url;
    my $pid = fork // die "fork: $!";
    if (!$pid) {
        open STDIN, '<', '/dev/null';
        open STDOUT, '>', "$dir/out";
        open STDERR, '>&', \*STDOUT;
        { no warnings q(exec); exec { $cmd[0] } @cmd; }
        POSIX::_exit(127);
    }
    waitpid($pid, 0);
    my $rc = $? >> 8;
    my $slurp = sub { open my $fh, '<:raw', $_[0] or return ''; local $/; <$fh> // '' };
    my $head = $slurp->("$dir/h");
    # with -I curl writes the header block to the output file too
    my $body = ($o{method} // '') eq 'HEAD' ? '' : $slurp->("$dir/b");
    return (undef, { _error => "curl exit $rc: " . $slurp->("$dir/out") }, undef) if $rc;
    my @blocks = split /\r\n\r\n/, $head;
    my ($sl, @lines) = split /\r\n/, $blocks[-1] // '';
    my ($ver, $status) = ($sl // '') =~ m{\AHTTP/(\S+) (\d{3})}
        or return (undef, { _error => "bad status line: " . ($sl // '') }, undef);
    my %h = (_status_line => $sl, _version => $ver);
    for (@lines) {
        my ($k, $v) = /\A([^:]+):\s*(.*?)\s*\z/ or next;
        $k = lc $k;
        $h{$k} = exists $h{$k} ? "$h{$k}, $v" : $v;
    }
    return ($status + 0, \%h, $body);
}

sub quiet_state {
    return {
        page => { id => 'quiet', name => 'Quiet Page',
                  url => 'https://quiet.example.com', time_zone => 'UTC' },
        components => [{ id => 'api', position => 1, name => 'API',
                         status => 'operational' }],
        incidents => [], maintenances => [],
    };
}

sub banner_env {
    my (%o) = @_;
    my $t = StatusEdge::Test->new;
    my $up = StatusEdge::Upstream->new(dir => $t->prefix . '/upstream');
    $up->start;
    $t->start_redis;
    my $v = $t->write_state($o{state} // StatusEdge::Test::sample_state());
    my $vq = $t->write_state(quiet_state(), prefix => 'quiet:');
    my $upstream = '127.0.0.1:' . $up->port;
    my $loc = ($o{locations} // '') =~ s/UPSTREAM/$upstream/gr;
    $loc .= <<'EOF';
        location = /status-edge/banner.css {
            status_edge_banner_css;
        }
        location = /status-edge/dismiss {
            status_edge_dismiss;
        }
        location = /qind {
            status_edge_page quiet:;
            add_header X-Pid $pid always;
            return 200 "$status_edge_indicator $status_edge_version";
        }
EOF
    my %n = %o;
    delete @n{qw(state locations server servers_extra)};
    $n{http_extra} =~ s/PREFIX/$t->prefix/ge if defined $n{http_extra};
    my $servers = $t->server_conf(extra => $loc, %{ $o{server} || {} });
    $servers .= $o{servers_extra} =~ s/UPSTREAM/$upstream/gr if $o{servers_extra};
    $t->start_nginx(%n, servers => $servers);
    $t->wait_version($v) or die "state $v not loaded";
    $t->wait_version($vq, path => '/qind') or die "quiet state $vq not loaded";
    return ($t, $up, $v);
}

# curl with HTTP/2 (h2c prior knowledge), or undef
sub have_curl_http2 {
    for my $c ('/usr/bin/curl', '/usr/local/bin/curl') {
        next unless -x $c;
        my $v = `$c --version 2>/dev/null` // '';
        return $c if $v =~ /\bHTTP2\b/;
    }
    return undef;
}

1;
