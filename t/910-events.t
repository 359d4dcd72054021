#!/usr/bin/perl
# status_edge_events (Server-Sent Events): the wire protocol the widget
# relies on, on connect and on every change; Last-Event-ID resume; the
# heartbeat (and off); no state yet; a change of content without a
# version bump; HEAD, OPTIONS, other methods; HTTP/1.0 (no chunked) and
# HTTP/2 (h2c, by curl); clients going away; streams ended cleanly by a
# reload and by a graceful stop, old workers exiting promptly.

use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use POSIX ();
use File::Temp qw(tempdir);
use Time::HiRes qw(time sleep);
use StatusEdge::Test qw(sample_state wait_until free_port);
use StatusEdge::SSE;
use StatusEdge::Upstream qw(have_curl_http2);

my $t = StatusEdge::Test->new(workers => 1);
$t->start_redis;
my $S = sample_state();
my $v = $t->write_state($S);

my $h2 = free_port();
my $locations = <<'EOF';
        location = /events {
            status_edge_events;
            status_edge_events_heartbeat 1s;
        }
        location = /events-quiet {
            status_edge_events;
            status_edge_events_heartbeat off;
        }
        location = /banner-events {
            status_edge_banner on;
            add_header X-Banner "$status_edge_banner" always;
            status_edge_events;
        }
        location = /banner-check {
            status_edge_banner on;
            return 200 "$status_edge_banner";
        }
        location = /ssi {
            ssi on;
            default_type text/html;
            return 200 'before <!--# include virtual="/events" --> after';
        }
        location = /other/events {
            status_edge_page other:;
            status_edge_events;
            status_edge_events_heartbeat 1s;
        }
EOF
my $servers = $t->server_conf(extra => $locations) . <<"EOF";
    server {
        listen 127.0.0.1:$h2 http2;
        server_name localhost;
$locations        location /api/v2/ {
            status_edge_api;
        }
    }
EOF
$t->start_nginx(servers => $servers, resync => '1s');
ok $t->wait_version($v), "version $v served";

my $port = $t->port;

sub summary {
    my ($st, undef, $body) = $t->http(GET => '/api/v2/summary.json');
    return $st && $st == 200 ? $body : undef;
}

sub streams_gauge {
    my $m = $t->metrics or return undef;
    return StatusEdge::Test::metric($m, 'status_edge_events_streams');
}

# ---------------------------------------------------------------------------
# connect: headers, retry, the current summary

my $s = StatusEdge::SSE->new($port, '/events');
is $s->status, 200, 'connect: 200';
is $s->header('Content-Type'), 'text/event-stream; charset=utf-8', 'Content-Type';
is $s->header('Cache-Control'), 'no-cache, no-transform', 'Cache-Control';
is $s->header('X-Accel-Buffering'), 'no', 'X-Accel-Buffering: no';
is $s->header('Access-Control-Allow-Origin'), '*', 'CORS';
ok !defined $s->header('Content-Length'), 'no Content-Length';
is $s->header('Transfer-Encoding'), 'chunked', 'HTTP/1.1: chunked';
ok !defined $s->header('ETag') && !defined $s->header('Last-Modified'),
    'no ETag, no Last-Modified';

