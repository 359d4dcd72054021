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
use StatusEdge::Blocks qw(run_blocks);

my $t = StatusEdge::Test->new;
my $P = '/api/v2/summary.json';

# what the first answer (its headers, body, data) and the blocks' saves
# left, when a block runs
sub got { my ($k) = @_; return sub { $_[0]{$k} } }

my $S2 = sample_state();
$S2->{page}{name} = 'Example Cloud v2';

run_blocks(t => $t, state => sample_state(),
    nginx => { servers => $t->server_conf(extra => <<'EOF') },
        location /short/ {
            status_edge_api;
            status_edge_api_max_age 7s;
        }
EOF
    blocks => [
    { name    => 'GET',
      request => [GET => $P],
      status  => 200,
      json_ok => sub { 1 },
      headers => {
          etag => qr/^"[\x21\x23-\x7e]+"$/,
          'cache-control' => [qr/\bpublic\b/, qr/\bmax-age=10\b/],
          'access-control-allow-origin' => '*' },
      check   => sub { my (undef, $h, $b, $got) = @_;
          %$got = (%$h, body => $b, data => json_decode($b)) } },

    # the other location with its own max age, same document
    { name    => 'api under another location',
      request => [GET => '/short/summary.json'],
      status  => 200,
      headers => { 'cache-control' => qr/\bmax-age=7\b/ },
      json    => got('data') },

    # conditional requests
    (map {
        my $inm = $_;
        +{ name    => "If-None-Match: $inm->[0] -> 304",
           request => [GET => $P, headers => ['If-None-Match' => $inm->[1]]],
           status  => 304,
           body    => '',
           headers => {
               etag => got('etag'),
               'cache-control' => got('cache-control'),
               'access-control-allow-origin' => '*' } }
    } ['the ETag', got('etag')],
      ['another and the ETag', sub { qq{"nope", $_[0]{etag}} }],
      ['W/ETag', sub { "W/$_[0]{etag}" }],
      ['*', '*']),
    { name    => 'If-None-Match with another tag -> 200',
      request => [GET => $P, headers => ['If-None-Match' => '"other"']],
      status  => 200 },

    # HEAD: same headers, no body
    { name    => 'HEAD',
      request => [HEAD => $P],
      status  => 200,
      body    => '',
      headers => { map { $_ => got($_) }
          qw(content-type etag cache-control access-control-allow-origin) },
      check   => sub { my (undef, $h, undef, $got) = @_;
          is $h->{'content-length'}, length($got->{body}),
              'HEAD: Content-Length of the GET body'
              if defined $h->{'content-length'} } },
    { name    => 'HEAD with If-None-Match',
      request => [HEAD => $P, headers => ['If-None-Match' => got('etag')]],
      status  => 304 },

    # OPTIONS: CORS preflight
    { name    => 'OPTIONS',
      request => [OPTIONS => $P, headers => [
          Origin => 'https://www.example.org',
          'Access-Control-Request-Method' => 'GET']],
      status  => 204,
      body    => '',
      headers => {
          'access-control-allow-origin' => '*',
          'access-control-allow-methods' =>
              qr/\A(?=.*\bGET\b)(?=.*\bHEAD\b)(?=.*\bOPTIONS\b)/i } },

    # other methods
    (map { +{ name => "$_ -> 405", request => [$_ => $P, body => '{}'],
              status => 405 } } qw(POST PUT DELETE)),

    # a query string that is not a callback is ignored
    { name    => 'unrelated query arguments',
      request => [GET => "$P?x=1&y=2"],
      status  => 200,
      json    => got('data') },

    # JSONP
    (map {
        my $cb = $_;
        +{ name    => "JSONP callback=$cb",
           request => [GET => "$P?callback=$cb"],
           status  => 200,
           headers => {
               'content-type' =>
                   qr{^application/javascript(?:;\s*charset=utf-8)?$}i,
               'access-control-allow-origin' => '*' },
           body    => qr/\A(?:\/\*\*\/\s*)?\Q$cb\E\(.*\);?\s*\z/s,
           check   => sub { my (undef, undef, $b, $got) = @_;
               my ($inner) = $b =~ /\A(?:\/\*\*\/\s*)?\Q$cb\E\((.*)\);?\s*\z/s;
               is_deeply json_decode($inner // ''), $got->{data},
                   "JSONP callback=$cb wraps the same document" } }
    } qw(cb _my$Callback1 jQuery3510_1700000000)),
    { name    => 'callback among other arguments',
      request => [GET => "$P?foo=1&callback=cb&bar=2"],
      status  => 200,
      body    => qr/\Acb\(/ },
    (map {
        +{ name        => 'callback=' . substr($_, 0, 20),
           request     => [GET => "$P?callback=$_"],
           status      => 400,
           body_unlike => qr/<script|alert\(1\)/i }
    } '1abc', 'a-b', 'alert(1)', 'a%20b', '%3Cscript%3E', 'a;b', 'a.b()',
      'x' . ('y' x 300), '%E2%80%A8'),

    # unknown paths
    (map {
        +{ name    => $_,
           request => [GET => $_],
           status  => 404,
           headers => { 'content-type' => qr{^application/json}i },
           json_ok => sub { 1 } }
    } '/api/v2/nope.json', '/api/v2/summary', '/api/v2/summary.json/x',
      '/api/v2/incidents/', '/api/v2/', '/api/v2/incidents/unresolved'),

    # every endpoint answers HEAD and a matching If-None-Match
    (map {
        my $ep = "/api/v2/$_";
        +{ name    => "$_ GET",
           request => [GET => $ep],
           status  => 200,
           headers => { etag => qr/^"[^"]+"$/ },
           save    => { "etag $ep" => 'etag' } },
        { name    => "$_ If-None-Match",
          request => [GET => $ep, headers => ['If-None-Match' => got("etag $ep")]],
          status  => 304 },
        { name    => "$_ HEAD",
          request => [HEAD => $ep],
          status  => 200,
          body    => '' }
    } qw(status.json components.json incidents.json incidents/unresolved.json
         scheduled-maintenances.json scheduled-maintenances/upcoming.json
         scheduled-maintenances/active.json)),

    # a new version changes the ETag; the old one no longer matches
    { name    => 'old ETag after a change',
      state   => $S2,
      request => [GET => $P, headers => ['If-None-Match' => got('etag')]],
      status  => 200,
      headers => { etag => sub { qr/\A(?!\Q$_[0]{etag}\E\z)/ } },
      json_ok => sub { $_[0]{page}{name} eq 'Example Cloud v2' } },
]);

done_testing;
