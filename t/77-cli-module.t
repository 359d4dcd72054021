#!/usr/bin/perl
# What status-edge writes, the module reads exactly: nginx with
# status_edge_api after incident open/update/resolve, component set,
# maintenance schedule/start/complete, import; show --json = summary.json.
#
# The tool: $STATUS_EDGE_CLI or build/status-edge.

use strict;
use warnings;
use utf8;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use File::Temp ();
use StatusEdge::Test qw(sample_state json_decode parse_ts);
use StatusEdge::CLI;

my $t = StatusEdge::CLI->new->t;    # the tool, and a Redis of its own

# a page built with the tool only
cli_ok('page', 'set', '--name', 'Tool Cloud', '--url', 'https://www.example.com',
    '--time-zone', 'Europe/Berlin', '--status-url', 'https://status.example.com',
    '--id', 'toolpage');
cli_ok('component', 'add', 'api', '--name', 'API', '--description', 'REST API');
cli_ok('component', 'add', 'storage', '--name', 'Storage');
cli_ok('component', 'add', 'db', '--name', 'Database', '--group', 'storage');

$t->start_nginx;
ok $t->wait_version(version()), 'the module serves the tool-made page';

sub api {
    my ($doc) = @_;
    ok $t->wait_version(version()), "module at version " . version();
    my ($st, $h, $data) = $t->get_json("/api/v2/$doc");
    is $st, 200, "$doc: 200";
    return $data;
}
sub find_id { my ($list, $id) = @_; (grep { $_->{id} eq $id } @{ $list || [] })[0] }
sub same_time {
    my ($got, $want, $name) = @_;
    ok defined $got && defined $want && parse_ts($got) == parse_ts($want), $name
        or diag 'got ' . ($got // 'null') . ', want ' . ($want // 'null');
}

my $s = api('summary.json');
is $s->{page}{id}, 'toolpage', 'page.id';
is $s->{page}{name}, 'Tool Cloud', 'page.name';
is $s->{page}{time_zone}, 'Europe/Berlin', 'page.time_zone';
is $s->{status}{indicator}, 'none', 'indicator none';
my $c = find_id($s->{components}, 'db');
is $c->{group_id}, 'storage', 'component group_id';
is $c->{position}, 3, 'component position';
is find_id($s->{components}, 'api')->{description}, 'REST API', 'component description';

# --- incident open -------------------------------------------------------------

cli_ok('incident', 'open', '--id', 'inc1', '--name', 'API errors', '--impact', 'major',
    '--components', 'api', '--message', 'We are investigating API errors.',
    '--message.ko', 'API 오류를 조사하고 있습니다.', '--next-update', '30m',
    '--shortlink', 'https://stspg.io/inc1');
my $h = hash_of('status:incident:inc1');
$s = api('incidents.json');
my $i = find_id($s->{incidents}, 'inc1');
ok $i, 'incident in incidents.json' or BAIL_OUT('the module did not read the incident');
is $i->{name}, 'API errors', 'name';
is $i->{status}, 'investigating', 'status';
is $i->{impact}, 'major', 'impact';
is $i->{shortlink}, 'https://stspg.io/inc1', 'shortlink';
same_time($i->{created_at}, $h->{created_at}, 'created_at');
same_time($i->{updated_at}, $h->{updated_at}, 'updated_at');
same_time($i->{started_at}, $h->{created_at}, 'started_at');
same_time($i->{next_update_at}, $h->{next_update_at}, 'next_update_at');
ok !defined $i->{resolved_at} && !defined $i->{monitoring_at}, 'resolved_at, monitoring_at null';
is_deeply [map { $_->{id} } @{ $i->{components} }], ['api'], 'components';
is scalar @{ $i->{incident_updates} }, 1, 'one update';
my $u = $i->{incident_updates}[0];
is $u->{body}, 'We are investigating API errors.', 'update body';
is $u->{status}, 'investigating', 'update status';
same_time($u->{created_at}, $h->{created_at}, 'update created_at');
is $u->{id}, updates_of('status:incident:inc1')->[0]{id}, 'update id';
is api('summary.json')->{status}{indicator}, 'major', 'indicator major';
ok find_id(api('incidents/unresolved.json')->{incidents}, 'inc1'), 'unresolved.json';

# --- component set ---------------------------------------------------------------

cli_ok('component', 'set', 'api', 'major_outage');
$s = api('summary.json');
is find_id($s->{components}, 'api')->{status}, 'major_outage', 'component status';
same_time(find_id($s->{components}, 'api')->{updated_at},
    hash_of('status:component:api')->{updated_at}, 'component updated_at');
is $s->{status}{indicator}, 'critical', 'indicator critical';

# --- update, internal, resolve ------------------------------------------------------

cli_ok('incident', 'update', 'inc1', '--status', 'monitoring', '--message', 'Fix deployed.');
$h = hash_of('status:incident:inc1');
$i = find_id(api('incidents.json')->{incidents}, 'inc1');
is $i->{status}, 'monitoring', 'update: status';
same_time($i->{monitoring_at}, $h->{monitoring_at}, 'monitoring_at');
ok !defined $i->{next_update_at}, 'next_update_at withdrawn';
is_deeply [map { $_->{status} } @{ $i->{incident_updates} }], [qw(monitoring investigating)],
    'updates newest first';

my $int = cli_ok('incident', 'open', '--name', 'Internal only', '--impact', 'critical',
    '--audience', 'internal', '--message', 'Staff only.');
ok !find_id(api('incidents.json')->{incidents}, $int), 'internal incident not public';

cli_ok('incident', 'resolve', 'inc1');
cli_ok('component', 'set', 'api', 'operational');
$h = hash_of('status:incident:inc1');
$i = find_id(api('incidents.json')->{incidents}, 'inc1');
is $i->{status}, 'resolved', 'resolved';
same_time($i->{resolved_at}, $h->{resolved_at}, 'resolved_at');
is $i->{incident_updates}[0]{body},
    'This incident has been resolved. Thank you for your patience.', 'final update';
ok !find_id(api('incidents/unresolved.json')->{incidents}, 'inc1'), 'no longer unresolved';
is api('summary.json')->{status}{indicator}, 'none', 'indicator back to none';

cli_ok('incident', 'postmortem', 'inc1', '--url', 'https://blog.example.com/inc1');
$i = find_id(api('incidents.json')->{incidents}, 'inc1');
is $i->{status}, 'postmortem', 'postmortem status';
is $i->{postmortem_url}, 'https://blog.example.com/inc1', 'postmortem_url';

# --- maintenance ------------------------------------------------------------------------

my $m = cli_ok('maintenance', 'schedule', '--name', 'DB upgrade', '--from', 'now+1h',
    '--until', 'now+3h', '--components', 'db', '--message', 'Upgrading the database.');
$h = hash_of("status:maintenance:$m");
my $sm = find_id(api('scheduled-maintenances/upcoming.json')->{scheduled_maintenances}, $m);
ok $sm, 'upcoming.json has the maintenance';
is $sm->{status}, 'scheduled', 'status scheduled';
is $sm->{impact}, 'maintenance', 'impact maintenance';
same_time($sm->{scheduled_for}, $h->{scheduled_for}, 'scheduled_for');
same_time($sm->{scheduled_until}, $h->{scheduled_until}, 'scheduled_until');
is $sm->{incident_updates}[0]{body}, 'Upgrading the database.', 'update body';
is_deeply [map { $_->{id} } @{ $sm->{components} }], ['db'], 'components';

cli_ok('maintenance', 'start', $m);
$s = api('summary.json');
is $s->{status}{indicator}, 'maintenance', 'indicator maintenance';
is find_id($s->{components}, 'db')->{status}, 'under_maintenance', 'db under_maintenance';
$sm = find_id(api('scheduled-maintenances/active.json')->{scheduled_maintenances}, $m);
ok $sm, 'active.json has it';
is $sm->{status}, 'in_progress', 'in_progress';

cli_ok('maintenance', 'complete', $m);
ok !find_id(api('scheduled-maintenances/active.json')->{scheduled_maintenances}, $m),
    'no longer active';
$s = api('summary.json');
is find_id($s->{components}, 'db')->{status}, 'operational', 'db operational again';
is $s->{status}{indicator}, 'none', 'indicator none';

# --- show --json is what the module serves -------------------------------------------

ok $t->wait_version(version()), 'module at the current version';
my ($st, $hd, $body) = $t->http(GET => '/api/v2/summary.json');
my $mine = cli_ok('show', '--json');
is_deeply json_decode($mine), json_decode($body), 'show --json = summary.json';
is $mine, $body, 'byte for byte';

# --- import: the module follows ---------------------------------------------------------

my $dir = File::Temp->newdir;
$t->write_state(sample_state(now => time), prefix => 'src:');
my $e = cli_ok('--page', 'src:', 'export');
open my $fh, '>:raw', "$dir/e.json" or die;
print $fh $e;
close $fh;
cli_ok('import', "$dir/e.json");
$s = api('summary.json');
is $s->{page}{id}, 'kctbh9vrtdwd', 'imported page served';
is $s->{status}{indicator}, 'major', 'imported state: indicator';
ok find_id(api('incidents.json')->{incidents}, 'inc-api'), 'imported incident served';
ok !find_id(api('incidents.json')->{incidents}, 'inc1'), 'replaced incident gone';

$t->stop;
done_testing;
