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

use IO::Select;
use StatusEdge::ForkedServer;
use Time::HiRes qw(time);

use parent -norequire, 'StatusEdge::ForkedServer';

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

sub new {
    my ($class, %o) = @_;
    return $class->register(mode => $o{mode} // 'garbage',
        max_life => $o{max_life} // 3600);
}

sub what { 'fake redis' }

sub mode {
    my ($self, $mode) = @_;
    $self->command("mode $mode");
    $self->{mode} = $mode;
    return $self;
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

sub serve {
    my ($self, $l, $ctl, $ack) = @_;
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
                $self->read_control($ctl, \$cbuf, $ack, sub {
                    my ($cmd, $a) = @_;
                    if ($cmd eq 'mode' && defined $a
                        && grep { $_ eq $a } @MODES) {
                        $mode = $a;
                        return 'ok';
                    }
                    return join(' ', "mode=$mode",
                        'open=' . scalar(keys %sock),
                        map { "$_=$st{$_}" } sort keys %st)
                        if $cmd eq 'stats';
                    return "error: bad command '$cmd'";
                }) or return;
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
