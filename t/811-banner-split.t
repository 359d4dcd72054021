#!/usr/bin/perl
# The opening <body ...> tag split at every position (issue 4):
#  - across TCP writes: a small page sent as two writes with a short delay
#    between them, split after each byte, through proxy_buffering off
#    (nginx passes each read on: the filter sees the split), a chunked
#    HTTP/1.1 upstream, and proxy_buffering on (there nginx gathers a
#    small page into one buffer, so this checks the result only);
#  - every byte in its own write;
#  - across nginx's buffers: proxy_buffering on with 64-byte proxy_buffers,
#    the tag moved by one byte at a time over more than a buffer, so it
#    lands at every offset of a buffer boundary, several buffers per call.
# Every answer is the page with one banner right after the body tag.

use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use StatusEdge::Upstream qw(banner_env banner_count inserted_at norm_ret
    http_parallel);

my ($t, $up, $v) = banner_env(locations => <<'EOF');
        location /off/ {
            proxy_pass http://UPSTREAM/;
            proxy_buffering off;
            status_edge_banner on;
        }
        location /on/ {
            proxy_pass http://UPSTREAM/;
            proxy_buffering on;
            status_edge_banner on;
        }
        location /chunked/ {
            proxy_pass http://UPSTREAM/;
            proxy_http_version 1.1;
            proxy_buffering off;
            status_edge_banner on;
        }
        location /tiny/ {
            proxy_pass http://UPSTREAM/;
            proxy_buffering on;
            proxy_buffer_size 1k;
            proxy_buffers 64 64;
            proxy_busy_buffers_size 1k;
            status_edge_banner on;
        }
EOF

my $head = qq{<!DOCTYPE html><html><head><title>Split</title></head>}
    . qq{<!-- <body> --><BODY class="a>b" id='main'>};
my $page = $head . qq{<p>Hi</p></body></html>};
my $pos = length $head;
my $len = length $page;

my %routes;
for my $k (1 .. $len - 1) {
    my @p = (substr($page, 0, $k), substr($page, $k));
    $routes{"/s/$k"} = { headers => ['Content-Type' => 'text/html'],
        body => \@p, delay => 0.03 };
    $routes{"/h/$k"} = { headers => ['Content-Type' => 'text/html'],
        body => \@p, delay => 0.03, head_with_body => 1 };
    $routes{"/c/$k"} = { headers => ['Content-Type' => 'text/html'],
        body => \@p, delay => 0.03, chunked => 1 };
}
# every byte its own write
$routes{'/bytes'} = { headers => ['Content-Type' => 'text/html'],
    body => [split //, $page], delay => 0.004 };
$routes{'/bytes-c'} = { %{ $routes{'/bytes'} }, chunked => 1 };
$up->routes(%routes);

my $ref;    # the banner of the first good answer, r= normalized
sub run_variant {
    my ($name, $prefix, $route) = @_;
    my @paths = map { "/$prefix/$route/$_" } 1 .. $len - 1;
    my @res = http_parallel($t->port, [map { [GET => $_] } @paths], batch => 40);
    my @bad;
    for my $k (1 .. $len - 1) {
        my ($st, $h, $body) = @{ $res[$k - 1] };
        my $ins = inserted_at($body, $page, $pos);
        if (!defined $st || $st != 200 || !defined $ins || banner_count($ins) != 1) {
            push @bad, "split $k: " . ($st // $h->{_error}) . ' ' . banner_count($body)
                . ' banners: ' . substr($body // '', 0, 300);
            next;
        }
        like $ins, qr{&amp;r=/\Q$prefix/$route/$k\E"}, "return path of $paths[$k - 1]"
            unless $k % 17;
        $ref //= norm_ret($ins);
        push @bad, "split $k: another banner: $ins" if norm_ret($ins) ne $ref;
    }
    ok !@bad, "$name: body tag split at each of " . ($len - 1) . ' positions: banner right after it'
        or diag join "\n", @bad[0 .. ($#bad > 9 ? 9 : $#bad)];
}

run_variant('proxy_buffering off', 'off', 's');
run_variant('proxy_buffering on', 'on', 's');
run_variant('proxy_buffering off, header and first piece in one write', 'off', 'h');
run_variant('chunked HTTP/1.1 upstream', 'chunked', 'c');

for my $p ('/off/bytes', '/on/bytes', '/chunked/bytes-c') {
    my ($st, $h, $body) = $t->http(GET => $p);
    my $ins = inserted_at($body, $page, $pos);
    ok $st == 200 && defined $ins && banner_count($ins) == 1,
        "$p: every byte its own write: banner right after the body tag"
        or diag substr($body // '', 0, 400);
}

# the body tag at every offset of nginx's 64-byte buffer boundaries; the
# first ~940 bytes fill what the 1k header buffer has left
{
    my (@paths, %pages);
    for my $n (0 .. 70) {
        my $bhead = '<html><head><!-- ' . ('x' x (1000 + $n)) . ' --></head><body class="straddle">';
        my $bpage = $bhead . ('<p>after</p>' x 40) . '</body></html>';
        $pages{$n} = [$bpage, length $bhead];
        $up->route("/b/$n", headers => ['Content-Type' => 'text/html'], body => [$bpage],
            delay => 0.02);
        push @paths, ["/tiny/b/$n", $n], ["/off/b/$n", $n];
    }
    my @res = http_parallel($t->port, [map { [GET => $_->[0]] } @paths]);
    my @bad;
    for my $i (0 .. $#paths) {
        my ($st, $h, $body) = @{ $res[$i] };
        my ($bpage, $bpos) = @{ $pages{ $paths[$i][1] } };
        my $ins = inserted_at($body, $bpage, $bpos);
        push @bad, "$paths[$i][0]: " . ($st // $h->{_error}) . ', ' . length($body // '')
            . ' bytes, ' . banner_count($body) . ' banners'
            unless defined $st && $st == 200 && defined $ins && banner_count($ins) == 1;
    }
    ok !@bad, '64-byte proxy_buffers, the body tag at every offset across buffer boundaries: banner, rest intact'
        or diag join "\n", @bad[0 .. ($#bad > 9 ? 9 : $#bad)];
}

$t->stop;
$up->stop;
done_testing;
