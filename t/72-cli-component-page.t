#!/usr/bin/perl
# status-edge component add/set/remove, page set, show, show --json and
# --help of every command.
#
# The tool: $STATUS_EDGE_CLI or build/status-edge.

use strict;
use warnings;
use utf8;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Encode qw(decode_utf8);
use StatusEdge::Test qw(json_decode parse_ts);
use StatusEdge::CLI;

my $t = StatusEdge::CLI->new->t;    # the tool, and a Redis of its own

# an empty page, built with the tool only
my $v0 = version();
cli_ok('page', 'set', '--name', 'Example Cloud', '--name.ko', '예제 클라우드',
    '--url', 'https://www.example.com', '--time-zone', 'Asia/Seoul',
    '--status-url', 'https://status.example.com', '--id', 'examplepage');
is version(), $v0 + 1, 'page set: version bumped';
my $h = hash_of('status:page');
is_deeply $h, { name => 'Example Cloud', 'name.ko' => '예제 클라우드',
    url => 'https://www.example.com', time_zone => 'Asia/Seoul',
    status_url => 'https://status.example.com', id => 'examplepage' },
    'page hash';
is last_audit()->{command}, 'page set', 'audited';

cli_ok('page', 'set', '--name', 'Example');
is hash_of('status:page')->{name}, 'Example', 'page set one field';
is hash_of('status:page')->{url}, 'https://www.example.com', 'others kept';

my ($rc, $out, $err) = cli('page', 'set');
is $rc, 2, 'page set without fields: exit 2';

# --- components ---------------------------------------------------------------

cli_ok('component', 'add', 'api', '--name', 'API', '--description', 'REST API');
cli_ok('component', 'add', 'storage', '--name', 'Storage', '--name.ko', '스토리지');
cli_ok('component', 'add', 'db', '--name', 'Database', '--group', 'storage',
    '--only-if-degraded', '--status', 'degraded_performance');
cli_ok('component', 'add', 'web', '--name', 'Website', '--position', '10');
cli_ok('component', 'add', 'cdn', '--name', 'CDN');

my %z = @{ $t->redis('ZRANGE', 'status:components', 0, -1, 'WITHSCORES') };
is_deeply \%z, { api => 1, storage => 2, db => 3, web => 10, cdn => 11 },
    'positions: appended after the last one, or --position';
$h = hash_of('status:component:db');
is $h->{name}, 'Database', 'name';
is $h->{status}, 'degraded_performance', '--status';
is $h->{group_id}, 'storage', '--group';
is $h->{only_show_if_degraded}, '1', '--only-if-degraded';
ok defined parse_ts($h->{updated_at}), 'updated_at';
ok defined parse_ts($h->{created_at}), 'created_at';
is hash_of('status:component:api')->{description}, 'REST API', 'description';
is hash_of('status:component:api')->{status}, 'operational', 'default status operational';
is hash_of('status:component:api')->{only_show_if_degraded}, '0', 'default only_show_if_degraded 0';
is hash_of('status:component:storage')->{'name.ko'}, '스토리지', 'name.ko';

my $d = state_dump();
($rc, $out, $err) = cli('component', 'add', 'api', '--name', 'Again');
is $rc, 2, 'adding an existing component: exit 2';
like $err, qr/"api" already exists/, 'names it';
($rc, $out, $err) = cli('component', 'add', 'x1', '--name', 'X', '--group', 'nope');
is $rc, 2, 'unknown --group: exit 2';
like $err, qr/"nope"/, 'names the group';
is_deeply state_dump(), $d, 'nothing written';

sleep 1;
my $before = hash_of('status:component:api')->{updated_at};
cli_ok('component', 'set', 'api', 'major_outage');
$h = hash_of('status:component:api');
is $h->{status}, 'major_outage', 'component set';
ok parse_ts($h->{updated_at}) > parse_ts($before), 'updated_at moved';
is last_audit()->{command}, 'component set', 'audited';
like last_audit()->{fields}, qr/status/, 'audit fields';

