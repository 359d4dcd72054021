#!/usr/bin/perl
# Binary compatibility (make test-compat NGINX=<release>): the module built
# with --with-compat against a release's tree loads into an nginx of the
# same release configured with other flags (another module set, no
# threads, no SSL, no HTTP/2) and works there, its states built on the
# event loop; a module built for another nginx version is refused by
# nginx with its usual message (the version, or dlopen()'s missing
# symbol), in both directions, without a crash.
#
# Environment (set by the Makefile):
#   STATUS_EDGE_NGINX           the otherwise-configured nginx
#   STATUS_EDGE_MODULE          the module built against its release
#   STATUS_EDGE_FOREIGN_NGINX   an nginx of another version (the system's)
#   STATUS_EDGE_FOREIGN_MODULE  the module built for that version

use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use StatusEdge::Test qw(wait_until json_decode);
use StatusEdge::Upstream qw(banner_env banner_count);

for (qw(STATUS_EDGE_NGINX STATUS_EDGE_MODULE STATUS_EDGE_FOREIGN_NGINX
        STATUS_EDGE_FOREIGN_MODULE)) {
    BAIL_OUT("$_ is not set: run make test-compat NGINX=<release>")
        unless $ENV{$_};
}
my ($nginx, $module) = @ENV{qw(STATUS_EDGE_NGINX STATUS_EDGE_MODULE)};
my ($foreign_nginx, $foreign_module) =
    @ENV{qw(STATUS_EDGE_FOREIGN_NGINX STATUS_EDGE_FOREIGN_MODULE)};

# nginx -V: (version, configure arguments)
sub nginx_v {
    my ($bin) = @_;
    my $v = qx{"$bin" -V 2>&1};
    my ($ver) = $v =~ m{nginx version: nginx/(\S+)};
    my ($args) = $v =~ /^configure arguments: (.*)$/m;
    return ($ver // '', $args // '');
}

sub nginx_version_number {
    my ($v) = @_;
    my ($a, $b, $c) = split /\./, $v;
    return $a * 1000000 + $b * 1000 + $c;
}

my ($ver, $args) = nginx_v($nginx);
my ($fver) = nginx_v($foreign_nginx);
like $ver, qr/\A\d+\.\d+\.\d+\z/, "the other nginx is $ver";
like $args, qr/--with-compat/, 'it is configured --with-compat';
unlike $args, qr/--with-threads|--add-dynamic-module|--with-http_ssl_module
    |--with-http_v2_module/x, 'without threads, SSL, HTTP/2 or the module';
isnt $fver, $ver, "the foreign nginx is another version ($fver)";

# ---------------------------------------------------------------------------
# the module in the otherwise-configured nginx of its release

{
    my ($t, $up, $v) = banner_env(locations => <<'EOF');
        location / {
            proxy_pass http://UPSTREAM;
            status_edge_banner on;
        }
EOF
    pass 'nginx starts with the module and loads the state from Redis';
    like StatusEdge::Test::slurp($t->error_log),
        qr/this nginx has no threads, states are built on the event loop/,
        'the module says its states are built on the event loop';

    my ($st, $h, $body) = $t->http(GET => '/api/v2/summary.json');
    my $s = $st == 200 ? eval { json_decode($body) } : undef;
    ok $s && ref $s->{incidents} eq 'ARRAY', 'summary.json is served';

    $up->route('/page', headers => ['Content-Type' => 'text/html'],
        body => ['<html><head></head><body><p>page</p></body></html>']);
    ($st, $h, $body) = $t->http(GET => '/page');
    ok $st == 200 && banner_count($body) == 1, 'a proxied page gets its banner';

    # a change is built and served by every worker
    my $v2 = $t->bump;
    ok $t->wait_version($v2), "a change (version $v2) is served";

    $t->stop;
    $up->stop;
}

# a TLS link needs nginx's SSL, which this nginx has not: the module,
# built with SSL, still loads (its SSL functions are weak references) and
# refuses a "tls" address with a clear message instead of dlopen() failing
{
    my $t = StatusEdge::Test->new(module => $module);
    my ($rc, $out) = $t->nginx_test($t->nginx_conf(
        redis => ['127.0.0.1:6380 tls']));
    ok $rc > 0 && $rc < 128, 'a "tls" Redis address: nginx -t fails'
        or diag "rc $rc: $out";
    like $out, qr/\[emerg\].*a "tls" Redis address needs nginx built with SSL, and this nginx has none/,
        'because this nginx has no SSL, and says so';
    unlike $out, qr/dlopen/, 'the module itself loaded';
}

# ---------------------------------------------------------------------------
# a module of another version is refused, with nginx's own message

sub refused {
    my ($bin, $so, $so_ver, $bin_ver) = @_;
    local $StatusEdge::Test::NGINX = $bin;
    my $t = StatusEdge::Test->new(module => $so);
    my $conf = "load_module $so;\nevents {}\n";
    my ($rc, $out) = $t->nginx_test($conf);
    ok $rc > 0 && $rc < 128, "nginx $bin_ver -t fails, without a signal"
        or diag "rc $rc: $out";
    my $want = sprintf 'module "%s" version %d instead of %d', $so,
        nginx_version_number($so_ver), nginx_version_number($bin_ver);
    # an older nginx may lack a symbol the newer module links against:
    # dlopen() fails first, before nginx reads the module's version
    like $out, qr/\[emerg\].*(?:\Q$want\E|dlopen\(\) "\Q$so\E" failed)/,
        "nginx $bin_ver refuses the module built for $so_ver";
    note $out;
}

refused($nginx, $foreign_module, $fver, $ver);
refused($foreign_nginx, $module, $ver, $fver);

done_testing;
