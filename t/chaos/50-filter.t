#!/usr/bin/perl
# The banner filter through real nginx (issue 12): an upstream that cuts
# every page at random points over many writes (Content-Length, closed
# connection or chunked framing; decoy <body>s in comments, scripts,
# styles and attribute values; pages with no body tag, or with it beyond
# the scan window; some not HTML), behind proxy_buffering on and off,
# gzip, proxy_cache and HTTP/1.1 to the upstream, fetched over HTTP/1.1
# (some by a client that reads one byte at a time through a small
# receive buffer) and HTTP/2.  Every page is compared byte for byte with
# the page the upstream sent with exactly the banner inserted where a
# browser's body tag ends (or untouched), and every Content-Length sent
# with the bytes that came.
#
# CHAOS_LONG=1: 100,000 pages; else CHAOS_PAGES or 3,000.  Run it with
# the ASan module (STATUS_EDGE_MODULE=build/asan/...) for the sanitizer.

use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use IO::Socket::INET;
use Socket qw(IPPROTO_TCP TCP_NODELAY SOL_SOCKET SO_RCVBUF);
use POSIX qw(WNOHANG);
use Time::HiRes qw(time sleep);
use File::Temp qw(tempdir);
use StatusEdge::Test qw(sample_state wait_until);
use StatusEdge::Upstream qw(gunzip_bytes have_curl_http2);

my $PAGES = $ENV{CHAOS_PAGES} || ($ENV{CHAOS_LONG} ? 100_000 : 3_000);
my $CLIENTS = 3;
my $WINDOW = 65536;

# --- the pages -----------------------------------------------------------
# random text to cut pages from: ASCII and UTF-8, no '<'
my $POOL = do {
    srand 12345;
    my @words = ('lorem', 'ipsum', "\x{c0}\x{b4}", "\xea\xb2\xb0\xec\xa0\x9c",
        "&amp;", '"quoted"', "'single'", 'a > b', "\n", "\t", 'body', 'BODY');
    my $s = '';
    $s .= $words[rand @words] . ' ' while length $s < 300_000;
    $s;
};

my @DECOYS = (
    '<!-- <body> -->', '<!--- <body> --->', '<script>var b = "<body>";</script>',
    '<script><!-- document.write("<body>") --></script>',
    '<style>/* <body> */ p { color: red }</style>',
    '<meta name="x" content="<body>">', '<title><body></title>',
    "<link rel=\"x\" href='<body>'>", '<![CDATA[<body>]]>', '<?x <body> ?>',
    '<noscript><body></noscript>',
);
my @BODIES = ('<body>', '<BODY>', '<body class="page">',
    "<Body data-a='>' id=b>", '<body data-x="a>b" >', "<body\n lang=en>",
    '<body/>');

# (page, framing, writes, content type, insertion offset or -1)
sub page_for {
    my ($seed) = @_;
    srand $seed;
    my $kind = rand;
    my $text = sub {
        my ($n) = @_;
        my $s = substr $POOL, int(rand(length($POOL) - $n - 1)), $n;
        return "<p>$s</p>\n";
    };
    my $size = int(exp(log(100) + rand(log(200_000) - log(100))));
    my $head = '<!DOCTYPE html><html><head><title>t</title>';
    $head .= $DECOYS[rand @DECOYS] for 1 .. int rand 4;
    $head .= '</head>';
    my ($page, $pos);
    if ($kind < 0.05) {                       # no body tag at all
        $page = "<html><p>no body</p>" . $text->($size) . '</html>';
        $pos = -1;
    } elsif ($kind < 0.08) {                  # the tag beyond the window
        $page = $head . '<!--' . ('x' x ($WINDOW + 10)) . '-->'
            . '<body>' . $text->($size);
        $pos = -1;
    } else {
        my $body = $BODIES[rand @BODIES];
        $page = $head . $body;
        $pos = length $page;
        $page .= $text->($size) . '</body></html>';
    }
    my $type = rand() < 0.05 ? 'text/plain' : 'text/html; charset=utf-8';
    $pos = -1 if $type eq 'text/plain';
    my $r = rand;
    my $framing = $r < 0.6 ? 'length' : $r < 0.9 ? 'close' : 'chunked';
    # cut points: 1 to 40 writes at random offsets
    my @cuts = sort { $a <=> $b } map { int rand length $page } 1 .. int(rand 40);
    my @pieces;
    my $at = 0;
    for my $c (@cuts, length $page) {
        next if $c <= $at;
        push @pieces, substr $page, $at, $c - $at;
        $at = $c;
    }
    return { page => $page, pos => $pos, type => $type, framing => $framing,
             pieces => \@pieces, delay => rand() < 0.3 };
}

