#!/usr/bin/perl
# Regressions in the Redis adapter (each part starts its own Redis and
# nginx and stops them):
#
# 1. A snapshot EVAL that gets an error reply is retried.  The module's
#    ACL user may not run EVAL: the first load fails (-NOPERM) and the API
#    answers 503.  EVAL is then granted and the version bumped WITHOUT a
#    PUBLISH: the state must be loaded long before the resync (60 s).  The
#    error reply drops the address like a failed connection, and the
#    reconnect (the same address: it is the only one; backoff at most 1 s)
#    reads again.  Before the first fix, polls only started after a first
#    successful snapshot, so the page stayed 503 until the next PUBLISH.
#
# 2. Fallback return: with two addresses, A (first) and B (second), and A
#    down at start, the state comes from B; once A is up, the module goes
#    back to A within a resync interval (2 s).  Before the fix it stayed on
#    B for as long as B was up.
#
# 3. One reading of Pversion (issue 12, defect 8).  The poll read it with
#    ngx_atoi (at most INT64_MAX, any length) and the builder with the
#    core's parser (at most UINT64_MAX, 20 digits): a value one read and
#    the other did not, such as 00000000000000000000001 or
#    18446744073709551615, made every worker read and rebuild the whole
#    state at every poll.  Now both read it the same way: no load after
#    the first.
#
# 4. A silent subscriber link is found (issue 12, defect 11).  Through a
#    proxy that, on a signal, stops passing bytes on the connection that
#    sent SUBSCRIBE while keeping it open (a NAT that dropped it, a half
#    open socket), a change published later must still come by push: the
#    poll and the resync are 60 s here.  Before the fix the link was never
#    checked and the change waited for the poll.

use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Time::HiRes qw(sleep);
use StatusEdge::SignalProxy;
use StatusEdge::Test qw(sample_state wait_until);

my $P = '/api/v2/status.json';

sub state_named {
    my ($name) = @_;
    my $s = sample_state();
    $s->{page}{name} = $name;
    return $s;
}

# --------------------------------------------------------------------------
# 1. snapshot error reply, retried by the poll
{
    my $t = StatusEdge::Test->new;
    $t->start_redis;
    my $v = $t->write_state(state_named('Limited user'));
    is $t->redis('ACL', 'SETUSER', 'limited', 'on', '>pw', '~*', '&*',
        '+@all', '-eval', '-evalsha'), 'OK', 'ACL user "limited" without EVAL';

    $t->start_nginx(poll => '1s', resync => '60s',
        redis => ['127.0.0.1:' . $t->redis_port . ' user=limited password=pw']);

    ok wait_until(sub { $t->log_text =~ /snapshot refused: NOPERM/ }, 15),
        'the snapshot EVAL got the NOPERM error reply'
        or diag $t->log_tail;

    my @st;
    for (1 .. 5) {
        my ($st) = $t->http(GET => $P);
        push @st, $st // 'none';
        sleep 0.2;
    }
    is "@st", '503 503 503 503 503', 'no state yet: 503';

    is $t->redis('ACL', 'SETUSER', 'limited', '+eval'), 'OK', 'EVAL granted';
    my $v2 = $t->redis('INCR', 'status:version');    # no PUBLISH
    is $v2, $v + 1, "version bumped to $v2 without a PUBLISH";

    my $d = $t->wait_json($P, sub { $_[0]{page}{name} eq 'Limited user' },
        timeout => 15, row => 5);
    ok $d, 'the snapshot was retried: 200 with the state (resync is 60 s)'
        or diag $t->log_tail(10);
    ok $d && $t->wait_version($v2, timeout => 15),
        "every worker serves version $v2";

    $t->stop;
}

