#!/usr/bin/perl
# status-edge validation: every bad value exits 2 with one line naming it
# and writes nothing (DUMP of every key before and after); Redis refusals
# exit 1 and write nothing; connection URLs (auth, db, unix socket).
#
# The tool: $STATUS_EDGE_CLI or build/status-edge.

use strict;
use warnings;
use utf8;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use StatusEdge::Test qw(sample_state);
use StatusEdge::CLI;

my $t = StatusEdge::CLI->new->t;    # the tool, and a Redis of its own

no warnings 'qw';    # ids with commas in qw() lists

my $now = time;
$t->write_state(sample_state(now => $now));
my $inc = cli_ok('incident', 'open', '--id', 'inc-cli', '--name', 'CLI made',
    '--impact', 'minor', '--message', 'x');

my $long_name = 'x' x 256;
my $long_body = 'y' x (16 * 1024 + 1);
my $tz_bad = 'Not a zone!';

# [arguments, what stderr must name]
my @cases = (
    [[qw(incident open --name x --impact huge --message m)], qr/"huge"/],
    [[qw(incident open --name x --impact major --status fixing --message m)], qr/"fixing"/],
    [[qw(incident open --name x --impact major --status resolved --message m)], qr/"resolved"/],
    [[qw(incident open --id Bad_ID --name x --impact major --message m)], qr/"Bad_ID"/],
    [['incident', 'open', '--id', 'a' x 65, '--name', 'x', '--impact', 'major', '--message', 'm'], qr/"a{65}"/],
    [[qw(incident open --name x --impact major --message m --components api,Bad!)], qr/"Bad!"/],
    [[qw(incident open --name x --impact major --message m --components api,nope)], qr/unknown component "nope"/],
    [['incident', 'open', '--name', $long_name, '--impact', 'major', '--message', 'm'], qr/--name is too long/],
    [['incident', 'open', '--name', "two\nlines", '--impact', 'major', '--message', 'm'], qr/bad --name "two\\x0alines"/],
    [['incident', 'open', '--name', 'x', '--impact', 'major', '--message', "bad \xff\xfe utf-8"], qr/bad --message "bad \\xff\\xfe utf-8"/],
    [['incident', 'open', '--name', 'x', '--impact', 'major', '--message', $long_body], qr/--message is too long/],
    [['incident', 'open', '--name', 'x', '--impact', 'major', '--message', ''], qr/empty --message/],
    [['incident', 'open', '--name', 'x', '--impact', 'major', '--message', "nul\x01"], qr/bad --message "nul\\x01"/],
    [[qw(incident open --name x --impact major --message m --next-update 5x)], qr/"5x"/],
    [[qw(incident open --name x --impact major --message m --next-update 8d)], qr/"8d"/],
    [[qw(incident open --name x --impact major --message m --audience everyone)], qr/"everyone"/],
    [[qw(incident open --name x --impact major --message m --shortlink javascript:alert(1))], qr/"javascript:alert\(1\)"/],
    [[qw(incident open --impact major --message m)], qr/missing --name/],
    [[qw(incident open --name x --message m)], qr/missing --impact/],
    [[qw(incident open --name x --impact major)], qr/missing --message/],
    [[qw(incident open --nme x --impact major --message m)], qr/"--nme"/],
    [[qw(incident open --name x --impact major --message m --message.x_y z)], qr/"x_y"/],
    [[qw(incident open --name x --impact major --message m --template resolved)], qr/either --message or --template/],
    [[qw(incident open --name x --impact major --template nope)], qr/unknown template "nope"/],
    [[qw(incident open --template high-load)], qr/\{component\}/],
    [[qw(incident open --template high-load --var component=API --var eta=1h --var extra=1)], qr/extra/],
    [[qw(incident open --name x --impact major --message m --var a=b)], qr/--var a needs --template/],
    [[qw(incident open --name x --impact major --message m --var novalue)], qr/"novalue"/],
    [[qw(incident update inc-api --banner maybe)], qr/"maybe"/],
    [[qw(incident update inc-api --status postmortem --message m)], qr/incident postmortem/],
    [[qw(incident update inc-api)], qr/nothing to change/],
    [[qw(incident update inc-pay --next-update 1h)], qr/--next-update/],
    [[qw(incident update nope --message m)], qr/no incident "nope"/],
    [[qw(incident update Bad! --message m)], qr/"Bad!"/],
    [[qw(incident resolve inc-api --postmortem ftp://example.com/x)], qr/"ftp:\/\/example.com\/x"/],
    [[qw(incident resolve inc-pay)], qr/already resolved/],
    [[qw(incident postmortem inc-api --url https://example.com/pm)], qr/not resolved/],
    [[qw(incident postmortem inc-pay)], qr/missing --url/],
    [[qw(maintenance schedule --name m --from tomorrow --until now+2h)], qr/"tomorrow"/],
    [[qw(maintenance schedule --name m --from 2026-13-01T00:00:00Z --until now+2h)], qr/"2026-13-01T00:00:00Z"/],
    [[qw(maintenance schedule --name m --from now+2h --until now+1h)], qr/--until "now\+1h" is not after --from "now\+2h"/],
    [[qw(maintenance schedule --name m --from now+2h)], qr/missing --until/],
    [[qw(maintenance schedule --name m --from now --until now+1h --banner-lead forever)], qr/"forever"/],
    [[qw(maintenance schedule --name m --from now --until now+1h --banner-lead 400d)], qr/"400d"/],
    [[qw(maintenance schedule --name m --from now --until now+1h --components db,zzz)], qr/unknown component "zzz"/],
    [[qw(maintenance start nope)], qr/no maintenance "nope"/],
    [[qw(maintenance complete mnt-db)], qr/scheduled: it cannot become completed/],
    [['page', 'set', '--time-zone', $tz_bad], qr/"Not a zone!"/],
    [[qw(page set --url notaurl)], qr/"notaurl"/],
    [[qw(page set --status-url http://)], qr/"http:\/\/"/],
    [[qw(component add x1 --name X --position 0)], qr/--position "0"/],
    [[qw(component add x1 --name X --position 12abc)], qr/"12abc"/],
    [[qw(component add Api --name X)], qr/"Api"/],
    [[qw(component add x1)], qr/missing --name/],
    [[qw(component add x1 --name X --status sideways)], qr/"sideways"/],
    [['component', 'add', 'x1', '--name', 'X', '--description', 'z' x 1025], qr/--description/],
    [[qw(component set api broken)], qr/"broken"/],
    [[qw(component set api)], qr/missing argument/],
    [[qw(component set api operational extra)], qr/unexpected argument "extra"/],
    [[qw(component remove nope)], qr/no component "nope"/],
    [[qw(show --impact major)], qr/unknown option --impact/],
    [[qw(frobnicate)], qr/unknown command "frobnicate"/],
    [[qw(incident frobnicate)], qr/"frobnicate"/],
    [['--page', 'bad prefix', 'show'], qr/"bad prefix"/],
    [[qw(--redis http://127.0.0.1:6379 show)], qr/bad Redis URL "http:\/\/127.0.0.1:6379"/],
    [[qw(--redis redis://127.0.0.1:99999/0 show)], qr/"redis:\/\/127.0.0.1:99999\/0"/],
    [[qw(import /nonexistent/file.json)], qr/"\/nonexistent\/file.json"/],
    [[qw(postmortem nope)], qr/no incident "nope"/],
    [[qw(template show nope)], qr/unknown template "nope"/],
    [[qw(--actor), '', 'show'], qr/--actor/],
);

for my $c (@cases) {
    my ($args, $re) = @$c;
    my $name = join ' ', map { length > 40 ? substr($_, 0, 37) . '...' : $_ } @$args;
    $name =~ s/[^\x20-\x7e]/?/g;
    my $before = state_dump();
    my ($rc, $out, $err) = cli(@$args);
    is $rc, 2, "exit 2: $name";
    like $err, qr/\Astatus-edge: [^\n]*\n\z/, "one line on stderr: $name";
    like $err, $re, "stderr names the bad value: $name" or diag $err;
    is $out, '', "nothing on stdout: $name";
    is_deeply state_dump(), $before, "nothing written: $name";
}

# --- Redis refuses: exit 1, nothing written --------------------------------------

sub refused {
    my ($what, $setup, $undo, @args) = @_;
    $setup->();
    my $before = state_dump();
    my ($rc, $out, $err) = cli(@args);
    is $rc, 1, "exit 1: $what";
    like $err, qr/\Astatus-edge: [^\n]*\n\z/, "one line: $what";
    like $err, qr/WRONGTYPE|refused/, "says Redis refused: $what" or diag $err;
    is_deeply state_dump(), $before, "nothing written: $what";
    $undo->();
}

refused('audit stream is a string',
    sub { $t->redis('SET', 'status:audit', 'oops') },
    sub { $t->redis('DEL', 'status:audit') },
    qw(incident update inc-api --message m --impact critical));
refused('version is not an integer',
    sub { $t->redis('RENAME', 'status:version', 'tmp:v'); $t->redis('SET', 'status:version', 'abc') },
    sub { $t->redis('RENAME', 'tmp:v', 'status:version') },
    qw(component set api operational));
# the hash write comes first in the batch, the bad list last: still nothing
refused('an updates key of the wrong type',
    sub { $t->redis('RENAME', 'status:incident:inc-cli:updates', 'tmp:u');
          $t->redis('SET', 'status:incident:inc-cli:updates', 'oops') },
    sub { $t->redis('DEL', 'status:incident:inc-cli:updates');
          $t->redis('RENAME', 'tmp:u', 'status:incident:inc-cli:updates') },
    qw(incident update inc-cli --status identified --message m --impact major));
refused('a record key of the wrong type',
    sub { $t->redis('SET', 'status:incident:taken', 'oops') },
    sub { $t->redis('DEL', 'status:incident:taken') },
    qw(incident open --id taken --name x --impact minor --message m));

# the state is intact after all that
cli_ok('incident', 'update', 'inc-cli', '--status', 'identified', '--message', 'ok now');

# --- connection URLs ----------------------------------------------------------------

my $t2 = StatusEdge::Test->new(name => 'auth');
$t2->start_redis(password => 'sëcret pw', unixsocket => 1);
my $port2 = $t2->redis_port;
my ($rc, $out, $err) = cli({ redis => "redis://127.0.0.1:$port2/0" }, 'show');
is $rc, 1, 'no password: exit 1';
like $err, qr/NOAUTH|AUTH/, 'says so';
($rc, $out, $err) = cli({ redis => "redis://:wrong\@127.0.0.1:$port2/0" }, 'show');
is $rc, 1, 'wrong password: exit 1';
cli_ok({ redis => "redis://default:s%C3%ABcret%20pw\@127.0.0.1:$port2/2" },
    'component', 'add', 'api', '--name', 'API');
$t2->redis_db(2);
is $t2->redis('HGET', 'status:component:api', 'name'), 'API',
    'user:password (percent-encoded) and /db';
my $sock = "$t2->{prefix}/redis/redis.sock";
cli_ok({ redis => "unix://$sock?db=2&password=s%C3%ABcret%20pw" },
    'component', 'set', 'api', 'major_outage');
is $t2->redis('HGET', 'status:component:api', 'status'), 'major_outage',
    'unix socket URL with db and password';
cli_ok({ redis => "unix://$sock?db=2&password=s%C3%ABcret%20pw" },
    '--page', 'other:', 'component', 'add', 'web', '--name', 'W');
is $t2->redis('HGET', 'other:component:web', 'name'), 'W', '--page prefix';
is $t2->redis('GET', 'other:version'), 1, 'the prefix has its own version';
$t2->stop_redis;

$t->stop_redis;
done_testing;
