package StatusEdge::SignalProxy;

# A forked TCP proxy to a port on 127.0.0.1 that a test turns with SIGUSR1
# (for the regression tests that need one fault at one moment; the chaos
# tests' StatusEdge::FaultProxy has modes instead).  Perl core only.
#
#   my ($pid, $port) = StatusEdge::SignalProxy::start(
#       to      => $t->redis_port,
#       on_data => sub { my ($proxy, $from, $buf) = @_; ...; 1 },
#       on_usr1 => sub { my ($proxy) = @_; ... });
#   kill 'USR1', $pid;            # on_usr1 runs in the proxy's loop
#   kill 'KILL', $pid; waitpid $pid, 0;
#
# on_data sees every chunk read and returns true to forward it to the
# other side. In both callbacks, $proxy->is_client($sock) tells a client
# socket from one to the target, $proxy->clients lists the open client
# sockets and $proxy->mute($sock) silences a link both ways for good (its
# sockets stay open). The child exits after 120 s.

use strict;
use warnings;

use IO::Select;
use IO::Socket::INET;
use POSIX ();
use Time::HiRes qw(time);

sub start {
    my (%o) = @_;
    my $l = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0,
        Listen => 16, ReuseAddr => 1) or die "listen: $!";
    my $pid = fork // die "fork: $!";
    return ($pid, $l->sockport) if $pid;

    my $self = bless { peer => {}, client => {}, muted => {} }, __PACKAGE__;
    my $usr1 = 0;
    local $SIG{USR1} = sub { $usr1 = 1 };
    my $sel = IO::Select->new($l);
    my $deadline = time + 120;
    while (time < $deadline) {
        for my $s ($sel->can_read(0.05)) {
            if ($s == $l) {
                my $c = $l->accept or next;
                my $r = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$o{to}")
                    or do { close $c; next };
                @{ $self->{peer} }{$c, $r} = ($r, $c);
                $self->{client}{$c} = $c;
                $sel->add($c, $r);
                next;
            }
            my $n = sysread $s, my $buf, 65536;
            my $p = $self->{peer}{$s};
            if (!$n) {
                $sel->remove($s, $p);
                delete @{ $self->{client} }{$s, $p};
                close $s;
                close $p;
                next;
            }
            next if $self->{muted}{$s};
            syswrite $p, $buf if $o{on_data}->($self, $s, $buf);
        }
        if ($usr1) {
            $usr1 = 0;
            $o{on_usr1}->($self);
        }
    }
    POSIX::_exit(0);
}

sub is_client { exists $_[0]{client}{ $_[1] } }

sub clients { values %{ $_[0]{client} } }

sub mute {
    my ($self, $s) = @_;
    $self->{muted}{$s} = 1;
    $self->{muted}{ $self->{peer}{$s} } = 1;
}

1;
