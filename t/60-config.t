#!/usr/bin/perl
# Configuration errors found by `nginx -t`: a non-zero exit code and a
# clear [emerg] message that quotes the bad value or names the directive.

use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use StatusEdge::Test qw(free_port);
use StatusEdge::Blocks qw(run_blocks);

my $t = StatusEdge::Test->new;
my $rp = free_port();    # nothing needs to listen for nginx -t

sub conf {
    my (%o) = @_;
    return $t->nginx_conf(
        http    => $o{http} // "    status_edge_redis 127.0.0.1:$rp;\n",
        servers => $o{servers} // $t->server_conf(extra => $o{extra} // ''),
    );
}

my @cases = (
    # name, http-level lines, server extra, expected message
    ['port not a number', "status_edge_redis nohost:abc;", undef, qr/nohost:abc/],
    ['port out of range', "status_edge_redis 127.0.0.1:99999;", undef, qr/127\.0\.0\.1:99999/],
    ['no port', "status_edge_redis 127.0.0.1:;", undef, qr/127\.0\.0\.1:/],
    ['host not found', "status_edge_redis no-such-host.invalid:6379;", undef,
        qr/no-such-host\.invalid/],
    ['db not a number', "status_edge_redis 127.0.0.1:$rp db=x;", undef, qr/db=x/],
    ['db negative', "status_edge_redis 127.0.0.1:$rp db=-1;", undef, qr/db=-1/],
    ['unknown option', "status_edge_redis 127.0.0.1:$rp bogus=1;", undef,
        qr/invalid parameter "bogus=1" in "status_edge_redis"/],
    ['bad timeout', "status_edge_redis 127.0.0.1:$rp timeout=abc;", undef, qr/timeout=abc/],
    ['empty unix path', "status_edge_redis unix:;", undef, qr/unix:/],
    ['unknown option, the writer', "status_edge_redis 127.0.0.1:$rp;\n"
        . "status_edge_subscribe_redis 127.0.0.1:$rp bogus=1;", undef,
        qr/invalid parameter "bogus=1" in "status_edge_subscribe_redis"/],
    ['bad timeout, the writer', "status_edge_redis 127.0.0.1:$rp;\n"
        . "status_edge_subscribe_redis 127.0.0.1:$rp timeout=abc;", undef,
        qr/invalid value "timeout=abc" in "status_edge_subscribe_redis"/],
    ['the writer twice', "status_edge_redis 127.0.0.1:$rp;\n"
        . "status_edge_subscribe_redis 127.0.0.1:$rp;\n"
        . "status_edge_subscribe_redis 127.0.0.1:$rp;", undef,
        qr/"status_edge_subscribe_redis" directive is duplicate/],
    ['the writer by Sentinel, role=replica', "status_edge_redis 127.0.0.1:$rp;\n"
        . "status_edge_subscribe_redis sentinel=m 127.0.0.1:$rp role=replica;", undef,
        qr/"role=replica" in "status_edge_subscribe_redis": the writes go to the primary/],
    ['bad poll interval', "status_edge_redis 127.0.0.1:$rp;\nstatus_edge_poll_interval abc;",
        undef, qr/"status_edge_poll_interval" directive invalid value|abc/],
    ['bad resync interval', "status_edge_redis 127.0.0.1:$rp;\nstatus_edge_resync_interval -5;",
        undef, qr/"status_edge_resync_interval" directive invalid value|-5/],
    ['zero poll interval', "status_edge_redis 127.0.0.1:$rp;\nstatus_edge_poll_interval 0;",
        undef, qr/status_edge_poll_interval/],
    ['status_edge_redis in server', undef,
        "        status_edge_redis 127.0.0.1:$rp;\n",
        qr/"status_edge_redis" directive is not allowed here/],
    ['status_edge_redis in location', undef,
        "        location /x { status_edge_redis 127.0.0.1:$rp; }\n",
        qr/"status_edge_redis" directive is not allowed here/],
    ['status_edge_api in server', undef,
        "        status_edge_api;\n",
        qr/"status_edge_api" directive is not allowed here/],
    ['status_edge_metrics in server', undef,
        "        status_edge_metrics;\n",
        qr/"status_edge_metrics" directive is not allowed here/],
    ['status_edge_api with an argument', undef,
        "        location /y/ { status_edge_api on; }\n",
        qr/invalid number of arguments in "status_edge_api"/],
    ['status_edge_api twice', undef,
        "        location /y/ { status_edge_api; status_edge_api; }\n",
        qr/"status_edge_api" directive is duplicate/],
    ['bad max age', undef,
        "        location /y/ { status_edge_api; status_edge_api_max_age soon; }\n",
        qr/"status_edge_api_max_age" directive invalid value|soon/],
    ['status_edge_redis without address', "status_edge_redis;", undef,
        qr/invalid number of arguments in "status_edge_redis"/],
    ['empty page prefix', "status_edge_redis 127.0.0.1:$rp;\nstatus_edge_page \"\";", undef,
        qr/status_edge_page|invalid page prefix ""/],
);

my $valid = <<"EOF";
    status_edge_redis 127.0.0.1:$rp db=2 password=pw user=u timeout=250ms;
    status_edge_redis unix:/tmp/no-such-redis.sock;
    status_edge_poll_interval 2s;
    status_edge_resync_interval 1m;
    status_edge_page site:;
EOF

run_blocks(t => $t, blocks => [
    { name   => 'valid configuration',
      conf   => conf(http => $valid),
      exit   => 0,
      output => [qr/test is successful/] },
    map {
        my ($name, $http, $extra, $want) = @$_;
        my %o;
        $o{http} = join('', map { "    $_\n" } split /\n/, $http)
            if defined $http;
        $o{extra} = $extra if defined $extra;
        +{ name   => $name,
           conf   => conf(%o),
           exit   => 'fail',
           output => [qr/\[emerg\]/, $want, qr/test failed/] }
    } @cases
]);

done_testing;
