#!/usr/bin/perl
#
# make bench, part "origin": what the banner costs the origin.  A browsing
# mix is played against one nginx twice, through a location without an
# incident and through one with an active incident (a banner on every
# page), and the origin's side is counted from nginx's own log
# ($upstream_status, $upstream_bytes_received): requests that reached the
# origin, its 304s, and the bytes it sent (headers and bodies).
#
# The mix: three clients, each with a cache of its own (the ETag and
# Last-Modified of every 200 it got, sent back as If-None-Match and
# If-Modified-Since, as browsers do), visit 8 HTML pages of 20 KB, one
# HTML fragment without <body>, a stylesheet, a script and an image, once
# cold and then BENCH_ORIGIN_VISITS (5) times again, the origin's files
# unchanged:
#   - a current browser: Sec-Fetch-Dest on every request, gzip;
#   - an older browser without Sec-Fetch-Dest (Safari before 16.4): a
#     navigation's Accept for pages, text/css,*/*;q=0.1 for the
#     stylesheet, */* for the script, image/*,*/*;q=0.5 for the image,
#     gzip;
#   - curl: Accept */*, no gzip.
# The origin (t/lib/StatusEdge/Upstream.pm) answers 304 to a matching
# validator and gzips when asked.  Every page with the banner is checked
# to carry it once, every other answer to be the origin's bytes.
#
# Loopback only; a bounded number of requests (3 clients x 12 resources x
# (1 + visits) x 2 locations); private redis-server, nginx and origin on
# free ports, stopped at the end.  Environment: STATUS_EDGE_NGINX,
# STATUS_EDGE_MODULE (as for the tests), BENCH_ORIGIN_VISITS (1..20).
# Prints a table; exits non-zero only when a check fails or it could not
# measure.

use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More ();
use StatusEdge::Upstream qw(banner_env banner_count gunzip_bytes);

# the harness's own checks (nginx's exit, its error.log) are counted here
Test::More->builder->no_ending(1);

my $VISITS = $ENV{BENCH_ORIGIN_VISITS} // 5;
die "BENCH_ORIGIN_VISITS: 1 to 20\n" unless $VISITS =~ /\A\d+\z/ && $VISITS >= 1 && $VISITS <= 20;

my ($t, $up, $v) = banner_env(
    http_extra => "    log_format origin '\$uri \$upstream_status \$upstream_bytes_received';\n"
        . "    gzip on;\n    gzip_types text/css application/javascript;\n",
    locations => <<'EOF');
        location /incident/ {
            proxy_pass http://UPSTREAM/;
            status_edge_banner on;
            access_log origin-incident.log origin;
        }
        location /quiet/ {
            status_edge_page quiet:;
            proxy_pass http://UPSTREAM/;
            status_edge_banner on;
            access_log origin-quiet.log origin;
        }
EOF

# --- the origin's files -----------------------------------------------------
my $LM = 'Sat, 01 Nov 2025 10:00:00 GMT';
my %page;
my @res;
for my $i (1 .. 8) {
    my $head = "<!DOCTYPE html><html><head><title>Page $i</title>"
        . '<link rel="stylesheet" href="/site.css"></head><body>';
    my $body = join '', map { "<p>Page $i, paragraph $_: some text of the site, the same each visit.</p>\n" }
        1 .. 280;
    my $html = substr($head . $body, 0, 20_000) . "</body></html>\n";
    $page{"/p$i.html"} = $html;
    $up->route("/p$i.html", headers => ['Content-Type' => 'text/html; charset=utf-8',
        ETag => qq{"p$i-v1"}, 'Last-Modified' => $LM, 'Cache-Control' => 'no-cache'],
        body => [$html], conditional => 1, gzip => 'accept');
    push @res, ["/p$i.html", 'document'];
}
my $frag = '<div class="frag">' . ('<span>fragment</span>' x 200) . "</div>\n";
$page{'/frag.html'} = $frag;
$up->route('/frag.html', headers => ['Content-Type' => 'text/html', ETag => '"f-v1"',
    'Last-Modified' => $LM, 'Cache-Control' => 'no-cache'],
    body => [$frag], conditional => 1, gzip => 'accept');
push @res, ['/frag.html', 'document'];
my %asset = (
    '/site.css' => ['text/css', 'style',
        join('', map { ".c$_ { color: #333; margin: ${_}px }\n" } 1 .. 400)],
    '/app.js'   => ['application/javascript', 'script',
        join('', map { "function f$_() { return $_; }\n" } 1 .. 400)],
    '/logo.png' => ['image/png', 'image',
        "\x89PNG\r\n\x1a\n" . join('', map { pack('N', $_ * 2654435761 % 2**32) } 1 .. 2000)],
);
for my $path (sort keys %asset) {
    my ($type, $dest, $bytes) = @{ $asset{$path} };
    $page{$path} = $bytes;
    $up->route($path, headers => ['Content-Type' => $type, ETag => '"a' . substr($path, 1) . '-v1"',
        'Last-Modified' => $LM, 'Cache-Control' => 'no-cache'],
        body => [$bytes], conditional => 1, $type =~ /image/ ? () : (gzip => 'accept'));
    push @res, [$path, $dest];
}

