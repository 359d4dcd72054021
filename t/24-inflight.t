#!/usr/bin/perl
# Ready bytes stay valid while they are being sent: a slow client reading
# a large document while the state changes several times still receives
# the whole document of the version it asked for (no use after free, no
# mix).  Also: nginx's gzip over the API, keep-alive and pipelining, and
# range requests give the same bytes.

use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use IO::Select;
use IO::Socket::INET;
use IO::Uncompress::Gunzip qw(gunzip $GunzipError);
use Socket qw(SOL_SOCKET SO_RCVBUF);
use Time::HiRes qw(time sleep);
use StatusEdge::Test qw(json_decode ts);

my $now = time;
my $S = {
    page => { id => 'big', name => 'Big', url => 'https://big.example.com', time_zone => 'UTC' },
    components => [map { { id => "c$_", position => $_, name => "C$_", status => 'operational' } } 1 .. 20],
    maintenances => [],
    incidents => [map {
        my $i = $_;
        { id => "inc$i", name => "Incident $i", status => 'resolved', impact => 'minor',
          created_at => ts($now - 86400 * $i), updated_at => ts($now - 86400 * $i + 60),
          resolved_at => ts($now - 86400 * $i + 60), components => 'c1,c2',
          updates => [map { { id => "inc$i-u$_", status => 'resolved',
                              body => "Body $i.$_ " . ('x' x 3000),
                              created_at => ts($now - 86400 * $i + $_) } } 1 .. 4] }
    } 1 .. 40],
};

my $t = StatusEdge::Test->new;
$t->start_redis;
my $v = $t->write_state($S, via => 'resp');
my $port = $t->port;
$t->start_nginx(servers => <<"EOF");
    server {
        listen 127.0.0.1:$port sndbuf=8k;
        location /api/v2/ { status_edge_api; }
        location /gz/ {
            status_edge_api;
            gzip on;
            gzip_types application/json application/javascript;
            gzip_min_length 0;
        }
        location = /ind {
            add_header X-Pid \$pid always;
            return 200 "\$status_edge_indicator \$status_edge_version";
        }
    }
EOF
ok $t->wait_version($v), 'large state loaded';

my ($st0, $h0, $ref) = $t->http(GET => '/api/v2/incidents.json');
is $st0, 200, 'reference document';
ok length($ref) > 400_000, 'large: ' . length($ref) . ' bytes';

# --- a slow reader across three state changes
{
    my $s = IO::Socket::INET->new(Proto => 'tcp');
    setsockopt($s, SOL_SOCKET, SO_RCVBUF, 4096);
    $s->connect(Socket::pack_sockaddr_in($port, Socket::inet_aton('127.0.0.1')))
        or die "connect: $!";
    syswrite $s, "GET /api/v2/incidents.json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    my $sel = IO::Select->new($s);
    my $got = '';
    $sel->can_read(5) and sysread($s, $got, 8192);
    ok length($got) > 0, 'first bytes read';

    for my $k (1 .. 3) {
        $S->{incidents}[0]{updates}[0]{body} = "Changed $k " . ('y' x 3000);
        $v = $t->write_state($S, via => 'resp');
        ok $t->wait_version($v), "state change $k while the response is in flight";
    }
    my $deadline = time + 20;
    while (time < $deadline) {
        $sel->can_read(5) or last;
        my $n = sysread($s, $got, 65536, length $got);
        last unless $n;
    }
    close $s;
    my ($st, $h, $body) = StatusEdge::Test::parse_response($got, 'GET');
    is $st, 200, 'slow reader: 200';
    ok $body eq $ref, 'slow reader: the whole document of the version it asked for'
        or diag 'got ' . length($body // '') . ' bytes, want ' . length($ref);
}

# --- gzip
{
    my ($st, $h, $plain) = $t->http(GET => '/gz/incidents.json');
    my ($st2, $h2, $gz) = $t->http(GET => '/gz/incidents.json',
        headers => ['Accept-Encoding' => 'gzip']);
    is $st2, 200, 'gzip: 200';
    is $h2->{'content-encoding'}, 'gzip', 'gzip: Content-Encoding gzip';
    my $out;
    gunzip(\$gz => \$out) or diag $GunzipError;
    ok defined $out && $out eq $plain, 'gzip: same bytes once decompressed';
    my ($st3, $h3, $jgz) = $t->http(GET => '/gz/summary.json?callback=cb',
        headers => ['Accept-Encoding' => 'gzip']);
    my $jout;
    gunzip(\$jgz => \$jout);
    like $jout // '', qr/\Acb\(\{/, 'gzip: JSONP too';
}

# --- keep-alive and pipelining
sub pipeline {
    my ($req) = @_;
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port, Timeout => 5)
        or die "connect: $!";
    syswrite $s, $req;
    my $all = '';
    my $sel = IO::Select->new($s);
    my $deadline = time + 10;
    while (time < $deadline && $sel->can_read(5)) {
        my $n = sysread($s, $all, 65536, length $all);
        last unless $n;
    }
    return $all;
}

# statuses of consecutive responses (bodies by Content-Length; none for HEAD)
sub statuses {
    my ($all, @methods) = @_;
    my @st;
    while (length $all) {
        my $i = index($all, "\r\n\r\n");
        last if $i < 0;
        my $head = substr($all, 0, $i + 4, '');
        my ($st) = $head =~ m{\AHTTP/1\.1 (\d{3})} or last;
        push @st, $st;
        my ($len) = $head =~ /^Content-Length: (\d+)/mi;
        my $m = shift @methods // 'GET';
        substr($all, 0, $len, '') if $len && $m ne 'HEAD' && $st != 304 && $st != 204;
    }
    return "@st";
}
{
    my $all = pipeline("GET /api/v2/status.json HTTP/1.1\r\nHost: x\r\n\r\n"
        . "HEAD /api/v2/status.json HTTP/1.1\r\nHost: x\r\n\r\n"
        . "GET /api/v2/components.json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    is statuses($all, qw(GET HEAD GET)), '200 200 200', 'pipelined GET, HEAD, GET on one keep-alive connection';
    my ($last) = $all =~ /.*\r\n\r\n(\{"page".*)\z/s;
    ok json_decode($last // ''), 'last response complete';
}
for my $m (qw(POST PUT)) {
    # the request body of a refused method must be read and discarded,
    # not parsed as the next request
    my $all = pipeline("$m /api/v2/status.json HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
        . "GET /api/v2/status.json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    is statuses($all), "405 200", "$m with a body, then GET on the same connection: 405, 200"
        or diag $all;
}
{
    my $all = pipeline("OPTIONS /api/v2/status.json HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
        . "GET /api/v2/status.json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    is statuses($all), '204 200', 'OPTIONS with a body, then GET: 204, 200';
}

# --- ranges: 206 with the right bytes, or the whole 200
{
    my ($st, $h, $body) = $t->http(GET => '/api/v2/status.json',
        headers => [Range => 'bytes=0-9']);
    my (undef, undef, $full) = $t->http(GET => '/api/v2/status.json');
    if ($st == 206) {
        is $body, substr($full, 0, 10), 'range: 206 with the first 10 bytes';
        like $h->{'content-range'} // '', qr{^bytes 0-9/\d+$}, 'range: Content-Range';
    } else {
        is $st, 200, 'range: ignored, 200';
        is $body, $full, 'range ignored: whole document';
    }
}

$t->stop;
done_testing;
