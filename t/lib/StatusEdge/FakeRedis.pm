package StatusEdge::FakeRedis;

# A fake Redis server for the fault tests: a forked child on a free
# loopback port that reads RESP commands and answers every one of them
# by its mode, which the test changes through a control pipe (each change
# acknowledged before mode() returns).  Perl core modules only.
#
#   my $fr = StatusEdge::FakeRedis->new->start;   # ->port
#   $fr->mode('garbage');      # 1..512 random bytes per command
#   $fr->mode('huge');         # "*4294967295\r\n" (an array of 2^32-1
#                              # elements announced, none sent)
#   $fr->mode('loading');      # -LOADING Redis is loading the dataset ...
#   $fr->mode('masterdown');   # -MASTERDOWN Link with MASTER is down ...
#   $fr->mode('busy');         # -BUSY Redis is busy running a script ...
#   $fr->mode('maxclients');   # -ERR max number of clients reached, sent
#                              # at accept, then the connection closed (as
#                              # Redis does)
#   my $s = $fr->stats;        # { accepted, commands, open, mode }
#   $fr->stop;                 # also from DESTROY / END
#
# Bounded: at most 4096 connections at once, 1 MiB of unparsed input per
# connection (more closes it); exits when the control pipe closes or
# after max_life seconds (default 3600).

use strict;
use warnings;

use Carp qw(croak);
use IO::Handle;
use IO::Select;
use IO::Socket::INET;
use POSIX qw(WNOHANG);
use Scalar::Util qw(weaken);
use Time::HiRes qw(time sleep);

our %ANSWER = (
    huge       => "*4294967295\r\n",
    loading    => "-LOADING Redis is loading the dataset in memory\r\n",
    masterdown => "-MASTERDOWN Link with MASTER is down and "
        . "replica-serve-stale-data is set to 'no'.\r\n",
    busy       => "-BUSY Redis is busy running a script. You can only call "
        . "SCRIPT KILL or SHUTDOWN NOSAVE.\r\n",
    maxclients => "-ERR max number of clients reached\r\n",
);
our @MODES = (sort(keys %ANSWER), 'garbage');

my @INSTANCES;

sub new {
    my ($class, %o) = @_;
    my $self = bless { mode => $o{mode} // 'garbage',
        max_life => $o{max_life} // 3600, owner => $$ }, $class;
    push @INSTANCES, $self;
    weaken($INSTANCES[-1]);
    return $self;
}

sub port { $_[0]{port} }

sub start {
    my ($self) = @_;
    my $l = IO::Socket::INET->new(Listen => 1024, LocalAddr => '127.0.0.1',
        LocalPort => 0, Proto => 'tcp', ReuseAddr => 1)
        or die "fake redis: listen: $!";
    $self->{port} = $l->sockport;
    pipe(my $cr, my $cw) or die "pipe: $!";
    pipe(my $ar, my $aw) or die "pipe: $!";
    my $pid = fork // die "fork: $!";
    if (!$pid) {
        close $cw;
        close $ar;
        $SIG{$_} = q(DEFAULT) for qw(TERM INT);
        $SIG{PIPE} = q(IGNORE);
        my $rc = eval { _serve($self, $l, $cr, $aw); 0 } // do {
            print STDERR "fake redis: $@";
            1;
        };
        POSIX::_exit($rc);
    }
    close $l;
    close $cr;
    close $aw;
    $cw->autoflush(1);
    @$self{qw(pid ctl ack)} = ($pid, $cw, $ar);
    $self->_cmd('ping') eq 'pong' or die 'fake redis did not start';
    return $self;
}

sub _cmd {
    my ($self, $line) = @_;
    croak 'fake redis not running' unless $self->{pid};
    print { $self->{ctl} } "$line\n" or die "fake redis: control: $!";
    my $sel = IO::Select->new($self->{ack});
    my $buf = '';
    my $end = time + 5;
    while ($buf !~ /\n/) {
        my $left = $end - time;
        die "fake redis: no answer to '$line'" if $left <= 0;
        $sel->can_read($left) or next;
        my $n = sysread($self->{ack}, $buf, 65536, length $buf);
        die 'fake redis: control closed' unless $n;
    }
    chomp $buf;
    die "fake redis: $buf" if $buf =~ /\Aerror/;
    return $buf;
}

sub mode {
    my ($self, $mode) = @_;
    $self->_cmd("mode $mode");
    $self->{mode} = $mode;
    return $self;
}

