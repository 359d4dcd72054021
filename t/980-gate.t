#!/usr/bin/perl
# The maintenance gate (status_edge_gate): while a maintenance with gate on
# is in progress, gated locations answer 503 with the maintenance page and
# Retry-After, and the upstream is not contacted; the internal audience
# (a map of a header or a cookie, a geo of the address) passes; scope by
# status_edge_banner_components; the module's own locations, "gate off"
# maintenances, scheduled ones, internal ones and other components do not
# gate; scheduled_until past or absent gives Retry-After 60; completion
# opens the gate without a reload; Redis down keeps the last state (still
# 503) until Redis is back and the maintenance is completed; with no state
# ever loaded nothing is gated.

use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use StatusEdge::Test qw(sample_state ts wait_until);
use StatusEdge::Upstream;

my $S = sample_state();
my $t = StatusEdge::Test->new;
my $up = StatusEdge::Upstream->new(dir => $t->prefix . '/upstream');
$up->route('*', headers => ['Content-Type' => 'text/plain'], body => ['app']);
$up->route('/bad', status => 502, headers => ['Content-Type' => 'text/plain'], body => ['bad']);
$up->start;
$t->start_redis;

# the sample's db maintenance, gate on but only scheduled
my $M = $S->{maintenances}[0];
$M->{gate} = 'on';
my $v = $t->write_state($S);

my $u = '127.0.0.1:' . $up->port;
my $GATED = "            add_header X-Gated \"\$status_edge_gated\" always;\n";
$t->start_nginx(poll => '1s', resync => '3s',
    redis => ['127.0.0.1:' . $t->redis_port . ' timeout=300ms'],
    http_extra => <<'EOF',
    map "$http_x_staff:$cookie_staff_secret" $se_audience {
        default            public;
        "~^letmein:"       internal;
        "~:s3cr3t$"        internal;
    }
    geo $se_geo_audience {
        default            public;
        127.0.0.1          internal;
    }
EOF
    servers => $t->server_conf(extra => <<"EOF"));
        status_edge_gate on;
        status_edge_audience \$se_audience;

        location / {
            proxy_pass http://$u;
$GATED        }
        location /db/ {
            proxy_pass http://$u/;
            status_edge_banner_components db;
$GATED        }
        location /web/ {
            proxy_pass http://$u/;
            status_edge_banner_components web api;
$GATED        }
        location /open/ {
            proxy_pass http://$u/;
            status_edge_gate off;
$GATED        }
        location /geo/ {
            proxy_pass http://$u/;
            status_edge_audience \$se_geo_audience;
$GATED        }
        location /satisfy/ {
            proxy_pass http://$u/;
            satisfy any;
            allow 127.0.0.1;
            deny all;
$GATED        }
        location /tf/ {
            status_edge_gate off;
            root $FindBin::Bin;
            try_files /no-such-file \@app;
        }
        location \@app {
            proxy_pass http://$u;
$GATED        }
        location = /status-edge/dismiss {
            status_edge_dismiss;
        }
        location /err/ {
            status_edge_gate off;
            proxy_pass http://$u/;
            proxy_intercept_errors on;
            error_page 502 /errpage/;
        }
        location /errpage/ {
            proxy_pass http://$u/;
$GATED        }
        location /gb/ {
            proxy_pass http://$u/;
            status_edge_banner on;
            add_header X-Banner "\$status_edge_banner/\$status_edge_incident" always;
$GATED        }
EOF
ok $t->wait_version($v), "state $v loaded";

sub upstream_count { scalar(my @r = $up->requests) }

