#!/usr/bin/perl
# Subscriptions by visitors through nginx: the status page's form,
# POST /api/v2/subscribers.json (form and JSON, Statuspage's names), a
# GET that never writes (405), bad input answered 400 with nothing
# written, the limits per address and per client, the double opt-in by
# email (the notifier mails a signed link; a GET asks, a POST confirms),
# forged and expired tokens, one-click unsubscribe (RFC 8058), and Redis
# down.

use strict;
use warnings;
use utf8;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Digest::SHA qw(hmac_sha256);
use MIME::Base64 qw(encode_base64);
use Encode qw(decode_utf8);
use StatusEdge::Test qw(json_decode json_encode wait_until);
use StatusEdge::CLI;
use StatusEdge::SMTPSink;

my $c = StatusEdge::CLI->new;
my $t = $c->t;
my $dir = $t->prefix;

my $smtp = StatusEdge::SMTPSink->new(dir => "$dir/smtp")->start;

my $secret = '0123456789abcdef0123456789abcdef';
open my $sf, '>', "$dir/sub.secret" or die;
print $sf "$secret\n";
close $sf;

my $port = $t->port('http');
my $base = "http://127.0.0.1:$port/status/";

cli_ok('page', 'set', '--name', 'Example', '--status-url', $base,
    '--time-zone', 'Asia/Seoul');
cli_ok('component', 'add', 'api', '--name', 'API', '--name.ko', '에이피아이');
cli_ok('component', 'add', 'web', '--name', 'Web');

$t->start_nginx(
    http_extra => "    status_edge_subscribe_secret $dir/sub.secret;\n",
    servers => $t->server_conf(extra => <<'CONF'));
        location /status/ {
            status_edge_status_page;
        }
CONF
ok wait_until(sub { ($t->http('GET', '/status/'))[0] == 200 }, 10),
    'the status page is served';

my @NOTIFY = ('notify', '--once', '--smtp', $smtp->url, '--mail-from',
    'status@example.com', '--secret-file', "$dir/sub.secret");
my ($rc0, undef, $err0) = cli(@NOTIFY);
is $rc0, 0, 'notify --once makes its groups' or diag $err0;

sub post {
    my ($path, $type, $body, %h) = @_;
    return $t->http('POST', $path, headers => [
        'Content-Type' => $type, %h ], body => $body);
}

sub form_kv {
    my @kv = @_;
    my @out;
    while (my ($k, $v) = splice @kv, 0, 2) {
        push @out, join '=', map {
            my $s = $_;
            utf8::encode($s) if utf8::is_utf8($s);
            $s =~ s/([^A-Za-z0-9_.~-])/sprintf '%%%02X', ord $1/ge;
            $s } $k, $v;
    }
    return join '&', @out;
}

sub subscribers { $t->redis('ZCARD', 'status:subscribers') }

