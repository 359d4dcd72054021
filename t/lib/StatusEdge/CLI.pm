package StatusEdge::CLI;

# The admin tool (build/status-edge) against a real Redis, for the
# t/7*-cli-*.t tests.  Perl core modules only.
#
#   use StatusEdge::CLI;               # exports the functions below
#   my $t = StatusEdge::CLI->new->t;   # a failed test and exit 1 when the
#                                      # tool is not built; starts Redis
#   my $id = cli_ok('incident', 'open', ...);   # exit 0 expected (one test)
#   my ($rc, $out, $err) = cli({ env => { X => 1 } }, 'show');
#   is hash_of("status:incident:$id")->{status}, 'investigating';
#
# The tool: $STATUS_EDGE_CLI or build/status-edge.  It runs with
# STATUS_EDGE_REDIS set to the Redis of the object (or cli({redis => URL})),
# STATUS_EDGE_TEMPLATES unset, USER=tester and, under ASan, leak detection
# on; a crash or a sanitizer report is a failed test.
#
# Every function is also a method ($c->cli_ok(...)); called as a function
# it acts on the object made last by new (one per test file).
#
# Loading the module also sets UTF-8 on Test::More's output handles, for
# the Korean in test names and diagnostics.

use strict;
use warnings;

use Carp qw(croak);
use Cwd qw(abs_path);
use Encode qw(encode_utf8 decode_utf8);
use Exporter qw(import);
use File::Temp ();
use FindBin ();
use POSIX ();
use Scalar::Util qw(blessed);
use Test::More ();

use StatusEdge::Test qw(json_decode);

our @EXPORT = qw(cli cli_ok state_dump hash_of updates_of version last_audit);

binmode Test::More->builder->$_, ':encoding(UTF-8)'
    for qw(output failure_output todo_output);

my $LAST;    # the object the functions act on

# new(t => $t, redis => URL): with t, that StatusEdge::Test (its Redis
# already started); without, a new one with Redis started
sub new {
    my ($class, %o) = @_;
    my $bin = abs_path($ENV{STATUS_EDGE_CLI} || "$FindBin::Bin/../build/status-edge");
    unless ($bin && -x $bin) {
        local $Test::Builder::Level = $Test::Builder::Level + 1;
        Test::More::fail("admin tool not built: $bin (run make)");
        Test::More::done_testing();
        exit 1;
    }
    my $t = $o{t};
    unless ($t) {
        $t = StatusEdge::Test->new;
        $t->start_redis;
    }
    my $self = bless {
        bin => $bin,
        t   => $t,
        url => $o{redis} // 'redis://127.0.0.1:' . $t->redis_port . '/0',
    }, $class;
    return $LAST = $self;
}

sub t   { $_[0]{t} }
sub url { $_[0]{url} }

# the object when called as a method (removed from @$args), else the last one
sub _self {
    my ($args) = @_;
    return shift @$args if blessed($args->[0]) && $args->[0]->isa(__PACKAGE__);
    return $LAST // croak 'StatusEdge::CLI->new first';
}

# cli({env => {...}, stdin => FILE, redis => URL}, ARGS...) or cli(ARGS...):
# ($exit_code, $stdout_bytes, $stderr_bytes); a sanitizer report fails
sub cli {
    my $self = _self(\@_);
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    my %o = ref $_[0] eq 'HASH' ? %{ shift @_ } : ();
    my @args = map { utf8::is_utf8($_) ? encode_utf8($_) : $_ } @_;
    my $bin = $self->{bin};
    my $out = File::Temp->new;
    my $err = File::Temp->new;
    my $pid = fork // die "fork: $!";
    if (!$pid) {
        open STDIN, '<', $o{stdin} // '/dev/null' or POSIX::_exit(126);
        open STDOUT, '>', $out->filename or POSIX::_exit(126);
        open STDERR, '>', $err->filename or POSIX::_exit(126);
        delete @ENV{qw(STATUS_EDGE_TEMPLATES STATUS_EDGE_REDIS)};
        $ENV{STATUS_EDGE_REDIS} = $o{redis} // $self->{url};
        $ENV{USER} = 'tester';
        # the tool is checked for leaks even where nginx is not
        $ENV{ASAN_OPTIONS} =~ s/detect_leaks=0/detect_leaks=1/
            if defined $ENV{ASAN_OPTIONS};
        while (my ($k, $v) = each %{ $o{env} || {} }) {
            if (defined $v) { $ENV{$k} = $v } else { delete $ENV{$k} }
        }
        { no warnings 'exec'; exec { $bin } $bin, @args; }
        POSIX::_exit(127);
    }
    waitpid $pid, 0;
    my $rc = $? & 127 ? 128 + ($? & 127) : $? >> 8;
    # the whole file, raw ('' when unreadable)
    my ($so, $se) = map { StatusEdge::Test::slurp($_->filename) } $out, $err;
    if ($se =~ /Sanitizer|runtime error:/ || $rc >= 128) {
        Test::More::fail("status-edge @args: crashed or sanitizer report");
        Test::More::diag($se);
    }
    return ($rc, $so, $se);
}

# runs the tool and expects exit code 0; returns stdout (chomped)
sub cli_ok {
    my $self = _self(\@_);
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    my ($rc, $out, $err) = $self->cli(@_);
    my @a = grep { !ref } @_;
    Test::More::is($rc, 0, "status-edge @a") or Test::More::diag($err);
    chomp $out;
    return $out;
}

# every key of the prefix (DUMP), with Pversion and the audit length
sub state_dump {
    my $self = _self(\@_);
    my ($p) = @_;
    my $t = $self->{t};
    $p //= 'status:';
    my %d;
    for my $k (sort @{ $t->redis('KEYS', "$p*") || [] }) {
        $d{$k} = $t->redis('DUMP', $k);
    }
    $d{'#version'} = $t->redis('GET', "${p}version");
    my $type = $t->redis('TYPE', "${p}audit");
    $d{'#audit'} = $type eq 'stream' ? $t->redis('XLEN', "${p}audit") : $type;
    return \%d;
}

# a hash, its values decoded from UTF-8
sub hash_of {
    my $self = _self(\@_);
    my ($key) = @_;
    my %h = @{ $self->{t}->redis('HGETALL', $key) || [] };
    $_ = decode_utf8($_) for values %h;
    return \%h;
}

# the updates of a record (KEY:updates), decoded, newest first
sub updates_of {
    my $self = _self(\@_);
    my ($key) = @_;
    return [map { json_decode($_) }
        @{ $self->{t}->redis('LRANGE', "$key:updates", 0, -1) }];
}

sub version {
    my $self = _self(\@_);
    return $self->{t}->redis('GET', 'status:version') // 0;
}

# the newest audit entry as a hash
sub last_audit {
    my $self = _self(\@_);
    my ($p) = @_;
    $p //= 'status:';
    my $r = $self->{t}->redis('XREVRANGE', "${p}audit", '+', '-', 'COUNT', 1);
    return {} unless $r && @$r;
    return { @{ $r->[0][1] } };
}

1;
