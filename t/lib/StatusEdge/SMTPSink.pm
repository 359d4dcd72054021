package StatusEdge::SMTPSink;

# A local SMTP sink for the mail notification tests: a forked child on a
# free loopback port (StatusEdge::ForkedServer) that speaks enough ESMTP
# for libcurl's SMTP client (and STARTTLS, with IO::Socket::SSL, when
# given a certificate), accepts every message and records it.  One
# non-blocking select loop.  Perl core modules only, but IO::Socket::SSL
# for tls.
#
#   my $smtp = StatusEdge::SMTPSink->new(dir => $t->prefix . '/smtp');
#                                     # dir made (default: a temporary
#                                     # one), its mail.jsonl emptied;
#                                     # options: max_size, idle_timeout,
#                                     # max_life (see below)
#   my $smtp = StatusEdge::SMTPSink->new(dir => ...,
#       tls => { cert => $crt, key => $key });   # STARTTLS offered (dies
#                                     # here when the files do not load)
#   $smtp->start;                     # forks; ->port, ->dir
#   $smtp->url;                       # "smtp://127.0.0.1:PORT"
#   $smtp->script_rcpt('bad@example.com', 550);  # that RCPT TO refused
#                                     # with that code (4xx or 5xx)
#   $smtp->script_rcpt('bad@example.com');       # accepted again
#   my @m = $smtp->messages;          # every accepted message, in order
#   my @m = $smtp->messages(to => 'ops@example.com');  # (also from =>)
#   my @m = $smtp->wait_messages(2, timeout => 10, to => ...);
#                                     # the list once >= 2 arrived, else
#                                     # the list so far after the timeout
#   $smtp->clear;                     # forgets the messages (the rcpt
#                                     # scripts stay)
#   my $s = $smtp->stats;             # { accepted, open, messages }
#   $smtp->stop;                      # also from DESTROY / END
#   my $m = StatusEdge::SMTPSink::parse_message($raw);  # the same hash
#                                     # for any RFC 5322 message
#
# A message is a hash:
#   { n       => 1, 2, ... (not reset by clear), time (float epoch, at
#                the end of DATA), conn => the connection's number,
#     from    => the MAIL FROM address ('' for <>), mail_params => what
#                followed it ('SIZE=123 BODY=8BITMIME' or ''),
#     to      => [RCPT TO addresses accepted], rejected => [refused ones],
#     ehlo    => the EHLO (or HELO) name, tls => 1 when after STARTTLS
#                (else 0),
#     data    => the message as sent (dot-unstuffed bytes, CRLF line
#                ends, up to the CRLF before the final ".")
#     headers => { lower-case name => value: unfolded, RFC 2047 decoded
#                (Encode 'MIME-Header'; raw UTF-8 decoded too), a Perl
#                character string; repeated names joined with "\n" },
#     raw_headers => { the same, undecoded bytes },
#     parts   => [ { type => 'text/plain' (lower case), charset =>
#                'utf-8' (lower case, undef when none), body => ...,
#                encoding => the Content-Transfer-Encoding (lower case,
#                undef when none), disposition => 'inline' /
#                'attachment' / undef, filename => decoded or undef,
#                headers => the part's own headers, decoded }, ... ] }
# parts are the leaves of the multipart tree (any nesting, in order), or
# the single body as one part (type text/plain when none is given).  A
# part's body is transfer-decoded (quoted-printable, base64; 7bit, 8bit,
# binary as is); a text/* body is then charset-decoded to characters
# (UTF-8 when no charset is given) with CRLF turned into "\n"; any other
# body is left bytes.
# Each message is appended as one JSON line to "$dir/mail.jsonl" before
# the 250 to its end of DATA: {"data_b64":"<data in base64>", the
# envelope fields} (parsed when read).
#
# Commands: EHLO (250-localhost, 250-8BITMIME, 250-SIZE <max_size>,
# 250-STARTTLS with tls until it is used, 250 OK), HELO, MAIL FROM:<a>
# [params], RCPT TO:<b> [params], DATA (354; a message over max_size,
# default 10000000 bytes, gets 552), RSET, NOOP, VRFY (252), HELP (214),
# STARTTLS (220, then the TLS handshake, 5 s at most, else the close;
# the client says EHLO again), QUIT (221).  Anything else (AUTH too):
# 502.  Out of order: 503 (MAIL before EHLO/HELO, a second MAIL, RCPT or
# DATA before MAIL); DATA without an accepted RCPT: 554.  MAIL with
# SIZE= over max_size: 552.
#
# Bounded: at most 1024 connections at once, command lines up to 64 KiB
# (else 500 and the close), a connection idle for idle_timeout seconds
# (default 60) gets 421 and is closed, a write that cannot finish in 5 s
# closes its connection; the child exits when the control pipe closes
# (its parent gone) or after max_life seconds (default 3600).