# an HTML body as text: UTF-8 and character references decoded
sub txt {
    my ($b) = @_;
    $b = decode_utf8($b // '');
    $b =~ s/&#(\d+);/chr $1/ge;
    return $b;
}

# --- the form on the page --------------------------------------------------

my ($st, $h, $page) = $t->http('GET', '/status/');
like $page, qr{<form method="post" action="subscribe">}, 'the page has the form';
like $page, qr{<input id="sub-email" name="email" type="email" required},
    '... an email field';
like $page, qr{name="component_ids\[\]" value="api"> API</label>},
    '... the components to choose';
like $page, qr{name="endpoint" type="url"}, '... a webhook URL for developers';
like $h->{'content-security-policy'}, qr/form-action 'self'/,
    'the page allows its form to post to itself';
my (undef, undef, $pko) = $t->http('GET', '/status/',
    headers => ['Accept-Language' => 'ko']);
like txt($pko), qr{이메일로 업데이트 받기}, 'the Korean form';

# --- a GET never writes ------------------------------------------------------

my ($s1, $h1, $b1) = $t->http('GET',
    '/api/v2/subscribers.json?subscriber%5Bemail%5D=get%40example.com');
is $s1, 405, 'GET subscribers.json: 405';
is $h1->{allow}, 'POST', '... Allow: POST';
like json_decode($b1)->{error}{detail}, qr/POST/, '... saying to use POST';
my ($s2, $h2, $b2) = $t->http('GET', '/status/subscribe?email=get%40example.com');
is $s2, 405, 'GET subscribe: 405';
like $b2, qr/Subscribe with POST/, '... in words';
is subscribers(), 0, 'nothing written';

# --- bad input: 400 naming it, nothing written -------------------------------

for my $case (
    ['/status/subscribe', 'application/x-www-form-urlencoded',
        form_kv(email => 'not-an-address'), 400,
        qr/bad email address &quot;not-an-address&quot;|bad email address "not-an-address"/],
    ['/status/subscribe', 'application/x-www-form-urlencoded',
        form_kv(email => 'a@example.com', 'component_ids[]' => 'nope'), 400,
        qr/unknown component (&quot;|")nope/],
    ['/status/subscribe', 'application/x-www-form-urlencoded', 'email=%zz',
        400, qr/bad form encoding/],
    ['/status/subscribe', 'application/x-www-form-urlencoded',
        form_kv('component_ids[]' => 'api'), 400, qr/an email address is required/],
    ['/api/v2/subscribers.json', 'application/json', '{"subscriber":',
        400, qr/bad JSON/],
    ['/api/v2/subscribers.json', 'application/json',
        '{"subscriber":{"email":"a@example.com","endpoint":"ftp://x"}}', 400,
        qr/bad endpoint/],
    ['/api/v2/subscribers.json', 'application/json',
        '{"subscriber":{"email":"a@example.com","component_ids":"api"}}', 400,
        qr/component_ids is not an array/],
    ['/api/v2/subscribers.json', 'text/plain', 'email=a@example.com', 415,
        qr/x-www-form-urlencoded or application\/json/],
) {
    my ($path, $type, $body, $want, $re) = @$case;
    my ($s, undef, $b) = post($path, $type, $body);
    is $s, $want, "$path $body: $want";
    like $b, $re, '... naming what is wrong';
}
my ($sl, undef, $bl) = post('/status/subscribe',
    'application/x-www-form-urlencoded', 'email=' . ('a' x 9000));
is $sl, 413, 'a body over 8 KiB: 413';
is subscribers(), 0, 'nothing written for any of them';

# --- a subscription from the form ------------------------------------------

my ($s3, $h3, $b3) = post('/status/subscribe',
    'application/x-www-form-urlencoded',
    form_kv(email => 'Ann@Example.com', 'component_ids[]' => 'api'),
    'Accept-Language' => 'ko');
is $s3, 200, 'the form: 200';
like txt($b3), qr/받은편지함을 확인하세요/, '... "check your inbox", in Korean';
like $b3, qr/ann\@example\.com/, '... naming the address';
is $h3->{'cache-control'}, 'no-store', '... not cached';
is subscribers(), 1, 'one subscriber';
my ($ann) = @{ $t->redis('ZRANGE', 'status:subscribers', 0, -1) };
my %a = @{ $t->redis('HGETALL', "status:subscriber:$ann") };
is_deeply [@a{qw(channel target components state lang source audience)}],
    ['email', 'ann@example.com', 'api', 'pending', 'ko', 'form', 'public'],
    'written pending: address in lower case, the component, Korean, form';
is $t->redis('XLEN', 'status:notify:confirm'), 1,
    'queued for its confirmation';

# the API, JSON, a webhook with its address
my ($s4, $h4, $b4) = post('/api/v2/subscribers.json', 'application/json',
    json_encode({ subscriber => { email => 'dev@example.com',
        endpoint => 'http://127.0.0.1:9/hook', component_ids => ['web'] } }));
is $s4, 201, 'subscribers.json: 201';
my $j4 = json_decode($b4);
like $j4->{subscriber}{id}, qr/\Asub-[a-z0-9]{8}\z/, '... the id';
is $j4->{subscriber}{state}, 'pending', '... pending';
is $j4->{subscriber}{mode}, 'webhook', '... a webhook';
like $j4->{subscriber}{secret}, qr/\A[0-9a-f]{48}\z/, '... its signing secret, once';
my %d = @{ $t->redis('HGETALL', "status:subscriber:$j4->{subscriber}{id}") };
is_deeply [@d{qw(channel target email components source)}],
    ['webhook', 'http://127.0.0.1:9/hook', 'dev@example.com', 'web', 'api'],
    'the webhook subscriber';
is $d{secret}, $j4->{subscriber}{secret}, 'the secret stored';

# Statuspage's form names on the API
my ($s5, undef, $b5) = post('/api/v2/subscribers.json',
    'application/x-www-form-urlencoded',
    form_kv('subscriber[email]' => 'bob@example.com',
        'subscriber[component_ids][]' => 'api',
        'subscriber[component_ids][]' => 'web'));
is $s5, 201, 'subscribers.json, form-encoded: 201';
my $bob = json_decode($b5)->{subscriber}{id};
is $t->redis('HGET', "status:subscriber:$bob", 'components'), 'api,web',
    'both components';

# the same address again: the same answer, nothing more written, and a
# pending one gets its link again (the first may have expired)
my $queued = $t->redis('XLEN', 'status:notify:confirm');
my ($s6) = post('/status/subscribe', 'application/x-www-form-urlencoded',
    form_kv(email => 'ann@example.com'));
is $s6, 200, 'an address subscribed already: answered alike';
is subscribers(), 3, '... and not written again';
is $t->redis('XLEN', 'status:notify:confirm'), $queued + 1,
    '... its confirmation queued again';
my $again = $t->redis('XRANGE', 'status:notify:confirm', '-', '+');
is_deeply $again->[-1][1], ['id', $ann], '... for the same subscriber';

# the form's answer for a webhook names the address the link goes to
my ($s6b, undef, $b6b) = post('/status/subscribe',
    'application/x-www-form-urlencoded',
    form_kv(email => 'hook@example.com', endpoint => 'http://127.0.0.1:9/h'));
is $s6b, 200, 'a webhook from the form: 200';
like $b6b, qr/hook\@example\.com\./, '... naming the address, not the URL';

# --- the double opt-in -------------------------------------------------------

my ($rc1, $o1, $e1) = cli(@NOTIFY);
is $rc1, 0, 'notify sends the confirmations' or diag $e1;
my @mails = $smtp->wait_messages(5, timeout => 10);
is scalar @mails, 5, 'five confirmation emails: Ann twice, Dev, Bob, Hook';
my ($ma) = grep { $_->{to}[0] eq 'ann@example.com' } @mails;
ok $ma, 'one to Ann';
is $ma->{headers}{subject}, 'Example 구독 확인', 'in her language';
my ($link) = $ma->{parts}[0]{body} =~ m{(http://\S+/status/confirm\?token=\S+)};
ok $link, 'with a link to confirm';
ok !$ma->{headers}{'list-unsubscribe'}, 'no unsubscribe header before she is subscribed';
(my $lpath = $link) =~ s{^http://[^/]+}{};

my ($s7, $h7, $b7) = $t->http('GET', $lpath);
is $s7, 200, 'the link: 200';
like $b7, qr{<form method="post" action="\?token=}, '... a button to confirm';
is $t->redis('HGET', "status:subscriber:$ann", 'state'), 'pending',
    'a GET confirms nothing (mail scanners follow links)';
my ($s8, undef, $b8) = $t->http('POST', $lpath,
    headers => ['Accept-Language' => 'ko']);
is $s8, 200, 'POST the link: 200';
like txt($b8), qr/구독되었습니다/, '... "you are subscribed"';
is $t->redis('HGET', "status:subscriber:$ann", 'state'), 'active', 'active';
ok $t->redis('HGET', "status:subscriber:$ann", 'confirmed_at'), 'confirmed_at';

# forged and expired tokens
(my $forged = $lpath) =~ s/(.)$/$1 eq 'A' ? 'B' : 'A'/e;
my ($s9, undef, $b9) = $t->http('POST', $forged);
is $s9, 400, 'a forged token: 400';
like txt($b9), qr/유효하지 않은 링크|not valid/, '... refused';
sub token {
    my ($purpose, $id, $exp) = @_;
    my $mac = substr(hmac_sha256("$purpose.$id.$exp", $secret), 0, 16);
    (my $b = encode_base64($mac, '')) =~ tr{+/}{-_};
    $b =~ s/=+$//;
    return "$id.$exp.$b";
}
my $old = token('c', $bob, time - 10);
my ($s10, undef, $b10) = $t->http('POST', "/status/confirm?token=$old");
is $s10, 410, 'an expired token: 410';
like $b10, qr/expired/, '... says so';
is $t->redis('HGET', "status:subscriber:$bob", 'state'), 'pending',
    'nothing written';
my $utok = token('u', $bob, 0);
my ($s11) = $t->http('POST', "/status/confirm?token=$utok");
is $s11, 400, 'an unsubscribe token does not confirm';
my ($s11b, $h11b) = $t->http('DELETE', "/status/confirm?token=$old");
is $s11b, 405, 'another method: 405';
is $h11b->{allow}, 'GET, HEAD, POST', '... Allow names POST too';

# --- the subscriber hears, and leaves in one click ---------------------------

$smtp->clear;
cli_ok('incident', 'open', '--name', 'API errors', '--impact', 'major',
    '--components', 'api', '--message', 'Looking.', '--message.ko', '조사 중.');
cli(@NOTIFY);
my @m2 = $smtp->wait_messages(1, timeout => 10);
my ($got) = grep { $_->{to}[0] eq 'ann@example.com' } @m2;
ok $got, 'the confirmed subscriber gets the incident';
ok !grep({ $_->{to}[0] eq 'bob@example.com' } @m2), 'the pending one does not';
my ($unsub) = ($got->{headers}{'list-unsubscribe'} // '') =~ /<([^>]+)>/;
like $unsub, qr{\Q$base\Eunsubscribe\?token=\Q$ann\E\.0\.}, 'List-Unsubscribe';
(my $upath = $unsub) =~ s{^http://[^/]+}{};
my ($s12, undef, $b12) = $t->http('GET', $upath);
is $s12, 200, 'GET the unsubscribe link: a page with a button';
ok $t->redis('EXISTS', "status:subscriber:$ann"), '... nothing removed yet';
my ($s13, undef, $b13) = post($upath, 'application/x-www-form-urlencoded',
    'List-Unsubscribe=One-Click');
is $s13, 200, 'one-click POST (RFC 8058): 200';
is $t->redis('EXISTS', "status:subscriber:$ann"), 0, 'unsubscribed';
my ($s14) = post($upath, 'application/x-www-form-urlencoded',
    'List-Unsubscribe=One-Click');
is $s14, 200, 'again: the same answer';

# --- limits ------------------------------------------------------------------

$t->redis('DEL', 'status:subscribe:limit:client:127.0.0.1');
my @codes = map {
    (post('/status/subscribe', 'application/x-www-form-urlencoded',
        form_kv(email => "many$_\@example.com")))[0]
} 1 .. 11;
is_deeply \@codes, [(200) x 10, 429], 'ten an hour from one client, then 429';
$t->redis('DEL', 'status:subscribe:limit:client:127.0.0.1');
my @again = map {
    (post('/status/subscribe', 'application/x-www-form-urlencoded',
        form_kv(email => 'same@example.com')))[0]
} 1 .. 4;
is_deeply \@again, [200, 200, 200, 429], 'three a day for one address, then 429';

my %no_answers = map { $_ => 0 } qw(subscribed invalid limited unavailable
    not_post confirm_asked confirmed unsubscribe_asked unsubscribed forged
    expired gone);

# --- an edge that reads a replica writes to the primary --------------------
#
# status_edge_subscribe_redis: the edge's own Redis is a replica of this
# test's, which refuses writes; the subscription goes to the primary.

{
    $t->redis('DEL', 'status:subscribe:limit:client:127.0.0.1');
    my $e = StatusEdge::Test->new(workers => 1);   # one worker's counters
    $e->start_redis(args => ['--replicaof', '127.0.0.1', $t->redis_port]);
    ok wait_until(sub { ($e->redis('GET', 'status:version') // 0)
                        == $t->redis('GET', 'status:version') }, 10),
        'replica: it has the state';
    my %conf = (servers => $e->server_conf(extra => <<'CONF'));
        location /status/ {
            status_edge_status_page;
        }
CONF
    my $secret_line = "    status_edge_subscribe_secret $dir/sub.secret;\n";
    $e->start_nginx(%conf, http_extra => $secret_line);
    ok wait_until(sub { ($e->http('GET', '/status/'))[0] == 200 }, 10),
        'replica: the status page is served';

    my $before = subscribers();
    my ($s1, undef, $b1) = $e->http('POST', '/status/subscribe', headers => [
        'Content-Type' => 'application/x-www-form-urlencoded' ],
        body => form_kv(email => 'replica-only@example.com'));
    is $s1, 503, 'replica, no status_edge_subscribe_redis: 503';
    like $b1, qr/unavailable/, '... "try again in a few minutes"';
    is subscribers(), $before, '... nothing written';
    like slurp_log($e), qr/READONLY/, '... the refusal logged';
    is_deeply answers($e), { %no_answers, unavailable => 1 },
        'metrics: 1 answer, unavailable';

    $e->reload(conf => $e->nginx_conf(%conf, http_extra => $secret_line
        . "    status_edge_subscribe_redis 127.0.0.1:" . $t->redis_port
        . " timeout=2s;\n"));
    my ($s2) = $e->http('POST', '/status/subscribe', headers => [
        'Content-Type' => 'application/x-www-form-urlencoded' ],
        body => form_kv(email => 'via-primary@example.com'));
    is $s2, 200, 'status_edge_subscribe_redis on the primary: 200';
    is subscribers(), $before + 1, '... the subscriber is in the primary';
    my ($s3) = $e->http('GET', '/status/subscribe?email=x%40example.com');
    my ($s4) = $e->http('POST', '/status/subscribe', headers => [
        'Content-Type' => 'application/x-www-form-urlencoded' ],
        body => form_kv(email => 'not an address'));
    is "$s3 $s4", '405 400', 'a GET, a bad address: 405, 400';
    is_deeply answers($e),
        { %no_answers, subscribed => 1, not_post => 1, invalid => 1 },
        'metrics (the new worker\'s): subscribed, not_post, invalid';
    ok wait_until(sub { ($e->redis('ZCARD', 'status:subscribers') // 0)
                        == $before + 1 }, 10),
        '... and reaches the replica';
    $e->stop_nginx;
    $e->stop_redis;
}

sub slurp_log { StatusEdge::Test::slurp($_[0]->error_log) }

# status_edge_subscribe_answers_total of a one-worker nginx, by answer
sub answers {
    my ($e) = @_;
    my $m = $e->metrics or return undef;
    my %a;
    for my $k (keys %$m) {
        $a{$1} = $m->{$k}
            if $k =~ /\Astatus_edge_subscribe_answers_total\{answer="(\w+)"/;
    }
    return \%a;
}

# --- Redis down ------------------------------------------------------------

$t->stop_redis;
my ($s15, undef, $b15) = post('/status/subscribe',
    'application/x-www-form-urlencoded', form_kv(email => 'late@example.com'));
is $s15, 503, 'Redis down: 503';
like $b15, qr/unavailable/, '... "try again in a few minutes"';
my ($s16) = $t->http('GET', '/status/');
is $s16, 200, 'the page is still served';
$t->check_logs;

done_testing;
