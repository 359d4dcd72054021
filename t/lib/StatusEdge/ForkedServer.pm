package StatusEdge::ForkedServer;

# The common part of the fault tests' helper servers (FakeRedis,
# FaultProxy): a forked child listening on a free loopback port, driven
# through a control pipe, one command line and one answer line at a time.
# A subclass names itself (what) and serves (serve) in the child:
#
#   package StatusEdge::Thing;
#   use parent -norequire, 'StatusEdge::ForkedServer';
#   sub what { 'thing' }
#   sub serve {                      # in the child, until it returns
#       my ($self, $listener, $ctl, $ack) = @_;
#       ...  $self->read_control($ctl, \$cbuf, $ack, sub { 'pong' }) ...
#   }
#
# The child exits when serve returns or dies; the parent's stop() (also
# from DESTROY and END) ends it.  Perl core modules only.

use strict;
use warnings;

use Carp qw(croak);
use IO::Handle;
use IO::Select;
use IO::Socket::INET;
use POSIX qw(WNOHANG);
use Scalar::Util qw(weaken);
use Time::HiRes qw(time sleep);

my @INSTANCES;

# blesses %fields, owned by this process, stopped at its end
sub register {
    my ($class, %fields) = @_;
    my $self = bless { %fields, owner => $$ }, $class;
    push @INSTANCES, $self;
    weaken($INSTANCES[-1]);
    return $self;
}

sub port { $_[0]{port} }

sub start {
    my ($self) = @_;
    my $what = $self->what;
    my $l = IO::Socket::INET->new(Listen => 1024, LocalAddr => '127.0.0.1',
        LocalPort => 0, Proto => 'tcp', ReuseAddr => 1)
        or die "$what: listen: $!";
    $self->{port} = $l->sockport;
    pipe(my $cr, my $cw) or die "pipe: $!";
    pipe(my $ar, my $aw) or die "pipe: $!";
    my $pid = fork // die "fork: $!";
    if (!$pid) {
        close $cw;
        close $ar;
        $SIG{$_} = q(DEFAULT) for qw(TERM INT);
        $SIG{PIPE} = q(IGNORE);
        $aw->autoflush(1);
        $l->blocking(0);
        my $rc = eval { $self->serve($l, $cr, $aw); 0 } // do {
            print STDERR "$what: $@";
            1;
        };
        POSIX::_exit($rc);
    }
    close $l;
    close $cr;
    close $aw;
    $cw->autoflush(1);
    @$self{qw(pid ctl ack)} = ($pid, $cw, $ar);
    $self->command('ping') eq 'pong' or die "$what did not start";
    return $self;
}

# one control line, one answer line (5 s); an answer "error..." dies
sub command {
    my ($self, $line) = @_;
    my $what = $self->what;
    croak "$what not running" unless $self->{pid};
    print { $self->{ctl} } "$line\n" or die "$what: control: $!";
    my $sel = IO::Select->new($self->{ack});
    my $buf = '';
    my $end = time + 5;
    while ($buf !~ /\n/) {
        my $left = $end - time;
        die "$what: no answer to '$line'" if $left <= 0;
        $sel->can_read($left) or next;
        my $n = sysread($self->{ack}, $buf, 65536, length $buf);
        die "$what: control closed" unless $n;
    }
    chomp $buf;
    die "$what: $buf" if $buf =~ /\Aerror/;
    return $buf;
}

sub stats {
    my ($self) = @_;
    my %s = $self->command('stats') =~ /(\w+)=(\S+)/g;
    return \%s;
}

sub stop {
    my ($self) = @_;
    my $pid = delete $self->{pid} or return;
    close $self->{ctl};
    close $self->{ack};
    kill 'TERM', $pid;
    my $end = time + 5;
    while (waitpid($pid, WNOHANG) == 0) {
        if (time > $end) { kill 'KILL', $pid; waitpid($pid, 0); last }
        sleep 0.02;
    }
}

sub DESTROY { $_[0]->stop if $_[0]{owner} == $$ }

END {
    local $?;
    for my $s (@INSTANCES) { $s->stop if $s && $s->{owner} == $$ }
}

# in the child: reads what the control pipe has, answers each complete
# line with $answer->(words of the line) ('pong' to ping is built in);
# false when the pipe closed (the parent is gone)
sub read_control {
    my ($self, $ctl, $cbuf, $ack, $answer) = @_;
    my $n = sysread($ctl, $$cbuf, 4096, length $$cbuf);
    return !defined $n && $!{EINTR} if !$n;
    while ($$cbuf =~ s/\A([^\n]*)\n//) {
        my @w = split ' ', $1;
        my $cmd = $w[0] // '';
        print $ack ($cmd eq 'ping' ? 'pong' : $answer->(@w)), "\n";
    }
    return 1;
}

1;
