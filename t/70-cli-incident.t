#!/usr/bin/perl
# status-edge incident open/update/resolve/postmortem against a real Redis:
# every field written, transitions, version bump, publish, audit.
#
# The tool: $STATUS_EDGE_CLI or build/status-edge.

use strict;
use warnings;
use utf8;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Encode qw(encode_utf8 decode_utf8);
use StatusEdge::Test qw(sample_state parse_ts free_port);
use StatusEdge::CLI;

my $t = StatusEdge::CLI->new->t;    # the tool, and a Redis of its own

my $now = time;
$t->write_state(sample_state(now => $now));

my $sub = StatusEdge::Test::Redis->new(port => $t->redis_port);
$sub->cmd('SUBSCRIBE', 'status:events');

# --- incident open with every option --------------------------------------

my $v0 = version();
my $before = time;
my $id = cli_ok('incident', 'open', '--id', 'db-slow', '--name', 'Slow database',
    '--name.ko', '데이터베이스 지연', '--impact', 'major', '--status', 'identified',
    '--components', 'api,db', '--message', "Queries are slow.\nWe are on it.",
    '--message.ko', '쿼리가 느립니다.', '--next-update', '30m',
    '--audience', 'internal', '--no-banner', '--shortlink', 'https://stspg.io/db',
    '--actor', 'alice');
my $after = time;
is $id, 'db-slow', 'open prints the id';
is version(), $v0 + 1, 'version bumped by one';
is_deeply $sub->read_reply(5), ['message', 'status:events', $v0 + 1],
    'PUBLISH status:events <new version>';

my $h = hash_of('status:incident:db-slow');
is $h->{name}, 'Slow database', 'name';
is $h->{'name.ko'}, '데이터베이스 지연', 'name.ko';
is $h->{status}, 'identified', 'status';
is $h->{impact}, 'major', 'impact';
is $h->{components}, 'api,db', 'components';
is $h->{audience}, 'internal', 'audience';
is $h->{banner}, 'off', '--no-banner';
is $h->{shortlink}, 'https://stspg.io/db', 'shortlink';
like $h->{created_at}, qr/\A\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\z/, 'created_at is UTC RFC 3339';
my $c = parse_ts($h->{created_at});
ok $c >= int($before) && $c <= $after + 1, 'created_at is now';
is $h->{updated_at}, $h->{created_at}, 'updated_at = created_at';
ok !exists $h->{monitoring_at} && !exists $h->{resolved_at}, 'no monitoring_at/resolved_at yet';
my $nu = parse_ts($h->{next_update_at});
ok $nu >= $c + 1800 - 1 && $nu <= $c + 1800 + 1, 'next_update_at = now + 30m';
is $t->redis('ZSCORE', 'status:incidents', 'db-slow'), $c, 'Pincidents score = created_at';

my $u = updates_of('status:incident:db-slow');
is scalar @$u, 1, 'one update';
is $u->[0]{status}, 'identified', 'update status';
is $u->[0]{body}, "Queries are slow.\nWe are on it.", 'update body (multi-line)';
is decode_utf8(encode_utf8($u->[0]{'body.ko'})), '쿼리가 느립니다.', 'update body.ko';
is $u->[0]{created_at}, $h->{created_at}, 'update created_at';
like $u->[0]{id}, qr/\A[a-z0-9-]{1,64}\z/, 'update id';

my $a = last_audit();
is $a->{actor}, 'alice', 'audit: actor from --actor';
is $a->{command}, 'incident open', 'audit: command';
is $a->{id}, 'db-slow', 'audit: id';
is $a->{version}, $v0 + 1, 'audit: version';
ok defined parse_ts($a->{time}), 'audit: time';
like $a->{fields}, qr/(?:^|,)name(?:,|$)/, 'audit: changed fields listed';
like $a->{fields}, qr/update/, 'audit: the update listed';

# --- generated ids ----------------------------------------------------------

my $g1 = cli_ok('incident', 'open', '--name', 'A', '--impact', 'minor', '--message', 'a');
my $g2 = cli_ok('incident', 'open', '--name', 'B', '--impact', 'none', '--message', 'b');
like $g1, qr/\A\d{8}-[a-z0-9]{8}\z/, "generated id $g1";
isnt $g1, $g2, 'generated ids differ';
$h = hash_of("status:incident:$g1");
is $h->{status}, 'investigating', 'default status investigating';
is $h->{audience}, 'public', 'default audience public';
is $h->{banner}, 'on', 'default banner on';
is last_audit()->{actor}, 'tester', 'audit: actor defaults to $USER';

# the same id again: refused, nothing written
my $d = state_dump();
my ($rc, $out, $err) = cli('incident', 'open', '--id', 'db-slow', '--name', 'x',
    '--impact', 'minor', '--message', 'x');
is $rc, 2, 'an existing id: exit 2';
like $err, qr/"db-slow" already exists/, 'message names the id';
is_deeply state_dump(), $d, 'nothing written';

# --- update -------------------------------------------------------------------

sleep 1;
cli_ok('incident', 'update', 'db-slow', '--status', 'monitoring',
    '--message', 'A fix is deployed.', '--next-update', '1h', '--impact', 'minor',
    '--components', 'db', '--name', 'Slow database queries', '--banner', 'on',
    '--audience', 'public');