# --- the upstream: pre-forked, each page cut as page_for says --------------
my $t = StatusEdge::Test->new(workers => 2);
my $listen = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0,
    Listen => 128, ReuseAddr => 1) or die "listen: $!";
my $UP = $listen->sockport;
my @up;
for (1 .. 4) {
    my $pid = fork // die "fork: $!";
    if (!$pid) { serve(); POSIX::_exit(0) }
    push @up, $pid;
}
close $listen;

sub serve {
    $SIG{TERM} = sub { POSIX::_exit(0) };
    while (my $c = $listen->accept) {
        setsockopt $c, IPPROTO_TCP, TCP_NODELAY, 1;
        my $req = '';
        while ($req !~ /\r\n\r\n/) {
            my $n = sysread $c, $req, 4096, length $req;
            last unless $n;
        }
        my ($path, $ver) = $req =~ m{^GET (\S+) HTTP/(1\.\d)} or do { close $c; next };
        my ($seed) = $path =~ m{/p/(\d+)} or do { close $c; next };
        my $p = page_for($seed);
        my $framing = $p->{framing};
        $framing = 'close' if $framing eq 'chunked' && $ver ne '1.1';
        my $h = "HTTP/1.1 200 OK\r\nContent-Type: $p->{type}\r\n"
            . "ETag: \"p$seed\"\r\nLast-Modified: Mon, 30 Nov 2026 10:00:00 GMT\r\n"
            . ($path =~ m{^/cache/} ? "Cache-Control: max-age=600\r\n" : '')
            . ($framing eq 'length' ? 'Content-Length: ' . length($p->{page}) . "\r\n" : '')
            . ($framing eq 'chunked' ? "Transfer-Encoding: chunked\r\n" : '')
            . "Connection: close\r\n\r\n";
        syswrite $c, $h;
        for my $piece (@{ $p->{pieces} }) {
            my $out = $framing eq 'chunked'
                ? sprintf("%x\r\n%s\r\n", length $piece, $piece) : $piece;
            while (length $out) {
                my $n = syswrite $c, $out;
                last unless defined $n;
                substr($out, 0, $n) = '';
            }
            sleep 0.0005 if $p->{delay};
        }
        syswrite $c, "0\r\n\r\n" if $framing eq 'chunked';
        close $c;
    }
}

# --- nginx ------------------------------------------------------------------
$t->start_redis;
my $S = sample_state();
my $v = $t->write_state($S);
my $prefix = $t->prefix;
mkdir "$prefix/cache";
my $h2 = have_curl_http2();
if ($h2) {
    system("openssl req -x509 -newkey rsa:2048 -nodes -keyout $prefix/key.pem"
        . " -out $prefix/cert.pem -days 2 -subj /CN=localhost 2>/dev/null") == 0
        or die 'openssl: no certificate';
}
my $H2PORT = $t->port('h2');
my $locations = <<"EOF";
        location /buf/ {
            proxy_pass http://127.0.0.1:$UP;
            status_edge_banner on;
        }
        location /nobuf/ {
            proxy_pass http://127.0.0.1:$UP;
            proxy_buffering off;
            status_edge_banner on;
        }
        location /gz/ {
            proxy_pass http://127.0.0.1:$UP;
            status_edge_banner on;
            gzip on;
            gzip_min_length 1;
        }
        location /cache/ {
            proxy_pass http://127.0.0.1:$UP;
            proxy_cache pages;
            proxy_cache_valid 200 10m;
            status_edge_banner on;
        }
        location /h11/ {
            proxy_pass http://127.0.0.1:$UP;
            proxy_http_version 1.1;
            proxy_buffer_size 1k;
            proxy_buffers 4 1k;
            status_edge_banner on;
        }
        location = /status-edge/dismiss {
            status_edge_dismiss;
        }
EOF
my $servers = $t->server_conf(extra => $locations);
(my $h2server = $servers) =~ s/listen 127\.0\.0\.1:\d+;/listen 127.0.0.1:$H2PORT ssl http2;
        ssl_certificate $prefix\/cert.pem;
        ssl_certificate_key $prefix\/key.pem;/;
$t->start_nginx(
    http_extra => "    proxy_cache_path $prefix/cache keys_zone=pages:4m;\n",
    servers => $servers . ($h2 ? $h2server : ''));
ok $t->wait_version($v), "state $v loaded";

my @LOCS = qw(buf nobuf gz cache h11);

