#!/usr/bin/perl
# The status indicator table (SPEC §2, Statuspage semantics): the worst of
# unresolved incident impacts and component statuses; maintenance while a
# maintenance is in progress and nothing is worse; else none.

use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use StatusEdge::Test qw(ts);

my $now = time;
my %DESC = (
    none        => 'All Systems Operational',
    minor       => 'Minor Service Outage',
    major       => 'Partial System Outage',
    critical    => 'Major System Outage',
    maintenance => 'Service Under Maintenance',
);

sub base {
    return {
        page => { id => 'p1', name => 'Indicator Page', url => 'https://s.example.com',
                  time_zone => 'UTC' },
        components => [
            { id => 'a', position => 1, name => 'A', status => 'operational' },
            { id => 'b', position => 2, name => 'B', status => 'operational' },
        ],
        incidents => [],
        maintenances => [],
    };
}

sub incident {
    my ($id, $status, $impact, %o) = @_;
    return { id => $id, name => "Incident $id", status => $status, impact => $impact,
             created_at => ts($now - 3600), updated_at => ts($now - 60),
             components => 'a',
             ($status =~ /resolved|postmortem/ ? (resolved_at => ts($now - 60)) : ()),
             updates => [{ id => "$id-u1", status => $status, body => 'Update.',
                           created_at => ts($now - 60) }],
             %o };
}

sub maintenance {
    my ($id, $status, $from, $until) = @_;
    return { id => $id, name => "Maintenance $id", status => $status,
             impact => 'maintenance', created_at => ts($now - 86400),
             updated_at => ts($now - 60), scheduled_for => ts($now + $from),
             scheduled_until => ts($now + $until), components => 'b',
             updates => [{ id => "$id-u1", status => $status, body => 'Work.',
                           created_at => ts($now - 60) }] };
}

my @cases = (
    ['all operational', 'none', sub { }],
    ['component degraded_performance', 'minor',
        sub { $_[0]{components}[0]{status} = 'degraded_performance' }],
    ['component partial_outage', 'major',
        sub { $_[0]{components}[0]{status} = 'partial_outage' }],
    ['component major_outage', 'critical',
        sub { $_[0]{components}[1]{status} = 'major_outage' }],
    ['degraded + major_outage: the worst wins', 'critical',
        sub { $_[0]{components}[0]{status} = 'degraded_performance';
              $_[0]{components}[1]{status} = 'major_outage' }],
    ['investigating incident, impact minor', 'minor',
        sub { push @{ $_[0]{incidents} }, incident('i1', 'investigating', 'minor') }],
    ['identified incident, impact major', 'major',
        sub { push @{ $_[0]{incidents} }, incident('i1', 'identified', 'major') }],
    ['monitoring incident, impact critical (monitoring is unresolved)', 'critical',
        sub { push @{ $_[0]{incidents} }, incident('i1', 'monitoring', 'critical') }],
    ['unresolved incident, impact none', 'none',
        sub { push @{ $_[0]{incidents} }, incident('i1', 'investigating', 'none') }],
    ['resolved incident, impact critical', 'none',
        sub { push @{ $_[0]{incidents} }, incident('i1', 'resolved', 'critical') }],
    ['postmortem incident, impact critical', 'none',
        sub { push @{ $_[0]{incidents} }, incident('i1', 'postmortem', 'critical') }],
    ['minor incident + partial_outage component', 'major',
        sub { $_[0]{components}[1]{status} = 'partial_outage';
              push @{ $_[0]{incidents} }, incident('i1', 'investigating', 'minor') }],
    ['critical incident + degraded component', 'critical',
        sub { $_[0]{components}[1]{status} = 'degraded_performance';
              push @{ $_[0]{incidents} }, incident('i1', 'identified', 'critical') }],
    ['maintenance in_progress', 'maintenance',
        sub { push @{ $_[0]{maintenances} }, maintenance('m1', 'in_progress', -600, 3600) }],
    ['maintenance scheduled in the future', 'none',
        sub { push @{ $_[0]{maintenances} }, maintenance('m1', 'scheduled', 3600, 7200) }],
    ['maintenance completed', 'none',
        sub { push @{ $_[0]{maintenances} }, maintenance('m1', 'completed', -7200, -3600) }],
    ['maintenance in_progress + degraded component: minor is worse', 'minor',
        sub { $_[0]{components}[0]{status} = 'degraded_performance';
              push @{ $_[0]{maintenances} }, maintenance('m1', 'in_progress', -600, 3600) }],
    ['maintenance in_progress + resolved incident', 'maintenance',
        sub { push @{ $_[0]{incidents} }, incident('i1', 'resolved', 'critical');
              push @{ $_[0]{maintenances} }, maintenance('m1', 'in_progress', -600, 3600) }],
    ['internal incident, impact critical, does not show publicly', 'none',
        sub { push @{ $_[0]{incidents} },
                  incident('i1', 'investigating', 'critical', audience => 'internal') }],
    ['back to all operational', 'none', sub { }],
);

my $t = StatusEdge::Test->new;
$t->start_redis;
$t->write_state(base());
$t->start_nginx;

for my $c (@cases) {
    my ($name, $want, $mutate) = @$c;
    my $s = base();
    $mutate->($s);
    my $v = $t->write_state($s);
    ok $t->wait_version($v), "$name: version $v loaded" or next;
    my (undef, undef, $st) = $t->get_json('/api/v2/status.json');
    is_deeply $st->{status}, { indicator => $want, description => $DESC{$want} },
        "$name: status.json $want / $DESC{$want}";
    my (undef, undef, $sum) = $t->get_json('/api/v2/summary.json');
    is $sum->{status}{indicator}, $want, "$name: summary.json indicator";
    my ($ind, $ver) = $t->ind;
    is "$ind $ver", "$want $v", "$name: \$status_edge_indicator \$status_edge_version";
}

$t->stop;
done_testing;