$h = hash_of('status:incident:db-slow');
is $h->{status}, 'monitoring', 'update: status';
is $h->{impact}, 'minor', 'update: impact';
is $h->{components}, 'db', 'update: components';
is $h->{name}, 'Slow database queries', 'update: name';
is $h->{banner}, 'on', 'update: banner';
is $h->{audience}, 'public', 'update: audience';
ok parse_ts($h->{updated_at}) > $c, 'update: updated_at moved';
is $h->{monitoring_at}, $h->{updated_at}, 'monitoring_at set on the move to monitoring';
ok parse_ts($h->{next_update_at}) >= parse_ts($h->{updated_at}) + 3599, 'next_update_at +1h';
$u = updates_of('status:incident:db-slow');
is scalar @$u, 2, 'two updates';
is $u->[0]{status}, 'monitoring', 'newest update first';
is $u->[0]{body}, 'A fix is deployed.', 'newest body';
is $u->[1]{status}, 'identified', 'older update kept';

# a new update without --next-update withdraws the promise
my $mon = $h->{monitoring_at};
cli_ok('incident', 'update', 'db-slow', '--message', 'Still watching.');
$h = hash_of('status:incident:db-slow');
ok !exists $h->{next_update_at}, 'next_update_at cleared by an update without --next-update';
is $h->{monitoring_at}, $mon, 'monitoring_at kept';
is $h->{status}, 'monitoring', 'status unchanged without --status';

# a field change without a message: no new update
my $n = @{ updates_of('status:incident:db-slow') };
cli_ok('incident', 'update', 'db-slow', '--impact', 'major');
is scalar @{ updates_of('status:incident:db-slow') }, $n, 'no update entry without a message';
is hash_of('status:incident:db-slow')->{impact}, 'major', 'impact changed';

# a status change needs a message
$d = state_dump();
($rc, $out, $err) = cli('incident', 'update', 'db-slow', '--status', 'identified');
is $rc, 2, 'status change without --message: exit 2';
like $err, qr/--message/, 'message says so';
is_deeply state_dump(), $d, 'nothing written';

# --- resolve ------------------------------------------------------------------

cli_ok('incident', 'update', 'db-slow', '--next-update', '2h');
cli_ok('incident', 'resolve', 'db-slow', '--postmortem', 'https://blog.example.com/pm-db');
$h = hash_of('status:incident:db-slow');
is $h->{status}, 'resolved', 'resolved';
is $h->{resolved_at}, $h->{updated_at}, 'resolved_at set';
ok !exists $h->{next_update_at}, 'next_update_at cleared on resolve';
is $h->{postmortem_url}, 'https://blog.example.com/pm-db', '--postmortem';
$u = updates_of('status:incident:db-slow');
is $u->[0]{status}, 'resolved', 'final update';
is $u->[0]{body}, 'This incident has been resolved. Thank you for your patience.',
    'default resolved text';
is decode_utf8(encode_utf8($u->[0]{'body.ko'})), '이 문제는 해결되었습니다. 기다려 주셔서 감사합니다.',
    'default resolved text in Korean';

($rc, $out, $err) = cli('incident', 'resolve', 'db-slow');
is $rc, 2, 'resolving twice: exit 2';
like $err, qr/already resolved/, 'says already resolved';

# reopen, then resolve with a message
cli_ok('incident', 'update', 'db-slow', '--status', 'investigating', '--message', 'It is back.');
$h = hash_of('status:incident:db-slow');
ok !exists $h->{resolved_at}, 'reopening clears resolved_at';
cli_ok('incident', 'resolve', 'db-slow', '--message', 'Fixed for good.');
is updates_of('status:incident:db-slow')->[0]{body}, 'Fixed for good.', 'resolve --message';

# --- incident postmortem ------------------------------------------------------

($rc, $out, $err) = cli('incident', 'postmortem', $g1, '--url', 'https://blog.example.com/x');
is $rc, 2, 'postmortem of an unresolved incident: exit 2';
like $err, qr/not resolved/, 'says not resolved';
cli_ok('incident', 'postmortem', 'db-slow', '--url', 'https://blog.example.com/final');
$h = hash_of('status:incident:db-slow');
is $h->{status}, 'postmortem', 'status postmortem';
is $h->{postmortem_url}, 'https://blog.example.com/final', 'postmortem_url';

# existing hand-written incidents work too
cli_ok('incident', 'update', 'inc-api', '--status', 'monitoring', '--message', 'Rolled back.');
is hash_of('status:incident:inc-api')->{status}, 'monitoring', 'update of a redis-cli incident';
is scalar @{ updates_of('status:incident:inc-api') }, 3, 'its updates kept';

# --- unreachable Redis: exit 1 ------------------------------------------------

my $closed = free_port();
($rc, $out, $err) = cli({ redis => "redis://127.0.0.1:$closed/0" }, 'incident', 'open',
    '--name', 'x', '--impact', 'minor', '--message', 'x');
is $rc, 1, 'Redis unreachable: exit 1';
like $err, qr/\Astatus-edge: .*cannot connect.*\n\z/, 'one line on stderr';
($rc) = cli('--redis', "redis://127.0.0.1:$closed/0", 'show');
is $rc, 1, '--redis overrides STATUS_EDGE_REDIS';

# every audit entry has the fields
my $all = $t->redis('XRANGE', 'status:audit', '-', '+');
ok @$all >= 10, 'audit entries for every change';
my $bad = grep { my %e = @{ $_->[1] };
    grep { !defined $e{$_} } qw(time actor command id fields version) } @$all;
is $bad, 0, 'every audit entry has time, actor, command, id, fields, version';

$t->stop_redis;
done_testing;