# (status, headers, body, upstream requests it caused)
sub get {
    my ($method, $path, @h) = @_;
    my $n = upstream_count();
    my ($st, $h, $body) = $t->http($method => $path, headers => \@h,
        $method eq 'POST' ? (body => 'x=1') : ());
    # a proxied request is recorded before nginx gets the answer
    return ($st // 'error', $h, $body // '', upstream_count() - $n);
}

sub passes {
    my ($path, $name, @h) = @_;
    my ($st, $h, $body, $n) = get(GET => $path, @h);
    ok $st eq '200' && $body eq 'app' && $n == 1, "$name: passes to the upstream"
        or diag "$st, $n upstream requests, body: " . substr($body, 0, 200);
    is $h->{'x-gated'} // '', '', "$name: \$status_edge_gated empty";
}

my $GATED_SO_FAR = 0;

sub gated {
    my ($path, $name, @h) = @_;
    my ($st, $h, $body, $n) = get(GET => $path, @h);
    $GATED_SO_FAR++;
    ok $st eq '503' && $n == 0, "$name: 503, upstream not contacted"
        or diag "$st, $n upstream requests";
    is $h->{'x-gated'} // '', '1', "$name: \$status_edge_gated 1";
    return ($h, $body);
}

# --- scheduled, not started: no gate ------------------------------------------------
passes('/app', 'scheduled maintenance');
passes('/db/app', 'scheduled maintenance, components db');

# --- in progress ---------------------------------------------------------------------
$M->{status} = 'in_progress';
$M->{scheduled_for} = ts(time - 600);
$M->{scheduled_until} = ts(time + 1800);
unshift @{ $M->{updates} }, { id => 'upd-mnt-2', status => 'in_progress',
    body => "Upgrading <the> database & replicas.\nBack soon.",
    'body.ko' => "\x{b370}\x{c774}\x{d130}\x{bca0}\x{c774}\x{c2a4} \x{c5c5}\x{adf8}\x{b808}\x{c774}\x{b4dc} \x{c911}",
    created_at => ts(time - 300) };
$v = $t->write_state($S);
ok $t->wait_version($v), "state $v: the db maintenance in progress";

{
    my ($h, $body) = gated('/app', 'no component filter');
    my $ra = $h->{'retry-after'} // '';
    ok $ra =~ /^\d+$/ && $ra > 1700 && $ra <= 1800, "Retry-After from scheduled_until ($ra)";
    like $h->{'content-type'} // '', qr{^text/html; charset=utf-8$}i, 'Content-Type';
    is $h->{'cache-control'}, 'no-store', 'Cache-Control: no-store';
    is $h->{'content-length'}, length $body, 'Content-Length';
    like $body, qr{^<!DOCTYPE html><html lang="en">}, 'an HTML document in English';
    like $body, qr{<h1 class="se-gate-name">Database upgrade</h1>}, 'the maintenance name';
    like $body, qr{<span class="se-status">In progress</span>: <span class="se-text">Upgrading &lt;the&gt; database &amp; replicas\.<br>Back soon\.</span>},
        'the latest update, its status label, escaped';
    my $end = ts(parse_end($M->{scheduled_until}));
    my ($date, $hm) = $end =~ /^(\S+)T(\d\d:\d\d)/;
    like $body, qr{Expected end: <time datetime="\Q$end\E">\Q$date $hm\E UTC</time>},
        'the expected end';
    like $body, qr{<a href="https://status\.example\.com">View status page</a>}, 'link to the status page';
    unlike $body, qr/[^\x00-\x7f]/, 'all ASCII';
}
{
    my ($h, $body) = gated('/app', 'Korean', 'Accept-Language' => 'ko-KR,ko;q=0.9,en;q=0.5');
    like $body, qr{^<!DOCTYPE html><html lang="ko">}, 'Korean: lang="ko"';
    like $body, qr{<span class="se-text">&#45936;&#51060;&#53552;}, 'Korean: the translated update as NCRs';
    like $h->{vary} // '', qr/Accept-Language/i, 'Vary: Accept-Language';
}
{
    my ($st, $h, $body, $n) = get(HEAD => '/app');
    $GATED_SO_FAR += 3;
    ok $st eq '503' && $body eq '' && $n == 0, 'HEAD: 503, no body, no upstream';
    ok $h->{'retry-after'}, 'HEAD: Retry-After';
    ($st, $h, $body, $n) = get(POST => '/app');
    ok $st eq '503' && $n == 0 && $body =~ /Database upgrade/, 'POST: 503 page, no upstream';
    ($st, $h, $body, $n) = get(GET => '/satisfy/app');
    ok $st eq '503' && $n == 0, '"satisfy any" with an allowed address: still gated';
}
gated('/db/app', 'components db');
gated('/tf/app', 'an internal redirect (try_files) into a gated location');
{
    # an error page in a gated location answers the error, not the gate
    my ($st, $h, $body, $n) = get(GET => '/err/bad');
    ok $st eq '502' && !defined $h->{'retry-after'} && $body eq 'app',
        'error_page into a gated location: the error page, with its status'
        or diag "$st, retry-after " . ($h->{'retry-after'} // '-') . ", $body";

    # a gated answer carries no banner, and says so in the variables
    ($st, $h, $body) = get(GET => '/gb/app', Accept => 'text/html');
    is $st, '503', 'banner on and gated: 503';
    is $h->{'x-banner'}, '0/', 'banner on and gated: $status_edge_banner 0, no incident';
    unlike $body, qr/se-banner/, 'banner on and gated: no banner in the 503 page';
    $GATED_SO_FAR++;
}
{
    my ($st, $h, $body) = $t->http(GET => '/plain');
    ok $st == 200 && $body eq 'plain',
        'a return in the rewrite phase is answered before the gate (documented)';
}
passes('/web/app', 'components web and api: another component');
passes('/open/app', 'status_edge_gate off');
passes('/app', 'bypass: header mapped to internal', 'X-Staff' => 'letmein');
passes('/app', 'bypass: cookie mapped to internal', 'Cookie' => 'a=b; staff_secret=s3cr3t');
gated('/app', 'wrong cookie', 'Cookie' => 'staff_secret=guess');
passes('/geo/app', 'bypass: geo 127.0.0.1 internal');
{
    my ($st, $h, $body) = $t->http(GET => '/api/v2/status.json');
    is $st, 200, "the module's own locations are not gated (API)";
    like $body, qr/"indicator":"major"/, 'API: the state';
    ($st) = $t->http(GET => '/status-edge/dismiss?id=x&u=&r=/');
    ok defined $st && $st != 503, "the module's own locations are not gated (dismiss: $st)";
    # per worker: ask until every worker has answered
    my %per;
    my @w = $t->worker_pids;
    wait_until(sub {
        my (undef, undef, $m) = $t->http(GET => '/metrics');
        $per{$1} = $2 while ($m // '') =~
            /^status_edge_requests_total\{endpoint="gate",worker="(\d+)"\} (\d+)$/mg;
        return !grep { !exists $per{$_} } @w;
    }, 10, 0.01);
    my $g = 0;
    $g += $_ for values %per;
    is $g, $GATED_SO_FAR, 'metrics: gated requests counted, all workers';
}

# --- verifying, scheduled_until past or absent ---------------------------------------
$M->{status} = 'verifying';
$M->{scheduled_until} = ts(time - 600);
$v = $t->write_state($S);
ok $t->wait_version($v), "state $v: verifying, past its end";
{
    my ($h) = gated('/app', 'verifying, scheduled_until past');
    is $h->{'retry-after'}, '60', 'past end: Retry-After 60';
}
delete $M->{scheduled_until};
$v = $t->write_state($S);
ok $t->wait_version($v), "state $v: no scheduled_until";
{
    my ($h, $body) = gated('/app', 'no scheduled_until');
    is $h->{'retry-after'}, '60', 'no end: Retry-After 60';
    unlike $body, qr/Expected end/, 'no end: none shown';
}

# --- gate off, internal -------------------------------------------------------------
$M->{gate} = 'off';
$v = $t->write_state($S);
ok $t->wait_version($v), "state $v: gate off";
passes('/app', 'maintenance with gate off');
$M->{gate} = 'on';
$M->{audience} = 'internal';
$v = $t->write_state($S);
ok $t->wait_version($v), "state $v: internal maintenance";
passes('/app', 'internal maintenance: public visitors pass');
delete $M->{audience};
$M->{scheduled_until} = ts(time + 3600);
$v = $t->write_state($S);
ok $t->wait_version($v), "state $v: gated again";
gated('/app', 'gated again');

# --- Redis down: the last state keeps gating ----------------------------------------
$t->stop_redis(signal => 'KILL');
{
    my ($bad, $seen) = (0, 0);
    my $end = time + 4;     # past the poll and a reconnect attempt
    while (time < $end) {
        my ($st, $h, $body, $n) = get(GET => '/app');
        $seen++;
        $bad++ unless $st eq '503' && $n == 0;
        select undef, undef, undef, 0.1;
    }
    is $bad, 0, "Redis down: still 503 ($seen requests over 4 s)";
}
$t->start_redis;
# an empty Redis: carry the version on, so wait_version() can tell states apart
$t->redis('SET', 'status:version', $v);
$M->{status} = 'completed';
unshift @{ $M->{updates} }, { id => 'upd-mnt-3', status => 'completed',
    body => 'Done.', created_at => ts(time) };
$v = $t->write_state($S);
ok wait_until(sub { my ($st) = get(GET => '/app'); $st eq '200' }, 15),
    'Redis back, maintenance completed: traffic flows without a reload';
ok $t->wait_version($v), "state $v loaded by every worker";
passes('/app', 'completed');
passes('/db/app', 'completed, components db');
passes('/tf/app', 'completed, through try_files');

$t->stop;

# --- no state ever loaded: never gate ------------------------------------------------
{
    my $t2 = StatusEdge::Test->new;
    # nothing listens on this Redis port
    $t2->start_nginx(poll => '1s',
        redis => ['127.0.0.1:' . $t2->redis_port . ' timeout=300ms'],
        servers => $t2->server_conf(extra => <<"EOF"));
        status_edge_gate on;
        location / {
            proxy_pass http://$u;
        }
EOF
    my $n = upstream_count();
    my ($st, $h, $body) = $t2->http(GET => '/app');
    ok defined $st && $st == 200 && $body eq 'app' && upstream_count() == $n + 1,
        'no state ever loaded: not gated (fails open)';
    $t2->stop;
}

# --- configuration errors -------------------------------------------------------------
{
    my $t3 = StatusEdge::Test->new;
    my ($rc, $out) = $t3->nginx_test($t3->nginx_conf(
        servers => $t3->server_conf(extra => "        status_edge_gate maybe;\n")));
    ok $rc != 0 && $out =~ /invalid value "maybe" in "status_edge_gate"/,
        'status_edge_gate maybe: refused, quoting the value' or diag $out;
    ($rc, $out) = $t3->nginx_test($t3->nginx_conf(
        servers => $t3->server_conf(extra => "        status_edge_gate on;\n")));
    is $rc, 0, 'status_edge_gate on at server level: nginx -t passes' or diag $out;
}

$up->stop;
done_testing;

sub parse_end { StatusEdge::Test::parse_ts($_[0]) }
