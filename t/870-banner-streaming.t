#!/usr/bin/perl
# The filter streams (issue 4: "never buffers the whole body"): bytes the
# upstream sent reach the client while the upstream is still waiting,
# before and after the body tag, also when the tag is cut in the middle;
# a slow client with proxy_buffering on (the page spooled to a temp file)
# still gets its banner; a client that goes away, an upstream that closes
# early, an HTTP/1.0 client, keepalive, proxy_cache.

use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use IO::Select;
use IO::Socket::INET;
use Socket qw(SOL_SOCKET SO_RCVBUF);
use Test::More;
use Time::HiRes qw(time sleep);
use StatusEdge::Test qw(wait_until);
use StatusEdge::Upstream qw(banner_env banner_count inserted_at);

my $slow_port = StatusEdge::Test::free_port();
my ($t, $up, $v) = banner_env(
    http_extra => "    proxy_cache_path PREFIX/cache keys_zone=pc:1m;\n",
    locations => <<'EOF',
        location /off/ {
            proxy_pass http://UPSTREAM/;
            proxy_buffering off;
            status_edge_banner on;
        }
        location /on/ {
            proxy_pass http://UPSTREAM/;
            status_edge_banner on;
        }
        location /cached/ {
            proxy_pass http://UPSTREAM/;
            proxy_cache pc;
            proxy_cache_valid 200 1m;
            add_header X-Cache $upstream_cache_status always;
            status_edge_banner on;
        }
        location /keep/ {
            proxy_pass http://UPSTREAM/;
            status_edge_banner on;
        }
EOF
    servers_extra => <<"EOF");
    server {
        listen 127.0.0.1:$slow_port sndbuf=4k;
        server_name localhost;
        location / {
            proxy_pass http://UPSTREAM;
            proxy_buffering on;
            proxy_buffers 4 4k;
            proxy_busy_buffers_size 8k;
            proxy_temp_file_write_size 8k;
            status_edge_banner on;
        }
    }
EOF

# a request whose arrival is timed: (\@events [time, bytes so far], $raw)
sub timed_get {
    my ($port, $path, %o) = @_;
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port, Proto => 'tcp')
        or die "connect: $!";
    my $ver = $o{version} // '1.1';
    my $req = "GET $path HTTP/$ver\r\nHost: localhost\r\n"
        . ($ver eq '1.1' ? "Connection: close\r\n" : '') . "\r\n";
    syswrite $s, $req;
    my $t0 = time;
    my $raw = '';
    my @ev;
    my $sel = IO::Select->new($s);
    while (time - $t0 < ($o{timeout} // 10)) {
        next unless $sel->can_read(0.05);
        my $n = sysread($s, $raw, 65536, length $raw);
        last if !$n;
        push @ev, [time - $t0, length $raw];
    }
    close $s;
    return (\@ev, $raw);
}

# seconds after the request at which $raw first held $needle
sub arrival {
    my ($ev, $raw, $needle) = @_;
    my $i = index($raw, $needle);
    return undef if $i < 0;
    for my $e (@$ev) { return $e->[0] if $e->[1] >= $i + length $needle }
    return undef;
}

my $WAIT = 1.0;

