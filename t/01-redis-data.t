#!/usr/bin/perl
# The harness writes state exactly as SPEC §1 describes, with plain
# redis-cli: key types, update lists newest first, version bump, publish.
# (No nginx: checks the test data itself.)

use strict;
use warnings;
use utf8;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use StatusEdge::Test qw(sample_state json_decode parse_ts);

binmode Test::More->builder->$_, ':encoding(UTF-8)'
    for qw(output failure_output todo_output);

my $t = StatusEdge::Test->new;
$t->start_redis;

# a subscriber, as the module has
my $sub = StatusEdge::Test::Redis->new(port => $t->redis_port);
my $r = $sub->cmd('SUBSCRIBE', 'status:events');
is_deeply $r, ['subscribe', 'status:events', 1], 'subscribed to status:events';

my $now = time;
my $S = sample_state(now => $now);
my $v = $t->write_state($S);    # via redis-cli
is $v, 1, 'first write: version 1';

my $msg = $sub->read_reply(5);
is_deeply $msg, ['message', 'status:events', '1'], 'PUBLISH status:events 1 seen';

my %types = (
    'status:page'                     => 'hash',
    'status:components'               => 'zset',
    'status:component:api'            => 'hash',
    'status:incidents'                => 'zset',
    'status:incident:inc-api'         => 'hash',
    'status:incident:inc-api:updates' => 'list',
    'status:maintenances'             => 'zset',
    'status:maintenance:mnt-db'       => 'hash',
    'status:maintenance:mnt-db:updates' => 'list',
    'status:version'                  => 'string',
);
is $t->redis('TYPE', $_), $types{$_}, "$_ is a $types{$_}" for sort keys %types;

is_deeply $t->redis('ZRANGE', 'status:components', 0, -1),
    [qw(api web storage db payments)], 'components in position order';
is_deeply $t->redis('ZREVRANGE', 'status:incidents', 0, -1),
    [qw(inc-internal inc-api inc-pay)], 'incidents newest first by score';
is $t->redis('ZSCORE', 'status:incidents', 'inc-api'),
    parse_ts($S->{incidents}[0]{created_at}), 'incident score = created_at';
is $t->redis('ZSCORE', 'status:maintenances', 'mnt-db'),
    parse_ts($S->{maintenances}[0]{scheduled_for}),
    'maintenance score = scheduled_for';

my $u = $t->redis('LRANGE', 'status:incident:inc-pay:updates', 0, -1);
is scalar @$u, 3, 'three updates';
my @ids = map { json_decode($_)->{id} } @$u;
is_deeply \@ids, [qw(upd-pay-3 upd-pay-2 upd-pay-1)], 'updates newest first';
is json_decode($u->[0])->{body}, $S->{incidents}[2]{updates}[0]{body},
    'Korean body round trip through redis-cli';

my $name = $t->redis('HGET', 'status:incident:inc-pay', 'name');
utf8::decode($name);
is $name, '결제 지연', 'Korean hash value through redis-cli';
is $t->redis('HGET', 'status:incident:inc-internal', 'audience'), 'internal',
    'internal audience';
is $t->redis('HGET', 'status:component:db', 'group_id'), 'storage', 'group_id';

# a second write replaces the state and bumps again
$S->{page}{name} = 'Example Cloud 2';
splice @{ $S->{components} }, 4, 1;
is $t->write_state($S), 2, 'second write: version 2';
is $t->redis('EXISTS', 'status:component:payments'), 0, 'old keys removed';
is_deeply $sub->read_reply(5), ['message', 'status:events', '2'], 'PUBLISH 2';

# values that need quoting survive redis-cli
my $odd = qq{quote " back\\slash 'single' new\nline\ttab 한국어 😀};
$t->redis_cli_script([['HSET', 'status:page', 'name', $odd]]);
my $got = $t->redis('HGET', 'status:page', 'name');
utf8::decode($got);
is $got, $odd, 'odd characters survive the redis-cli quoting';

# the RESP writer gives the same result
my $t2v = $t->write_state(sample_state(now => $now), via => 'resp');
is $t2v, 3, 'resp write: version 3';
is $t->redis('HGET', 'status:component:payments', 'only_show_if_degraded'), 1,
    'resp write restores keys';

$t->stop;
done_testing;