# --------------------------------------------------------------------------
# 2. back to the first address after a fallback
{
    my $t = StatusEdge::Test->new;     # nginx and Redis A (first)
    my $tb = StatusEdge::Test->new;    # Redis B (second)
    $tb->start_redis;
    $tb->write_state(state_named('From B'));

    # A is down: its port is reserved, nothing listens on it
    $t->start_nginx(poll => '1s', resync => '2s', redis => [
        '127.0.0.1:' . $t->redis_port . ' timeout=300ms',
        '127.0.0.1:' . $tb->redis_port . ' timeout=300ms',
    ]);
    ok $t->wait_json($P, sub { $_[0]{page}{name} eq 'From B' },
        timeout => 15, row => 5), 'A down: served from B';

    $t->start_redis;
    $t->write_state(state_named('From A'));

    my $d = $t->wait_json($P, sub { $_[0]{page}{name} eq 'From A' },
        timeout => 20, row => 10);
    ok $d, 'A up: the module went back to A (resync 2 s)'
        or diag $t->log_tail(10);

    # it stays on A: a change on B is not served, one on A is
    if ($d) {
        $tb->write_state(state_named('From B, changed'));
        my $va = $t->write_state(state_named('From A, changed'));
        ok $t->wait_json($P, sub { $_[0]{page}{name} eq 'From A, changed' },
            timeout => 15, row => 10), 'a change on A is served';
        my @names;
        for (1 .. 10) {
            my (undef, undef, $data) = $t->get_json($P);
            push @names, ref $data ? $data->{page}{name} : 'none';
        }
        is_deeply [grep { $_ ne 'From A, changed' } @names], [],
            'not the state of B';
    }

    $t->stop;
    $tb->stop;
}

# --------------------------------------------------------------------------
# 3. the poll and the builder read Pversion alike
for my $raw ('00000000000000000000001', '18446744073709551615') {
    my $t = StatusEdge::Test->new;
    $t->start_redis;
    $t->write_state(state_named("Version $raw"));
    is $t->redis('SET', 'status:version', $raw), 'OK', "Pversion = $raw";

    $t->start_nginx(workers => 1, poll => '1s', resync => '60s');
    ok $t->wait_json($P, sub { $_[0]{page}{name} eq "Version $raw" },
        timeout => 15, row => 3), 'the state is served';

    my $loads = sub {
        my $m = $t->metrics or return undef;
        return StatusEdge::Test::metric($m, 'status_edge_loads_total');
    };
    # the first poll after the load may still be in flight
    sleep 1.5;
    my $before = $loads->();
    sleep 4.5;
    my $after = $loads->();
    ok defined $before && defined $after && $after == $before,
        "four polls of $raw: no reload (loads $before -> $after)"
        or diag $t->log_tail(5);

    $t->stop;
}

# --------------------------------------------------------------------------
# 4. the subscriber link goes silent

# a forked TCP proxy to Redis; SIGUSR1 silences every connection that has
# sent SUBSCRIBE by then (nothing passes either way; the sockets stay open)
sub silencing_proxy {
    my ($to) = @_;
    my %subscriber;
    return StatusEdge::SignalProxy::start(to => $to,
        on_data => sub {
            my ($proxy, $from, $buf) = @_;
            $subscriber{$from} = 1
                if $proxy->is_client($from) && $buf =~ /SUBSCRIBE/i;
            return 1;
        },
        # only the links open at the signal: their replacements work
        on_usr1 => sub {
            my ($proxy) = @_;
            $proxy->mute($_) for grep { $subscriber{$_} } $proxy->clients;
        });
}

{
    my $t = StatusEdge::Test->new;
    $t->start_redis;
    $t->write_state(state_named('Before the silence'));
    my ($proxy, $port) = silencing_proxy($t->redis_port);

    $t->start_nginx(workers => 1, poll => '60s', resync => '60s',
        redis => ["127.0.0.1:$port"]);
    ok $t->wait_json($P, sub { $_[0]{page}{name} eq 'Before the silence' },
        timeout => 15, row => 3), 'the state is served through the proxy';

    # by push while the link works
    $t->write_state(state_named('Pushed'));
    ok $t->wait_json($P, sub { $_[0]{page}{name} eq 'Pushed' },
        timeout => 5, row => 3), 'a change comes by push (the poll is 60 s)';

    kill 'USR1', $proxy;
    sleep 0.5;
    $t->write_state(state_named('After the silence'));
    ok $t->wait_json($P, sub { $_[0]{page}{name} eq 'After the silence' },
        timeout => 25, row => 3),
        'the silent subscriber link is found and replaced: the change is '
        . 'served within 25 s (the poll is 60 s)'
        or diag $t->log_tail(10);
    like $t->log_text, qr/subscribe link: command timed out/,
        'the silent link is logged';

    $t->stop;
    kill 'KILL', $proxy;
    waitpid $proxy, 0;
}

done_testing;