use strict;
use warnings;

use Carp qw(croak);
use Encode ();
use File::Path qw(make_path);
use File::Temp qw(tempdir);
use IO::Select;
use JSON::PP ();
use MIME::Base64 qw(encode_base64 decode_base64);
use MIME::QuotedPrint qw(decode_qp);
use StatusEdge::ForkedServer;
use Time::HiRes qw(time sleep);

use parent -norequire, 'StatusEdge::ForkedServer';

my $MAX_CONN = 1024;
my $MAX_LINE = 64 << 10;
my $HOST = 'localhost';
# no ascii/latin1/utf8: byte strings in and out, and 20 times faster
my $JSON = JSON::PP->new->canonical;

sub new {
    my ($class, %o) = @_;
    my $dir = $o{dir} // tempdir('status-edge-smtp-XXXXXX', TMPDIR => 1,
        CLEANUP => !$ENV{STATUS_EDGE_KEEP});
    make_path($dir);
    my $file = "$dir/mail.jsonl";
    open my $fh, '>', $file or croak "$file: $!";
    close $fh;
    my $ctx;
    if (my $tls = $o{tls}) {
        croak 'tls needs cert and key' unless $tls->{cert} && $tls->{key};
        -r $_ or croak "$_: not readable" for $tls->{cert}, $tls->{key};
        require IO::Socket::SSL;
        $ctx = IO::Socket::SSL::SSL_Context->new(SSL_server => 1,
            SSL_cert_file => $tls->{cert}, SSL_key_file => $tls->{key})
            or croak "tls: $IO::Socket::SSL::SSL_ERROR";
    }
    return $class->register(
        dir          => $dir,
        file         => $file,
        ctx          => $ctx,
        rcpt         => {},
        max_size     => $o{max_size} // 10_000_000,
        idle_timeout => $o{idle_timeout} // 60,
        max_life     => $o{max_life} // 3600,
        cache        => [],
        offset       => 0,
    );
}

sub what { 'smtp sink' }
sub dir  { $_[0]{dir} }
sub url  { 'smtp://127.0.0.1:' . $_[0]{port} }

# script_rcpt($address, $code): RCPT TO that address (any case) answered
# $code; script_rcpt($address): accepted again
sub script_rcpt {
    my ($self, $addr, $code) = @_;
    croak 'script_rcpt: an address without white space needed'
        unless defined $addr && length $addr && $addr !~ /\s/;
    croak "script_rcpt: bad code '$code'"
        if defined $code && $code !~ /\A[45]\d\d\z/;
    $addr = lc $addr;
    $self->command(join ' ', 'rcpt', $addr, $code // ()) if $self->{pid};
    if (defined $code) { $self->{rcpt}{$addr} = $code }
    else               { delete $self->{rcpt}{$addr} }
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
        my $m = _from_line($line) or next;
        utf8::downgrade($_, 1) for $m->{from}, $m->{ehlo},
            $m->{mail_params}, @{ $m->{to} }, @{ $m->{rejected} };
        my $p = parse_message($m->{data});
        @$m{ keys %$p } = values %$p;
        push @{ $self->{cache} }, $m;
    }
}

