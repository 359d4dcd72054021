#!/usr/bin/perl
# The insertion point kept per location (se_scan_memo_t, issue 4): a page
# that begins with the same bytes as the last one scanned up to its body
# tag gets the banner at the same place without a scan; a page that
# shares only its first steps of 512 bytes is scanned from there; any
# other page, or a first piece shorter than the kept bytes, is scanned.
# Pages that share longer and shorter prefixes with the kept
# one are requested in turn, several rounds, sequentially and in
# parallel: each gets one banner right after its own body tag (or none).

use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use StatusEdge::Upstream qw(banner_env banner_count inserted_at
    http_parallel);

my ($t, $up, $v) = banner_env(locations => <<'EOF');
        location /m/ {
            proxy_pass http://UPSTREAM/;
            proxy_buffering on;
            status_edge_banner on;
        }
        location /split/ {
            proxy_pass http://UPSTREAM/;
            proxy_buffering off;
            status_edge_banner on;
        }
        location /small/ {
            proxy_pass http://UPSTREAM/;
            proxy_buffering on;
            status_edge_banner on;
            status_edge_banner_window 40;
        }
EOF

my $h = '<!DOCTYPE html><html><head><title>Memo</title></head>';

# name => [page, insertion offset or undef]
my %pages = (
    same       => ["$h<body>", '<p>one</p></body></html>'],
    other_tail => ["$h<body>", '<p>two, longer</p>' x 20 . '</body></html>'],
    attrs      => ["$h<body class=\"b\">", '<p>b</p>'],
    bodyx      => ["$h<bodyx><body id=x>", '<p>x</p>'],
    comment    => ["$h<!-- <body> --><body>", '<p>c</p>'],
    quoted     => ["<!DOCTYPE html><html><head><title a=\"Memo</title></head><body>\">"
                   . '</title></head><body>', '<p>q</p>'],
    upper      => ["$h<BODY>", '<p>u</p>'],
    shorter    => [undef, "$h<body"],
    prefix     => [undef, "$h<bod"],
    none       => [undef, "$h<p>no body tag</p>"],
    script     => ["$h<script><body></script><body>", '<p>s</p>'],
);

# heads of ~1.5 KB that share their first steps of 512 bytes and differ
# after 1 KB, as a per-request token would
my $long = '<!DOCTYPE html><html><head>'
    . join('', map { qq{<meta name="m$_" content='a>b'><!-- <body> -->\n} } 1 .. 22);
$pages{long_a} = ["$long<meta name=csrf content=\"aaaa\"></head><body>", '<p>a</p>'];
$pages{long_b} = ["$long<meta name=csrf content=\"bbbb\"></head><body id=b>", '<p>b</p>'];
$pages{long_q} = [undef, "$long<meta name=csrf content=\"c></head><body>"];
$pages{long_s} = ["$long<script>\"<body>\"</script></head><body class=s>", '<p>s</p>'];
(my $early = $long) =~ s/m1"/x1"/;
(my $raw = $long) =~ s/<meta/<xmp><meta/;     # all raw text from there
$pages{long_raw} = [undef, "$raw<meta name=csrf content=\"aaaa\"></head><body>"];
$pages{long_early} = ["$early<meta name=csrf content=\"aaaa\"></head><body>", '<p>e</p>'];

my %routes;
for my $name (keys %pages) {
    my ($head, $tail) = @{ $pages{$name} };
    my $page = ($head // '') . $tail;
    $routes{"/$name"} = { headers => ['Content-Type' => 'text/html'], body => [$page] };
    # the first piece ends before the kept insertion point
    $routes{"/split-$name"} = { headers => ['Content-Type' => 'text/html'],
        body => [substr($page, 0, 20), substr($page, 20)], delay => 0.02 };
}
$up->routes(%routes);

sub check {
    my ($what, $name, $st, $body) = @_;
    my ($head) = @{ $pages{$name} };
    ok good($name, $st, $body), defined $head
        ? "$what: $name: one banner right after its body tag"
        : "$what: $name: no body tag, page unchanged"
        or diag substr($body // '', 0, 400);
}

sub good {
    my ($name, $st, $body) = @_;
    my ($head, $tail) = @{ $pages{$name} };
    my $page = ($head // '') . $tail;
    return 0 unless defined $st && $st == 200 && defined $body;
    return $body eq $page unless defined $head;
    my $ins = inserted_at($body, $page, length $head);
    return defined $ins && banner_count($ins) == 1;
}

my @order = qw(same other_tail attrs same bodyx same comment quoted same upper
    shorter same prefix none same script other_tail same
    long_a long_b long_a long_q long_a long_s long_early long_a long_b same
    long_b long_raw long_a long_raw);

for my $round (1 .. 2) {
    for my $name (@order) {
        my ($st, $hd, $body) = $t->http(GET => "/m/$name");
        check("round $round", $name, $st, $body);
    }
}

# a first piece shorter than the kept answer: scanned across the pieces
$t->http(GET => '/split/same');
for my $name (qw(same attrs shorter bodyx same long_a long_b long_q)) {
    my ($st, $hd, $body) = $t->http(GET => "/split/split-$name");
    check('first piece of 20 bytes', $name, $st, $body);
}

# in parallel, all workers, every page
{
    my @paths = map { my $n = $_; map { "/m/$n" } 1 .. 3 } sort keys %pages;
    my @res = http_parallel($t->port, [map { [GET => $_] } @paths], batch => 20);
    my @bad;
    for my $i (0 .. $#paths) {
        my ($name) = $paths[$i] =~ m{/m/(.*)};
        my ($st, $hd, $body) = @{ $res[$i] };
        push @bad, "$paths[$i]: " . ($st // $hd->{_error})
            unless good($name, $st, $body);
    }
    ok !@bad, scalar(@paths) . ' parallel requests, every page right'
        or diag join "\n", @bad;
}

# a window shorter than the kept answer of another location: its own memo
{
    my ($st, $hd, $body) = $t->http(GET => '/small/same');
    my $page = join '', @{ $pages{same} };
    ok $st == 200 && $body eq $page,
        'window 40 < body tag at ' . length($pages{same}[0]) . ': declined, page unchanged'
        or diag substr($body // '', 0, 300);
    ($st, $hd, $body) = $t->http(GET => '/m/same');
    check('after the small window', 'same', $st, $body);
}

$t->stop;
$up->stop;
done_testing;
