#!/usr/bin/perl
# status.txt: the plain-text status document under status_edge_api, and
# the status page answering with it to a client that prefers text/plain.
# Its content for a state with components, incidents and maintenance;
# Redis text with tabs, line breaks, markup and control characters; the
# JSON documents' caching (ETag, 304, HEAD, Cache-Control, CORS); Accept
# negotiation on the status page (q-values, wildcards) and Vary; 503
# before any state.

use strict;
use warnings;
use utf8;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Encode qw(decode);
use StatusEdge::Test qw(sample_state ts);

binmode Test::More->builder->$_, ':encoding(UTF-8)'
    for qw(output failure_output todo_output);

my $locations = <<"CONF";
        location /status/ {
            status_edge_status_page;
        }
CONF

my $t = StatusEdge::Test->new;

sub get {
    my ($method, $path, @h) = @_;
    my ($st, $h, $body) = $t->http($method => $path, headers => [@h]);
    return ($st, $h, decode('UTF-8', $body // '', Encode::FB_CROAK));
}

# no state yet: nothing listens on the Redis port
$t->start_nginx(poll => '1s', resync => '5s',
    redis => ['127.0.0.1:' . $t->redis_port . ' timeout=300ms'],
    servers => $t->server_conf(extra => $locations));
{
    my ($st, $h, $txt) = get(GET => '/api/v2/status.txt');
    is $st, 503, 'no state: 503';
    is $h->{'content-type'}, 'text/plain; charset=utf-8', '... in text';
    is $h->{'cache-control'}, 'no-store', '... no-store';
    is $h->{'retry-after'}, '5', '... Retry-After';
    like $txt, qr/\AStatus unknown/, '... "Status unknown"';
}

$t->start_redis;
my $now = time;
my $S = sample_state(now => $now);
my $v = $t->write_state($S);
ok $t->wait_version($v), "every worker serves version $v";

# the document
my ($st, $h, $txt) = get(GET => '/api/v2/status.txt');
is $st, 200, 'status.txt: 200';
is $h->{'content-type'}, 'text/plain; charset=utf-8',
    '... text/plain; charset=utf-8';
is $h->{'cache-control'}, 'public, max-age=10', '... the API Cache-Control';
is $h->{'access-control-allow-origin'}, '*', '... CORS as the JSON';
is $h->{'x-content-type-options'}, 'nosniff', '... nosniff';
like $h->{etag}, qr/\A"[^"]+"\z/, '... a strong ETag';
is $h->{'content-length'}, length(Encode::encode('UTF-8', $txt)),
    '... Content-Length';

my @lines = split /\n/, $txt;
is $lines[0], 'Example Cloud: Partial System Outage (major)',
    'the first line: the page, the overall status and its indicator';
like $txt, qr/^Components\n  API: partial outage\n  Website: operational\n  Storage: operational\n    Database: operational\n\n/m,
    'components in order, a group member indented, statuses in words';
unlike $txt, qr/Payments|\x{acb0}\x{c81c}/,
    'an operational only_show_if_degraded component is left out';
like $txt, qr/^Unresolved incidents\n  Elevated API error rates \[major, identified\]\n    \S+Z identified: A faulty deploy has been identified and is being rolled back\.\n/m,
    'an unresolved incident with its impact, status and latest update';
unlike $txt, qr/investigating elevated error rates/,
    '... only the latest update';
unlike $txt, qr/CI runners/, 'an internal incident is not shown';
unlike $txt, qr/Delayed payments|\x{c9c0}\x{c5f0}/,
    'a resolved incident is not shown';
like $txt, qr/^Maintenance, active and upcoming\n  Database upgrade \[scheduled\]\n    scheduled (\S+) to (\S+)\n    \S+ scheduled: We will upgrade the database cluster\.\n/m,
    'an upcoming maintenance with its window and latest update';
my ($from) = $txt =~ /scheduled (\S+) to/;
is $from, ts($now + 2 * 86400), '... the window in UTC, as the JSON has it';
unlike $txt, qr/Network maintenance/, 'a completed maintenance is not shown';

# HEAD and 304
my ($hst, $hh, $hbody) = get(HEAD => '/api/v2/status.txt');
is $hst, 200, 'HEAD: 200';
is $hbody, '', '... no body';
is $hh->{etag}, $h->{etag}, '... the same ETag';
is $hh->{'content-length'}, $h->{'content-length'}, '... the same length';

($st) = get(GET => '/api/v2/status.txt', 'If-None-Match' => $h->{etag});
is $st, 304, 'If-None-Match with its ETag: 304';
($st) = get(GET => '/api/v2/status.txt', 'If-None-Match' => '"other"');
is $st, 200, 'another ETag: 200';
($st) = get(GET => '/api/v2/status.txt',
            'If-Modified-Since' => 'Sun, 01 Jan 2090 00:00:00 GMT');
is $st, 200, 'If-Modified-Since alone is ignored, as for the JSON';
($st, my $oh) = get(OPTIONS => '/api/v2/status.txt',
                    Origin => 'https://example.org',
                    'Access-Control-Request-Method' => 'GET');
ok $st == 204 || $st == 200, "OPTIONS: the API's preflight ($st)";
($st) = get(POST => '/api/v2/status.txt');
is $st, 405, 'POST: 405';
($st) = get(GET => '/api/v2/status.txtx');
is $st, 404, 'status.txtx: 404';

# the same state's status.txt changes with it
my $etag = $h->{etag};
$S->{components}[1]{status} = 'major_outage';
$v = $t->write_state($S);
ok $t->wait_version($v), "version $v";
($st, $h, $txt) = get(GET => '/api/v2/status.txt');
like $txt, qr/^  Website: major outage$/m, 'a new state: its text';
isnt $h->{etag}, $etag, '... and a new ETag';

# Redis text: tabs, line breaks, markup, controls
my $X = sample_state(now => $now);
$X->{incidents} = [
    { id => 'inc-x', name => "Tab\there <b>bold</b> & 'q'",
      status => 'investigating', impact => 'minor',
      created_at => ts($now - 600), updated_at => ts($now - 600),
      updates => [
          { id => 'u-x', status => 'investigating',
            body => "line one\r\nline two\tend \x{fffd}ok",
            created_at => ts($now - 600) },
      ] },
    { id => 'inc-esc', name => "Escape \e[31mred\e[0m",
      status => 'investigating', impact => 'minor',
      created_at => ts($now - 500), updated_at => ts($now - 500),
      updates => [
          { id => 'u-esc', status => 'investigating',
            body => "bell \a and C1 \x{85} here",
            created_at => ts($now - 500) },
      ] },
];
$v = $t->write_state($X);
ok $t->wait_version($v), "a state with hostile text: version $v";
($st, $h, $txt) = get(GET => '/api/v2/status.txt');
is $st, 200, '... 200';
like $txt, qr/^  Tab here <b>bold<\/b> & 'q' \[minor, investigating\]$/m,
    'a name: its tab made a space, markup as it is (nothing escaped)';
like $txt, qr/^    \S+ investigating: line one\n      line two end \x{fffd}ok$/m,
    'a body: CR dropped, its line break kept and indented, tab a space';
unlike $txt, qr/[\x00-\x08\x0b-\x1f\x7f-\x9f]/,
    'no control character but line feeds';
unlike $txt, qr/\[31m|\x{85}/, 'no ANSI escape, no C1 control';

# negotiation on the status page
my ($pst, $ph, $page) = get(GET => '/status/');
is $pst, 200, 'the status page: 200';
like $ph->{'content-type'}, qr{\Atext/html}, '... HTML without Accept';
like $ph->{vary}, qr/(?:\A|,\s*)Accept(?:,|\z)/, '... Vary: Accept';
like $ph->{vary}, qr/Accept-Language/, '... and Accept-Language';

my ($tst, $th, $ptxt) = get(GET => '/status/', Accept => 'text/plain');
is $tst, 200, 'Accept: text/plain: 200';
is $th->{'content-type'}, 'text/plain; charset=utf-8', '... text/plain';
is $ptxt, $txt, '... status.txt';
is $th->{etag}, $h->{etag}, "... with status.txt's ETag";
isnt $th->{etag}, $ph->{etag}, "... not the page's";
like $th->{vary}, qr/(?:\A|,\s*)Accept(?:,|\z)/, '... Vary: Accept';

($st) = get(GET => '/status/', Accept => 'text/plain',
            'If-None-Match' => $th->{etag});
is $st, 304, "... 304 on status.txt's ETag";
($st) = get(GET => '/status/', Accept => 'text/html',
            'If-None-Match' => $th->{etag});
is $st, 200, "... but not for the page";
($st, my $hth, my $hb) = get(HEAD => '/status/', Accept => 'text/plain');
is "$st $hth->{'content-type'} " . length($hb),
    '200 text/plain; charset=utf-8 0', '... HEAD: the text, no body';

my @accept = (
    ['text/plain'                           => 'text'],
    ['TEXT/PLAIN'                           => 'text'],
    ['text/plain; charset=utf-8'            => 'text'],
    ['text/html'                            => 'html'],
    ['*/*'                                  => 'html'],
    ['text/*'                               => 'html'],
    ['application/json'                     => 'html'],
    ['text/plain, */*;q=0.1'                => 'text'],
    ['text/html, text/plain'                => 'html'],
    ['text/plain;q=0.5, text/html'          => 'html'],
    ['text/html;q=0.5, text/plain'          => 'text'],
    ['text/html;q=0.8, text/plain;q=0.9'    => 'text'],
    ['text/html;q=0.9, text/plain;q=0.9'    => 'html'],
    ['text/html;q=0, */*'                   => 'text'],
    ['text/plain;q=0, */*'                  => 'html'],
    ['text/plain;q=0'                       => 'html'],
    ['text/plain ; q=1.0 , text/html;q=.5'  => 'text'],
    ['text/*;q=0.9, text/html;q=0.1'        => 'text'],
    ['text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'
                                            => 'html'],
);
for my $c (@accept) {
    my ($accept, $want) = @$c;
    my ($s, $hd) = get(GET => '/status/', Accept => $accept);
    my $got = ($hd->{'content-type'} // '') =~ m{\Atext/plain} ? 'text'
            : ($hd->{'content-type'} // '') =~ m{\Atext/html} ? 'html' : '?';
    is "$s $got", "200 $want", "Accept: $accept -> $want";
}

# the feeds and the stylesheet do not negotiate
($st, $h) = get(GET => '/status/history.atom', Accept => 'text/plain');
like $h->{'content-type'}, qr{\Aapplication/atom\+xml},
    'history.atom with Accept: text/plain: the feed';

# the metrics count it
my ($mst, undef, $metrics) = get(GET => '/metrics');
like $metrics, qr/^status_edge_requests_total\{endpoint="text",worker="\d+"\} \d+$/m,
    'status_edge_requests_total{endpoint="text"}';

done_testing;