# the banner, with the dismissal's return path made the same everywhere
sub norm { my ($s) = @_; $s =~ s/(&amp;r=)[^"]*"/$1R"/g; $s }

# a whole response read to the end: (status, \%headers, body, error)
sub fetch {
    my ($path, %o) = @_;
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
        PeerPort => $t->port, Timeout => 10) or return (0, {}, '', "connect: $!");
    setsockopt $s, SOL_SOCKET, SO_RCVBUF, 2048 if $o{slow};
    my $ae = $o{gzip} ? "Accept-Encoding: gzip\r\n" : '';
    syswrite $s, "GET $path HTTP/1.1\r\nHost: localhost\r\n${ae}Connection: close\r\n\r\n";
    my $raw = '';
    my $deadline = time + 30;
    while (1) {
        my $n = sysread $s, $raw, $o{slow} ? 1 : 65536, length $raw;
        last unless $n;
        return (0, {}, '', 'timeout') if time > $deadline;
    }
    close $s;
    my $i = index $raw, "\r\n\r\n";
    return (0, {}, '', 'no header') if $i < 0;
    my ($status_line, @lines) = split /\r\n/, substr($raw, 0, $i);
    my ($st) = $status_line =~ m{^HTTP/1\.1 (\d+)};
    my %h;
    for (@lines) { my ($k, $v) = /^([^:]+):\s*(.*)$/ or next; $h{lc $k} = $v }
    my $body = substr $raw, $i + 4;
    if (($h{'transfer-encoding'} // '') =~ /chunked/) {
        my $out = '';
        while (1) {
            $body =~ s/^([0-9a-fA-F]+)\r\n// or return ($st, \%h, $out, 'bad chunk');
            my $n = hex $1;
            if ($n == 0) {
                return ($st, \%h, $out, $body eq "\r\n" ? undef : 'bytes after the last chunk');
            }
            return ($st, \%h, $out, 'short chunk') if length($body) < $n + 2;
            $out .= substr $body, 0, $n;
            return ($st, \%h, $out, 'chunk without CRLF') if substr($body, $n, 2) ne "\r\n";
            substr($body, 0, $n + 2) = '';
        }
    }
    if (defined $h{'content-length'} && $h{'content-length'} != length $body) {
        return ($st, \%h, $body, "Content-Length $h{'content-length'}, "
            . length($body) . ' bytes sent');
    }
    return ($st, \%h, $body, undef);
}

sub _show { my ($s) = @_; $s =~ s/([^\x20-\x7e])/sprintf '\\x%02x', ord $1/ge; "\"$s\"" }

# '' when the answer is right, else what is wrong
my $BANNER;
sub check {
    my ($seed, $st, $h, $body, $err, $loc) = @_;
    return "error: $err" if $err;
    return "status $st" unless ($st // 0) == 200;
    if (($h->{'content-encoding'} // '') eq 'gzip') {
        $body = gunzip_bytes($body);
        return 'bad gzip' unless defined $body;
    }
    my $p = page_for($seed);
    if ($p->{pos} < 0) {
        return $body eq $p->{page} ? '' : 'a page with no banner changed';
    }
    my $page = $p->{page};
    my $rest = length($page) - $p->{pos};
    return 'too short (' . length($body) . ' of at least ' . length($page) . ')'
        if length $body < length $page;
    if (substr($body, 0, $p->{pos}) ne substr($page, 0, $p->{pos})) {
        my $i = 0;
        $i++ while substr($body, $i, 1) eq substr($page, $i, 1);
        return "the bytes before the banner differ at $i of $p->{pos}: "
            . _show(substr $page, $i - 40 < 0 ? 0 : $i - 40, 80) . ' became '
            . _show(substr $body, $i - 40 < 0 ? 0 : $i - 40, 80);
    }
    return 'the bytes after the banner differ'
        if $rest && substr($body, -$rest) ne substr($page, $p->{pos});
    my $ins = norm(substr $body, $p->{pos}, length($body) - length($page));
    $BANNER //= $ins;
    return 'no banner' if $ins eq '';
    return 'another banner: ' . substr($ins, 0, 80) if $ins ne $BANNER;
    return '';
}

# --- HTTP/1.1 clients ------------------------------------------------------
my $dir = tempdir('se-filter-XXXXXX', TMPDIR => 1, CLEANUP => 1);
my $h2share = $h2 ? int($PAGES / 10) : 0;
my $h1pages = $PAGES - $h2share;
my $started = time;
my @kids;
for my $k (0 .. $CLIENTS - 1) {
    my $pid = fork // die "fork: $!";
    if (!$pid) {
        open my $out, '>', "$dir/client$k" or POSIX::_exit(1);
        my ($n, $bad, $slow) = (0, 0, 0);
        my $deadline = time + ($ENV{CHAOS_LONG} ? 3000 : 300);
        for (my $i = $k; $i < $h1pages; $i += $CLIENTS) {
            last if time > $deadline;
            my $loc = $LOCS[$i % @LOCS];
            # the cache: a few hundred pages asked for again and again
            my $seed = $loc eq 'cache' ? 1_000_000 + $i % 300 : $i;
            my $is_slow = $i % 97 == 0;
            $slow++ if $is_slow;
            my @r = fetch("/$loc/p/$seed", gzip => $loc eq 'gz', slow => $is_slow);
            my $why = check($seed, @r, $loc);
            $n++;
            if ($why ne '') {
                $bad++;
                print $out "BAD /$loc/p/$seed: $why\n" if $bad <= 20;
            }
        }
        print $out "DONE $n $bad $slow\n";
        close $out;
        POSIX::_exit(0);
    }
    push @kids, $pid;
}

# --- HTTP/2, by curl: many streams on one connection -----------------------
my ($h2n, $h2bad, @h2why) = (0, 0);
if ($h2) {
    my $batch = 200;
    for (my $i = 0; $i < $h2share; $i += $batch) {
        my @urls;
        for my $j ($i .. ($i + $batch - 1 < $h2share ? $i + $batch - 1 : $h2share - 1)) {
            my $loc = $LOCS[$j % @LOCS];
            push @urls, [$loc, 2_000_000 + $j];
        }
        # over TLS: curl 7.88 reuses no h2c (prior knowledge) connection
        my @cmd = ($h2, '-sk', '--no-progress-meter', '--http2', '--parallel',
            '--parallel-max', '20', '--max-time', '60', '-H', 'Accept-Encoding: gzip',
            '-w', '%{urlnum} %{http_code} %{size_download} %header{content-length}|%header{content-encoding}|%{errormsg}\n');
        for my $k (0 .. $#urls) {
            push @cmd, '-o', "$dir/h2.$k", "https://127.0.0.1:$H2PORT/$urls[$k][0]/p/$urls[$k][1]";
        }
        open my $fh, '-|', @cmd or die "curl: $!";
        my %seen;
        while (my $line = <$fh>) {
            my ($k, $code, $size, $cl, $ce, $cerr) = $line =~ /^(\d+) (\d+) (\d+) ([^|]*)\|([^|]*)\|(.*)$/
                or do { diag "curl: $line"; next };
            $seen{$k} = 1;
            my ($loc, $seed) = @{ $urls[$k] };
            $h2n++;
            open my $b, '<:raw', "$dir/h2.$k" or do {
                $h2bad++;
                push @h2why, "h2 /$loc/p/$seed: $code, $cerr" if @h2why < 20;
                next;
            };
            local $/;
            my $body = <$b> // '';
            close $b;
            unlink "$dir/h2.$k";
            my $err = $cl ne '' && $cl != $size ? "Content-Length $cl, $size bytes sent" : undef;
            my $why = check($seed, $code, { 'content-encoding' => $ce }, $body, $err, $loc);
            if ($why ne '') { $h2bad++; push @h2why, "h2 /$loc/p/$seed: $why" if @h2why < 20 }
        }
        close $fh;
        for my $k (0 .. $#urls) {
            next if $seen{$k};
            $h2n++; $h2bad++;
            push @h2why, "h2 /$urls[$k][0]/p/$urls[$k][1]: no answer" if @h2why < 20;
        }
    }
}

my ($n, $bad, $slow, @why) = (0, 0, 0);
for my $k (0 .. $#kids) {
    waitpid $kids[$k], 0;
    open my $fh, '<', "$dir/client$k" or next;
    while (<$fh>) {
        if (/^DONE (\d+) (\d+) (\d+)/) { $n += $1; $bad += $2; $slow += $3 }
        elsif (/^BAD (.*)/) { push @why, $1 }
    }
}
my $secs = time - $started;

is $n, $h1pages, "HTTP/1.1: $h1pages pages fetched";
is $bad, 0, "HTTP/1.1: 0 mismatches or wrong Content-Length in $n pages ($slow read a byte at a time)"
    or diag join "\n", @why;
SKIP: {
    skip 'curl without HTTP/2', 2 unless $h2;
    is $h2n, $h2share, "HTTP/2: $h2share pages fetched";
    is $h2bad, 0, "HTTP/2: 0 mismatches or wrong Content-Length in $h2n pages"
        or diag join "\n", @h2why;
}
note sprintf '%d pages in %.1f s (%.0f pages/s)', $n + $h2n, $secs,
    ($n + $h2n) / ($secs || 1);

kill 'TERM', @up;
waitpid $_, 0 for @up;
$t->stop(allow => qr/the "listen \.\.\. http2" directive is deprecated/);
done_testing;