sub stats {
    my ($self) = @_;
    my %s = $self->_cmd('stats') =~ /(\w+)=(\S+)/g;
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
    for my $f (@INSTANCES) { $f->stop if $f && $f->{owner} == $$ }
}

# the number of complete RESP commands at the start of $$buf, taken off
# it (inline commands: one a line)
sub _take_commands {
    my ($buf) = @_;
    my $n = 0;
    while (length $$buf) {
        if (substr($$buf, 0, 1) ne '*') {
            my $i = index($$buf, "\n");
            last if $i < 0;
            substr($$buf, 0, $i + 1, '');
            $n++;
            next;
        }
        my $pos = 0;
        my $i = index($$buf, "\r\n", $pos);
        last if $i < 0;
        my ($argc) = substr($$buf, 1, $i - 1) =~ /\A(-?\d+)\z/;
        return -1 unless defined $argc;
        $pos = $i + 2;
        my $complete = 1;
        for (1 .. ($argc > 0 ? $argc : 0)) {
            my $j = index($$buf, "\r\n", $pos);
            if ($j < 0) { $complete = 0; last }
            my ($len) = substr($$buf, $pos, $j - $pos) =~ /\A\$(\d+)\z/;
            return -1 unless defined $len;
            $pos = $j + 2 + $len + 2;
            if ($pos > length $$buf) { $complete = 0; last }
        }
        last unless $complete;
        substr($$buf, 0, $pos, '');
        $n++;
    }
    return $n;
}

sub _garbage {
    my $len = 1 + int rand 512;
    return join '', map { chr int rand 256 } 1 .. $len;
}

sub _serve {
    my ($self, $l, $ctl, $ack) = @_;
    $ack->autoflush(1);
    $l->blocking(0);
    my $mode = $self->{mode};
    my %st = (accepted => 0, commands => 0);
    my $deadline = time + $self->{max_life};
    my $sel = IO::Select->new($l, $ctl);
    my (%buf, %sock);
    my $cbuf = '';
    my $close = sub {
        my ($s) = @_;
        delete $buf{ fileno $s };
        delete $sock{ fileno $s };
        $sel->remove($s);
        close $s;
    };
    while (time < $deadline) {
        for my $s ($sel->can_read(0.1)) {
            if ($s == $ctl) {
                my $n = sysread($ctl, $cbuf, 4096, length $cbuf);
                if (!$n) {
                    next if !defined $n && $!{EINTR};
                    return;
                }
                while ($cbuf =~ s/\A([^\n]*)\n//) {
                    my ($cmd, $a) = split ' ', $1;
                    $cmd //= '';
                    if ($cmd eq 'ping') {
                        print $ack "pong\n";
                    } elsif ($cmd eq 'mode' && defined $a
                             && grep { $_ eq $a } @MODES) {
                        $mode = $a;
                        print $ack "ok\n";
                    } elsif ($cmd eq 'stats') {
                        print $ack join(' ', "mode=$mode",
                            'open=' . scalar(keys %sock),
                            map { "$_=$st{$_}" } sort keys %st) . "\n";
                    } else {
                        print $ack "error: bad command '$cmd'\n";
                    }
                }
                next;
            }
            if ($s == $l) {
                while (my $c = $l->accept) {
                    $st{accepted}++;
                    if ($mode eq 'maxclients') {
                        syswrite($c, $ANSWER{maxclients});
                        close $c;
                        next;
                    }
                    if (keys %sock >= 4096) { close $c; next }
                    $c->blocking(0);
                    $sock{ fileno $c } = $c;
                    $buf{ fileno $c } = '';
                    $sel->add($c);
                }
                next;
            }
            my $fd = fileno $s;
            my $n = sysread($s, $buf{$fd}, 65536, length $buf{$fd});
            next if !defined $n && ($!{EAGAIN} || $!{EINTR});
            if (!$n) { $close->($s); next }
            my $k = _take_commands(\$buf{$fd});
            if ($k < 0 || length $buf{$fd} > (1 << 20)) { $close->($s); next }
            $st{commands} += $k;
            my $out = '';
            for (1 .. $k) {
                $out .= $mode eq 'garbage' ? _garbage()
                      : $mode eq 'maxclients' ? $ANSWER{maxclients}
                      : $ANSWER{$mode};
            }
            # small answers: a failed or short write is the client's loss
            syswrite($s, $out) if length $out;
            $close->($s) if $mode eq 'maxclients' && $k;
        }
    }
}

1;
