#!/usr/bin/perl
# status_edge_widget (issue 5): the widget script built into the module
# (src/asset/se_widget_asset.c), served byte for byte with its type, a
# strong ETag from its content hash (304 on If-None-Match, weak through
# gzip), Cache-Control from status_edge_widget_max_age, CORS, HEAD, 405;
# compressed by nginx's gzip filter under 6 KB; served with Redis down;
# and the committed asset equals a fresh build of widget/src.

use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Digest::SHA qw(sha256_hex);
use IO::Uncompress::Gunzip qw(gunzip $GunzipError);
use StatusEdge::Test qw(sample_state);

my $ROOT = "$FindBin::Bin/..";

# the bytes of the committed asset, read from the C source
sub asset_bytes {
    open my $fh, '<', "$ROOT/src/asset/se_widget_asset.c" or die "asset: $!";
    local $/;
    my $c = <$fh>;
    my ($array) = $c =~ /se_widget_js\[\] = \{(.*?)\};/s or die 'no array';
    my ($len) = $c =~ /se_widget_js_len = (\d+);/ or die 'no length';
    my $bytes = join '', map { chr hex } $array =~ /0x([0-9a-f]{2})/g;
    die "length $len != " . length $bytes unless $len == length $bytes;
    return $bytes;
}

my $js = asset_bytes();
my $etag = '"sew-' . substr(sha256_hex($js), 0, 16) . '"';

my $t = StatusEdge::Test->new;
$t->start_redis;
$t->write_state(sample_state());
$t->start_nginx(
    servers => $t->server_conf(extra => <<'EOF')
        location = /status-edge/widget.js {
            status_edge_widget;
        }
        location = /short/widget.js {
            status_edge_widget;
            status_edge_widget_max_age 1h;
        }
        location = /gz/widget.js {
            status_edge_widget;
            gzip on;
            gzip_types text/javascript;
            gzip_comp_level 6;
            gzip_min_length 0;
        }
EOF
);

