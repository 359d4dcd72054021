#!/usr/bin/perl
# status-edge export/import: canonical JSON, export -> import -> export
# gives identical bytes (same prefix, another prefix, another database),
# import replaces the page atomically and refuses invalid files unchanged.
#
# The tool: $STATUS_EDGE_CLI or build/status-edge.

use strict;
use warnings;
use utf8;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Encode qw(decode_utf8);
use File::Temp ();
use StatusEdge::Test qw(sample_state json_decode json_encode parse_ts);
use StatusEdge::CLI;

my $t = StatusEdge::CLI->new->t;    # the tool, and a Redis of its own

my $now = time;
$t->write_state(sample_state(now => $now));
# and records made by the tool, translations and all
cli_ok('incident', 'open', '--id', 'inc-tool', '--template', 'provider-outage',
    '--var', 'component=API', '--var', 'provider=AWS', '--var', 'eta=1h',
    '--components', 'api', '--next-update', '1h');
cli_ok('maintenance', 'schedule', '--id', 'mnt-tool', '--name', 'Disk swap',
    '--from', 'now+2d', '--until', 'now+2d1h', '--gate', '--banner-lead', '3h');
# a fractional position, as redis-cli users may write
$t->redis('ZADD', 'status:components', '2.5', 'web');

my $dir = File::Temp->newdir;
my $e1 = cli_ok('export');
my $doc = json_decode($e1);
ok $doc, 'export is JSON';
is $doc->{format}, 'status-edge-export/1', 'format';
is_deeply [map { $_->{id} } @{ $doc->{components} }],
    [qw(api web storage db payments)], 'components in position order';