my %accept = (
    document => 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
    style    => 'text/css,*/*;q=0.1',
    script   => '*/*',
    image    => 'image/webp,image/png,image/*;q=0.8,*/*;q=0.5',
);

sub client_headers {
    my ($client, $dest) = @_;
    return ('Accept' => '*/*') if $client eq 'curl';
    my @h = ('Accept' => $accept{$dest}, 'Accept-Encoding' => 'gzip, deflate, br');
    push @h, 'Sec-Fetch-Dest' => $dest if $client eq 'browser';
    return @h;
}

# --- the mix ------------------------------------------------------------------
my @failures;
my %client;    # per location: 304s and bytes the clients got

sub play {
    my ($loc) = @_;
    my $banner = $loc eq 'incident';
    for my $client (qw(browser older-browser curl)) {
        my %cache;
        for my $visit (0 .. $VISITS) {
            for my $r (@res) {
                my ($path, $dest) = @$r;
                my @h = client_headers($client, $dest);
                if (my $c = $cache{$path}) {
                    push @h, 'If-None-Match' => $c->{etag} if defined $c->{etag};
                    push @h, 'If-Modified-Since' => $c->{lm} if defined $c->{lm};
                }
                my ($st, $hh, $body) = $t->http(GET => "/$loc$path", headers => \@h);
                my $what = "$loc $client visit $visit $path";
                if (!defined $st) {
                    push @failures, "$what: $hh->{_error}";
                    next;
                }
                $client{$loc}{requests}++;
                if ($st == 304) {
                    $client{$loc}{304}++;
                    push @failures, "$what: 304 without a cached copy" unless $cache{$path};
                    $cache{$path}{etag} = $hh->{etag} if defined $hh->{etag};
                    next;
                }
                if ($st != 200) {
                    push @failures, "$what: status $st";
                    next;
                }
                $client{$loc}{bytes} += length $body;
                $body = gunzip_bytes($body) // '' if ($hh->{'content-encoding'} // '') eq 'gzip';
                my $want_banner = $banner && $path =~ /\A\/p\d/
                    && !($client eq 'browser' && $dest ne 'document');
                if ($want_banner) {
                    push @failures, "$what: " . banner_count($body) . ' banners'
                        unless banner_count($body) == 1;
                } elsif ($body ne $page{$path}) {
                    push @failures, "$what: not the origin's bytes";
                }
                $cache{$path} = { etag => $hh->{etag}, lm => $hh->{'last-modified'} };
            }
        }
    }
}

play('quiet');
play('incident');
$t->stop;
$up->stop;
push @failures, 'nginx: an alert or crit in error.log, or no clean exit'
    unless Test::More->builder->is_passing;

# --- the origin's side, from nginx's log ---------------------------------------
my %origin;
for my $loc (qw(quiet incident)) {
    my $file = $t->prefix . "/origin-$loc.log";
    open my $fh, '<', $file or die "origin bench: $file: $!\n";
    while (<$fh>) {
        my (undef, $status, $bytes) = split ' ';
        next if !defined $status || $status eq '-';
        $origin{$loc}{requests}++;
        $origin{$loc}{304}++ if $status eq '304';
        $origin{$loc}{bytes} += $bytes if $bytes =~ /\A\d+\z/;
    }
}

my $n = 3 * @res * ($VISITS + 1);
printf "origin: a browsing mix of %d requests (3 clients, %d resources, 1 + %d visits)\n",
    $n, scalar @res, $VISITS;
printf "  %-20s %9s %9s %12s   %11s %12s\n", '', 'origin', 'origin', 'origin',
    'client', 'client';
printf "  %-20s %9s %9s %12s   %11s %12s\n", 'location', 'requests', '304s', 'bytes',
    '304s', 'bytes';
for my $loc (qw(quiet incident)) {
    printf "  %-20s %9d %9d %12d   %11d %12d\n",
        $loc eq 'quiet' ? 'no incident' : 'incident (banner)',
        $origin{$loc}{requests} // 0, $origin{$loc}{304} // 0, $origin{$loc}{bytes} // 0,
        $client{$loc}{304} // 0, $client{$loc}{bytes} // 0;
}
my ($q, $i) = map { $origin{$_}{bytes} || 0 } qw(quiet incident);
printf "  origin bytes, incident / no incident: %.2f\n", $q ? $i / $q : 0;

if (@failures) {
    print "origin: FAILED checks:\n", map { "  $_\n" } @failures[0 .. ($#failures > 9 ? 9 : $#failures)];
    exit 1;
}
print "origin: every answer checked (banner once on pages, the origin's bytes elsewhere)\n";
exit 0;
