#!/usr/bin/perl
# status-edge postmortem ID: the Markdown draft (summary, impact with
# components and duration, timeline of every update oldest first, five
# whys, action items by term), blameless wording.
#
# The tool: $STATUS_EDGE_CLI or build/status-edge.

use strict;
use warnings;
use utf8;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Encode qw(decode_utf8);
use StatusEdge::Test qw(sample_state ts);
use StatusEdge::CLI;

my $t = StatusEdge::CLI->new->t;    # the tool, and a Redis of its own

my $now = time;
$t->write_state(sample_state(now => $now));

# the sample's resolved incident: created now-3d, resolved 2h later
my $md = decode_utf8(cli_ok('postmortem', 'inc-pay'));
like $md, qr/\A# Postmortem: 결제 지연\n/, 'title';
like $md, qr/blameless/i, 'written for a blameless review';
unlike $md, qr/\b(?:blame|fault) (?:of|on) /i, 'no blaming wording';
my @sections = $md =~ /^(## .+)$/mg;
is_deeply [grep { /Summary|Impact|Timeline|five whys|Action items/ } @sections],
    ['## Summary', '## Impact', '## Timeline',
     '## Root cause analysis: five whys', '## Action items'],
    'sections in order';
like $md, qr/^- \*\*Impact level:\*\* minor$/m, 'impact level';
like $md, qr/^- \*\*Components affected:\*\* 결제 서비스 \(`payments`\), API \(`api`\)$/m,
    'components by name and id';
my $c = ts($now - 3 * 86400);
my $r = ts($now - 3 * 86400 + 7200);
like $md, qr/^- \*\*Started:\*\* \Q$c\E$/m, 'started = created_at';
like $md, qr/^- \*\*Resolved:\*\* \Q$r\E$/m, 'resolved_at';
like $md, qr/^- \*\*Duration:\*\* 2h 0m$/m, 'duration created -> resolved';
like $md, qr/^- \*\*Fix in place \(monitoring\):\*\* /m, 'monitoring time';
like $md, qr{^- \*\*Published postmortem:\*\* <https://blog\.example\.com/postmortem-payments>$}m,
    'postmortem url, as an autolink';

# timeline: every update, oldest first
my ($timeline) = $md =~ /^## Timeline\n(.*?)^## /ms;
my @items = $timeline =~ /^- \*\*(\S+)\*\* (\w+): (.*)$/mg;
is scalar @items, 9, 'three timeline items';
is_deeply [@items[1, 4, 7]], [qw(investigating monitoring resolved)], 'oldest first';
is $items[0], $c, 'first item time';
is $items[8], '결제가 정상화되었습니다.', 'update text';

my ($whys) = $md =~ /^## Root cause analysis: five whys\n(.*?)^## /ms;
is scalar(() = $whys =~ /^\d\. Why /mg), 5, 'five whys';
like $md, qr/^### Short term.*^### Medium term.*^### Long term/ms,
    'action items: short, medium, long term';

# a whole incident made with the tool, multi-line bodies included
my $id = cli_ok('incident', 'open', '--name', 'Login failures', '--impact',
    'major', '--components', 'web', '--message',
    "Users cannot log in.\nWe are investigating.");
cli_ok('incident', 'update', $id, '--status', 'identified', '--message', 'Cause found.');
cli_ok('incident', 'update', $id, '--status', 'monitoring', '--message', 'Fix deployed.');
$md = decode_utf8(cli_ok('postmortem', $id));
($timeline) = $md =~ /^## Timeline\n(.*?)^## /ms;
@items = $timeline =~ /^- \*\*\S+\*\* (\w+): /mg;
is_deeply \@items, [qw(investigating identified monitoring)], 'every update, oldest first';
like $timeline, qr/investigating: Users cannot log in\.\n  We are investigating\.\n/,
    'a multi-line body stays in its list item';
like $md, qr/^- \*\*Resolved:\*\* not yet$/m, 'unresolved: says so';
like $md, qr/^- \*\*Duration so far:\*\* \d+s$/m, 'duration so far';
like $md, qr/^- \*\*Components affected:\*\* Website \(`web`\)$/m, 'component';

cli_ok('incident', 'resolve', $id);
$md = decode_utf8(cli_ok('postmortem', $id));
like $md, qr/^- \*\*Duration:\*\* \d+s$/m, 'resolved: duration';
like $md, qr/resolved: This incident has been resolved\./, 'final update in the timeline';

# unknown and invalid incidents
my ($rc, $out, $err) = cli('postmortem', 'nope');
is $rc, 2, 'unknown incident: exit 2';
like $err, qr/no incident "nope"/, 'names it';
is $out, '', 'no output';
$t->redis('HSET', 'status:incident:inc-api', 'status', 'exploded');
($rc, $out, $err) = cli('postmortem', 'inc-api');
is $rc, 2, 'an invalid record: exit 2';

$t->stop_redis;
done_testing;
