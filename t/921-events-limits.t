#!/usr/bin/perl
# status_edge_events at its limits: before any state (Redis down at
# start), the per-worker cap (a refused client gets a 200 stream with a
# random retry delay and the summary, counted, never a 503), a client
# that stops reading (closed after send_timeout while the others go on),
# and bad values of the directives refused by name.

use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Time::HiRes qw(time sleep);
use IO::Socket::INET;
use POSIX ();
use StatusEdge::Test qw(sample_state wait_until);
use StatusEdge::SSE;

my $t = StatusEdge::Test->new(workers => 1);
my $slow_port = $t->port('slow');

my $servers = $t->server_conf(extra => <<'EOF') . <<"EOF2";
        location = /events {
            status_edge_events;
            status_edge_events_max 3;
            status_edge_events_heartbeat 500ms;
        }
EOF
    server {
        listen 127.0.0.1:$slow_port sndbuf=4096;
        server_name localhost;
        location = /events {
            status_edge_events;
            status_edge_events_heartbeat off;
            send_timeout 1s;
        }
        location = /metrics {
            status_edge_metrics;
        }
        location = /events-many {
            status_edge_events;
            status_edge_events_max 2000;
            status_edge_events_heartbeat off;
        }
    }
EOF2

# nginx first: Redis is not there yet
# more connections than the harness's 256, for the many-streams part
(my $conf = $t->nginx_conf(servers => $servers))
    =~ s/worker_connections \d+;/worker_connections 2048;/;
$t->start_nginx(conf => $conf);
my $port = $t->port;

sub gauge {
    my ($name) = @_;
    my $m = $t->metrics or return undef;
    return StatusEdge::Test::metric($m, $name);
}

# ---------------------------------------------------------------------------
# no state yet: 200, retry, heartbeats, no event; then the first state

