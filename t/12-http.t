#!/usr/bin/perl
# HTTP semantics of the JSON API: strong ETag and 304, Cache-Control and
# status_edge_api_max_age, HEAD, OPTIONS (CORS preflight), JSONP with a
# validated callback (400 otherwise), JSON 404, methods.

use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use StatusEdge::Test qw(sample_state json_decode);

my $t = StatusEdge::Test->new;
$t->start_redis;
my $v = $t->write_state(sample_state());
$t->start_nginx(servers => $t->server_conf(extra => <<'EOF'));
        location /short/ {
            status_edge_api;
            status_edge_api_max_age 7s;
        }
EOF
ok $t->wait_version($v), 'state loaded';

my $P = '/api/v2/summary.json';
my ($st, $h, $body) = $t->http(GET => $P);
is $st, 200, 'GET 200';
my $data = json_decode($body);
ok $data, 'JSON body';
my $etag = $h->{etag};
like $etag // '', qr/^"[\x21\x23-\x7e]+"$/, 'strong, quoted ETag';
like $h->{'cache-control'} // '', qr/\bpublic\b/, 'Cache-Control: public';
like $h->{'cache-control'} // '', qr/\bmax-age=10\b/, 'default max-age=10';
is $h->{'access-control-allow-origin'}, '*', 'CORS: *';

# the other location with its own max age, same document
{
    my ($s2, $h2, $b2) = $t->http(GET => '/short/summary.json');
    is $s2, 200, 'api under another location';
    like $h2->{'cache-control'} // '', qr/\bmax-age=7\b/, 'status_edge_api_max_age 7s';
    is_deeply json_decode($b2), $data, 'same document';
}

# conditional requests
for my $inm ($etag, qq{"nope", $etag}, "W/$etag", '*') {
    my ($s, $hh, $b) = $t->http(GET => $P, headers => ['If-None-Match' => $inm]);
    is $s, 304, "If-None-Match: $inm -> 304";
    is $b, '', '304 has no body';
    is $hh->{etag}, $etag, '304 repeats the ETag';
    is $hh->{'cache-control'}, $h->{'cache-control'}, '304 repeats Cache-Control';
    is $hh->{'access-control-allow-origin'}, '*', '304 keeps CORS';
}
{
    my ($s) = $t->http(GET => $P, headers => ['If-None-Match' => '"other"']);
    is $s, 200, 'If-None-Match with another tag -> 200';
}

# HEAD: same headers, no body
{
    my ($s, $hh, $b) = $t->http(HEAD => $P);
    is $s, 200, 'HEAD 200';
    is $b, '', 'HEAD: no body';
    for my $k (qw(content-type etag cache-control access-control-allow-origin)) {
        is $hh->{$k}, $h->{$k}, "HEAD: same $k";
    }
    is $hh->{'content-length'}, length($body), 'HEAD: Content-Length of the GET body'
        if defined $hh->{'content-length'};
    my ($s3) = $t->http(HEAD => $P, headers => ['If-None-Match' => $etag]);
    is $s3, 304, 'HEAD with If-None-Match -> 304';
}

# OPTIONS: CORS preflight
{
    my ($s, $hh, $b) = $t->http(OPTIONS => $P, headers => [
        Origin => 'https://www.example.org',
        'Access-Control-Request-Method' => 'GET']);
    is $s, 204, 'OPTIONS 204';
    is $b, '', 'OPTIONS: no body';
    is $hh->{'access-control-allow-origin'}, '*', 'OPTIONS: Allow-Origin *';
    my %m = map { uc($_) => 1 } split /\s*,\s*/, $hh->{'access-control-allow-methods'} // '';
    ok $m{GET} && $m{HEAD} && $m{OPTIONS}, 'OPTIONS: Allow-Methods GET, HEAD, OPTIONS'
        or diag $hh->{'access-control-allow-methods'};
}

# other methods
for my $m (qw(POST PUT DELETE)) {
    my ($s) = $t->http($m => $P, body => '{}');
    is $s, 405, "$m -> 405";
}

# a query string that is not a callback is ignored
{
    my ($s, $hh, $b) = $t->http(GET => "$P?x=1&y=2");
    is $s, 200, 'unrelated query arguments: 200';
    is_deeply json_decode($b), $data, 'same document';
}

# JSONP
for my $cb (qw(cb _my$Callback1 jQuery3510_1700000000)) {
    my ($s, $hh, $b) = $t->http(GET => "$P?callback=$cb");
    is $s, 200, "JSONP callback=$cb: 200";
    like $hh->{'content-type'} // '', qr{^application/javascript(?:;\s*charset=utf-8)?$}i,
        'JSONP: application/javascript';
    my ($inner) = $b =~ /\A(?:\/\*\*\/\s*)?\Q$cb\E\((.*)\);?\s*\z/s;
    ok defined $inner, "JSONP body is $cb(...);" or diag substr($b, 0, 100);
    is_deeply json_decode($inner // ''), $data, 'JSONP wraps the same document';
    is $hh->{'access-control-allow-origin'}, '*', 'JSONP: CORS';
}
{
    my ($s, $hh, $b) = $t->http(GET => "$P?foo=1&callback=cb&bar=2");
    is $s, 200, 'callback among other arguments';
    like $b, qr/\Acb\(/, '... is used';
}
for my $bad ('1abc', 'a-b', 'alert(1)', 'a%20b', '%3Cscript%3E', 'a;b', 'a.b()',
             'x' . ('y' x 300), '%E2%80%A8') {
    my ($s, $hh, $b) = $t->http(GET => "$P?callback=$bad");
    is $s, 400, "callback=" . substr($bad, 0, 20) . ": 400";
    unlike $b // '', qr/<script|alert\(1\)/i, '... without echoing it';
}

# unknown paths
for my $p ('/api/v2/nope.json', '/api/v2/summary', '/api/v2/summary.json/x',
           '/api/v2/incidents/', '/api/v2/', '/api/v2/incidents/unresolved') {
    my ($s, $hh, $b) = $t->http(GET => $p);
    is $s, 404, "$p: 404";
    like $hh->{'content-type'} // '', qr{^application/json}i, "$p: JSON 404";
    ok json_decode($b // ''), "$p: JSON body" or diag $b;
}

# every endpoint answers HEAD and a matching If-None-Match
for my $ep (qw(status.json components.json incidents.json incidents/unresolved.json
               scheduled-maintenances.json scheduled-maintenances/upcoming.json
               scheduled-maintenances/active.json)) {
    my ($s, $hh) = $t->http(GET => "/api/v2/$ep");
    is $s, 200, "$ep: 200";
    like $hh->{etag} // '', qr/^"[^"]+"$/, "$ep: strong ETag";
    my ($s2) = $t->http(GET => "/api/v2/$ep", headers => ['If-None-Match' => $hh->{etag}]);
    is $s2, 304, "$ep: 304";
    my ($s3, $h3, $b3) = $t->http(HEAD => "/api/v2/$ep");
    is "$s3 " . length($b3), '200 0', "$ep: HEAD 200 without body";
}

# a new version changes the ETag; the old one no longer matches
my $S = sample_state();
$S->{page}{name} = 'Example Cloud v2';
$v = $t->write_state($S);
ok $t->wait_version($v), 'new version loaded';
my ($s4, $h4, $b4) = $t->http(GET => $P, headers => ['If-None-Match' => $etag]);
is $s4, 200, 'old ETag -> 200 after a change';
isnt $h4->{etag}, $etag, 'new ETag';
is json_decode($b4)->{page}{name}, 'Example Cloud v2', 'new content';

$t->stop;
done_testing;
