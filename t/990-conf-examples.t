#!/usr/bin/perl

# Every configuration in conf-examples/ is loaded as an operator would use
# it: `nginx -t` with the module, then nginx started and the smoke requests
# written in the example's own comments made against it.
#
# The test maps what is machine-specific: `load_module` to the built
# module, each port to a free loopback port (6379 to the test's Redis; a
# port that is only an upstream's, like the application at 8080, to a test
# upstream serving a small HTML page, another Redis fallback to a port where
# nothing listens), and adds pid, error_log and daemon
# settings and the prefix's logs/ folder.  Everything else is the example's text as shipped.
#
# Lines the test reads in an example:
#   # setup: ARGS...                  status-edge ARGS, before the requests
#   # test: METHOD URL [Name:value]... -> STATUS [/regex/]
# URL is a path or http://HOST/path (HOST is sent as the Host header).

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/lib";

use Test::More;
use Text::ParseWords qw(shellwords);

use StatusEdge::Test qw(free_port wait_until);
use StatusEdge::Upstream;

my $dir = "$FindBin::Bin/../conf-examples";
my @examples = sort glob "$dir/*.conf";
my $cli = $ENV{STATUS_EDGE_CLI} || "$FindBin::Bin/../build/status-edge";

ok(@examples >= 5, 'conf-examples holds the five uses')
    or diag("found: @examples");

for my $file (@examples) {
    my $name = $file =~ s{.*/}{}r;
    subtest $name => sub { run_example($file, $name) };
}

done_testing;


sub slurp {
    my ($f) = @_;
    open my $fh, '<:raw', $f or die "$f: $!";
    local $/;
    return scalar <$fh>;
}

sub run_example {
    my ($file, $name) = @_;
    my $text = slurp($file);

    my @setup = $text =~ /^#\s*setup:\s*(.+?)\s*$/mg;
    my @tests = $text =~ /^#\s*test:\s*(.+?)\s*$/mg;
    ok(@tests, "$name: has smoke requests (# test: lines)");

    my $t = StatusEdge::Test->new(name => $name);
    $t->start_redis;
    my $out = $t->redis_cli_raw(slurp("$dir/sample-state.redis"));
    unlike($out, qr/ERR|WRONGTYPE/, "$name: sample state loaded");

    # ports: Redis, the listens, and the upstreams that are no listen
    my %listen = map { $_ => 1 }
        $text =~ /^\s*listen\s+(?:127\.0\.0\.1:|\[::1\]:|localhost:)?(\d+)/mg;
    my %map = (6379 => $t->redis_port);
    $map{$_} //= free_port() for keys %listen;
    # Redis fallbacks other than 6379: addresses where nothing listens
    $map{$_} //= free_port()
        for $text =~ /^\s*status_edge_redis\s+(?:127\.0\.0\.1|localhost):(\d+)/mg;

    my @apps;
    for my $port ($text =~ /\b(?:127\.0\.0\.1|localhost):(\d+)/g) {
        next if $map{$port};
        my $up = StatusEdge::Upstream->new(dir => $t->prefix . "/app$port");
        $up->route('*', headers => ['Content-Type' => 'text/html; charset=utf-8'],
            body => ["<!DOCTYPE html>\n<html><head><title>App</title></head>\n"
                     . "<body class=\"app\">\n<p>application page</p>\n</body></html>\n"]);
        $up->start;
        $map{$port} = $up->port;
        push @apps, $up;
    }

    my $conf = $text;
    my $module = $t->{module};
    my $prefix = $t->prefix;
    $conf =~ s/^\s*load_module\s+\S*ngx_http_status_edge_module\.so\s*;/load_module $module;/m
        or fail("$name: loads the module with load_module");
    $conf =~ s{^(\s*listen\s+)(?:127\.0\.0\.1:|localhost:)?(\d+)
              |\b(?:127\.0\.0\.1|localhost):(\d+)}
              {defined $2 ? "${1}127.0.0.1:$map{$2}" : "127.0.0.1:$map{$3}"}mgex;
    $conf = "pid $prefix/nginx.pid;\ndaemon off;\nerror_log $prefix/error.log info;\n"
        . $conf;
    # as root, workers run as nobody: the test prefix is readable by them
    $conf = "user nobody nogroup;\n" . $conf if $> == 0 && $conf !~ /^\s*user\s/m;

    # an nginx built from a source tree opens its default access log,
    # logs/access.log, under its prefix (Debian's: /var/log/nginx)
    mkdir "$prefix/logs";

    my ($rc, $log) = $t->nginx_test($conf);
    is($rc, 0, "$name: nginx -t accepts it") or diag($log);
    return if $rc;

    local $ENV{STATUS_EDGE_REDIS} = 'redis://127.0.0.1:' . $t->redis_port;
    for my $s (@setup) {
        my @args = shellwords($s);
        my $res = qx{"$cli" @{[ map { quotemeta } @args ]} 2>&1};
        is($? >> 8, 0, "$name: setup: status-edge $s") or diag($res);
    }

    $t->start_nginx(conf => $conf);
    my $first = (sort { $a <=> $b } map { $map{$_} } keys %listen)[0];

    # the workers load the state from Redis after they start, one reads
    # it and the others adopt it: wait until every smoke request gets its
    # answer five rounds in a row, so that no worker is still without the
    # state (each reported below either way)
    my $rounds = 0;
    wait_until(sub {
        $rounds = (grep { !(smoke($t, \%map, $first, $_))[0] } @tests)
                  ? 0 : $rounds + 1;
        $rounds >= 5;
    }, 10) if @tests;

    for my $line (@tests) {
        my ($ok, $why, $st, $body) = smoke($t, \%map, $first, $line);
        ok($ok, "$name: $line") or diag("$why; status " . ($st // 'none')
            . ', body: ' . substr($body // '', 0, 400));
    }

    $t->stop;
    $_->stop for @apps;
}

# one smoke request: (ok, why, status, body)
sub smoke {
    my ($t, $map, $first, $line) = @_;
    my ($req, $want) = split /\s*->\s*/, $line, 2;
    my ($method, $url, @hdrs) = shellwords($req);
    my ($status, $re) = ($want // '') =~ m{\A(\d{3})(?:\s+/(.*)/)?\z}
        or return (0, "bad test line");
    my ($host, $path) = $url =~ m{\Ahttps?://([^/]+)(/.*)\z};
    $path //= $url;
    my $port = $first;
    if (defined $host && $host =~ s/:(\d+)\z//) {
        $port = $map->{$1} // $1;
    }
    my @h = map { split /:/, $_, 2 } @hdrs;
    push @h, Host => $host if defined $host;
    my ($st, $h, $body) = $t->http($method => $path, port => $port,
        headers => \@h);
    return (0, $h->{_error}, $st, $body) unless defined $st;
    return (0, "status $st, not $status", $st, $body) if $st != $status;
    return (0, "body does not match /$re/", $st, $body)
        if defined $re && $body !~ /$re/s;
    return (1, '', $st, $body);
}
