package StatusEdge::FakeDNS;

# A forked DNS server on a free UDP port of 127.0.0.1 that answers every A
# query with the IPv4 address written in a file (read at each query, so a
# test moves a name by rewriting it), TTL 0; other queries get an empty
# answer.  Enough for nginx's resolver.  Perl core only.
#
#   my $dns = StatusEdge::FakeDNS->start("$dir/dns-answer");
#   $dns->answer('127.0.0.2');     # from now on
#   ... resolver 127.0.0.1:@{[ $dns->port ]} ipv6=off valid=1s; ...
#   $dns->queries;                 # A queries answered so far
#   $dns->stop;
#
# The child exits after 300 s.

use strict;
use warnings;

use IO::Socket::INET;
use Time::HiRes qw(time);

sub start {
    my ($class, $file) = @_;
    my $s = IO::Socket::INET->new(Proto => 'udp', LocalAddr => '127.0.0.1',
        LocalPort => 0) or die "udp: $!";
    my $self = bless { file => $file, count => "$file.count",
        port => $s->sockport }, $class;
    $self->answer('127.0.0.1') unless -e $file;
    my $pid = fork // die "fork: $!";
    if ($pid) {
        close $s;
        $self->{pid} = $pid;
        return $self;
    }
    my $n = 0;
    my $deadline = time + 300;
    while (time < $deadline) {
        my $rin = '';
        vec($rin, fileno $s, 1) = 1;
        next unless select(my $rout = $rin, undef, undef, 0.2);
        my $from = $s->recv(my $q, 512) // next;
        my $reply = _reply($q, _read($file)) // next;
        $s->send($reply, 0, $from);
        if (length $reply > length $q) {
            _write($self->{count}, ++$n);
        }
    }
    exit 0;
}

sub port { $_[0]{port} }

sub answer {
    my ($self, $ip) = @_;
    _write("$self->{file}.new", $ip);
    rename "$self->{file}.new", $self->{file} or die "rename: $!";
}

sub queries { _read($_[0]{count}) // 0 }

sub stop {
    my ($self) = @_;
    my $pid = delete $self->{pid} or return;
    kill 'TERM', $pid;
    waitpid $pid, 0;
}

sub DESTROY { $_[0]->stop }

# the answer to query $q: its question again, and an A record for $ip
# when it asks for one
sub _reply {
    my ($q, $ip) = @_;
    return undef if length $q < 12;
    my ($id, $flags, $qd) = unpack 'n n n', $q;
    return undef if $flags & 0x8000 || $qd != 1;
    my $p = 12;
    while ($p < length $q) {
        my $len = ord substr $q, $p, 1;
        $p += 1 + $len;
        last if $len == 0;
    }
    return undef if $p + 4 > length $q;
    my $question = substr $q, 12, $p + 4 - 12;
    my ($type) = unpack 'n', substr $q, $p, 2;
    my @a = $type == 1 && defined $ip && $ip =~ /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/
        ? ($1, $2, $3, $4) : ();
    my $r = pack('n n n n n n', $id, 0x8180, 1, @a ? 1 : 0, 0, 0) . $question;
    $r .= pack('n n n N n C4', 0xc00c, 1, 1, 0, 4, @a) if @a;
    return $r;
}

sub _read {
    my ($f) = @_;
    open my $fh, '<', $f or return undef;
    my $s = <$fh>;
    close $fh;
    chomp $s if defined $s;
    return $s;
}

sub _write {
    my ($f, $s) = @_;
    open my $fh, '>', $f or die "$f: $!";
    print $fh $s;
    close $fh;
}

1;
