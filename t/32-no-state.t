#!/usr/bin/perl
# Redis down from the start: no state was ever loaded, so every endpoint
# answers 503 with a JSON error body (never an empty "all operational"),
# other locations are unaffected, and once Redis comes up the state is
# loaded and served.

use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use StatusEdge::Test qw(sample_state json_decode wait_until);

my @ENDPOINTS = qw(status.json summary.json components.json incidents.json
    incidents/unresolved.json scheduled-maintenances.json
    scheduled-maintenances/upcoming.json scheduled-maintenances/active.json);

my $t = StatusEdge::Test->new;
# nothing listens on the Redis port yet
$t->start_nginx(poll => '1s', resync => '5s',
    redis => ['127.0.0.1:' . $t->redis_port . ' timeout=300ms']);

for my $ep (@ENDPOINTS) {
    my ($st, $h, $body) = $t->http(GET => "/api/v2/$ep");
    is $st, 503, "$ep: 503 before any state";
    like $h->{'content-type'} // '', qr{^application/json}i, "$ep: JSON";
    my $d = json_decode($body // '');
    ok ref $d eq 'HASH' && exists $d->{error}, "$ep: JSON body with \"error\"" or diag $body;
    unlike $h->{'cache-control'} // '', qr/max-age=[1-9]/, "$ep: the 503 is not cached for long"
        if $ep eq 'summary.json';
}
{
    my ($st, $h, $body) = $t->http(HEAD => '/api/v2/summary.json');
    is $st, 503, 'HEAD: 503';
    ($st, $h, $body) = $t->http(GET => '/api/v2/summary.json?callback=cb');
    ok defined $st && $st == 503, 'JSONP: 503 too' or diag $st;
    ($st) = $t->http(GET => '/api/v2/nope.json');
    ok defined $st && ($st == 404 || $st == 503), "unknown path: 404 or 503 ($st)";
}
my ($pst, undef, $pbody) = $t->http(GET => '/plain');
is "$pst $pbody", '200 plain', 'plain location unaffected';
my ($ist) = $t->http(GET => '/ind');
is $ist, 200, 'variables usable without state';

my $m = $t->metrics;
ok $m, 'metrics answer without state';
is StatusEdge::Test::metric($m, 'status_edge_redis_connected'), 0, 'not connected';

# Redis comes up with a state
$t->start_redis;
my $v = $t->write_state(sample_state());
ok $t->wait_version($v, timeout => 30), 'state loaded once Redis is up';
my (undef, undef, $d) = $t->get_json('/api/v2/summary.json');
is $d->{page}{name}, 'Example Cloud', 'state served';
for my $ep (@ENDPOINTS) {
    my ($st) = $t->http(GET => "/api/v2/$ep");
    is $st, 200, "$ep: 200 now";
}

$t->stop_nginx;

# no status_edge_redis at all: the API answers 503, nothing breaks
$t->start_nginx(http => '');
{
    my ($st, $h, $body) = $t->http(GET => '/api/v2/summary.json');
    is $st, 503, 'no status_edge_redis: 503';
    ok((json_decode($body // '') || {})->{error}, 'no status_edge_redis: JSON error body');
    my ($ps) = $t->http(GET => '/plain');
    is $ps, 200, 'no status_edge_redis: plain location 200';
    my ($ms) = $t->http(GET => '/metrics');
    is $ms, 200, 'no status_edge_redis: metrics 200';
}

$t->stop;
done_testing;
