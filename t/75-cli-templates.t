#!/usr/bin/perl
# status-edge templates: the built-in ones in English and Korean, values
# for placeholders, defaults, operator templates from --templates DIR or
# STATUS_EDGE_TEMPLATES, and errors naming the placeholder.
#
# The tool: $STATUS_EDGE_CLI or build/status-edge.

use strict;
use warnings;
use utf8;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Encode qw(encode_utf8 decode_utf8);
use File::Temp ();
use StatusEdge::Test qw(sample_state);
use StatusEdge::CLI;

my $t = StatusEdge::CLI->new->t;    # the tool, and a Redis of its own

$t->write_state(sample_state(now => time));

# --- built-in templates --------------------------------------------------------

my $list = cli_ok('template', 'list');
for my $n (qw(high-load provider-outage database-degradation
    scheduled-maintenance security-investigation resolved)) {
    like $list, qr/^\Q$n\E\s+\S/m, "built-in template $n listed";
    my $show = decode_utf8(cli_ok('template', 'show', $n));
    like $show, qr/^\[body\]\n\S/m, "$n: English body";
    like $show, qr/^\[body\.ko\]\n.*[\x{ac00}-\x{d7a3}]/m, "$n: Korean body";
    if ($n ne 'resolved') {
        like $show, qr/^title = \S/m, "$n: English title";
        like $show, qr/^title\.ko = .*[\x{ac00}-\x{d7a3}]/m, "$n: Korean title";
        like $show, qr/\{[a-z_]+\}/, "$n: has placeholders";
    }
}
like $list, qr/^provider-outage\s.*\{component\} \{provider\} \{eta\}/m,
    'list shows the placeholders';

# --- open with a template: both languages, name and defaults --------------------

my $id = cli_ok('incident', 'open', '--template', 'provider-outage',
    '--var', 'provider=AWS', '--var', 'component=결제', '--var', 'eta=30분',
    '--components', 'payments');
my $h = hash_of("status:incident:$id");
is $h->{name}, '결제 affected by a AWS outage', 'title -> name';
is $h->{'name.ko'}, 'AWS 장애로 인한 결제 영향', 'title.ko -> name.ko';
is $h->{impact}, 'major', 'template impact';
is $h->{status}, 'identified', 'template status';
my $u = updates_of("status:incident:$id")->[0];
is $u->{body}, 'An outage at our third-party provider AWS is affecting 결제. '
    . 'We are in contact with AWS and working on mitigation. We will post '
    . 'an update within 30분.', 'English body with the values';
is $u->{'body.ko'}, '외부 서비스 제공업체 AWS의 장애로 결제에 영향이 있습니다. '
    . 'AWS와 협력하여 영향을 줄이고 있으며, 30분 안에 업데이트를 알려 드리겠습니다.',
    'Korean body with the values';
is $u->{status}, 'identified', 'update status';

# options win over the template's defaults
my $id2 = cli_ok('incident', 'open', '--template', 'security-investigation',
    '--var', 'component=Login', '--name', 'Login issue', '--impact', 'critical',
    '--status', 'investigating', '--message.ko', '직접 쓴 본문');
$h = hash_of("status:incident:$id2");
is $h->{name}, 'Login issue', '--name wins';
ok !exists $h->{'name.ko'}, 'no template title.ko with an explicit --name';
is $h->{impact}, 'critical', '--impact wins';
$u = updates_of("status:incident:$id2")->[0];
like $u->{body}, qr/potential security issue affecting Login/, 'template body';
is $u->{'body.ko'}, '직접 쓴 본문', '--message.ko wins over body.ko';

# on update and resolve
cli_ok('incident', 'update', $id2, '--template', 'database-degradation',
    '--var', 'component=Login', '--var', 'eta=1h', '--status', 'identified');
$u = updates_of("status:incident:$id2")->[0];
like $u->{body}, qr/degraded database performance affecting Login/, 'update with a template';
like $u->{'body.ko'}, qr/Login에 영향을 주는 데이터베이스 성능 저하/, 'in Korean too';
is hash_of("status:incident:$id2")->{name}, 'Login issue', 'a template title renames nothing on update';
cli_ok('incident', 'update', $id2, '--template', 'resolved');
is hash_of("status:incident:$id2")->{status}, 'resolved', 'the resolved template resolves';
ok defined hash_of("status:incident:$id2")->{resolved_at}, 'resolved_at';

# maintenance with a template
my $m = cli_ok('maintenance', 'schedule', '--template', 'scheduled-maintenance',
    '--var', 'component=DB', '--var', 'duration=10분', '--from', 'now+1d',
    '--until', 'now+1d1h');
