package StatusEdge::SSE;

# A Server-Sent Events client for the tests: one HTTP/1.x request on a
# plain socket, the response read as it comes (chunked or not), parsed
# into fields the way EventSource does (blank line ends a block).
#
#   my $s = StatusEdge::SSE->new($port, '/events',
#       headers => ['Last-Event-ID' => 7], http10 => 0, rcvbuf => 4096,
#       no_read => 0);
#   $s->status, $s->header('content-type'), $s->head (raw header block)
#   my $b = $s->next_block(5);   # { id, event, data, retry, comment } or undef
#   $s->blocks_until(sub { $_[0]{id} == 3 }, 5);
#   $s->wait_eof(5); $s->eof; $s->clean_end (the last chunk came)

use strict;
use warnings;
use IO::Socket::INET;
use IO::Select;
use Socket qw(SOL_SOCKET SO_RCVBUF);
use Time::HiRes qw(time);

sub new {
    my ($class, $port, $path, %o) = @_;
    my $s = IO::Socket::INET->new(Proto => 'tcp', Timeout => 5)
        or die "socket: $!";
    if ($o{rcvbuf}) {
        setsockopt($s, SOL_SOCKET, SO_RCVBUF, pack('i', $o{rcvbuf}))
            or die "SO_RCVBUF: $!";
    }
    $s->connect(Socket::pack_sockaddr_in($port, Socket::inet_aton('127.0.0.1')))
        or die "connect: $!";
    my $ver = $o{http10} ? 'HTTP/1.0' : 'HTTP/1.1';
    my $method = $o{method} // 'GET';
    my $req = "$method $path $ver\r\nHost: localhost\r\nAccept: text/event-stream\r\n";
    my @h = @{ $o{headers} || [] };
    while (my ($k, $v) = splice @h, 0, 2) { $req .= "$k: $v\r\n" }
    $req .= "\r\n";
    syswrite($s, $req) == length $req or die "write: $!";
    $s->blocking(0);
    my $self = bless { s => $s, raw => '', body => '', text => '',
        head => undef, eof => 0, chunked => 0, clean_end => 0,
        blocks => [], method => $method }, $class;
    $self->_read_head($o{timeout} // 5) unless $o{no_read};
    return $self;
}

sub _fill {
    my ($self, $timeout) = @_;
    return 0 if $self->{eof};
    my $sel = IO::Select->new($self->{s});
    return 0 unless $sel->can_read($timeout);
    my $n = sysread($self->{s}, $self->{raw}, 65536, length $self->{raw});
    if (!defined $n) {
        return 0 if $!{EAGAIN};
        $self->{eof} = 1;
        $self->{error} = "$!";
        return 0;
    }
    if ($n == 0) { $self->{eof} = 1; return 0 }
    return 1;
}

sub _read_head {
    my ($self, $timeout) = @_;
    my $end = time + $timeout;
    while ((my $i = index($self->{raw}, "\r\n\r\n")) < 0) {
        my $left = $end - time;
        die "no response header: " . ($self->{raw} // '') if $left <= 0 || $self->{eof};
        $self->_fill($left);
    }
    my $i = index($self->{raw}, "\r\n\r\n");
    $self->{head} = substr($self->{raw}, 0, $i + 2);
    $self->{raw} = substr($self->{raw}, $i + 4);
    ($self->{status}) = $self->{head} =~ m{\AHTTP/\d\.\d (\d{3})};
    my %h;
    for my $line (split /\r\n/, $self->{head}) {
        push @{ $h{lc $1} }, $2 if $line =~ /\A([^:\s]+):\s*(.*)\z/;
    }
    $self->{headers} = \%h;
    $self->{chunked} = (($h{'transfer-encoding'} || [''])->[0] =~ /chunked/i) ? 1 : 0;
    $self->_decode;
}

sub status { $_[0]{status} }
sub head { $_[0]{head} }
sub header {
    my ($self, $name) = @_;
    my $v = $self->{headers}{lc $name} or return undef;
    return join ', ', @$v;
}
sub header_count { scalar @{ $_[0]{headers}{lc $_[1]} || [] } }
sub eof { $_[0]{eof} }
sub clean_end { $_[0]{clean_end} }
sub body { $_[0]{body} }
sub close { my ($self) = @_; close $self->{s} if $self->{s}; delete $self->{s} }

# moves decoded body bytes from raw to body and text
sub _decode {
    my ($self) = @_;
    return unless defined $self->{head};
    if (!$self->{chunked}) {
        $self->{body} .= $self->{raw};
        $self->{text} .= $self->{raw};
        $self->{raw} = '';
        return;
    }
    while (1) {
        my $i = index($self->{raw}, "\r\n");
        return if $i < 0;
        my $size = hex substr($self->{raw}, 0, $i);
        if ($size == 0) {
            if (length($self->{raw}) >= $i + 4) {
                $self->{clean_end} = 1;
                $self->{raw} = substr($self->{raw}, $i + 4);
            }
            return;
        }
        return if length($self->{raw}) < $i + 2 + $size + 2;
        my $data = substr($self->{raw}, $i + 2, $size);
        $self->{raw} = substr($self->{raw}, $i + 2 + $size + 2);
        $self->{body} .= $data;
        $self->{text} .= $data;
    }
}

# one parsed block from the text, if complete
sub _take_block {
    my ($self) = @_;
    my $i = index($self->{text}, "\n\n");
    return undef if $i < 0;
    my $block = substr($self->{text}, 0, $i);
    $self->{text} = substr($self->{text}, $i + 2);
    my %b = (raw => $block);
    for my $line (split /\n/, $block) {
        if ($line =~ /\A:\s?(.*)\z/) { $b{comment} = $1; next }
        my ($k, $v) = $line =~ /\A([^:]*):? ?(.*)\z/;
        if ($k eq 'data') {
            $b{data} = defined $b{data} ? "$b{data}\n$v" : $v;
        } else {
            $b{$k} = $v;
        }
    }
    return \%b;
}

# the next block within $timeout s, or undef
sub next_block {
    my ($self, $timeout) = @_;
    my $end = time + $timeout;
    while (1) {
        $self->_decode;
        my $b = $self->_take_block;
        return $b if $b;
        my $left = $end - time;
        return undef if $left <= 0 || $self->{eof};
        $self->_fill($left);
    }
}

# blocks read until $match returns true (inclusive); (matched, \@blocks)
sub blocks_until {
    my ($self, $match, $timeout) = @_;
    my $end = time + $timeout;
    my @seen;
    while (1) {
        my $left = $end - time;
        return (undef, \@seen) if $left <= 0;
        my $b = $self->next_block($left) or return (undef, \@seen);
        push @seen, $b;
        return ($b, \@seen) if $match->($b);
    }
}

# waits until the server closes; true when it did within $timeout
sub wait_eof {
    my ($self, $timeout) = @_;
    my $end = time + $timeout;
    while (!$self->{eof}) {
        my $left = $end - time;
        return 0 if $left <= 0;
        $self->_fill($left);
    }
    $self->_decode;
    return 1;
}

1;
