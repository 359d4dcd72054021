#!/usr/bin/perl
# status-edge reset (issue 14, item 5): Preset becomes max(now in Unix
# milliseconds, Preset + 1), with the version bump, the PUBLISH and the
# audit entry in one write; page content is untouched; a Preset that is
# not a number is replaced with a note; a Preset of the wrong type is
# refused and nothing is written; show prints the reset; import and the
# other writers leave Preset alone.  The module side: t/47-never-backwards.t.
#
# The tool: $STATUS_EDGE_CLI or build/status-edge.

use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use File::Temp ();
use Time::HiRes qw(time);
use StatusEdge::Test qw(sample_state);
use StatusEdge::CLI;

my $c = StatusEdge::CLI->new;    # the tool, and a Redis of its own
my $t = $c->t;

$t->write_state(sample_state());

sub content {
    my $d = state_dump();
    delete @$d{'status:version', 'status:reset', 'status:audit', '#version',
        '#audit'};
    return $d;
}

# --- a first reset: the time, the version bumped, published, audited
my $before = content();
my $v0 = version();
my $sub = StatusEdge::Test::Redis->new(port => $t->redis_port);
$sub->cmd('SUBSCRIBE', 'status:events');

my $t0 = int(time * 1000);
my $out = cli_ok('reset');
my $t1 = int(time * 1000) + 1;
my ($r1, $v1) = $out =~ /\Areset (\d+), version (\d+)\z/;
ok defined $r1, 'prints the reset and the version' or diag $out;
ok $r1 >= $t0 && $r1 <= $t1, "Preset is now in Unix ms ($t0 <= $r1 <= $t1)";
is $t->redis('GET', 'status:reset'), $r1, 'Preset written';
is $v1, $v0 + 1, 'the version bumped';
is version(), $v1, 'Pversion is the one printed';
my $msg = $sub->read_reply;
is_deeply $msg, ['message', 'status:events', $v1], 'the new version published';
my $a = last_audit();
is $a->{command}, 'reset', 'audit: command reset';
is $a->{fields}, 'reset', 'audit: fields reset';
is $a->{id}, 'page', 'audit: id page';
is $a->{version}, $v1, 'audit: the new version';
is_deeply content(), $before, 'the page content is untouched';

like cli_ok('show'), qr/^Reset: +$r1 \(\d{4}-\d\d-\d\dT[\d:]+Z/m,
    'show prints the reset and its time';

# --- a Preset ahead of the clock still grows
my $ahead = $r1 + 86400 * 1000;
$t->redis('SET', 'status:reset', $ahead);
($out) = cli_ok('reset');
is $t->redis('GET', 'status:reset'), $ahead + 1,
    'a Preset ahead of the clock: Preset + 1';

# --- not a number: replaced, with a note
$t->redis('SET', 'status:reset', 'yesterday');
my ($rc, $so, $se) = cli('reset');
is $rc, 0, 'a Preset that is not a number: exit 0';
like $se, qr/note: "status:reset" held "yesterday", not Unix milliseconds: replaced/,
    'with a note';
like $t->redis('GET', 'status:reset'), qr/\A\d{13,}\z/, 'replaced by the time';

# --- the wrong type: refused, nothing written
$t->redis('DEL', 'status:reset');
$t->redis('HSET', 'status:reset', 'when', 'now');
my $dump = state_dump();
($rc, $so, $se) = cli('reset');
is $rc, 1, 'a Preset of the wrong type: exit 1';
like $se, qr/status:reset.*WRONGTYPE/, 'the key named';
is_deeply state_dump(), $dump, 'nothing written';
$t->redis('DEL', 'status:reset');

# --- show without a reset: no line
unlike cli_ok('show'), qr/^Reset:/m, 'show: no Reset line when unset';

# --- the other writers and import leave Preset alone
cli_ok('reset');
my $r = $t->redis('GET', 'status:reset');
cli_ok('component', 'set', 'api', 'major_outage');
my $export = File::Temp->new;
{
    my ($erc, $json) = cli('export');
    is $erc, 0, 'export';
    print $export $json;
    close $export;
}
unlike do { local $/; open my $fh, '<', $export->filename; <$fh> },
    qr/"reset"|status:reset/, 'export leaves Preset out';
cli_ok('import', $export->filename);
is $t->redis('GET', 'status:reset'), $r, 'component set and import keep Preset';

# --- another page: its own Preset
cli_ok('--page', 'other:', 'reset');
like $t->redis('GET', 'other:reset'), qr/\A\d{13,}\z/, '--page: its Preset';
is $t->redis('GET', 'status:reset'), $r, '--page: not the other page\'s';

done_testing;
