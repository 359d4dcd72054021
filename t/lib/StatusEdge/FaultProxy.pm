package StatusEdge::FaultProxy;

# A TCP proxy with injected faults, between nginx and Redis (Debian has no
# toxiproxy): a forked child on a free loopback port that forwards every
# connection to a target port on 127.0.0.1, one non-blocking select loop,
# Perl core modules only.  The test changes its mode at any time through
# a control pipe (each change is acknowledged before mode() returns):
#
#   my $fp = StatusEdge::FaultProxy->new(target => $t->redis_port);
#   $fp->start;                  # ->port: point status_edge_redis at it
#   $fp->mode('pass');           # forward as is (the default)
#   $fp->mode('latency', 10000); # every chunk, both ways, delivered N ms
#                                # after it was read
#   $fp->mode('bandwidth', 200); # at most N bytes/s each way, per
#                                # connection
#   $fp->mode('blackhole');      # accept, then silence: nothing is
#                                # forwarded either way, connections are
#                                # held open (a dead link); connections
#                                # held stay silent after the mode ends,
#                                # as a link whose state a NAT lost
#   $fp->mode('reset', 2000);    # every reply from the target is cut
#                                # after a random 1..N bytes of the
#                                # connection's replies and the client
#                                # gets an RST (SO_LINGER 0)
#   $fp->mode('slice', 20);      # replies written one byte per write
#                                # (TCP_NODELAY), N us apart (0: none)
#   $fp->target($port);          # later connections go to $port; the open
#                                # ones are closed (for a fake Redis)
#   $fp->drop_all;               # closes every open connection (FIN)
#   my $s = $fp->stats;          # { accepted, open, held, resets, up,
#                                #   down, refused, mode }
#   $fp->stop;                   # also from DESTROY / END
#
# A connection the target refuses (Redis down) is answered with an RST,
# as a refused connect would be.
#
# Bounded: at most 4096 connections at once (more are closed at accept),
# at most 64 MiB queued per direction of a connection (more is dropped,
# the connection closed); the child exits when the control pipe closes
# (its parent gone) or after max_life seconds (default 3600).

use strict;
use warnings;

use Carp qw(croak);
use Errno ();
use IO::Select;
use IO::Socket::INET;
use Socket qw(IPPROTO_TCP TCP_NODELAY SOL_SOCKET SO_LINGER);
use StatusEdge::ForkedServer;
use Time::HiRes qw(time sleep);

use parent -norequire, 'StatusEdge::ForkedServer';

my $MAX_CONN = 4096;
my $MAX_QUEUE = 64 << 20;

