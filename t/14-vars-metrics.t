#!/usr/bin/perl
# $status_edge_indicator and $status_edge_version in return, add_header,
# map, if and log_format; status_edge_metrics in Prometheus text format.

use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use StatusEdge::Test qw(sample_state wait_until);

my $t = StatusEdge::Test->new;
$t->start_redis;
my $v = $t->write_state(sample_state());
my $prefix = $t->prefix;

$t->start_nginx(
    http_extra => <<"EOF",
    map \$status_edge_indicator \$se_all_clear {
        none    yes;
        default no;
    }
    log_format se '\$status_edge_indicator/\$status_edge_version \$uri';
EOF
    servers => $t->server_conf(extra => <<"EOF"));
        location = /hdr {
            add_header X-Status \$status_edge_indicator always;
            add_header X-Version \$status_edge_version always;
            return 204;
        }
        location = /map {
            return 200 "\$se_all_clear";
        }
        location = /if {
            if (\$status_edge_indicator = major) {
                return 503 "degraded";
            }
            return 200 "fine";
        }
        location = /logged {
            access_log $prefix/se.log se;
            return 200 "logged";
        }
EOF
ok $t->wait_version($v), 'state loaded';

# return
my ($st, $h, $body) = $t->http(GET => '/ind');
is "$st $body", "200 major $v", 'return "$status_edge_indicator $status_edge_version"';

# add_header
($st, $h) = $t->http(GET => '/hdr');
is $st, 204, 'add_header location';
is $h->{'x-status'}, 'major', 'add_header X-Status $status_edge_indicator';
is $h->{'x-version'}, $v, 'add_header X-Version $status_edge_version';

# map and if
(undef, undef, $body) = $t->http(GET => '/map');
is $body, 'no', 'map on $status_edge_indicator';
($st, undef, $body) = $t->http(GET => '/if');
is "$st $body", '503 degraded', 'if ($status_edge_indicator = major)';

# log_format
($st) = $t->http(GET => '/logged');
is $st, 200, 'logged location';
my $logged = wait_until(sub {
    open my $fh, '<', "$prefix/se.log" or return;
    local $/;
    my $l = <$fh>;
    return $l =~ m{^major/$v /logged$}m;
}, 5);
ok $logged, 'log_format with both variables';

# all clear: the variables follow the state
my $S = sample_state();
$_->{status} = 'operational' for @{ $S->{components} };
$_->{status} = 'resolved' for @{ $S->{incidents} };
my $v2 = $t->write_state($S);
ok $t->wait_version($v2), 'all-clear state loaded';
(undef, undef, $body) = $t->http(GET => '/map');
is $body, 'yes', 'map follows the new indicator';
($st, undef, $body) = $t->http(GET => '/if');
is "$st $body", '200 fine', 'if follows the new indicator';
(undef, undef, $body) = $t->http(GET => '/ind');
is $body, "none $v2", 'return follows the new state';

# ---- metrics
my ($m, $text, $mh) = $t->metrics;
ok $m, '/metrics 200' or BAIL_OUT('no metrics');
like $mh->{'content-type'} // '', qr{^text/plain}, 'text/plain';
like $mh->{'content-type'} // '', qr{version=0\.0\.4}, 'Prometheus text format 0.0.4';

# every sample line is well formed, and every metric has a TYPE line
my %type = $text =~ /^# TYPE (\S+) (\S+)$/mg;
my @bad;
for my $line (split /\n/, $text) {
    next if $line =~ /^#/ || $line eq '';
    if ($line !~ /\A([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_]\w*="(?:[^"\\]|\\.)*",?)*\})? (-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|NaN|[+-]Inf)\z/) {
        push @bad, "malformed: $line";
        next;
    }
    push @bad, "no TYPE: $line" unless $type{$1};
}
ok !@bad, 'metrics lines well formed with TYPE' or diag join "\n", @bad;

my %pg = (page => 'status:');
is StatusEdge::Test::metric($m, 'status_edge_state_version', %pg), $v2,
    'status_edge_state_version{page="status:"}';
my $age = StatusEdge::Test::metric($m, 'status_edge_state_age_seconds', %pg);
ok defined $age && $age >= 0 && $age < 60, 'status_edge_state_age_seconds small'
    or diag $age // 'absent';
is StatusEdge::Test::metric($m, 'status_edge_state_stale', %pg), 0, 'not stale';
is StatusEdge::Test::metric($m, 'status_edge_bad_records', %pg), 0, 'no bad records';
is StatusEdge::Test::metric($m, 'status_edge_redis_connected'), 1, 'redis connected';
ok defined StatusEdge::Test::metric($m, 'status_edge_redis_reconnects_total'),
    'status_edge_redis_reconnects_total present';
is $type{status_edge_redis_reconnects_total}, 'counter', 'reconnects is a counter';
is $type{status_edge_requests_total}, 'counter', 'requests is a counter';
for my $ep (qw(status summary components incidents)) {
    ok defined StatusEdge::Test::metric($m, 'status_edge_requests_total', endpoint => $ep),
        "status_edge_requests_total{endpoint=\"$ep\"} present";
}

# requests are counted (metrics may be per worker: poll until the worker
# that answers /metrics has counted some)
my $n = 0;
my $counted = wait_until(sub {
    $t->http(GET => '/api/v2/incidents/unresolved.json');
    $n++;
    my $mm = $t->metrics or return;
    my $c = StatusEdge::Test::metric($mm, 'status_edge_requests_total',
        endpoint => 'incidents_unresolved') // 0;
    return $c > 0;
}, 10);
ok $counted, "incidents/unresolved.json requests counted (after $n)";

$t->stop;
done_testing;