{
    my ($st) = $t->http(GET => '/api/v2/summary.json');
    is $st, 503, 'no state yet: the API answers 503';
    my $s = StatusEdge::SSE->new($port, '/events');
    is $s->status, 200, 'no state yet: the stream opens (200)';
    my $b = $s->next_block(3);
    is $b && $b->{retry}, 5000, 'no state yet: retry';
    my ($e, $seen) = $s->blocks_until(sub { defined $_[0]{id} }, 1.5);
    ok !$e, 'no state yet: no event';
    ok scalar(grep { ($_->{comment} // '') eq 'heartbeat' } @$seen),
        'no state yet: heartbeats (every 500ms here)';

    # nginx may read the new Redis before the state is written: that
    # empty state (version 0) can come first, nothing else
    $t->start_redis;
    my $v = $t->write_state(sample_state());
    ($e, $seen) = $s->blocks_until(sub { $_[0]{id} }, 20);
    ok $e && $e->{id} == $v, "the first state arrives: event id $v";
    is_deeply [grep { $_ } map { $_->{id} } @$seen[0 .. $#$seen - 1]], [],
        'before it, no event but the empty state of the new Redis';
    my (undef, undef, $sum) = $t->http(GET => '/api/v2/summary.json');
    ok $e && $e->{data} eq $sum, 'its data is summary.json';
    $s->close;
    ok wait_until(sub { (gauge('status_edge_events_streams') // -1) == 0 }, 5),
        'closed: no stream open';
}

# ---------------------------------------------------------------------------
# the cap: status_edge_events_max 3 per worker

{
    my @s = map { StatusEdge::SSE->new($port, '/events') } 1 .. 3;
    is scalar(grep { $_->status == 200 } @s), 3, '3 streams open';
    my $refused0 = gauge('status_edge_events_refused_total');
    is $refused0, 0, 'none refused yet';
    # refused as an event stream that says when to come back (a 503
    # would end an EventSource for good): 200, retry, the summary, the end
    my (undef, undef, $sum) = $t->http(GET => '/api/v2/summary.json');
    my $r = StatusEdge::SSE->new($port, '/events');
    is $r->status, 200, 'the 4th: 200, not 503';
    is $r->header('Content-Type'), 'text/event-stream; charset=utf-8',
        'the 4th: an event stream';
    my $first = $r->next_block(3);
    my $retry = $first && $first->{retry};
    ok defined $retry && $retry >= 5000 && $retry <= 15000,
        'the 4th: first a retry from 5 to 15 s (' . ($retry // 'none') . ')';
    my $e = $r->next_block(3);
    ok $e && $e->{event} eq 'summary' && $e->{data} eq $sum,
        'the 4th: then the current summary, so the client is not blind';
    ok !$r->next_block(0.5), 'the 4th: nothing more';
    ok !$r->{chunked} && defined $r->header('Content-Length'),
        'the 4th: a response of known length (Content-Length), not chunked';
    is length($r->body), $r->header('Content-Length'),
        'the 4th: the whole response came: it ends there (an EventSource reconnects)';
    is $r->header('Cache-Control'), 'no-store', 'the 4th: no-store, no cache keeps it';
    is $r->header('Retry-After'), POSIX::ceil(($retry // 0) / 1000),
        'the 4th: Retry-After, the same delay in seconds, for other clients';
    is $r->header('Access-Control-Allow-Origin'), '*', 'the 4th: CORS, so the widget can read it';
    is gauge('status_edge_events_refused_total'), 1, 'metrics: 1 refused';
    is gauge('status_edge_events_streams'), 3, 'metrics: 3 open';

    # an EventSource that comes back with the id it got: nothing resent
    my $again = StatusEdge::SSE->new($port, '/events',
        headers => ['Last-Event-ID' => $e ? $e->{id} : 0]);
    is $again->status, 200, 'refused again, with Last-Event-ID: 200';
    my $b2 = $again->next_block(3);
    ok $b2 && $b2->{retry} >= 5000 && $b2->{retry} <= 15000, 'refused again: a retry';
    ok !$again->next_block(0.5) && length($again->body) == $again->header('Content-Length'),
        'refused again, Last-Event-ID current: the retry alone, no summary';
    is gauge('status_edge_events_refused_total'), 2, 'metrics: 2 refused';

    # a client that asks to close gets the close after the response
    my $closing = StatusEdge::SSE->new($port, '/events', headers => [Connection => 'close']);
    ok $closing->wait_eof(3), 'Connection: close: closed after the refusal';
    like $closing->body, qr/\Aretry: \d+\n\nid: \d+\nevent: summary\ndata: .*\n\n\z/s,
        'Connection: close: the retry and the summary, whole';

    # the delays are random: clients refused together come back apart
    my %delays;
    for (1 .. 8) {
        my $c = StatusEdge::SSE->new($port, '/events');
        my $d = $c->next_block(3);
        $delays{$d->{retry}}++ if $d && defined $d->{retry};
        $c->close;
    }
    ok keys(%delays) >= 6, '8 refusals: ' . keys(%delays) . ' distinct delays ('
        . join(' ', sort { $a <=> $b } keys %delays) . ')';
    is gauge('status_edge_events_refused_total'), 11, 'metrics: 11 refused';

    # the open ones are untouched
    for my $i (0 .. 2) {
        $s[$i]->next_block(3);
        my $e = $s[$i]->next_block(3);
        ok $e && defined $e->{id}, "stream $i still served";
    }

    # one leaves: room for another
    $s[0]->close;
    ok wait_until(sub { gauge('status_edge_events_streams') == 2 }, 5), 'one closed: 2 open';
    my $n = StatusEdge::SSE->new($port, '/events');
    is $n->status, 200, 'then a new stream is accepted';
    $_->close for @s[1, 2], $n;
    ok wait_until(sub { gauge('status_edge_events_streams') == 0 }, 5), 'all closed: 0 open';
}

# ---------------------------------------------------------------------------
# a reader that stops reading: small socket buffers, send_timeout 1s;
# its stream is closed, another stream on the same location goes on

{
    my $S = sample_state();
    my $slow = StatusEdge::SSE->new($slow_port, '/events', rcvbuf => 4096);
    is $slow->status, 200, 'slow reader: connected';
    my $good = StatusEdge::SSE->new($slow_port, '/events');
    my $last;
    for my $i (1 .. 60) {
        $S->{page}{name} = "Change $i " . ('x' x 200);
        $last = $t->write_state($S);
        # the good reader reads everything
        $good->blocks_until(sub { defined $_[0]{id} && $_[0]{id} == $last }, 2);
        last if $t->log_text =~ /event stream client timed out/;
        sleep 0.05;
    }
    ok wait_until(sub { $t->log_text =~ /event stream client timed out/ }, 5),
        'slow reader: closed after send_timeout ("event stream client timed out")';
    ok wait_until(sub { (gauge('status_edge_events_streams') // 0) == 1 }, 5),
        'slow reader: its stream is gone, one left';
    # the good reader still gets changes
    $S->{page}{name} = 'After the slow reader';
    $last = $t->write_state($S);
    my ($e) = $good->blocks_until(sub { defined $_[0]{id} && $_[0]{id} == $last }, 5);
    ok $e && $e->{data} =~ /After the slow reader/, 'the other reader still gets changes';
    # what the slow reader got before the end: whole events, in order
    $slow->wait_eof(5);
    my @ids;
    while (my $b = $slow->next_block(0.1)) { push @ids, $b->{id} if defined $b->{id} }
    ok @ids >= 1, 'slow reader: got ' . scalar(@ids) . ' events before it was closed';
    is_deeply [sort { $a <=> $b } @ids], \@ids, 'in order';
    $good->close;
}

# ---------------------------------------------------------------------------
# 700 streams: a change is sent in batches over several turns of the
# event loop; every stream gets it, also when a second change comes
# during the pass and when half of the clients leave during it

{
    my $S = sample_state();
    my @m = map { StatusEdge::SSE->new($slow_port, '/events-many') } 1 .. 700;
    is scalar(grep { $_->status == 200 } @m), 700, '700 streams open';
    $_->next_block(3) for @m;    # retry
    $S->{page}{name} = 'Many 1';
    my $v1 = $t->write_state($S);
    $S->{page}{name} = 'Many 2';
    my $v2 = $t->write_state($S);
    my $all = 0;
    for my $c (@m) {
        my ($e) = $c->blocks_until(sub { defined $_[0]{id} && $_[0]{id} == $v2 }, 10);
        $all++ if $e && $e->{data} =~ /"name":"Many 2"/;
    }
    is $all, 700, "two quick changes: all 700 streams end with version $v2";

    $S->{page}{name} = 'Many 3';
    my $v3 = $t->write_state($S);
    $_->close for @m[0 .. 349];
    my $rest = 0;
    for my $c (@m[350 .. 699]) {
        my ($e) = $c->blocks_until(sub { defined $_[0]{id} && $_[0]{id} == $v3 }, 10);
        $rest++ if $e;
    }
    is $rest, 350, 'half the clients gone during a pass: the other 350 get it';
    $_->close for @m[350 .. 699];
    my $g;
    ok wait_until(sub { ($g = gauge('status_edge_events_streams') // -1) == 0 }, 10),
        "all closed: no stream left (gauge $g)";
    my ($st) = $t->http(GET => '/api/v2/summary.json');
    is $st, 200, 'the worker serves requests after the passes';
}

# ---------------------------------------------------------------------------
# clients gone before their first event: a request, then a reset at once

{
    use Socket qw(SOL_SOCKET SO_LINGER);
    for my $i (1 .. 100) {
        my $c = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $slow_port,
            Proto => 'tcp') or next;
        setsockopt($c, SOL_SOCKET, SO_LINGER, pack('ii', 1, 0));
        print $c "GET /events-many HTTP/1.1\r\nHost: localhost\r\n\r\n";
        close $c if $i % 2;    # half reset at once, half after a moment
        sleep 0.002 unless $i % 2;
        close $c;
    }
    my $g;
    ok wait_until(sub { ($g = gauge('status_edge_events_streams') // -1) == 0 }, 10),
        "100 clients reset at connect: no stream left (gauge $g)";
    my $s = StatusEdge::SSE->new($slow_port, '/events-many');
    $s->next_block(3);
    my $e = $s->next_block(3);
    ok $e && defined $e->{id}, 'and the next stream is served';
    $s->close;
}

# ---------------------------------------------------------------------------
# bad directive values name the value

for my $case (
    ['status_edge_events_max 0;', qr/invalid value "0" in "status_edge_events_max"/],
    ['status_edge_events_max lots;', qr/invalid value "lots" in "status_edge_events_max"/],
    ['status_edge_events_heartbeat 5x;', qr/invalid value "5x" in "status_edge_events_heartbeat"/],
    ['status_edge_events_heartbeat 10ms;', qr/invalid value "10ms" in "status_edge_events_heartbeat"/],
    ['status_edge_events_heartbeat 1s; status_edge_events_heartbeat 2s;', qr/is duplicate/],
    ['status_edge_events_heartbeat 0; status_edge_events_max 1;', undef],
    ['status_edge_events_heartbeat off; status_edge_events_max 1000000;', undef],
) {
    my ($lines, $want) = @$case;
    my $conf = $t->nginx_conf(servers => $t->server_conf(extra =>
        "        location = /e {\n            status_edge_events;\n            $lines\n        }\n"));
    my ($rc, $out) = $t->nginx_test($conf);
    if ($want) {
        ok $rc != 0 && $out =~ $want, "nginx -t refuses: $lines" or diag $out;
    } else {
        is $rc, 0, "nginx -t accepts: $lines" or diag $out;
    }
}

$t->stop(allow => qr/event stream client timed out/);
done_testing;