sub new {
    my ($class, %o) = @_;
    croak 'target port needed' unless $o{target};
    return $class->register(target => $o{target},
        max_life => $o{max_life} // 3600);
}

sub what { 'fault proxy' }

sub mode {
    my ($self, $mode, $arg) = @_;
    $self->command("mode $mode " . ($arg // 0));
    $self->{mode} = $mode;
    return $self;
}

sub target {
    my ($self, $port) = @_;
    $self->command("target $port");
    $self->{target} = $port;
    return $self;
}

sub drop_all { $_[0]->command('drop'); $_[0] }

# ---------------------------------------------------------------------------
# the child

sub _rst {
    my ($s) = @_;
    setsockopt($s, SOL_SOCKET, SO_LINGER, pack('ii', 1, 0));
    close $s;
}

sub serve {
    my ($self, $l, $ctl, $ack) = @_;
    my %st = (accepted => 0, resets => 0, up => 0, down => 0, refused => 0);
    my ($mode, $arg) = ('pass', 0);
    my $target = $self->{target};
    my $deadline = time + $self->{max_life};
    my $cbuf = '';
    # connections: { c, u, id, q => { up => [[due, data]], down => [...] },
    #                held, cut, sent_down, tokens => { up, down }, last }
    my %conn;
    my $nid = 0;
    my $sel = IO::Select->new($l, $ctl);
    my %of;    # fileno -> [conn, 'c'|'u']

    my $close = sub {
        my ($c, $rst) = @_;
        for my $k (qw(c u)) {
            my $s = delete $c->{$k} or next;
            delete $of{ fileno $s };
            $sel->remove($s);
            $rst && $k eq 'c' ? _rst($s) : close $s;
        }
        delete $conn{ $c->{id} };
    };

    while (time < $deadline) {
        my $now = time;
        # the next due chunk bounds the wait
        my $wait = 0.05;
        for my $c (values %conn) {
            for my $d (qw(up down)) {
                my $q = $c->{q}{$d};
                next unless @$q;
                my $w = $q->[0][0] - $now;
                $w = 0.001 if $mode eq 'bandwidth' || $mode eq 'slice';
                $wait = $w if $w < $wait;
            }
        }
        $wait = 0 if $wait < 0;
        my @r = $sel->can_read($wait);
        for my $s (@r) {
            if ($s == $ctl) {
                $self->read_control($ctl, \$cbuf, $ack, sub {
                    my ($cmd, @w) = @_;
                    if ($cmd eq 'mode') {
                        my ($m, $a) = @w;
                        return "error: unknown mode '$m'"
                            if $m !~ /\A(?:pass|latency|bandwidth|blackhole
                                      |reset|slice)\z/x;
                        ($mode, $arg) = ($m, $a // 0);
                        return 'ok';
                    }
                    if ($cmd eq 'target') {
                        $target = $w[0];
                        $close->($_) for values %conn;
                        return 'ok';
                    }
                    if ($cmd eq 'drop') {
                        $close->($_) for values %conn;
                        return 'ok';
                    }
                    if ($cmd eq 'stats') {
                        my $held = grep { $_->{held} } values %conn;
                        return join(' ', "mode=$mode",
                            'open=' . scalar(keys %conn), "held=$held",
                            map { "$_=$st{$_}" } sort keys %st);
                    }
                    return "error: unknown command '$cmd'";
                }) or return;    # the parent is gone
                next;
            }
            if ($s == $l) {
                while (my $cs = $l->accept) {
                    $st{accepted}++;
                    if (keys %conn >= $MAX_CONN) { close $cs; next }
                    my $us = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                        PeerPort => $target, Proto => 'tcp', Timeout => 1);
                    if (!$us) { $st{refused}++; _rst($cs); next }
                    $_->blocking(0) for $cs, $us;
                    setsockopt($_, IPPROTO_TCP, TCP_NODELAY, 1) for $cs, $us;
                    my $c = { id => ++$nid, c => $cs, u => $us,
                        q => { up => [], down => [] }, sent_down => 0,
                        held => $mode eq 'blackhole' ? 1 : 0,
                        tokens => { up => 0, down => 0 }, last => time };
                    $conn{$nid} = $c;
                    $of{ fileno $cs } = [$c, 'c'];
                    $of{ fileno $us } = [$c, 'u'];
                    $sel->add($cs, $us);
                }
                next;
            }
            my $fd = fileno $s;
            next unless defined $fd;    # closed earlier in this turn
            my $e = $of{$fd} or next;
            my ($c, $side) = @$e;
            my $buf = '';
            my $n = sysread($s, $buf, 65536);
            next if !defined $n && ($!{EAGAIN} || $!{EINTR});
            if (!$n) {
                # one side ended or failed: end the other one as well (an
                # RST from the target reaches the client as one)
                $close->($c, !defined $n);
                next;
            }
            $c->{held} = 1 if $mode eq 'blackhole';
            next if $c->{held};    # silence: the bytes are lost
            my $d = $side eq 'c' ? 'up' : 'down';
            $st{$d} += $n;
            my $due = $mode eq 'latency' ? time + $arg / 1000 : 0;
            my $q = $c->{q}{$d};
            my $queued = 0;
            $queued += length $_->[1] for @$q;
            if ($queued + $n > $MAX_QUEUE) { $close->($c); next }
            push @$q, [$due, $buf];
        }
        # writes
        $now = time;
        for my $c (values %conn) {
            next if $c->{held};
            my $el = $now - $c->{last};
            $c->{last} = $now;
            DIR: for my $d (qw(up down)) {
                my $q = $c->{q}{$d};
                my $to = $d eq 'up' ? $c->{u} : $c->{c};
                next unless $to;
                if ($mode eq 'bandwidth') {
                    my $t = $c->{tokens}{$d} + $el * $arg;
                    # a burst of at most 1/10 s worth
                    my $cap = $arg / 10 > 1 ? $arg / 10 : 1;
                    $c->{tokens}{$d} = $t > $cap ? $cap : $t;
                }
                while (@$q && $q->[0][0] <= $now) {
                    my $data = $q->[0][1];
                    my $len = length $data;
                    if ($mode eq 'bandwidth') {
                        my $t = int $c->{tokens}{$d};
                        last if $t < 1;
                        $len = $t if $t < $len;
                    } elsif ($mode eq 'slice' && $d eq 'down') {
                        $len = 1;
                    }
                    if ($mode eq 'reset' && $d eq 'down') {
                        $c->{cut} //= 1 + int rand($arg > 1 ? $arg : 1);
                        my $room = $c->{cut} - $c->{sent_down};
                        if ($room < $len) {
                            syswrite($to, $data, $room) if $room > 0;
                            $st{resets}++;
                            $close->($c, 1);
                            next DIR;
                        }
                    }
                    my $w = syswrite($to, $data, $len);
                    if (!defined $w) {
                        last if $!{EAGAIN} || $!{EINTR};
                        $close->($c, 1);
                        next DIR;
                    }
                    $c->{sent_down} += $w if $d eq 'down';
                    $c->{tokens}{$d} -= $w if $mode eq 'bandwidth';
                    if ($w < length $data) {
                        substr($q->[0][1], 0, $w, '');
                    } else {
                        shift @$q;
                    }
                    if ($mode eq 'slice' && $d eq 'down') {
                        # a turn of the loop writes at most 4 KiB
                        last if ++$c->{sliced} % 4096 == 0;
                        sleep($arg / 1e6) if $arg;
                    }
                }
            }
        }
    }
}

1;