sub messages {
    my ($self, %o) = @_;
    $self->_load;
    return grep {
        my $m = $_;
        (!defined $o{to} || grep { lc $_ eq lc $o{to} } @{ $m->{to} })
            && (!defined $o{from} || lc $m->{from} eq lc $o{from})
    } @{ $self->{cache} };
}

sub wait_messages {
    my ($self, $n, %o) = @_;
    my $end = time + ($o{timeout} // 10);
    delete $o{timeout};
    while (1) {
        my @m = $self->messages(%o);
        return @m if @m >= $n || time >= $end;
        sleep 0.02;
    }
}

# a message as a JSON line, its data first, in base64 (JSON::PP reads a
# long string a character at a time: _from_line takes the data out with
# a regular expression)
sub _to_line {
    my ($m) = @_;
    my %rest = %$m;
    my $data = delete $rest{data} // '';
    my $line = '{"data_b64":"' . encode_base64($data, '') . '",'
        . substr($JSON->encode(\%rest), 1) . "\n";
    utf8::downgrade($line);
    return $line;
}

sub _from_line {
    my ($line) = @_;
    my $m;
    if ($line =~ /\A\{"data_b64":"([A-Za-z0-9+\/=]*)",/) {
        my $b64 = $1;
        $m = eval { $JSON->decode('{' . substr($line, $+[0])) } or return;
        $m->{data} = decode_base64($b64);
    } else {
        $m = eval { $JSON->decode($line) } or return;
        $m->{data} = decode_base64(delete $m->{data_b64} // '');
    }
    return $m;
}

# ---------------------------------------------------------------------------
# parsing messages (in the parent)

# a header block: ([lc name, raw value], ...), unfolded
sub _header_list {
    my ($text) = @_;
    my @h;
    for my $line (split /\r?\n/, $text) {
        if ($line =~ /\A[ \t]/ && @h) {
            $h[-1][1] .= $line;
            next;
        }
        my ($k, $v) = $line =~ /\A([^:\s]+)[ \t]*:(.*)\z/ or next;
        push @h, [lc $k, $v];
    }
    $_->[1] =~ s/\A[ \t]+|[ \t]+\z//g for @h;
    return @h;
}

sub _decode_header {
    my ($raw) = @_;
    my $v = $raw;
    if ($v =~ /[\x80-\xff]/) {
        my $copy = $v;
        my $u = eval { Encode::decode('UTF-8', $copy, Encode::FB_CROAK()) };
        $v = $u if defined $u;
    }
    my $d = eval { Encode::decode('MIME-Header', $v) };
    return defined $d ? $d : $v;
}

# (\%decoded, \%raw) of a header list
sub _header_maps {
    my (%d, %r);
    for (@_) {
        my ($k, $v) = @$_;
        my $dv = _decode_header($v);
        $r{$k} = exists $r{$k} ? "$r{$k}\n$v" : $v;
        $d{$k} = exists $d{$k} ? "$d{$k}\n$dv" : $dv;
    }
    return (\%d, \%r);
}

# (header text, body) of an entity
sub _split_entity {
    my ($e) = @_;
    return ('', $1) if $e =~ /\A\r?\n(.*)\z/s;
    return ($1, $2) if $e =~ /\A(.*?)\r?\n\r?\n(.*)\z/s;
    return ($e, '');
}

# a structured header value: (lc value, { lc param => value })
sub _params {
    my ($v) = @_;
    return ('', {}) unless defined $v;
    $v =~ s/\A\s+//;
    my ($main) = $v =~ /\A([^;]*)/;
    $main =~ s/\s+\z//;
    my %p;
    while ($v =~ /;\s*([^=\s;]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;\s]*)/g) {
        my ($k, $pv) = (lc $1, $2);
        if ($pv =~ s/\A"(.*)"\z/$1/s) { $pv =~ s/\\(.)/$1/g }
        # RFC 2231 (one piece): name*=charset'lang'percent-encoded
        if ($k =~ s/\*\z// && $pv =~ /\A([^']*)'[^']*'(.*)\z/s) {
            my ($cs, $v) = ($1, $2);
            $v =~ s/%([0-9a-fA-F]{2})/chr hex $1/ge;
            my $enc = Encode::find_encoding(length $cs ? $cs : 'UTF-8');
            $pv = $enc ? $enc->decode($v) : $v;
        }
        $p{$k} = $pv;
    }
    return (lc $main, \%p);
}

sub _leaves {
    my ($hlist, $body, $depth, $out) = @_;
    my ($d, $r) = _header_maps(@$hlist);
    my $ct = (grep { $_->[0] eq 'content-type' } @$hlist)[0];
    my ($type, $p) = _params($ct && $ct->[1]);
    $type = 'text/plain' if $type !~ m{/};
    if ($type =~ m{\Amultipart/} && defined $p->{boundary}
        && length $p->{boundary} && $depth < 32) {
        my $bd = $p->{boundary};
        my ($start, $closed);
        while ($body =~ /(?:\A|\n)--\Q$bd\E(--)?[ \t]*(?=(\r?\n|\z))/g) {
            my ($at, $close, $after) = ($-[0], $1, $+[0] + length $2);
            if (defined $start) {
                my $e = $at > $start ? substr($body, $start, $at - $start) : '';
                $e =~ s/\r\z//;
                my ($h, $b) = _split_entity($e);
                _leaves([_header_list($h)], $b, $depth + 1, $out);
            }
            if ($close) { $closed = 1; last }
            $start = $after;
        }
        if (defined $start && !$closed) {    # cut short: the rest
            my ($h, $b) = _split_entity(substr($body, $start));
            _leaves([_header_list($h)], $b, $depth + 1, $out);
        }
        return if defined $start;
        # no part at all: the body as one leaf
    }
    my $cte = $d->{'content-transfer-encoding'};
    $cte = lc $cte if defined $cte;
    $cte =~ s/\A\s+|\s+\z//g if defined $cte;
    my $bytes = $body;
    if (defined $cte && $cte eq 'base64') {
        $bytes = decode_base64($bytes);
    } elsif (defined $cte && $cte eq 'quoted-printable') {
        (my $b = $bytes) =~ s/\r\n/\n/g;
        $bytes = decode_qp($b);
    }
    my $cs = defined $p->{charset} ? lc $p->{charset} : undef;
    my $text = $bytes;
    if ($type =~ m{\Atext/}) {
        my $enc = Encode::find_encoding($cs // 'UTF-8')
            // Encode::find_encoding('UTF-8');
        $text = $enc->decode($bytes);
        $text =~ s/\r\n/\n/g;
    }
    my ($disp, $dp) = _params($r->{'content-disposition'});
    my $fn = $dp->{filename} // $p->{name};
    push @$out, { type => $type, charset => $cs, body => $text,
        encoding => $cte, disposition => length $disp ? $disp : undef,
        filename => defined $fn ? _decode_header($fn) : undef,
        headers => $d };
}

# the parsed form of a raw message: { headers, raw_headers, parts }
sub parse_message {
    my ($raw) = @_;
    my ($h, $b) = _split_entity($raw // '');
    my @hl = _header_list($h);
    my ($d, $r) = _header_maps(@hl);
    my @parts;
    _leaves(\@hl, $b, 0, \@parts);
    return { headers => $d, raw_headers => $r, parts => \@parts };
}

# ---------------------------------------------------------------------------
# the child

# an address out of "<a@b> PARAMS" (or "a@b PARAMS"): (address, params)
sub _path_arg {
    my ($s) = @_;
    return ($1, $2) if $s =~ /\A\s*<([^>]*)>\s*(.*?)\s*\z/;
    return ($1, $2) if $s =~ /\A\s*(\S+)\s*(.*?)\s*\z/;
    return;
}

sub serve {
    my ($self, $l, $ctl, $ack) = @_;
    my $file = $self->{file};
    open my $log, '>>:raw', $file or die "$file: $!";
    my %rcpt = %{ $self->{rcpt} };
    my $ctx = $self->{ctx};
    my %st = (accepted => 0, messages => 0);
    my $deadline = time + $self->{max_life};
    my $sel = IO::Select->new($l, $ctl);
    my $wsel = IO::Select->new;    # handshakes that want to write
    my %conn;
    my ($nconn, $nmsg, $cbuf, $paused, $sweep) = (0, 0, '', 0, time + 1);

    my $close = sub {
        my ($c) = @_;
        my $s = delete $c->{s} or return;
        delete $conn{ $c->{fd} };
        $sel->remove($s);
        $wsel->remove($s);
        $s->isa('IO::Socket::SSL') ? $s->close(SSL_fast_shutdown => 1)
                                   : close $s;
    };
    # the whole reply written (5 s at most), else the connection closed
    my $send = sub {
        my ($c, @lines) = @_;
        my $s = $c->{s} or return;
        my $out = join '', map { "$_\r\n" } @lines;
        my $end = time + 5;
        while (length $out) {
            my $w = syswrite($s, $out);
            if (defined $w && $w > 0) {
                substr($out, 0, $w, '');
                next;
            }
            my $want_read = $c->{tls}
                && $IO::Socket::SSL::SSL_ERROR == IO::Socket::SSL::SSL_WANT_READ();
            if (defined $w || !($!{EAGAIN} || $!{EINTR} || $want_read
                || $c->{tls} && $IO::Socket::SSL::SSL_ERROR
                   == IO::Socket::SSL::SSL_WANT_WRITE())) {
                $close->($c);
                return;
            }
            my $left = $end - time;
            if ($left <= 0) { $close->($c); return }
            my $ws = IO::Select->new($s);
            $want_read ? $ws->can_read($left) : $ws->can_write($left);
        }
        $c->{last} = time;
    };
    my $reset = sub {
        my ($c) = @_;
        $c->{from} = undef;
        $c->{params} = '';
        $c->{to} = [];
        $c->{rejected} = [];
    };
    # the TLS handshake, a step each time the socket is ready
    my $handshake = sub {
        my ($c) = @_;
        my $s = $c->{s};
        if ($s->accept_SSL) {
            $wsel->remove($s);
            $c->{state} = 'cmd';
            $c->{tls} = 1;
            $c->{ehlo} = undef;    # RFC 3207: the client starts over
            $c->{last} = time;
            $reset->($c);
            return;
        }
        my $e = $IO::Socket::SSL::SSL_ERROR;
        if ($e == IO::Socket::SSL::SSL_WANT_READ()) { $wsel->remove($s); return }
        if ($e == IO::Socket::SSL::SSL_WANT_WRITE()) { $wsel->add($s); return }
        $close->($c);
    };
    my $starttls = sub {
        my ($c) = @_;
        my $ok = IO::Socket::SSL->start_SSL($c->{s}, SSL_server => 1,
            SSL_reuse_ctx => $ctx, SSL_startHandshake => 0);
        if (!$ok) { $close->($c); return }
        $c->{state} = 'handshake';
        $c->{hs_end} = time + 5;
        $handshake->($c);
    };
    my $end_data = sub {
        my ($c) = @_;
        if ($c->{too_big}) {
            $send->($c, '552 5.3.4 Message too big');
        } else {
            my $m = { n => ++$nmsg, time => time, conn => $c->{id},
                from => $c->{from}, mail_params => $c->{params},
                to => $c->{to}, rejected => $c->{rejected},
                ehlo => $c->{ehlo}, tls => $c->{tls} ? 1 : 0,
                data => $c->{data} };
            my $line = _to_line($m);
            syswrite($log, $line) == length $line or die "$file: $!";
            $st{messages}++;
            $send->($c, "250 2.0.0 OK: queued as $nmsg");
        }
        $c->{data} = '';
        $c->{state} = 'cmd';
        $reset->($c);
    };
    my $command = sub {
        my ($c, $line) = @_;
        my ($verb, $arg) = $line =~ /\A\s*(\S*)\s*(.*?)\s*\z/s;
        $verb = uc $verb;
        if ($verb eq 'EHLO' || $verb eq 'HELO') {
            return $send->($c, '501 5.5.4 Syntax: EHLO hostname')
                unless length $arg;
            $c->{ehlo} = $arg;
            $reset->($c);
            return $send->($c, "250 $HOST") if $verb eq 'HELO';
            return $send->($c, "250-$HOST", '250-8BITMIME',
                "250-SIZE $self->{max_size}",
                ($ctx && !$c->{tls} ? '250-STARTTLS' : ()), '250 OK');
        }
        if ($verb eq 'MAIL') {
            return $send->($c, '503 5.5.1 EHLO or HELO first')
                unless defined $c->{ehlo};
            return $send->($c, '503 5.5.1 MAIL already given')
                if defined $c->{from};
            my ($a, $params) = $arg =~ /\AFROM:(.*)\z/is ? _path_arg($1) : ();
            return $send->($c, '501 5.5.4 Syntax: MAIL FROM:<address>')
                unless defined $a;
            return $send->($c, '552 5.3.4 Message size exceeds fixed limit')
                if $params =~ /(?:\A|\s)SIZE=(\d+)/i && $1 > $self->{max_size};
            $c->{from} = $a;
            $c->{params} = $params;
            return $send->($c, '250 2.1.0 OK');
        }
        if ($verb eq 'RCPT') {
            return $send->($c, '503 5.5.1 MAIL first') unless defined $c->{from};
            my ($a) = $arg =~ /\ATO:(.*)\z/is ? _path_arg($1) : ();
            return $send->($c, '501 5.5.4 Syntax: RCPT TO:<address>')
                unless defined $a && length $a;
            if (my $code = $rcpt{ lc $a }) {
                push @{ $c->{rejected} }, $a;
                my $x = substr($code, 0, 1) . '.1.1';
                return $send->($c, "$code $x <$a>: Recipient address rejected");
            }
            push @{ $c->{to} }, $a;
            return $send->($c, '250 2.1.5 OK');
        }
        if ($verb eq 'DATA') {
            return $send->($c, '503 5.5.1 MAIL first') unless defined $c->{from};
            return $send->($c, '554 5.5.1 No valid recipients')
                unless @{ $c->{to} };
            $c->{state} = 'data';
            $c->{data} = '';
            $c->{too_big} = 0;
            return $send->($c, '354 End data with <CR><LF>.<CR><LF>');
        }
        if ($verb eq 'RSET') { $reset->($c); return $send->($c, '250 2.0.0 OK') }
        if ($verb eq 'NOOP') { return $send->($c, '250 2.0.0 OK') }
        if ($verb eq 'VRFY') {
            return $send->($c, '252 2.1.5 Cannot VRFY user, but will accept message');
        }
        if ($verb eq 'HELP') { return $send->($c, '214 2.0.0 See RFC 5321') }
        if ($verb eq 'QUIT') {
            $send->($c, "221 2.0.0 $HOST closing connection");
            return $close->($c);
        }
        if ($verb eq 'STARTTLS') {
            return $send->($c, '502 5.5.1 STARTTLS not available') unless $ctx;
            return $send->($c, '503 5.5.1 TLS already active') if $c->{tls};
            return $send->($c, '501 5.5.4 Syntax: STARTTLS') if length $arg;
            $send->($c, '220 2.0.0 Ready to start TLS');
            return 'tls';
        }
        return $send->($c, '502 5.5.2 Command not recognized');
    };
    # the complete lines that arrived
    my $input = sub {
        my ($c) = @_;
        my $pos = 0;
        while ($c->{s}) {
            my $nl = index($c->{in}, "\n", $pos);
            last if $nl < 0;
            my $line = substr($c->{in}, $pos, $nl + 1 - $pos);
            $pos = $nl + 1;
            if ($c->{state} eq 'data') {
                if ($line eq ".\r\n" || $line eq ".\n") {
                    $end_data->($c);
                    next;
                }
                substr($line, 0, 1, '') if substr($line, 0, 1) eq '.';
                if (length($c->{data}) + length($line) > $self->{max_size}) {
                    $c->{too_big} = 1;
                    $c->{data} = '';
                }
                $c->{data} .= $line unless $c->{too_big};
                next;
            }
            $line =~ s/\r?\n\z//;
            if (($command->($c, $line) // '') eq 'tls') {
                # what followed STARTTLS in the clear is dropped
                $c->{in} = '';
                $starttls->($c);
                return;
            }
        }
        return unless $c->{s};
        substr($c->{in}, 0, $pos, '');
        if ($c->{state} eq 'data') {
            # a "line" of 1 MiB: the message is refused, the bytes dropped
            if (length $c->{in} > 16 * $MAX_LINE) {
                $c->{too_big} = 1;
                $c->{data} = $c->{in} = '';
            }
        } elsif (length $c->{in} > $MAX_LINE) {
            $send->($c, '500 5.5.2 Line too long');
            $close->($c);
        }
    };
    my $read = sub {
        my ($c) = @_;
        my $s = $c->{s};
        while (1) {
            my $n = sysread($s, $c->{in}, 65536, length $c->{in});
            if (!defined $n) {
                return if $!{EAGAIN} || $!{EINTR} || $c->{tls}
                    && ($IO::Socket::SSL::SSL_ERROR
                        == IO::Socket::SSL::SSL_WANT_READ()
                     || $IO::Socket::SSL::SSL_ERROR
                        == IO::Socket::SSL::SSL_WANT_WRITE());
                $close->($c);
                return;
            }
            if (!$n) { $close->($c); return }
            $c->{last} = time;
            $input->($c);
            # TLS: what OpenSSL has decrypted already, select cannot see
            return unless $c->{s} && $c->{tls} && $c->{s}->pending;
        }
    };

    while (time < $deadline) {
        if ($paused && time >= $paused) {
            $sel->add($l);
            $paused = 0;
        }
        my ($r, $w) = IO::Select->select($sel, $wsel->count ? $wsel : undef,
            undef, 0.1);
        for my $s (@{ $w || [] }) {
            my $fd = fileno $s;
            my $c = defined $fd && $conn{$fd} or next;
            $handshake->($c) if $c->{state} eq 'handshake';
        }
        for my $s (@{ $r || [] }) {
            if ($s == $ctl) {
                $self->read_control($ctl, \$cbuf, $ack, sub {
                    my ($cmd, @a) = @_;
                    if ($cmd eq 'rcpt') {
                        my ($addr, $code) = @a;
                        return 'error: rcpt without an address'
                            unless defined $addr;
                        if (defined $code) { $rcpt{ lc $addr } = $code }
                        else { delete $rcpt{ lc $addr } }
                        return 'ok';
                    }
                    if ($cmd eq 'clear') {
                        truncate($log, 0) or return "error: truncate: $!";
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
                for (1 .. 64) {
                    my $cs = $l->accept;
                    if (!$cs) {
                        if (!$!{EAGAIN} && !$!{EWOULDBLOCK} && !$!{EINTR}) {
                            $sel->remove($l);
                            $paused = time + 0.1;
                        }
                        last;
                    }
                    $st{accepted}++;
                    if (keys %conn >= $MAX_CONN) {
                        syswrite($cs, "421 4.3.2 Too many connections\r\n");
                        close $cs;
                        next;
                    }
                    $cs->blocking(0);
                    my $c = { s => $cs, fd => fileno $cs, id => ++$nconn,
                        in => '', state => 'cmd', tls => 0, ehlo => undef,
                        data => '', last => time };
                    $reset->($c);
                    $conn{ $c->{fd} } = $c;
                    $sel->add($cs);
                    $send->($c, "220 $HOST ESMTP StatusEdge::SMTPSink");
                }
                next;
            }
            my $fd = fileno $s;
            my $c = defined $fd && $conn{$fd} or next;
            $c->{state} eq 'handshake' ? $handshake->($c) : $read->($c);
        }
        if (time >= $sweep) {
            my $now = time;
            $sweep = $now + 1;
            for my $c (values %conn) {
                if ($c->{state} eq 'handshake') {
                    $close->($c) if $now >= $c->{hs_end};
                    next;
                }
                next if $now < $c->{last} + $self->{idle_timeout};
                $send->($c, "421 4.4.2 $HOST Idle timeout, closing");
                $close->($c);
            }
        }
    }
}

1;
