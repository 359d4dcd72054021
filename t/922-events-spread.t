#!/usr/bin/perl
# status_edge_events on a reload and a graceful stop: every stream of the
# exiting worker is told to retry after a random delay from 1 to 10 s
# before its clean end, so the clients do not all come back at the same
# moment; the delays of many streams are spread over the window, over
# HTTP/1.1, HTTP/1.0 and HTTP/2; a client back with its Last-Event-ID
# misses nothing and gets nothing twice.

use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use POSIX ();
use File::Temp qw(tempdir);
use StatusEdge::Test qw(sample_state wait_until free_port);
use StatusEdge::SSE;
use StatusEdge::Upstream qw(have_curl_http2);

my $N = 40;

my $t = StatusEdge::Test->new(workers => 1);
$t->start_redis;
my $S = sample_state();
my $v = $t->write_state($S);

my $h2 = free_port();
my $servers = $t->server_conf(extra => <<'EOF') . <<"EOF2";
        location = /events {
            status_edge_events;
            status_edge_events_heartbeat off;
        }
EOF
    server {
        listen 127.0.0.1:$h2 http2;
        server_name localhost;
        location = /events {
            status_edge_events;
            status_edge_events_heartbeat off;
        }
    }
EOF2
$t->start_nginx(servers => $servers);
ok $t->wait_version($v), "version $v served";
my $port = $t->port;

# the blocks a stream got after its first event, up to its end
sub ending {
    my ($s) = @_;
    $s->wait_eof(5);
    my @b;
    while (my $b = $s->next_block(0.1)) { push @b, $b }
    return @b;
}

sub spread_ok {
    my ($what, @retry) = @_;
    my @d = grep { defined } @retry;
    is scalar(@d), scalar(@retry), "$what: every stream got a retry before its end";
    my @out = grep { $_ < 1000 || $_ > 10000 } @d;
    ok !@out, "$what: every delay from 1 to 10 s" or diag "@out";
    my %distinct = map { $_ => 1 } @d;
    my ($min, $max) = (sort { $a <=> $b } @d)[0, -1];
    ok keys(%distinct) >= @d * 0.9, "$what: " . keys(%distinct) . ' distinct delays of ' . @d;
    ok @d && $max - $min >= 5000,
        sprintf "%s: spread over %.1f s (%.1f to %.1f s)", $what,
            ($max - $min) / 1000, $min / 1000, $max / 1000;
    my @third = (0, 0, 0);
    $third[int(($_ - 1000) / 3001)]++ for @d;
    ok !grep({ $_ < 2 } @third), "$what: two or more in each third of the window (@third)";
}

# ---------------------------------------------------------------------------
# a reload with $N streams open

{
    my @s = map { StatusEdge::SSE->new($port, '/events') } 1 .. $N;
    my @s10 = map { StatusEdge::SSE->new($port, '/events', http10 => 1) } 1 .. 4;
    for my $c (@s, @s10) {
        $c->blocks_until(sub { defined $_[0]{id} }, 5);
    }

    my ($h2pid, $h2dir);
    if (my $curl = have_curl_http2()) {
        $h2dir = tempdir('se-h2s-XXXXXX', TMPDIR => 1, CLEANUP => 1);
        $h2pid = fork // die;
        if (!$h2pid) {
            open STDOUT, '>', "$h2dir/out";
            open STDERR, '>', "$h2dir/err";
            { no warnings 'exec'; exec $curl, '-sN', '--http2-prior-knowledge',
                '--max-time', '20', "http://127.0.0.1:$h2/events"; }
            POSIX::_exit(127);
        }
    }
    my $read = sub { open my $fh, '<:raw', $_[0] or return ''; local $/; <$fh> // '' };
    wait_until(sub { $read->("$h2dir/out") =~ /^id: $v$/m }, 5) if $h2pid;

    my $ok = eval { $t->reload(timeout => 10); 1 };
    ok $ok, 'reload with open streams: the old worker exited' or diag $@;

    my (@retry, $clean, $last_is_retry);
    for my $c (@s) {
        my @b = ending($c);
        my ($r) = map { $_->{retry} } grep { defined $_->{retry} } @b;
        push @retry, $r;
        $clean++ if $c->clean_end;
        $last_is_retry++ if @b && defined $b[-1]{retry};
    }
    is $clean, $N, "HTTP/1.1: all $N streams ended with the last chunk";
    is $last_is_retry, $N, 'HTTP/1.1: the retry is the last thing before the end';
    spread_ok("reload, $N HTTP/1.1 streams", @retry);

    my @r10 = map { my @b = ending($_); (map { $_->{retry} } grep { defined $_->{retry} } @b)[0] } @s10;
    is scalar(grep { defined && $_ >= 1000 && $_ <= 10000 } @r10), 4,
        "HTTP/1.0: a retry before the close (@{[ map { $_ // 'none' } @r10 ]})";

    SKIP: {
        skip 'no curl with HTTP/2', 2 unless $h2pid;
        my $done = wait_until(sub { waitpid($h2pid, POSIX::WNOHANG()) == $h2pid }, 5);
        my $rc = $done ? $? >> 8 : -1;
        kill 'KILL', $h2pid unless $done;
        is $rc, 0, 'HTTP/2: ended cleanly (curl exit 0)';
        like $read->("$h2dir/out"), qr/\nretry: ([1-9]\d{3}|10000)\n\n\z/,
            'HTTP/2: a retry from 1 to 10 s, last';
    }
}

# ---------------------------------------------------------------------------
# back with Last-Event-ID: nothing resent when nothing changed; the
# change made while the client was away when something did

{
    my $s = StatusEdge::SSE->new($port, '/events', headers => ['Last-Event-ID' => $v]);
    my $b = $s->next_block(3);
    is $b && $b->{retry}, 5000, 'back after the reload: retry: 5000 again';
    ok !$s->next_block(1), 'back with the current Last-Event-ID: nothing resent';
    $s->close;

    $S->{page}{name} = 'Changed while away';
    my $v2 = $t->write_state($S);
    ok $t->wait_version($v2), "version $v2 served";
    $s = StatusEdge::SSE->new($port, '/events', headers => ['Last-Event-ID' => $v]);
    my ($e) = $s->blocks_until(sub { defined $_[0]{id} }, 3);
    ok $e && $e->{id} == $v2 && $e->{data} =~ /Changed while away/,
        'back with an older Last-Event-ID: the change made meanwhile';
    $s->close;
    $v = $v2;
}

# ---------------------------------------------------------------------------
# a graceful stop: the same spread

{
    my @s = map { StatusEdge::SSE->new($port, '/events') } 1 .. $N;
    $_->blocks_until(sub { defined $_[0]{id} }, 5) for @s;
    $t->stop_nginx;
    my @retry = map { my @b = ending($_); (map { $_->{retry} } grep { defined $_->{retry} } @b)[0] } @s;
    is scalar(grep { $_->clean_end } @s), $N, "graceful stop: all $N streams ended cleanly";
    spread_ok("graceful stop, $N streams", @retry);
}

$t->stop_redis(signal => 'TERM');
done_testing;