my ($st, $h, $body) = $t->http(GET => '/status-edge/widget.js');
is($st, 200, 'GET: 200');
is($h->{'content-type'}, 'text/javascript; charset=utf-8', 'JavaScript type');
ok($body eq $js, 'the body is the committed asset, byte for byte')
    or diag('got ' . length($body // '') . ' bytes, want ' . length $js);
is($h->{'content-length'}, length $js, 'Content-Length');
is($h->{etag}, $etag, 'strong ETag from the SHA-256 of the bytes');
is($h->{'cache-control'}, 'public, max-age=86400', 'a day of caching');
is($h->{'access-control-allow-origin'}, '*', 'CORS: any origin');
is($h->{'x-content-type-options'}, 'nosniff', 'nosniff');
ok(!exists $h->{'last-modified'}, 'no Last-Modified');
ok(!exists $h->{'content-encoding'}, 'identity without gzip configured');
like($body, qr/\A\(\(\)=>\{"use strict";/, 'minified widget source');
unlike($body, qr/[^\x09\x0a\x0d\x20-\x7e]/, 'ASCII only (ko text escaped)');

($st, $h, $body) = $t->http(GET => '/status-edge/widget.js',
    headers => ['If-None-Match' => $etag]);
is($st, 304, 'If-None-Match with the ETag: 304');
is($body, '', '304: no body');
is($h->{etag}, $etag, '304: ETag');

($st) = $t->http(GET => '/status-edge/widget.js',
    headers => ['If-None-Match' => qq{"other", W/$etag}]);
is($st, 304, 'If-None-Match list with the weak form: 304');

($st, $h) = $t->http(GET => '/status-edge/widget.js',
    headers => ['If-None-Match' => '"sew-0000000000000000"',
                'If-Modified-Since' => 'Sat, 01 Jan 2000 00:00:00 GMT']);
is($st, 200, 'another ETag: 200 (the date is ignored)');

($st, $h, $body) = $t->http(HEAD => '/status-edge/widget.js');
is($st, 200, 'HEAD: 200');
is($body, '', 'HEAD: no body');
is($h->{'content-length'}, length $js, 'HEAD: Content-Length');
is($h->{etag}, $etag, 'HEAD: ETag');

($st, $h) = $t->http(POST => '/status-edge/widget.js', body => 'x');
is($st, 405, 'POST: 405');
is($h->{allow}, 'GET, HEAD', 'POST: 405 names the allowed methods');

($st, $h) = $t->http(GET => '/short/widget.js');
is($h->{'cache-control'}, 'public, max-age=3600',
    'status_edge_widget_max_age 1h');

# gzip through nginx's filter
($st, $h, $body) = $t->http(GET => '/gz/widget.js',
    headers => ['Accept-Encoding' => 'gzip']);
is($st, 200, 'gzip: 200');
is($h->{'content-encoding'}, 'gzip', 'gzip: Content-Encoding');
is($h->{'content-type'}, 'text/javascript; charset=utf-8', 'gzip: type');
is($h->{etag}, "W/$etag", 'gzip: the ETag becomes weak');
my $plain;
gunzip(\$body => \$plain) or diag("gunzip: $GunzipError");
ok(defined $plain && $plain eq $js, 'gzip: decompresses to the asset');
my $gz = length $body;
cmp_ok($gz, '<', 6 * 1024, "gzip: $gz bytes, under 6 KB");
diag("widget.js: " . length($js) . " bytes, $gz gzipped by nginx (level 6)");

($st) = $t->http(GET => '/gz/widget.js',
    headers => ['Accept-Encoding' => 'gzip', 'If-None-Match' => "W/$etag"]);
is($st, 304, 'gzip: revalidation with the weak ETag: 304');

($st, $h) = $t->http(GET => '/gz/widget.js');
ok(!exists $h->{'content-encoding'}, 'gzip: identity without Accept-Encoding');

# the script needs no state: served with Redis gone
$t->stop_redis;
($st, $h, $body) = $t->http(GET => '/status-edge/widget.js');
is($st, 200, 'Redis down: still 200');
ok(($body // '') eq $js, 'Redis down: the script');

$t->stop(allow => qr/redis|Redis/);

# bad directive values
{
    my $c = StatusEdge::Test->new;
    my ($rc, $out) = $c->nginx_test($c->nginx_conf(
        servers => $c->server_conf(extra => <<'EOF')));
        location = /w.js { status_edge_widget; status_edge_widget_max_age 1x; }
EOF
    isnt($rc, 0, 'status_edge_widget_max_age 1x: nginx -t fails');
    like($out, qr/status_edge_widget_max_age.*invalid value/,
        'the error names the directive') or diag($out);
    ($rc, $out) = $c->nginx_test($c->nginx_conf(
        servers => $c->server_conf(extra => <<'EOF')));
        location = /w.js { status_edge_widget; status_edge_widget; }
EOF
    isnt($rc, 0, 'status_edge_widget twice: nginx -t fails');
    like($out, qr/"status_edge_widget" directive is duplicate/,
        'the error says duplicate') or diag($out);
}

# the committed asset equals a fresh build of widget/src (make widget)
SKIP: {
    skip 'widget/node_modules missing (make test runs npm ci there)', 3
        unless -d "$ROOT/widget/node_modules/terser";
    my $out = `cd '$ROOT/widget' && node build.mjs --check 2>&1`;
    my $rc = $? >> 8;
    is($rc, 0, 'fresh build equals the committed asset') or diag($out);
    like($out, qr/^fresh: /m, 'build --check says fresh');
    my ($gz9) = $out =~ /^gzip: (\d+)$/m;
    ok(defined $gz9 && $gz9 < 6 * 1024,
        'minified and gzipped (level 9) under 6 KB: ' . ($gz9 // '?'));
}

done_testing;