my $b = $s->next_block(5);
is_deeply $b, { raw => 'retry: 5000', retry => 5000 }, 'first block: retry: 5000';
$b = $s->next_block(5);
my $sum = summary();
ok $b && defined $b->{data}, 'then an event';
is $b->{id}, $v, "event id is the version $v";
is $b->{event}, 'summary', 'event: summary';
ok defined $sum && $b->{data} eq $sum, 'data: exactly the bytes of summary.json'
    or diag "event: " . substr($b->{data} // '', 0, 200) . "\njson:  " . substr($sum // '', 0, 200);
is $b->{raw}, "id: $v\nevent: summary\ndata: $sum", 'the event block, field by field';
ok index($sum, "\n") < 0, 'the summary is one line';
is streams_gauge(), 1, 'metrics: 1 open stream';

# ---------------------------------------------------------------------------
# a change: every open stream gets the new summary with the new id

my @more = map { StatusEdge::SSE->new($port, '/events') } 1 .. 4;
for my $c (@more) {
    my ($e) = $c->blocks_until(sub { defined $_[0]{id} }, 5);
    ok $e && $e->{id} == $v, "another stream got version $v";
}
is streams_gauge(), 5, 'metrics: 5 open streams';

$S->{page}{name} = 'Changed for the event stream';
my $v2 = $t->write_state($S);
my $t0 = time;
for my $c ($s, @more) {
    my ($e, $seen) = $c->blocks_until(sub { defined $_[0]{id} }, 5);
    ok $e && $e->{id} == $v2, "stream: event id $v2 after the change";
    ok $e && $e->{data} =~ /"name":"Changed for the event stream"/, 'stream: the new summary';
    ok !grep({ defined $_->{id} && $_ != $e } @$seen), 'stream: no other event before it';
}
my $elapsed = time - $t0;
note sprintf 'the change reached 5 streams in %.1f ms (informational)', $elapsed * 1000;
$sum = summary();
is $s->{last_data} = $sum, $sum, 'summary.json serves the changed state';

# ---------------------------------------------------------------------------
# a change of content without a version bump (a hand edit): the resync
# picks it up and the streams get it, with the same id

$S->{page}{name} = 'Hand edit, no bump';
$t->write_state($S, bump => 0);
{
    my ($e) = $s->blocks_until(sub { defined $_[0]{id} }, 8);
    ok $e && $e->{id} == $v2 && $e->{data} =~ /Hand edit, no bump/,
        'a hand edit without a version bump: an event with the same id and the new data';
}

# a version bump with the same content: served as a new state, one event
{
    my $v3 = $t->bump;
    my ($e, $seen) = $s->blocks_until(sub { defined $_[0]{id} }, 5);
    ok $e && $e->{id} == $v3, "a bare version bump: event id $v3";
    $v2 = $v3;
}

# ---------------------------------------------------------------------------
# Last-Event-ID: nothing resent that the client has

{
    my $r = StatusEdge::SSE->new($port, '/events', headers => ['Last-Event-ID' => $v2]);
    my $b1 = $r->next_block(3);
    is $b1 && $b1->{retry}, 5000, 'Last-Event-ID current: retry';
    my $b2 = $r->next_block(3);
    ok $b2 && !defined $b2->{id} && ($b2->{comment} // '') eq 'heartbeat',
        'Last-Event-ID current: no event, the next block is a heartbeat'
        or diag explain $b2;
    $S->{page}{name} = 'After resume';
    my $v4 = $t->write_state($S);
    my ($e) = $r->blocks_until(sub { defined $_[0]{id} }, 5);
    ok $e && $e->{id} == $v4 && $e->{data} =~ /After resume/, 'resumed stream: gets the next change';
    $v2 = $v4;
    $r->close;

    my $old = StatusEdge::SSE->new($port, '/events', headers => ['Last-Event-ID' => $v2 - 1]);
    $old->next_block(3);
    my $e2 = $old->next_block(3);
    ok $e2 && $e2->{id} == $v2, 'Last-Event-ID older: the current summary is sent';
    $old->close;

    my $junk = StatusEdge::SSE->new($port, '/events', headers => ['Last-Event-ID' => 'x1']);
    $junk->next_block(3);
    my $e3 = $junk->next_block(3);
    ok $e3 && $e3->{id} == $v2, 'Last-Event-ID not a number: the current summary is sent';
    $junk->close;
}

# ---------------------------------------------------------------------------
# heartbeat: a comment about every second here; none with "off"

{
    my ($hb, $seen) = $s->blocks_until(sub { ($_[0]{comment} // '') eq 'heartbeat' }, 4);
    ok $hb, 'heartbeat comment ": heartbeat" on an idle stream';
    my $t1 = time;
    my ($hb2) = $s->blocks_until(sub { ($_[0]{comment} // '') eq 'heartbeat' }, 4);
    ok $hb2, 'and again';
    note sprintf 'heartbeat interval %.2f s (configured 1s)', time - $t1;

    my $q = StatusEdge::SSE->new($port, '/events-quiet');
    $q->next_block(3);
    my $e = $q->next_block(3);
    ok $e && $e->{id} == $v2, 'heartbeat off: the event';
    my $none = $q->next_block(2.5);
    ok !$none, 'heartbeat off: nothing for 2.5 s' or diag explain $none;
    ok !$q->eof, 'heartbeat off: still open';
    $q->close;
}

# ---------------------------------------------------------------------------
# a page with no keys in Redis (other:) is a loaded, empty state:
# its event is what its summary.json serves; then its first real state

{
    my $o = StatusEdge::SSE->new($port, '/other/events');
    is $o->status, 200, 'empty page: 200';
    my $b1 = $o->next_block(3);
    is $b1 && $b1->{retry}, 5000, 'empty page: retry';
    my $e = $o->next_block(3);
    ok $e && $e->{id} eq '0' && $e->{data} =~ /"components":\[\]/,
        'empty page: event id 0, the empty summary' or diag explain $e;
    my $S2 = sample_state();
    $S2->{page}{name} = 'Other page';
    my $ov = $t->write_state($S2, prefix => 'other:');
    ($e) = $o->blocks_until(sub { defined $_[0]{id} }, 5);
    ok $e && $e->{id} == $ov && $e->{data} =~ /"name":"Other page"/,
        'empty page: its first state arrives as an event';
    my ($d) = $s->blocks_until(sub { defined $_[0]{id} }, 0.5);
    ok !$d, 'a change of the other page: no event on the default page';
    $o->close;
}

# ---------------------------------------------------------------------------
# status_edge_banner on where the stream is: the stream is not touched,
# and it does not keep the snapshot of its connect (a change frees it)

{
    my ($st, undef, $body) = $t->http(GET => '/banner-check');
    is $body, '1', 'precondition: a banner applies to a GET here';
    my @b = map { StatusEdge::SSE->new($port, '/banner-events') } 1 .. 3;
    # a variable read in the header filter decides nothing for a stream
    # (it would hold the snapshot of the connect for the stream's life)
    is $b[0]->header('x-banner'), '0', 'banner on: no banner decided for a stream';
    for my $c (@b) {
        $c->next_block(3);
        my $e = $c->next_block(3);
        ok $e && $e->{id} == $v2 && $e->{data} eq summary(),
            'banner on: the stream is the plain summary';
    }
    $S->{page}{name} = 'Banner location change';
    $v2 = $t->write_state($S);
    for my $c (@b) {
        my ($e) = $c->blocks_until(sub { defined $_[0]{id} }, 5);
        ok $e && $e->{id} == $v2, 'banner on: the change arrives';
        $c->close;
    }
    $s->blocks_until(sub { defined $_[0]{id} && $_[0]{id} == $v2 }, 5);
}

# ---------------------------------------------------------------------------
# HEAD, OPTIONS, other methods

{
    my ($st, $h, $body) = $t->http(HEAD => '/events');
    is $st, 200, 'HEAD: 200';
    is $h->{'content-type'}, 'text/event-stream; charset=utf-8', 'HEAD: Content-Type';
    is $body, '', 'HEAD: no body';

    ($st, $h) = $t->http(OPTIONS => '/events', headers => [
        Origin => 'https://elsewhere.example',
        'Access-Control-Request-Method' => 'GET',
        'Access-Control-Request-Headers' => 'last-event-id']);
    is $st, 204, 'OPTIONS: 204';
    is $h->{'access-control-allow-origin'}, '*', 'OPTIONS: Allow-Origin';
    like $h->{'access-control-allow-headers'} // '', qr/Last-Event-ID/i,
        'OPTIONS: Last-Event-ID allowed';
    like $h->{'access-control-allow-methods'} // '', qr/\bGET\b/, 'OPTIONS: GET allowed';

    ($st, $h) = $t->http(POST => '/events', body => 'x');
    is $st, 405, 'POST: 405';
    is $h->{allow}, 'GET, HEAD, OPTIONS', 'POST: Allow';
    ($st) = $t->http(DELETE => '/events');
    is $st, 405, 'DELETE: 405';

    # a subrequest (SSI include) gets no stream: the page completes
    ($st, $h, $body) = $t->http(GET => '/ssi', timeout => 5);
    is $st, 200, 'SSI include of the stream: the page is served';
    ok defined $body && $body =~ /\Abefore .*after\z/s && $body !~ /retry:|event:/,
        'SSI include of the stream: completes, without the stream in it'
        or diag $body // $h->{_error};
}

# ---------------------------------------------------------------------------
# clients going away: the gauge returns to what it was

{
    my $before = streams_gauge();
    my @c = map { StatusEdge::SSE->new($port, '/events') } 1 .. 6;
    $_->next_block(3) for @c;
    is streams_gauge(), $before + 6, "6 more streams: gauge " . ($before + 6);
    $_->close for @c;
    my $g;
    ok wait_until(sub { ($g = streams_gauge()) == $before }, 5),
        "clients closed: gauge back to $before (now $g)";
    # a change after they left reaches the others
    $S->{page}{name} = 'After the leavers';
    $v2 = $t->write_state($S);
    my ($e) = $s->blocks_until(sub { defined $_[0]{id} }, 5);
    ok $e && $e->{id} == $v2, 'the remaining stream still gets changes';
}

# ---------------------------------------------------------------------------
# HTTP/1.0: no chunked coding, the stream closed at the end

my $s10 = StatusEdge::SSE->new($port, '/events', http10 => 1);
is $s10->status, 200, 'HTTP/1.0: 200';
ok !defined $s10->header('Transfer-Encoding'), 'HTTP/1.0: no chunked coding';
$s10->next_block(3);
{
    my $e = $s10->next_block(3);
    ok $e && $e->{id} == $v2 && $e->{data} eq summary(), 'HTTP/1.0: the event, raw';
}

# ---------------------------------------------------------------------------
# HTTP/2 (h2c with prior knowledge), by curl

SKIP: {
    my $curl = have_curl_http2();
    ok $curl, 'curl with HTTP/2 support' or skip 'no curl with HTTP/2', 5;
    my $dir = tempdir('se-h2-XXXXXX', TMPDIR => 1, CLEANUP => 1);
    my $pid = fork // die;
    if (!$pid) {
        open STDOUT, '>', "$dir/out";
        open STDERR, '>', "$dir/err";
        { no warnings "exec"; exec $curl, '-sN', '--http2-prior-knowledge', '-D', "$dir/h", '--max-time', '4',
            "http://127.0.0.1:$h2/events"; }
        POSIX::_exit(127);
    }
    my $read = sub { open my $fh, '<:raw', $_[0] or return ''; local $/; <$fh> // '' };
    ok wait_until(sub { $read->("$dir/out") =~ /^id: $v2$/m }, 5), 'HTTP/2: the current event';
    $S->{page}{name} = 'Over HTTP/2';
    $v2 = $t->write_state($S);
    ok wait_until(sub { $read->("$dir/out") =~ /^id: $v2\nevent: summary\ndata: .*Over HTTP\/2/m }, 5),
        'HTTP/2: the change';
    waitpid $pid, 0;
    my $head = $read->("$dir/h");
    like $head, qr{\AHTTP/2 200}, 'HTTP/2: 200';
    like $head, qr{^content-type: text/event-stream; charset=utf-8\r?$}mi, 'HTTP/2: Content-Type';
    like $read->("$dir/out"), qr/\Aretry: 5000\n\nid: /, 'HTTP/2: retry first, then the event';
    $s->blocks_until(sub { defined $_[0]{id} && $_[0]{id} == $v2 }, 5);
    $s10->blocks_until(sub { defined $_[0]{id} && $_[0]{id} == $v2 }, 5);
}

# ---------------------------------------------------------------------------
# reload: the old worker ends its streams cleanly and exits promptly

my ($h2pid, $h2dir);
if (my $curl = have_curl_http2()) {
    $h2dir = tempdir('se-h2r-XXXXXX', TMPDIR => 1, CLEANUP => 1);
    $h2pid = fork // die;
    if (!$h2pid) {
        open STDOUT, '>', "$h2dir/out";
        open STDERR, '>', "$h2dir/err";
        { no warnings 'exec'; exec $curl, '-sN', '--http2-prior-knowledge', '--max-time', '20',
            "http://127.0.0.1:$h2/events"; }
        POSIX::_exit(127);
    }
    my $read = sub { open my $fh, '<:raw', $_[0] or return ''; local $/; <$fh> // '' };
    wait_until(sub { $read->("$h2dir/out") =~ /^id: $v2$/m }, 5);
}

{
    my $t1 = time;
    my $ok = eval { $t->reload(timeout => 10); 1 };
    ok $ok, 'reload with open streams: the old worker exited' or diag $@;
    note sprintf 'reload took %.2f s with open streams', time - $t1;
    ok $s->wait_eof(3), 'HTTP/1.1 stream closed by the reload';
    ok $s->clean_end, 'HTTP/1.1 stream: ended with the last chunk (clean end)';
    ok $s10->wait_eof(3), 'HTTP/1.0 stream closed by the reload';
    SKIP: {
        skip 'no curl with HTTP/2', 1 unless $h2pid;
        my $done = wait_until(sub { waitpid($h2pid, POSIX::WNOHANG()) == $h2pid }, 5);
        my $rc = $done ? $? >> 8 : -1;
        kill 'KILL', $h2pid unless $done;
        is $rc, 0, 'HTTP/2 stream ended cleanly by the reload (curl exit 0, not a timeout or reset)';
    }
    my $r = StatusEdge::SSE->new($port, '/events', headers => ['Last-Event-ID' => $v2 - 1]);
    $r->next_block(3);
    my $e = $r->next_block(3);
    ok $e && $e->{id} == $v2, 'reconnect: the new worker sends the current summary';

    # a graceful stop with a stream open: ends it, exits
    my $t2 = time;
    $t->stop_nginx;
    note sprintf 'graceful stop took %.2f s with an open stream', time - $t2;
    ok time - $t2 < 10, 'graceful stop with an open stream: not held until a timeout';
    ok $r->wait_eof(3) && $r->clean_end, 'graceful stop: the stream ended cleanly';
}

$t->stop_redis(signal => 'TERM');
done_testing;