is $doc->{components}[1]{position}, 2.5, 'fractional position kept';
is $doc->{page}{'name.ko'}, '예제 클라우드', 'page translation';
my ($pay) = grep { $_->{id} eq 'inc-pay' } @{ $doc->{incidents} };
is scalar @{ $pay->{updates} }, 3, 'updates exported';
is $pay->{updates}[0]{status}, 'resolved', 'updates newest first';
is $pay->{score}, parse_ts($pay->{hash}{created_at}), 'score';
ok !exists $doc->{version}, 'no version in the content';
like $e1, qr/\A\{\n  "components": \[\n/, 'indented, keys sorted';
like decode_utf8($e1), qr/예제 클라우드/, 'UTF-8 as is';
open my $fh, '>:raw', "$dir/e1.json" or die;
print $fh "$e1\n";
close $fh;

# export -> import -> export: identical bytes
my $v = version();
cli_ok('import', "$dir/e1.json");
is version(), $v + 1, 'import bumps the version once';
my $a = last_audit();
is $a->{command}, 'import', 'import audited';
like $a->{fields}, qr/import/, 'audit fields';
my $e2 = cli_ok('export');
is $e2, $e1, 'export after import: identical bytes';

# into another prefix and another database, and back from stdin
cli_ok('--page', 'copy:', 'import', "$dir/e1.json");
is cli_ok('--page', 'copy:', 'export'), $e1, 'another prefix: identical bytes';
my $db3 = 'redis://127.0.0.1:' . $t->redis_port . '/3';
cli_ok({ redis => $db3, stdin => "$dir/e1.json" }, 'import', '-');
is cli_ok({ redis => $db3 }, 'export'), $e1, 'another database, from stdin: identical bytes';

# the module reads the same thing from the copy
my $j1 = json_decode(cli_ok('show', '--json'));
my $j2 = json_decode(cli_ok('--page', 'copy:', 'show', '--json'));
delete $_->{page}{updated_at} for $j1, $j2;
is_deeply $j2, $j1, 'the copy renders the same summary';

# import replaces: records not in the file disappear, other pages stay
cli_ok('incident', 'open', '--id', 'extra', '--name', 'Extra', '--impact',
    'minor', '--message', 'x');
cli_ok('component', 'add', 'extra', '--name', 'Extra');
$t->redis('SET', 'statusx:keep', 'me');
$t->redis('HSET', 'status:component:orphan', 'name', 'Orphan');
my $audit_len = $t->redis('XLEN', 'status:audit');
# a shared Redis is not blocked by KEYS, which walks the whole keyspace in
# one go (issue 12, defect 9): the import finds stray keys with SCAN
$t->redis('CONFIG', 'RESETSTAT');
cli_ok('import', "$dir/e1.json");
my $stats = $t->redis('INFO', 'commandstats');
unlike $stats, qr/^cmdstat_keys:/m, 'import runs no KEYS';
like $stats, qr/^cmdstat_scan:/m, 'it scans instead';
is $t->redis('EXISTS', 'status:incident:extra'), 0, 'extra incident gone';
is $t->redis('EXISTS', 'status:incident:extra:updates'), 0, 'its updates gone';
is $t->redis('EXISTS', 'status:component:extra'), 0, 'extra component gone';
is $t->redis('EXISTS', 'status:component:orphan'), 0, 'orphan hash gone';
is $t->redis('GET', 'statusx:keep'), 'me', 'keys of another prefix untouched';
is $t->redis('HGET', 'copy:component:api', 'name'), 'API', 'the copy page untouched';
is $t->redis('XLEN', 'status:audit'), $audit_len + 1, 'audit kept, one entry added';
is cli_ok('export'), $e1, 'identical bytes again';

# --- refused files: exit 2, nothing written ----------------------------------------

sub bad_file {
    my ($what, $mutate, $re) = @_;
    my $d = json_decode($e1);
    my $text = ref $mutate ? do { $mutate->($d); json_encode($d) } : $mutate;
    my $f = "$dir/bad.json";
    open my $fh, '>:raw', $f or die;
    print $fh $text;
    close $fh;
    my $before = state_dump();
    my ($rc, $out, $err) = cli('import', $f);
    is $rc, 2, "refused: $what";
    like $err, qr/\Astatus-edge: [^\n]*\n\z/, "one line: $what";
    like $err, $re, "names the problem: $what" or diag $err;
    is_deeply state_dump(), $before, "nothing written: $what";
}

bad_file('not JSON', '{"format":', qr/line \d+ column \d+/);
bad_file('not an object', '[]', qr/not a JSON object/);
bad_file('wrong format', sub { $_[0]{format} = 'other/1' }, qr/format/);
bad_file('unknown top-level member', sub { $_[0]{extra} = 1 }, qr/unknown member "extra"/);
bad_file('bad component status', sub { $_[0]{components}[0]{hash}{status} = 'sideways' },
    qr/component "api": bad "status" "sideways"/);
bad_file('missing component name', sub { delete $_[0]{components}[0]{hash}{name} },
    qr/component "api": missing field "name"/);
bad_file('unknown field', sub { $_[0]{components}[0]{hash}{colour} = 'red' },
    qr/unknown field "colour"/);
bad_file('bad incident impact', sub { $_[0]{incidents}[0]{hash}{impact} = 'huge' },
    qr/bad "impact" "huge"/);
bad_file('bad time', sub { $_[0]{incidents}[0]{hash}{created_at} = 'yesterday' },
    qr/bad "created_at" "yesterday"/);
bad_file('bad url', sub { $_[0]{incidents}[0]{hash}{shortlink} = 'ftp://x' },
    qr/bad "shortlink" "ftp:\/\/x"/);
bad_file('bad id', sub { $_[0]{incidents}[0]{id} = 'bad id' }, qr/"bad id"/);
bad_file('duplicate id', sub { $_[0]{components}[1]{id} = 'api' }, qr/duplicate id/);
bad_file('maintenance status on an incident',
    sub { $_[0]{incidents}[0]{hash}{status} = 'in_progress' }, qr/"in_progress"/);
bad_file('bad gate', sub { $_[0]{maintenances}[0]{hash}{gate} = 'maybe' }, qr/"maybe"/);
bad_file('gate on an incident', sub { $_[0]{incidents}[0]{hash}{gate} = 'on' },
    qr/unknown field "gate"/);
bad_file('update without body', sub { delete $_[0]{incidents}[0]{updates}[0]{body} },
    qr/needs id, status, body and created_at/);
bad_file('update not an object', sub { $_[0]{incidents}[0]{updates}[0] = 'text' },
    qr/not a JSON object/);
bad_file('update with an unknown member', sub { $_[0]{incidents}[0]{updates}[0]{x} = 'y' },
    qr/unknown update member "x"/);
bad_file('bad update status', sub { $_[0]{incidents}[0]{updates}[0]{status} = 'done' },
    qr/bad update "status" "done"/);
bad_file('a number as a value', sub { $_[0]{components}[0]{hash}{name} = 5 },
    qr/"name" is not a string/);
bad_file('bad score', sub { $_[0]{incidents}[0]{score} = 'soon' }, qr/"score"/);
bad_file('bad translation tag', sub { $_[0]{page}{'name.k_o'} = 'x' }, qr/"name.k_o"/);
bad_file('too long name', sub { $_[0]{page}{name} = 'n' x 256 }, qr/bad "name"/);
bad_file('control character', sub { $_[0]{components}[0]{hash}{name} = "a\x07b" },
    qr/bad "name" "a\\x07b"/);
bad_file('invalid UTF-8', qq({"format":"status-edge-export/1","page":{"name":"\xff"}}),
    qr/not UTF-8/);
bad_file('duplicate keys', '{"format":"status-edge-export/1","format":"x"}',
    qr/duplicate/);

# an export of hand-written garbage is refused on import, and says why
$t->redis('HSET', 'status:component:api', 'status', 'sideways');
my $g = cli_ok('export');
open $fh, '>:raw', "$dir/g.json" or die;
print $fh $g;
close $fh;
my ($rc, $out, $err) = cli('import', "$dir/g.json");
is $rc, 2, 'garbage exported as is, refused on import';
like $err, qr/"sideways"/, 'names it';

$t->stop_redis;
done_testing;
