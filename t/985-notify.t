#!/usr/bin/perl
# status-edge notify and subscriber add|remove|list against a real Redis,
# a local HTTP receiver (webhooks and Slack) and a local SMTP sink:
# payloads and signatures, languages, components and audiences, retries
# with one idempotency key, dead letters, a notifier killed in the middle
# and restarted, two notifiers on one stream, reminders of late promises.
#
# The tool: $STATUS_EDGE_CLI or build/status-edge.

use strict;
use warnings;
use utf8;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Digest::SHA qw(hmac_sha256_hex);
use Encode qw(decode_utf8);
use POSIX qw(WNOHANG);
use Time::HiRes qw(time sleep);
use StatusEdge::Test qw(json_decode wait_until);
use StatusEdge::CLI;
use StatusEdge::Receiver;
use StatusEdge::SMTPSink;
use StatusEdge::TLS qw(make_ca make_cert);

my $c = StatusEdge::CLI->new;
my $t = $c->t;
my $dir = $t->prefix;

my $rx = StatusEdge::Receiver->new(dir => "$dir/rx")->start;
my $smtp = StatusEdge::SMTPSink->new(dir => "$dir/smtp")->start;

my $secret_file = "$dir/notify.secret";
open my $sf, '>', $secret_file or die;
print $sf "0123456789abcdef0123456789abcdef\n";
close $sf;

my @NOTIFY = ('notify', '--smtp', $smtp->url, '--mail-from',
    'status@example.com', '--secret-file', $secret_file, '--retry', '50ms',
    '--retry-max', '200ms', '--timeout', '5s');

sub notify_once {
    my (@args) = @_;
    my ($rc, $out, $err) = cli(@NOTIFY, '--once', @args);
    is $rc, 0, "notify --once @args" or diag $err;
    return ($out, $err);
}

sub bodies {
    my ($path) = @_;
    return map { json_decode($_->{body}) } $rx->requests(path => $path);
}

# --- setup ------------------------------------------------------------------

cli_ok('page', 'set', '--name', 'Example', '--status-url',
    'https://status.example.com/status/', '--time-zone', 'Asia/Seoul');
cli_ok('component', 'add', 'api', '--name', 'API', '--name.ko', '에이피아이');
cli_ok('component', 'add', 'web', '--name', 'Web');

# the first run makes the consumer group: from then on
my ($out0, $err0) = notify_once();
like $err0, qr/created the consumer group status-edge-notify of status:audit/,
    'the first run creates the consumer group and says so';
like $out0, qr/^queued 0 delivered 0 retried 0 dead_lettered 0$/m,
    'nothing before the group';

my $hook_secret = 'whsec-0123456789abcdef';
my $hook = cli_ok('subscriber', 'add', '--webhook', $rx->url('/hook'),
    '--secret', $hook_secret);
like $hook, qr/\Asub-[a-z0-9]{8}\z/, 'subscriber add prints the id';
my ($gen) = cli_ok('subscriber', 'add', '--webhook', $rx->url('/hook-gen'),
    '--components', 'web');
like $gen, qr/\Asub-[a-z0-9]{8}\nsecret [0-9a-f]{48}\z/,
    'a generated secret is printed once';
my $slack = cli_ok('subscriber', 'add', '--slack', $rx->url('/slack'),
    '--lang', 'ko');
my $ann = cli_ok('subscriber', 'add', '--email', 'Ann@Example.com');
my $min = cli_ok('subscriber', 'add', '--email', 'min@example.com',
    '--lang', 'ko', '--components', 'api');
my $bob = cli_ok('subscriber', 'add', '--email', 'bob@example.com',
    '--components', 'web');
my $ops = cli_ok('subscriber', 'add', '--webhook', $rx->url('/ops'),
    '--audience', 'internal', '--secret', 'ops-secret-0123456789');

my $list = cli_ok('subscriber', 'list');
like $list, qr/^\Q$ann\E  email  ann\@example.com  \*  public  en  active$/m,
    'list: the address in lower case, every component';
like $list, qr/^\Q$ops\E  webhook  \S+\/ops  \*  internal  en  active$/m,
    'list: internal';