($rc, $out, $err) = cli('component', 'set', 'nope', 'operational');
is $rc, 2, 'component set of an unknown id: exit 2';
like $err, qr/no component "nope"/, 'names it';

cli_ok('component', 'remove', 'cdn');
is $t->redis('EXISTS', 'status:component:cdn'), 0, 'remove: hash gone';
ok !defined $t->redis('ZSCORE', 'status:components', 'cdn'), 'remove: zset entry gone';

# --- show -----------------------------------------------------------------------

my $inc = cli_ok('incident', 'open', '--name', 'API down', '--impact', 'critical',
    '--components', 'api', '--message', "Nothing works.\nSecond line.",
    '--next-update', '15m');
cli_ok('incident', 'open', '--name', 'Staff only', '--impact', 'minor',
    '--audience', 'internal', '--message', 'Internal thing.');
my $mnt = cli_ok('maintenance', 'schedule', '--name', 'DB upgrade', '--from',
    'now+1d', '--until', 'now+1d2h', '--components', 'db', '--gate');
my $show = decode_utf8(cli_ok('show'));
like $show, qr/^Page:\s+Example\b/m, 'show: page';
like $show, qr/^Indicator: critical - Major System Outage/m, 'show: derived indicator';
like $show, qr/^\s+api\s+major_outage\s+API/m, 'show: component status';
like $show, qr/^\s+db\s+degraded_performance\s+Database\s+\(group storage\)/m,
    'show: group';
like $show, qr/^\s+\Q$inc\E\s+investigating\s+API down/m, 'show: unresolved incident';
like $show, qr/latest \(investigating, \S+\): Nothing works\.\n\s+Second line\./,
    'show: latest update';
like $show, qr/next update by \S+Z/, 'show: next update';
like $show, qr/Staff only\s+\[internal\]/, 'show: internal incident marked';
like $show, qr/^\s+\Q$mnt\E\s+scheduled\s+DB upgrade/m, 'show: maintenance';
like $show, qr/gate on/, 'show: gate';

my $json = json_decode(cli_ok('show', '--json'));
ok $json, 'show --json is JSON';
is $json->{status}{indicator}, 'critical', 'summary: indicator';
is $json->{page}{name}, 'Example', 'summary: page';
is scalar(grep { $_->{id} eq $inc } @{ $json->{incidents} }), 1, 'summary: incident';
is scalar(grep { $_->{name} eq 'Staff only' } @{ $json->{incidents} }), 0,
    'summary: internal incident not shown';

# hand-edited garbage is reported by show, never fatal
$t->redis('HSET', 'status:component:bad', 'name', 'Bad', 'status', 'sideways');
$t->redis('ZADD', 'status:components', 50, 'bad');
$show = cli_ok('show');
like $show, qr/Skipped by the module .*\n.*sideways/, 'show lists what the module skips';

# --- help on every command --------------------------------------------------------

for my $c (['incident', 'open'], ['incident', 'update'], ['incident', 'resolve'],
    ['incident', 'postmortem'], ['maintenance', 'schedule'],
    ['maintenance', 'start'], ['maintenance', 'verify'],
    ['maintenance', 'complete'], ['maintenance', 'cancel'],
    ['component', 'add'], ['component', 'set'], ['component', 'remove'],
    ['page', 'set'], ['show'], ['export'], ['import'], ['template', 'list'],
    ['template', 'show'], ['postmortem']) {
    my ($rc, $out, $err) = cli(@$c, '--help');
    ok $rc == 0 && $out =~ /\AUsage: status-edge .*\Q@$c\E/ && $err eq '',
        "@$c --help" or diag "$rc $out $err";
}
($rc, $out) = cli('--help');
ok $rc == 0 && $out =~ /Commands:/, 'status-edge --help';
($rc, $out, $err) = cli();
is $rc, 2, 'no command: exit 2';

$t->stop_redis;
done_testing;