$h = hash_of("status:maintenance:$m");
is $h->{name}, 'Scheduled maintenance of DB', 'maintenance name from the template';
is $h->{'name.ko'}, 'DB 정기 점검', 'and in Korean';
like updates_of("status:maintenance:$m")->[0]{'body.ko'}, qr/최대 10분 동안/, 'Korean body';

# errors name the placeholder
my ($rc, $out, $err) = cli('incident', 'open', '--template', 'high-load', '--var', 'component=API');
is $rc, 2, 'missing value: exit 2';
like $err, qr/needs a value for \{eta\} \(--var eta=VALUE\)/, 'names {eta}';
($rc, $out, $err) = cli('incident', 'open', '--template', 'resolved', '--var', 'who=me',
    '--name', 'x', '--impact', 'minor');
is $rc, 2, 'unknown variable: exit 2';
like $err, qr/no placeholder \{who\}/, 'names {who}';
($rc, $out, $err) = cli('incident', 'open', '--template', 'high-load',
    '--var', "component=two\nlines", '--var', 'eta=1h');
is $rc, 2, 'a multi-line value: exit 2';
like $err, qr/--var component/, 'names the variable';

# --- operator templates ------------------------------------------------------------

my $dir = File::Temp->newdir;
sub write_file {
    my ($f, $text) = @_;
    open my $fh, '>:raw', $f or die "$f: $!";
    print $fh encode_utf8($text);
    close $fh;
}
write_file("$dir/cdn-slow.tmpl", <<'T');
# our own wording
description = CDN is slow in a region
status = investigating
impact = minor
title = Slow CDN in {region}
title.ko = {region} CDN 지연
[body]
Pages load slowly in {region}.

We are rerouting traffic.
[body.ko]
{region}에서 페이지가 느리게 열립니다.
T
write_file("$dir/resolved.tmpl", <<'T');
status = resolved
[body]
All good again.
[body.ko]
모두 정상입니다.
T
write_file("$dir/broken.tmpl", "colour = red\n[body]\nx\n");
write_file("$dir/not-a-template.txt", "ignored\n");

(my $rc0, $list, my $err0) = cli('--templates', "$dir", 'template', 'list');
is $rc0, 2, 'template list: exit 2 when a file is invalid';
like $err0, qr/broken\.tmpl" line 1: unknown key "colour"/, 'names the bad file';
like $list, qr/^broken\s+\(invalid/m, 'the bad one flagged';
like $list, qr/^cdn-slow\s+CDN is slow in a region; \{region\}/m, 'file template listed';
like $list, qr/^high-load/m, 'built-ins still listed';
unlike $list, qr/not-a-template/, 'other files ignored';
like cli_ok('--templates', "$dir", 'template', 'show', 'cdn-slow'),
    qr/^title = Slow CDN in \{region\}$/m, 'template show of a file';

my $id3 = cli_ok({ env => { STATUS_EDGE_TEMPLATES => "$dir" } }, 'incident',
    'open', '--template', 'cdn-slow', '--var', 'region=Seoul');
$h = hash_of("status:incident:$id3");
is $h->{name}, 'Slow CDN in Seoul', 'STATUS_EDGE_TEMPLATES: name';
is $h->{'name.ko'}, 'Seoul CDN 지연', 'name.ko';
$u = updates_of("status:incident:$id3")->[0];
is $u->{body}, "Pages load slowly in Seoul.\n\nWe are rerouting traffic.", 'multi-line body';
is $u->{'body.ko'}, 'Seoul에서 페이지가 느리게 열립니다.', 'Korean body';

cli_ok('--templates', "$dir", 'incident', 'resolve', $id3);
$u = updates_of("status:incident:$id3")->[0];
is $u->{body}, 'All good again.', 'a file overrides the built-in of the same name';
is $u->{'body.ko'}, '모두 정상입니다.', 'in Korean too';

my $d = state_dump();
($rc, $out, $err) = cli('--templates', "$dir", 'incident', 'open', '--template',
    'broken', '--name', 'x', '--impact', 'minor');
is $rc, 2, 'a bad template file: exit 2';
like $err, qr/broken\.tmpl" line 1: unknown key "colour"/, 'names the file, line and key';
($rc, $out, $err) = cli('--templates', "$dir/nope", 'template', 'list');
is $rc, 2, 'a missing templates directory: exit 2';
is_deeply state_dump(), $d, 'nothing written';

$t->stop_redis;
done_testing;