my $lj = json_decode(cli_ok('subscriber', 'list', '--json'));
is scalar @$lj, 7, 'list --json: seven subscribers';
my ($m) = grep { $_->{id} eq $min } @$lj;
is_deeply [@$m{qw(channel target components lang)}],
    ['email', 'min@example.com', 'api', 'ko'], 'list --json fields';

# --- bad input: clear errors, nothing written --------------------------------

my $before = $t->redis('ZCARD', 'status:subscribers');
for my $case (
    [['--email', 'not-an-address'], qr/bad --email "not-an-address"/],
    [['--email', 'a@b@c'], qr/bad --email "a\@b\@c"/],
    [['--webhook', 'ftp://x/'], qr/bad --webhook URL "ftp:\/\/x\/"/],
    [['--email', 'x@example.com', '--components', 'nope'],
        qr/unknown component.*nope|nope.*(does not exist|unknown)/i],
    [['--email', 'x@example.com', '--lang', 'fr'], qr/bad --lang "fr"/],
    [['--email', 'x@example.com', '--audience', 'staff'],
        qr/bad --audience "staff"/],
    [['--slack', $rx->url('/s'), '--secret', 'abcdefghijklmnopq'],
        qr/--secret is for --webhook/],
    [['--email', 'x@example.com', '--slack', $rx->url('/s')],
        qr/give one of --email, --webhook and --slack/],
    [['--email', 'ann@example.COM'], qr/already subscriber \Q$ann\E/],
) {
    my ($rc, undef, $err) = cli('subscriber', 'add', @{ $case->[0] });
    is $rc, 2, "subscriber add @{ $case->[0] }: exit 2";
    like $err, $case->[1], "... names the bad value";
}
is $t->redis('ZCARD', 'status:subscribers'), $before, 'nothing was written';
my ($rcr, undef, $errr) = cli('subscriber', 'remove', 'sub-nothere');
is $rcr, 2, 'remove of an unknown subscriber: exit 2';
like $errr, qr/no subscriber sub-nothere/, '... says so';

for my $case (
    [['--tries', '0'], qr/bad --tries "0"/],
    [['--retry', 'soon'], qr/bad --retry "soon"/],
    [['--smtp', 'http://relay'], qr/bad --smtp "http:\/\/relay"/],
    [['--mail-from', 'nobody'], qr/bad --mail-from "nobody"/],
    [['--secret-file', "$dir/none"], qr/cannot open .*none/],
) {
    my ($rc, undef, $err) = cli('notify', '--once', @{ $case->[0] });
    is $rc, 2, "notify @{ $case->[0] }: exit 2";
    like $err, $case->[1], '... names the bad value';
}
open $sf, '>', "$dir/short.secret" or die;
print $sf "short\n";
close $sf;
my ($rcs, undef, $errs) = cli('notify', '--once', '--secret-file',
    "$dir/short.secret");
is $rcs, 2, 'a short secret: exit 2';
like $errs, qr/secret in .*short.secret.* is too short/, '... says so';

# --- an incident reaches every channel, in its language ----------------------

my $inc = cli_ok('incident', 'open', '--name', 'API errors',
    '--name.ko', 'API 오류', '--impact', 'major', '--components', 'api',
    '--message', 'We are looking into it.', '--message.ko', '조사 중입니다.',
    '--next-update', '30m');
my ($o1) = notify_once();
like $o1, qr/^queued 5 delivered 5 retried 0 dead_lettered 0$/m,
    'five deliveries: the public webhook, Slack, two emails and the team';

my @h = $rx->requests(path => '/hook');
is scalar @h, 1, 'the webhook got one request';
my $r = $h[0];
is $r->{method}, 'POST', 'a POST';
is $r->{headers}{'content-type'}, 'application/json', 'JSON';
is $r->{headers}{'x-status-edge-signature'},
    'sha256=' . hmac_sha256_hex($r->{body}, $hook_secret),
    'the signature is HMAC-SHA256 of the body with the subscriber\'s secret';