# --- bytes before the body tag are not held while the upstream waits ----------
{
    my $head = '<!DOCTYPE html><html><head><title>early flush</title></head>';
    my $rest = '<body class="s"><p>after the wait</p></body></html>';
    $up->route('/flush', headers => ['Content-Type' => 'text/html'], length => 0,
        body => [$head, $rest], delay => $WAIT, head_delay => 0);
    my ($ev, $raw) = timed_get($t->port, '/off/flush');
    my $a_head = arrival($ev, $raw, '</head>');
    my $a_rest = arrival($ev, $raw, 'after the wait');
    ok defined $a_head && $a_head < $WAIT - 0.5,
        "the head reaches the client while the upstream waits (at ${\ sprintf '%.2f', $a_head // -1} s)";
    ok defined $a_rest && $a_rest >= $WAIT - 0.1, 'the rest after the wait';
    like $raw, qr{<body class="s"><link[^>]*><div class="se-banner}, 'banner right after the body tag';

    # the tag cut in the middle: the bytes up to the cut are not held either
    my $cut = '<!DOCTYPE html><html><head></head><BODY cla';
    my $end = 'ss="cut"><p>tail</p></body></html>';
    $up->route('/cut', headers => ['Content-Type' => 'text/html'], length => 0,
        body => [$cut, $end], delay => $WAIT, head_delay => 0);
    ($ev, $raw) = timed_get($t->port, '/off/cut');
    my $a_cut = arrival($ev, $raw, '<BODY cla');
    ok defined $a_cut && $a_cut < $WAIT - 0.5,
        "a tag cut in the middle: the bytes before the cut are not held (at ${\ sprintf '%.2f', $a_cut // -1} s)";
    my (undef, undef, $cbody) = StatusEdge::Test::parse_response($raw, 'GET');
    like $cbody // '', qr{<BODY class="cut"><link[^>]*><div class="se-banner}, '... banner after the completed tag';

    # after the banner, later pieces stream on
    my $p1 = '<html><head></head><body><p>first</p>';
    my $p2 = '<p>second</p></body></html>';
    $up->route('/after', headers => ['Content-Type' => 'text/html'], length => 0,
        body => [$p1, $p2], delay => $WAIT, head_delay => 0);
    ($ev, $raw) = timed_get($t->port, '/off/after');
    my $a_banner = arrival($ev, $raw, '<p>first</p>');
    ok defined $a_banner && $a_banner < $WAIT - 0.5
        && index($raw, 'se-banner') < index($raw, '<p>first</p>'),
        "the banner and the first piece before the upstream's second write (at ${\ sprintf '%.2f', $a_banner // -1} s)";
    my $a2 = arrival($ev, $raw, '<p>second</p>');
    ok defined $a2 && $a2 >= $WAIT - 0.1, '... the second piece after it';

    # no body tag yet, a page streaming slowly for a while: nothing held
    $up->route('/slowhead', headers => ['Content-Type' => 'text/html'], length => 0,
        body => ['<html><head>', '<script>var a=1;</script>', '<title>x</title>', '</head><body>b</body></html>'],
        delay => 0.6, head_delay => 0);
    ($ev, $raw) = timed_get($t->port, '/off/slowhead');
    my $a_s = arrival($ev, $raw, '<script>var a=1;</script>');
    ok defined $a_s && $a_s < 1.0, "each piece passes as it comes (the 2nd at ${\ sprintf '%.2f', $a_s // -1} s)";
    like $raw, qr{<body><link[^>]*><div class="se-banner}, '... banner at the end';
}

# --- slow client, proxy_buffering on: the page goes through a temp file -------
{
    my $pad = '<!-- ' . ('h' x 40_000) . ' -->';
    my $head = "<!DOCTYPE html><html><head>$pad</head><body class=\"slow\">";
    my $page = $head . ('<p>' . ('b' x 96) . "</p>\n" x 3000) . '</body></html>';
    $up->route('/big', headers => ['Content-Type' => 'text/html'], body => [$page]);
    socket(my $s, Socket::PF_INET(), Socket::SOCK_STREAM(), 0) or die "socket: $!";
    setsockopt($s, SOL_SOCKET, SO_RCVBUF, 2048);
    connect($s, Socket::pack_sockaddr_in($slow_port, Socket::inet_aton('127.0.0.1')))
        or die "connect: $!";
    syswrite $s, "GET /big HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
    sleep 1.5;                                  # the upstream is done, nginx spools
    my $raw = '';
    my $sel = IO::Select->new($s);
    my $t0 = time;
    while (time - $t0 < 20) {
        next unless $sel->can_read(0.2);
        my $n = sysread($s, $raw, 65536, length $raw);
        last if !$n;
    }
    close $s;
    my ($st, $h, $body) = StatusEdge::Test::parse_response($raw, 'GET');
    my $ins = inserted_at($body, $page, length $head);
    ok defined $st && $st == 200 && defined $ins && banner_count($ins) == 1,
        'slow client, page spooled to a temp file: banner after the body tag, page intact'
        or diag "status " . ($st // '?') . ', ' . length($body // '') . ' of ' . length($page)
            . ' bytes, ' . banner_count($body) . ' banners';
    my $log = $t->log_text;
    ok $log =~ /an upstream response is buffered to a temporary file/,
        '(the response really went through a temporary file)';
}

# --- 128 MB with a banner: complete, in constant memory ----------------------------
{
    require Digest::MD5;
    my $chunk = join '', map { sprintf "<p>%07d streaming through</p>\n", $_ } 1 .. 2500;
    $chunk = substr($chunk, 0, 65536);
    my $n = 2048;                                           # 128 MiB
    my $head = '<!DOCTYPE html><html><head></head><body class="huge">';
    $up->route('/huge', headers => ['Content-Type' => 'text/html'], length => 0,
        body => [$head, { repeat => $chunk, times => $n }]);
    my $want = Digest::MD5->new;
    $want->add($chunk) for 1 .. $n;
    my $rss = sub {
        my $sum = 0;
        for my $w ($t->worker_pids) {
            open my $fh, '<', "/proc/$w/status" or next;
            while (<$fh>) { $sum += $1 if /^VmRSS:\s+(\d+)/ }
        }
        return $sum;                                        # KiB
    };
    for my $loc ('off', 'on') {
        my $before = $rss->();
        my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $t->port) or die;
        syswrite $s, "GET /$loc/huge HTTP/1.0\r\nHost: localhost\r\n\r\n";
        my ($buf, $total, $md5, $peak) = ('', 0, Digest::MD5->new, 0);
        my $sel = IO::Select->new($s);
        my $t0 = time;
        my $ok_head = 0;
        while (time - $t0 < 60) {
            next unless $sel->can_read(1);
            my $got = sysread($s, my $data, 262144);
            last if !$got;
            $total += $got;
            if (!$ok_head) {
                $buf .= $data;
                my $e = index($buf, "\r\n\r\n");
                my $end = $e >= 0 ? index($buf, '</a></div>', $e) : -1;
                next if $end < 0;
                my $body = substr($buf, $e + 4);
                my $bend = index($body, '</a></div>') + length '</a></div>';
                $ok_head = substr($body, 0, length $head) eq $head
                    && banner_count(substr($body, 0, $bend)) == 1 ? 1 : -1;
                $md5->add(substr($body, $bend));
                $buf = '';
                $peak = $rss->();
                next;
            }
            $md5->add($data);
            $peak = $rss->() if $total % (16 << 20) < $got;
        }
        close $s;
        my $after = $rss->();
        is $ok_head, 1, "$loc: 128 MB page: banner right after the body tag";
        is $md5->hexdigest, $want->clone->hexdigest, "$loc: 128 MB page: every byte after the banner intact";
        my $grow = ($peak > $after ? $peak : $after) - $before;
        ok $grow < 16 * 1024, "$loc: workers' memory while streaming grew by ${\ int($grow / 1024)} MB (< 16 MB)";
    }
}

# --- the client goes away mid-page ------------------------------------------------
{
    my $page = '<html><head></head><body>' . ('<p>gone</p>' x 100_000) . '</body></html>';
    $up->route('/gone', headers => ['Content-Type' => 'text/html'],
        body => [map { substr($page, $_ * 65536, 65536) } 0 .. int(length($page) / 65536)], delay => 0.01);
    for my $loc ('off', 'on') {
        my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $t->port) or die;
        syswrite $s, "GET /$loc/gone HTTP/1.1\r\nHost: localhost\r\n\r\n";
        my $buf;
        sysread $s, $buf, 4096;
        close $s;
    }
    sleep 0.5;
    my ($st, undef, $body) = $t->http(GET => '/off/flush');
    is $st, 200, 'clients that went away mid-page: nginx still serves';
}

# --- the upstream closes early ------------------------------------------------------
{
    my $head = '<html><head></head><body>';
    $up->route('/short', headers => ['Content-Type' => 'text/html', 'Content-Length' => 5000],
        length => 0, body => [$head . '<p>truncated']);
    for my $loc ('off', 'on') {
        my ($st, $h, $body) = $t->http(GET => "/$loc/short", timeout => 5);
        ok defined $body && index($body, '<p>truncated') > 0 && banner_count($body) <= 1,
            "$loc: upstream closes before Content-Length: what came is passed, at most one banner";
    }
}

# --- HTTP/1.0 client, keepalive, proxy_cache ----------------------------------------
{
    my $head = '<html><head></head><body class="k">';
    my $page = $head . '<p>keep</p></body></html>';
    $up->route('/k', headers => ['Content-Type' => 'text/html', ETag => '"k1"'], body => [$page]);

    my ($ev, $raw) = timed_get($t->port, '/keep/k', version => '1.0');
    my ($st, $h, $body) = StatusEdge::Test::parse_response($raw, 'GET');
    my $ins = inserted_at($body, $page, length $head);
    ok defined $st && $st == 200 && defined $ins && banner_count($ins) == 1 && !$h->{'transfer-encoding'},
        'HTTP/1.0 client: banner, body ends with the connection (no chunked)';

    # three requests on one connection
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $t->port) or die;
    my $req = "GET /keep/k HTTP/1.1\r\nHost: localhost\r\n\r\n";
    syswrite $s, $req x 2 . "GET /keep/k HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
    $raw = '';
    my $sel = IO::Select->new($s);
    my $t0 = time;
    while (time - $t0 < 10) {
        next unless $sel->can_read(0.2);
        my $n = sysread($s, $raw, 65536, length $raw);
        last if !$n;
    }
    my @bodies;
    while ($raw =~ s/\AHTTP\/1\.1 200[^\r]*\r\n((?:[^\r]+\r\n)*)\r\n//) {
        my $hdr = $1;
        my $b = '';
        if ($hdr =~ /^Content-Length:\s*(\d+)/mi) {
            push @bodies, substr($raw, 0, $1, '');
            next;
        }
        while ($raw =~ s/\A([0-9a-f]+)\r\n//i) {
            my $n = hex $1;
            $b .= substr($raw, 0, $n, '');
            $raw =~ s/\A\r\n//;
            last if !$n;
        }
        push @bodies, $b;
    }
    is scalar(grep { my $i = inserted_at($_, $page, length $head); defined $i && banner_count($i) == 1 } @bodies),
        3, 'keepalive: three pipelined requests, each with one banner';

    # cached response (served from a file by the cache): banner too
    my @got;
    for (1 .. 3) {
        my ($cs, $ch, $cb) = $t->http(GET => '/cached/k');
        my $ci = inserted_at($cb, $page, length $head);
        push @got, ($ch->{'x-cache'} // '-') . ':' . (defined $ci && banner_count($ci) == 1 ? 'banner' : 'no');
    }
    is "@got", 'MISS:banner HIT:banner HIT:banner', 'proxy_cache: MISS and HITs all with the banner';
}

$t->stop;
$up->stop;
done_testing;
