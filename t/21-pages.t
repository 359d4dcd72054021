#!/usr/bin/perl
# Several pages in one nginx: status_edge_page per server and per location,
# each with its own state, version, variables and metrics.

use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use StatusEdge::Test qw(sample_state ts);

my $t = StatusEdge::Test->new;
$t->start_redis;

my $A = sample_state();
my $B = {
    page => { id => 'other1', name => 'Other Page', url => 'https://other.example.com',
              time_zone => 'Europe/Berlin' },
    components => [
        { id => 'x', position => 1, name => 'X', status => 'operational' },
        { id => 'y', position => 2, name => 'Y', status => 'degraded_performance' },
    ],
    incidents => [], maintenances => [],
};
# a different number of writes, so the versions differ
my $va = $t->write_state($A);
$va = $t->write_state($A);
$va = $t->write_state($A);
my $vb = $t->write_state($B, prefix => 'other:');
isnt $va, $vb, "versions differ ($va, $vb)";

my $servers = $t->server_conf(port => 'a', extra => <<'EOF')
        location /other/api/v2/ {
            status_edge_page other:;
            status_edge_api;
        }
        location = /other/ind {
            status_edge_page other:;
            return 200 "$status_edge_indicator $status_edge_version";
        }
EOF
    . $t->server_conf(port => 'b', page => 'other:');
$t->start_nginx(servers => $servers);

ok $t->wait_version($va, port => 'a'), 'server a: default page loaded';
ok $t->wait_version($vb, port => 'b'), 'server b: other: loaded';

sub name_ind {
    my ($port, $path) = @_;
    my ($st, $h, $d) = $t->get_json($path, port => $port);
    return "$st " . ($d->{page}{name} // '?') . ' ' . ($d->{status}{indicator} // '?');
}

is name_ind('a', '/api/v2/summary.json'), '200 Example Cloud major', 'server a: status: page';
is name_ind('b', '/api/v2/summary.json'), '200 Other Page minor', 'server b: other: page';
is name_ind('a', '/other/api/v2/summary.json'), '200 Other Page minor',
    'location-level status_edge_page';
my (undef, undef, $ind) = $t->http(GET => '/other/ind', port => 'a');
is $ind, "minor $vb", 'variables follow the location page';
is join(' ', ($t->ind(port => 'b'))[0, 1]), "minor $vb", 'server b variables';
is join(' ', ($t->ind(port => 'a'))[0, 1]), "major $va", 'server a variables';

# different pages, different ETags
my (undef, $ha) = $t->http(GET => '/api/v2/status.json', port => 'a');
my (undef, $hb) = $t->http(GET => '/api/v2/status.json', port => 'b');
isnt $ha->{etag}, $hb->{etag}, 'ETags differ between pages';

# metrics list both pages
my $m = $t->metrics(port => 'a');
is StatusEdge::Test::metric($m, 'status_edge_state_version', page => 'status:'), $va,
    'metrics: status: version';
is StatusEdge::Test::metric($m, 'status_edge_state_version', page => 'other:'), $vb,
    'metrics: other: version';

# a change to one page leaves the other alone
$B->{components}[1]{status} = 'major_outage';
$B->{page}{name} = 'Other Page 2';
my $vb2 = $t->write_state($B, prefix => 'other:');
ok $t->wait_version($vb2, port => 'b'), 'other: change loaded';
ok $t->wait_json('/api/v2/summary.json', sub { $_[0]{page}{name} eq 'Other Page 2' },
    port => 'b'), 'server b serves the change';
is name_ind('b', '/api/v2/summary.json'), '200 Other Page 2 critical', 'b: new state';
is name_ind('a', '/other/api/v2/summary.json'), '200 Other Page 2 critical',
    'a /other/: new state';
is name_ind('a', '/api/v2/summary.json'), '200 Example Cloud major', 'a: unchanged';
is join(' ', ($t->ind(port => 'a'))[0, 1]), "major $va", 'a: same version';

# a write to the default page does not disturb the other
$A->{page}{name} = 'Example Cloud 2';
my $va2 = $t->write_state($A);
ok $t->wait_version($va2, port => 'a'), 'status: change loaded';
is name_ind('a', '/api/v2/summary.json'), '200 Example Cloud 2 major', 'a: new name';
is name_ind('b', '/api/v2/summary.json'), '200 Other Page 2 critical', 'b: unchanged';

$t->stop;
done_testing;