my $key = $r->{headers}{'idempotency-key'};
like $key, qr/\A\d+-\d+:\Q$hook\E\z/, 'an idempotency key: entry and subscriber';
is $r->{headers}{'x-status-edge-event'}, 'incident.open', 'the event header';
my $p = json_decode($r->{body});
is $p->{incident}{id}, $inc, 'payload: the incident';
is $p->{incident}{name}, 'API errors', '... its name';
is $p->{incident}{status}, 'investigating', '... its status';
is $p->{incident}{impact}, 'major', '... its impact';
is $p->{incident}{incident_updates}[0]{body}, 'We are looking into it.',
    '... its latest update';
is_deeply [map { $_->{id} } @{ $p->{incident}{components} }], ['api'],
    '... its components, as Statuspage objects';
ok $p->{incident}{next_update_at}, '... next_update_at';
is $p->{page}{status_indicator}, 'major', 'payload: the page indicator';
like $p->{meta}{unsubscribe},
    qr{\Ahttps://status\.example\.com/status/unsubscribe\?token=\Q$hook\E\.0\.[A-Za-z0-9_-]{22}\z},
    'meta.unsubscribe: a signed link under the status page';
is $p->{status_edge}{idempotency_key}, $key, 'the key in the body too';
is $p->{status_edge}{subject}, '[Investigating] API errors', 'the subject';
like $p->{status_edge}{text}, qr/Next update by \d{4}-\d\d-\d\d \d\d:\d\d KST/,
    'the text: next update by, in the page\'s zone';
like $p->{status_edge}{text},
    qr{Details: https://status\.example\.com/status/#incident-\Q$inc\E},
    'the text: the link to the incident on the page';

my @hg = $rx->requests(path => '/hook-gen');
is scalar @hg, 0, 'a webhook subscribed to another component gets nothing';

my @s = $rx->requests(path => '/slack');
is scalar @s, 1, 'Slack got one message';
my $sp = json_decode($s[0]{body});
is $sp->{text}, '[조사 중] API 오류', 'Slack: the Korean subject as text';
is $sp->{blocks}[0]{type}, 'section', 'Slack: a section block';
is $sp->{blocks}[0]{text}{type}, 'mrkdwn', '... of mrkdwn';
like $sp->{blocks}[0]{text}{text},
    qr{\A\*<https://status\.example\.com/status/#incident-\Q$inc\E\|\[조사 중\] API 오류>\*\n},
    '... the subject linked to the page';
like $sp->{blocks}[0]{text}{text}, qr/조사 중입니다\./, '... the Korean update';
like $sp->{blocks}[0]{text}{text}, qr/영향 받는 구성 요소: 에이피아이 \(정상\)/,
    '... the components in Korean';

my @mails = $smtp->messages;
is scalar @mails, 2, 'two emails';
my ($ma) = grep { $_->{to}[0] eq 'ann@example.com' } @mails;
my ($mk) = grep { $_->{to}[0] eq 'min@example.com' } @mails;
ok $ma && $mk, 'to Ann (every component) and Min (api)';
ok !grep({ $_->{to}[0] eq 'bob@example.com' } @mails),
    'Bob, subscribed to web, gets nothing';
is $ma->{from}, 'status@example.com', 'envelope sender: --mail-from';
is $ma->{headers}{subject}, '[Investigating] API errors', 'English subject';
is $mk->{headers}{subject}, '[조사 중] API 오류',
    'Korean subject (RFC 2047)';
like $mk->{raw_headers}{subject}, qr/\A=\?UTF-8\?B\?/, '... encoded';
is $ma->{headers}{from}, 'Example <status@example.com>', 'From: the page';
like $ma->{headers}{'list-unsubscribe'},
    qr{\A<https://status\.example\.com/status/unsubscribe\?token=\Q$ann\E\.0\.[A-Za-z0-9_-]{22}>\z},
    'List-Unsubscribe: the signed link of that subscriber';
is $ma->{headers}{'list-unsubscribe-post'}, 'List-Unsubscribe=One-Click',
    'List-Unsubscribe-Post: one click';
like $ma->{headers}{'message-id'}, qr/\A<\d+-\d+\.\Q$ann\E\@status-edge>\z/,
    'Message-ID from the idempotency key';
my @types = map { $_->{type} } @{ $ma->{parts} };
is_deeply \@types, ['text/plain', 'text/html'], 'text and HTML parts';
my ($text, $html) = map { $_->{body} } @{ $ma->{parts} };
like $text, qr/\AAPI errors\nStatus: Investigating\nAffected: API \(Operational\)\n\nWe are looking into it\.\n/,
    'the text part: what happened, status, components, update';
like $text, qr/\nUnsubscribe: https:\S+token=\Q$ann\E\./, '... and how to unsubscribe';
like $mk->{parts}[0]{body}, qr/상태: 조사 중\n/, 'the Korean text part';
SKIP: {
    skip 'XML::LibXML missing', 3 unless eval { require XML::LibXML; 1 };
    my $doc = XML::LibXML->load_html(string => $html,
        recover => 0, suppress_errors => 1);
    ok $doc, 'the HTML part parses';
    my @a = map { $_->getAttribute('href') } $doc->findnodes('//a');
    is $a[0], "https://status.example.com/status/#incident-$inc",
        'HTML: the link to the incident';
    like $a[-1], qr/unsubscribe\?token=\Q$ann\E\./, 'HTML: the unsubscribe link';
}

my @ops = $rx->requests(path => '/ops');
is scalar @ops, 1, 'the internal webhook hears of a public incident too';

my $metrics = { @{ $t->redis('HGETALL', 'status:notify:metrics') } };
is $metrics->{webhook_delivered}, 2, 'metrics: webhook_delivered';
is $metrics->{email_delivered}, 2, 'metrics: email_delivered';
is $metrics->{slack_delivered}, 1, 'metrics: slack_delivered';
is $t->redis('XPENDING', 'status:audit', 'status-edge-notify')->[0], 0,
    'every entry acknowledged';

# nothing again
my ($o2) = notify_once();
like $o2, qr/^queued 0 /m, 'a second run delivers nothing again';

# --- internal incidents reach internal subscribers only ----------------------

$rx->clear;
$smtp->clear;
my $internal = cli_ok('incident', 'open', '--name', 'Disk filling on db-3',
    '--impact', 'minor', '--audience', 'internal', '--message', 'Watching.');
notify_once();
is scalar($rx->requests(path => '/ops')), 1, 'internal: the team hears';
is scalar($rx->requests(path => '/hook')), 0, 'internal: the public webhook does not';
is scalar($rx->requests(path => '/slack')), 0, 'internal: nor Slack';
is scalar($smtp->messages), 0, 'internal: nor email';

# --- a component's status --------------------------------------------------

$rx->clear;
cli_ok('component', 'set', 'web', 'degraded_performance');
notify_once();
my ($cu) = bodies('/hook-gen');
is $cu->{component_update}{component_id}, 'web', 'component_update: the component';
is $cu->{component_update}{old_status}, 'operational', '... old status';
is $cu->{component_update}{new_status}, 'degraded_performance', '... new status';
is $cu->{component}{id}, 'web', '... and the component object';
is scalar($rx->requests(path => '/hook')), 1, 'every-component webhook too';

# and back: the status before is read from the history (one entry per
# second: a change and its undoing within a second tell nothing)
$rx->clear;
sleep 1.1;
cli_ok('component', 'set', 'web', 'operational');
notify_once();
my ($back) = bodies('/hook-gen');
ok $back, 'a recovery is told too';
is $back && $back->{component_update}{old_status}, 'degraded_performance',
    '... old status: the one before';
is $back && $back->{component_update}{new_status}, 'operational',
    '... new status';
like $back && $back->{status_edge}{text}, qr/Web is now Operational \(was Degraded performance\)/,
    '... in the text';

# --- retries: 500, 500, then 200 -------------------------------------------

$rx->clear;
$smtp->clear;
$rx->script('/hook', 500, 500, 200);
cli_ok('incident', 'update', $inc, '--status', 'identified', '--message',
    'A bad deploy; rolling back.', '--next-update', '20m');
my ($o3) = notify_once('--tries', '5');
my @tries = $rx->requests(path => '/hook');
is_deeply [map { $_->{status} } @tries], [500, 500, 200],
    'three tries: 500, 500, 200';
my %keys = map { $_->{headers}{'idempotency-key'} => 1 } @tries;
is scalar keys %keys, 1, 'one idempotency key across the tries';
my @bodies = map { $_->{body} } @tries;
is $bodies[0], $bodies[2], 'the same body';
like $o3, qr/retried 2 dead_lettered 0/, 'two retries counted';
ok $tries[1]{time} - $tries[0]{time} >= 0.02, 'a pause between tries';

# --- a receiver that never says 2xx: dead letters ---------------------------

$rx->clear;
$rx->script('/hook', 503);
$rx->script('/slack', 'close');
cli_ok('incident', 'update', $inc, '--status', 'monitoring', '--message',
    'Rolled back; watching.');
my ($o4) = notify_once('--tries', '3');
is scalar($rx->requests(path => '/hook')), 3, 'the configured 3 tries';
# libcurl itself tries a reused connection that was closed once more
ok scalar($rx->requests(path => '/slack')) >= 3,
    '... also when the receiver hangs up';
like $o4, qr/dead_lettered 2/, 'two dead letters';
my $dead = $t->redis('XRANGE', 'status:notify:dead', '-', '+');
is scalar @$dead, 2, 'the dead-letter stream has both';
my %d = @{ $dead->[0][1] };
is $d{tries}, 3, 'dead letter: tries';
like $d{error}, qr/HTTP status 503|Empty reply|Server returned nothing/,
    'dead letter: the last error';
ok $d{body} && $d{key} && $d{subscriber} && $d{target},
    'dead letter: body, key, subscriber and target to replay it';
is $t->redis('XPENDING', 'status:audit', 'status-edge-notify')->[0], 0,
    'the entry is acknowledged once its deliveries are over';

# --- the dead letters sent again: notify --replay ----------------------------

my %dead_key = map { my %f = @{ $_->[1] }; ($f{channel} => $f{key}) } @$dead;
my %dead_body = map { my %f = @{ $_->[1] }; ($f{channel} => $f{body}) } @$dead;
# one of a subscriber removed since, one of an email, one not ours
$t->redis('XADD', 'status:notify:dead', '*', 'entry', '1-0', 'subscriber',
    'sub-gone', 'channel', 'webhook', 'target', $rx->url('/hook'), 'key',
    'k-gone', 'tries', '3', 'error', 'HTTP status 503', 'body', '{}');
$t->redis('XADD', 'status:notify:dead', '*', 'entry', '1-0', 'subscriber',
    'sub-mail', 'channel', 'email', 'target', '<a@example.com>', 'key',
    'k-mail', 'tries', '3', 'error', 'timeout', 'body', 'text');
$t->redis('XADD', 'status:notify:dead', '*', 'note', 'by hand');

$rx->clear;
my ($rc_r1, $out_r1, $err_r1) = cli(@NOTIFY, '--replay', '--tries', '2');
isnt $rc_r1, 0, 'replay, the receivers still failing: an error exit';
like $out_r1, qr/^2 dead letters sent again: 0 delivered .*, 2 failed again; 2 kept .*, 1 of removed subscribers dropped$/m,
    '... says what happened to each' or diag $out_r1;
like $err_r1, qr/dead letter \S+: failed again \(HTTP status 503\), kept/,
    '... and why the webhook failed';
like $err_r1, qr/dead letter \S+: subscriber "sub-gone" removed since, dropped/,
    '... and which subscriber is gone';
like $err_r1, qr/2 dead letters failed again/, '... the error names the count';
is scalar($rx->requests(path => '/hook')), 2, '... the webhook tried --tries 2 times';
is $t->redis('XLEN', 'status:notify:dead'), 4,
    '... the failed ones kept, the removed subscriber\'s dropped';

$rx->script('/hook');
$rx->script('/slack');
$rx->clear;
my ($rc_r2, $out_r2, $err_r2) = cli(@NOTIFY, '--replay');
is $rc_r2, 0, 'replay, the receivers back: success' or diag $err_r2;
like $out_r2, qr/^2 dead letters sent again: 2 delivered .*, 0 failed again; 2 kept/m,
    '... both delivered';
my ($rh) = $rx->requests(path => '/hook');
my ($rs) = $rx->requests(path => '/slack');
is $rh && $rh->{body}, $dead_body{webhook}, 'the webhook: the same body';
is $rh && $rh->{headers}{'idempotency-key'}, $dead_key{webhook},
    '... the same idempotency key';
is $rh && $rh->{headers}{'x-status-edge-signature'},
    'sha256=' . hmac_sha256_hex($rh ? $rh->{body} : '', $hook_secret),
    '... signed with the subscriber\'s secret';
is $rh && $rh->{headers}{'x-status-edge-event'}, 'incident.update',
    '... its event';
is $rs && $rs->{body}, $dead_body{slack}, 'Slack: the same body';
my @left = map { { @{ $_->[1] } } }
    @{ $t->redis('XRANGE', 'status:notify:dead', '-', '+') };
is_deeply [map { $_->{channel} // 'none' } @left], ['email', 'none'],
    'the delivered ones dropped from the stream; the two strangers kept';
like $err_r2, qr/dead letter \S+: not a dead letter of status-edge's, kept/,
    '... each said';

# an email's dead letter keeps its whole message, and is sent again
$smtp->script_rcpt('ann@example.com', 550);
$smtp->clear;
cli_ok('incident', 'update', $inc, '--status', 'monitoring', '--message',
    'Still watching.');
notify_once('--tries', '2');
my ($mail_dead) = grep { $_->{channel} eq 'email' && $_->{headers} }
    map { { @{ $_->[1] } } }
    @{ $t->redis('XRANGE', 'status:notify:dead', '-', '+') };
ok $mail_dead, 'an email refused (550): dead-lettered';
like $mail_dead && $mail_dead->{headers}, qr/^Subject: .*\nMessage-ID: /ms,
    '... with its header lines';
like $mail_dead && $mail_dead->{html}, qr/<html/, '... its HTML part';
is $mail_dead && $mail_dead->{mail_from}, '<status@example.com>',
    '... and its sender';
$smtp->script_rcpt('ann@example.com');
my ($rc_r3, $out_r3, $err_r3) = cli(@NOTIFY, '--replay');
is $rc_r3, 0, 'replay, the relay takes it now' or diag $err_r3;
like $out_r3, qr/^1 dead letters sent again: 1 delivered/m, '... delivered';
my @again = $smtp->wait_messages(1, timeout => 10, to => 'ann@example.com');
is scalar @again, 1, '... to the subscriber';
my ($orig_id) = ($mail_dead ? $mail_dead->{headers} : '') =~ /^Message-ID: (\S+)/m;
my $m = $again[0];
is $m && $m->{headers}{'message-id'}, $orig_id,
    '... the same message: its Message-ID';
is scalar(grep { $_->{type} =~ m{^text/(plain|html)} } @{ $m ? $m->{parts} : [] }),
    2, '... its text and HTML parts';
is $t->redis('XLEN', 'status:notify:dead'), 2, '... dropped from the stream';

# a dead letter of another channel than its subscriber's is not sent
$t->redis('XADD', 'status:notify:dead', '*', 'entry', '1-0', 'subscriber',
    $ann, 'channel', 'slack', 'target', $rx->url('/slack'), 'key', 'k-x',
    'tries', '3', 'error', 'timeout', 'body', '{}');
$rx->clear;
my ($rc_r4, $out_r4, $err_r4) = cli(@NOTIFY, '--replay');
like $out_r4, qr/^0 dead letters sent again: .* 3 kept/m,
    'a Slack letter of an email subscriber: kept, not sent';
like $err_r4, qr/subscriber "\Q$ann\E" is not of that channel, kept/,
    '... said';
is scalar($rx->requests), 0, '... nothing posted';
$t->redis('DEL', 'status:notify:dead');

# --- a promise that is late: one reminder, to the team ----------------------

$rx->clear;
$smtp->clear;
my $late = cli_ok('incident', 'open', '--name', 'Checkout slow',
    '--impact', 'minor', '--components', 'web', '--message', 'Looking.',
    '--next-update', '3s');
notify_once('--remind-before', '1s');      # the open itself, no reminder
ok !grep({ ($_->{headers}{'x-status-edge-event'} // '') eq 'incident.reminder' }
    $rx->requests), 'no reminder while the promise is ahead';
$rx->clear;
sleep 3.2;
my ($o5) = notify_once('--remind-before', '1s');
my @rem = grep { ($_->{headers}{'x-status-edge-event'} // '') eq 'incident.reminder' }
    $rx->requests;
is scalar @rem, 1, 'a late promise: one reminder';
is $rem[0]{path}, '/ops', '... to the internal subscriber only';
my $rp = json_decode($rem[0]{body});
is $rp->{reminder}{incident_id}, $late, '... of that incident';
ok $rp->{reminder}{late}, '... late';
like $rp->{status_edge}{text}, qr/was promised by \d{4}-\d\d-\d\d \d\d:\d\d KST/,
    '... "an update was promised by"';
like $rem[0]{headers}{'idempotency-key'},
    qr/\Areminder:\Q$late\E:\d+:\Q$ops\E\z/,
    '... its key names the incident and the promise';
$rx->clear;
notify_once('--remind-before', '1s');
is scalar($rx->requests), 0, 'once per promise: no second reminder';

# an update posted in time: no reminder
my $kept = cli_ok('incident', 'open', '--name', 'Search slow',
    '--impact', 'minor', '--message', 'Looking.', '--next-update', '2s');
cli_ok('incident', 'update', $kept, '--message', 'Fixed the index.');
sleep 2.5;
$rx->clear;
notify_once('--remind-before', '1s');
is scalar(grep { ($_->{headers}{'x-status-edge-event'} // '') eq 'incident.reminder' }
    $rx->requests), 0, 'an update posted before the promise: no reminder';
cli_ok('incident', 'resolve', $_) for $late, $kept, $internal;
notify_once();

# --- killed in the middle and restarted: nothing lost ------------------------

sub spawn_notify {
    my ($consumer, @extra) = @_;
    my $log = "$dir/notify-$consumer.log";
    my $pid = fork // die;
    if (!$pid) {
        open STDOUT, '>>', $log or POSIX::_exit(126);
        open STDERR, '>>', $log or POSIX::_exit(126);
        $ENV{STATUS_EDGE_REDIS} = $c->url;
        delete $ENV{STATUS_EDGE_TEMPLATES};
        { no warnings 'exec';
          exec $c->{bin}, @NOTIFY, '--consumer', $consumer, '--claim-after',
              '1s', @extra; }
        POSIX::_exit(127);
    }
    return $pid;
}

sub stop_notify {
    my ($pid, $sig) = @_;
    kill $sig // 'TERM', $pid;
    my $end = time + 10;
    while (waitpid($pid, WNOHANG) == 0) {
        if (time > $end) { kill 'KILL', $pid; waitpid $pid, 0; last }
        sleep 0.02;
    }
    return $?;
}

# 12 more webhooks; a third of them slow to answer
my @many;
for my $i (1 .. 12) {
    my $path = $i % 3 ? "/many/$i" : "/slow/$i";
    push @many, cli_ok('subscriber', 'add', '--webhook', $rx->url($path),
        '--secret', "many-secret-$i-0123456789");
    $rx->script($path, 'hang') unless $i % 3;
}
$rx->clear;
my @changes = map {
    cli_ok('incident', 'open', '--name', "Batch $_", '--impact', 'minor',
        '--message', "Change $_.")
} 1 .. 3;

my $pid = spawn_notify('edge-a');
ok wait_until(sub { $rx->requests(path => '/slow/3') >= 1 }, 10),
    'the notifier is in the middle: deliveries are hanging';
my $n_before = () = $rx->requests;
is stop_notify($pid, 'KILL') & 127, 9, 'killed with SIGKILL in the middle';
ok $t->redis('XPENDING', 'status:audit', 'status-edge-notify')->[0] >= 1,
    'entries are left pending';
$rx->script("/slow/$_") for 3, 6, 9, 12;      # answer 200 from now on
my ($o6) = notify_once('--consumer', 'edge-a');
is $t->redis('XPENDING', 'status:audit', 'status-edge-notify')->[0], 0,
    'after the restart every entry is acknowledged';

my %got;        # "change subscriber" => [keys]
for my $q ($rx->requests) {
    next unless $q->{path} =~ m{^/(many|slow)/};
    next unless $q->{status} eq '200';
    my $b = json_decode($q->{body});
    push @{ $got{"$b->{incident}{id} $q->{path}"} },
        $q->{headers}{'idempotency-key'};
}
my $missing = 0;
for my $ch (@changes) {
    for my $i (1 .. 12) {
        my $path = $i % 3 ? "/many/$i" : "/slow/$i";
        $missing++ unless $got{"$ch $path"};
    }
}
is $missing, 0, 'every change reached every subscriber (36 deliveries)';
my $bad_dup = grep { my %k = map { $_ => 1 } @$_; keys %k > 1 } values %got;
is $bad_dup, 0, 'a change delivered twice carries the same idempotency key';

# --- two notifiers share one stream ----------------------------------------

$rx->clear;
my $pa = spawn_notify('edge-b');
my $pb = spawn_notify('edge-c');
sleep 0.5;
my @shared = map {
    cli_ok('incident', 'open', '--name', "Shared $_", '--impact', 'minor',
        '--message', "Shared change $_.")
} 1 .. 6;
ok wait_until(sub {
    $t->redis('XPENDING', 'status:audit', 'status-edge-notify')->[0] == 0
        && $rx->requests(path => '/ops') >= 6 }, 20),
    'both notifiers are done';
stop_notify($_) for $pa, $pb;
my %seen;
my $dups = 0;
for my $q ($rx->requests) {
    my $k = $q->{headers}{'idempotency-key'} // next;
    $dups++ if $seen{$k}++;
}
is $dups, 0, 'no change was sent twice';
my %by = map { $_ => 0 } qw(edge-b edge-c);
for my $cn (keys %by) {
    $by{$cn} = () = StatusEdge::Test::slurp("$dir/notify-$cn.log")
        =~ /incident\.open: \d+ deliveries/g;
}
is $by{'edge-b'} + $by{'edge-c'}, 6, 'six changes between the two';
ok $by{'edge-b'} > 0 && $by{'edge-c'} > 0,
    "both took a share ($by{'edge-b'} and $by{'edge-c'})"
    or diag explain \%by;

# --- email over STARTTLS, when the relay offers it ---------------------------

mkdir "$dir/tls";
my $ca = make_ca("$dir/tls", 'test-ca');
my $srv = make_cert("$dir/tls", $ca, 'smtp', san => 'IP:127.0.0.1');
my $tls = StatusEdge::SMTPSink->new(dir => "$dir/smtp-tls",
    tls => { cert => $srv->{cert}, key => $srv->{key} })->start;
cli_ok('incident', 'open', '--name', 'Mail over TLS', '--impact', 'minor',
    '--message', 'Testing.');
my ($rct, undef, $errt) = cli('notify', '--once', '--smtp', $tls->url,
    '--smtp-cacert', $ca->{cert}, '--mail-from', 'status@example.com',
    '--secret-file', $secret_file, '--retry', '50ms', '--tries', '2');
is $rct, 0, 'notify with a relay that offers STARTTLS' or diag $errt;
my @tm = $tls->wait_messages(1, timeout => 10);
ok @tm >= 1, 'the email arrives';
ok !grep({ !$_->{tls} } @tm), '... every one over STARTTLS';

# --- remove ----------------------------------------------------------------

cli_ok('subscriber', 'remove', $ann);
is $t->redis('EXISTS', "status:subscriber:$ann"), 0, 'remove: the hash is gone';
is $t->redis('HGET', 'status:subscribers:targets', 'email ann@example.com'),
    undef, 'remove: the address can subscribe again';

done_testing;
