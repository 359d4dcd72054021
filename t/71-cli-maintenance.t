#!/usr/bin/perl
# status-edge maintenance schedule/start/verify/complete/cancel: fields,
# times in UTC, zset scores, component statuses, transitions.
#
# The tool: $STATUS_EDGE_CLI or build/status-edge.

use strict;
use warnings;
use utf8;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use StatusEdge::Test qw(sample_state parse_ts ts);
use StatusEdge::CLI;

my $t = StatusEdge::CLI->new->t;    # the tool, and a Redis of its own

my $now = time;
$t->write_state(sample_state(now => $now));
cli_ok('component', 'set', 'db', 'degraded_performance');

# --- schedule -----------------------------------------------------------------

my $from = ts($now + 3 * 86400);
my $until = ts($now + 3 * 86400 + 7200);
my $v0 = version();
my $id = cli_ok('maintenance', 'schedule', '--name', 'Network upgrade',
    '--name.ko', '네트워크 업그레이드', '--from', $from, '--until', $until,
    '--components', 'web,api,db', '--gate', '--banner-lead', '2h',
    '--message', 'We will upgrade the network.', '--message.ko', '네트워크를 업그레이드합니다.');
like $id, qr/\Amnt-\d{8}-[a-z0-9]{8}\z/, "generated id $id";
is version(), $v0 + 1, 'version bumped';
my $key = "status:maintenance:$id";
my $h = hash_of($key);
is $h->{name}, 'Network upgrade', 'name';
is $h->{'name.ko'}, '네트워크 업그레이드', 'name.ko';
is $h->{status}, 'scheduled', 'status scheduled';
is $h->{impact}, 'maintenance', 'impact maintenance';
is $h->{scheduled_for}, $from, 'scheduled_for';
is $h->{scheduled_until}, $until, 'scheduled_until';
is $h->{gate}, 'on', '--gate';
is $h->{banner_lead}, '7200', '--banner-lead 2h = 7200 s';
is $h->{banner}, 'on', 'banner on';
is $h->{components}, 'web,api,db', 'components';
ok defined parse_ts($h->{created_at}), 'created_at';
is $t->redis('ZSCORE', 'status:maintenances', $id), parse_ts($from),
    'Pmaintenances score = scheduled_for';
my $u = updates_of($key);
is $u->[0]{status}, 'scheduled', 'first update scheduled';
is $u->[0]{body}, 'We will upgrade the network.', 'body';
is $u->[0]{'body.ko'}, '네트워크를 업그레이드합니다.', 'body.ko';
is last_audit()->{command}, 'maintenance schedule', 'audited';

# relative times, defaults, default text
my $id2 = cli_ok('maintenance', 'schedule', '--id', 'mnt-later', '--name', 'Later',
    '--from', 'now+1h', '--until', 'now+90m', '--no-banner');
is $id2, 'mnt-later', '--id';
$h = hash_of('status:maintenance:mnt-later');
my $f = parse_ts($h->{scheduled_for});
ok abs($f - (time + 3600)) <= 2, 'now+1h';
is parse_ts($h->{scheduled_until}) - $f, 1800, 'now+90m';
is $h->{gate}, 'off', 'gate off by default';
is $h->{banner}, 'off', '--no-banner';
ok !exists $h->{banner_lead}, 'banner_lead unset by default';
$u = updates_of('status:maintenance:mnt-later');
like $u->[0]{body}, qr/\AScheduled maintenance from \S+Z to \S+Z/, 'default text';
ok length $u->[0]{'body.ko'}, 'default text in Korean';

# offsets in --from are converted to UTC
my $id3 = cli_ok('maintenance', 'schedule', '--name', 'Offset', '--from',
    '2030-01-01T09:00:00+09:00', '--until', '2030-01-01T10:30:00+09:00');
is hash_of("status:maintenance:$id3")->{scheduled_for}, '2030-01-01T00:00:00Z',
    'offset time written as UTC';

# --- start / verify / complete ------------------------------------------------

cli_ok('maintenance', 'start', $id);
$h = hash_of($key);
is $h->{status}, 'in_progress', 'start: in_progress';
ok defined parse_ts($h->{started_at}), 'started_at set';
is updates_of($key)->[0]{status}, 'in_progress', 'start: update';
is updates_of($key)->[0]{body}, 'The scheduled maintenance is now in progress.', 'default start text';
is hash_of('status:component:web')->{status}, 'under_maintenance', 'operational component -> under_maintenance';
is hash_of('status:component:db')->{status}, 'degraded_performance', 'a degraded component is left alone';
is hash_of('status:component:api')->{status}, 'partial_outage', 'an outage is left alone';

my ($rc, $out, $err) = cli('maintenance', 'start', $id);
is $rc, 2, 'start twice: exit 2';
like $err, qr/in_progress/, 'names the status';

cli_ok('maintenance', 'verify', $id, '--message', 'Checking.');
is hash_of($key)->{status}, 'verifying', 'verify';
is updates_of($key)->[0]{body}, 'Checking.', 'verify --message';

cli_ok('maintenance', 'complete', $id);
$h = hash_of($key);
is $h->{status}, 'completed', 'complete';
is $h->{resolved_at}, $h->{updated_at}, 'resolved_at set';
is hash_of('status:component:web')->{status}, 'operational', 'under_maintenance -> operational';
is hash_of('status:component:db')->{status}, 'degraded_performance', 'degraded one unchanged';
is scalar @{ updates_of($key) }, 4, 'four updates';

($rc, $out, $err) = cli('maintenance', 'complete', $id);
is $rc, 2, 'complete twice: exit 2';

# verify without start
($rc, $out, $err) = cli('maintenance', 'verify', 'mnt-later');
is $rc, 2, 'verify a scheduled maintenance: exit 2';

# --- cancel --------------------------------------------------------------------

cli_ok('maintenance', 'cancel', 'mnt-later');
is $t->redis('EXISTS', 'status:maintenance:mnt-later'), 0, 'cancel: hash gone';
is $t->redis('EXISTS', 'status:maintenance:mnt-later:updates'), 0, 'cancel: updates gone';
ok !defined $t->redis('ZSCORE', 'status:maintenances', 'mnt-later'), 'cancel: zset entry gone';
is last_audit()->{command}, 'maintenance cancel', 'cancel audited';

my $d = state_dump();
($rc, $out, $err) = cli('maintenance', 'cancel', $id);
is $rc, 2, 'cancel of a completed maintenance: exit 2';
like $err, qr/completed/, 'names the status';
($rc, $out, $err) = cli('maintenance', 'start', 'nope');
is $rc, 2, 'unknown maintenance: exit 2';
like $err, qr/"nope"/, 'names it';
is_deeply state_dump(), $d, 'nothing written';

# the hand-written maintenance of the sample
cli_ok('maintenance', 'start', 'mnt-db', '--template', 'maintenance-started');
is hash_of('status:maintenance:mnt-db')->{status}, 'in_progress', 'start of a redis-cli maintenance';

$t->stop_redis;
done_testing;
