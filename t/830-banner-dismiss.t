#!/usr/bin/perl
# Dismissal: status_edge_dismiss answers 303 back to a same-site path
# (anything else goes to "/") with the cookie status_edge_dismissed=<key>,
# key = se_banner_key(incident id, latest update id); a request carrying
# the key of the current banner gets none (and its upstream request is
# untouched); a new update changes the key and the banner is back.

use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use StatusEdge::Test qw(sample_state ts wait_until);
use StatusEdge::Upstream qw(banner_env banner_count inserted_at se_banner_key);

my $S = sample_state();
my ($t, $up, $v) = banner_env(state => $S, locations => <<'EOF');
        location / {
            proxy_pass http://UPSTREAM;
            status_edge_banner on;
            add_header X-SE-Banner "$status_edge_banner" always;
            add_header X-SE-Incident "$status_edge_incident" always;
        }
        location = /hide-banner {
            status_edge_dismiss;
        }
EOF

my $head = '<html><head></head><body>';
my $page = $head . '<p>dismiss me</p></body></html>';
$up->route('/page', headers => ['Content-Type' => 'text/html', ETag => '"d1"'],
    body => [$page], conditional => 1);

my $key = se_banner_key('inc-api', 'upd-api-2');
my $port = $t->port;
my $SELF = qr{(?:http://(?:localhost|127\.0\.0\.1)(?::$port)?)?};

# the dismiss link of the banner
my ($st, $h, $body) = $t->http(GET => '/page?x=1&y=%2F2');
my ($href) = ($body // '') =~ m{<a class="se-dismiss" href="([^"]*)"};
ok defined $href, 'the banner has a dismiss link';
$href = ($href // '') =~ s/&amp;/&/gr;
like $href, qr{\A/status-edge/dismiss\?id=inc-api&u=upd-api-2&r=}, 'dismiss link: id and update';
my ($ret) = $href =~ /[?&]r=([^&]*)/;
is $ret, '/page%3Fx%3D1%26y%3D%252F2', 'return path: the request URI, percent-encoded';

# the request URI in the link: percent-encoded, whatever the client sent
$up->route('*', headers => ['Content-Type' => 'text/html'], body => [$page]);
for my $c (['/page?q="><script>alert(1)</script>', '/page%3Fq%3D%22%3E%3Cscript%3Ealert%281%29%3C/script%3E'],
           ["/p\xc3\xa4ge?a='b'&c=<i>", '/p%C3%A4ge%3Fa%3D%27b%27%26c%3D%3Ci%3E'],
           ['/page?x=' . ('y' x 3000), '/'],
           ['/page?q=%22%3E%3Cscript%3E', '/page%3Fq%3D%2522%253E%253Cscript%253E']) {
    my ($uri, $want) = @$c;
    my ($s2, undef, $b2) = $t->http(GET => $uri);
    my ($r2) = ($b2 // '') =~ m{<a class="se-dismiss" href="[^"]*&amp;r=([^"]*)"};
    is $r2, $want, 'return path of ' . substr($uri, 0, 40) . ': ' . substr($want, 0, 40);
    unlike $b2 // '', qr{<script}, '... nothing from the URI is markup';
}

# round trip for URIs as browsers send them: the dismiss link leads back
# to the same page (browsers leave ' ( ) ! ~ * ; , @ $ | ^ [ ] raw in paths)
for my $uri ("/o'reilly/page", '/a(b)!c~d*e;f,g@h$i|j^k/page', '/search?q=a%20b&x=%27y%27',
             '/%C3%A4/page?q=%E2%9C%93') {
    my (undef, undef, $b2) = $t->http(GET => $uri);
    my ($href2) = ($b2 // '') =~ m{<a class="se-dismiss" href="([^"]*)"};
    $href2 = ($href2 // '') =~ s/&amp;/&/gr;
    my ($s2, $h2) = $t->http(GET => $href2);
    (my $back = $h2->{location} // '') =~ s{\A$SELF}{};
    # the same resource after percent-decoding (a browser may re-encode)
    my $dec = sub { my $x = shift; $x =~ s/%([0-9A-Fa-f]{2})/chr hex $1/ge; $x };
    ok $s2 == 303 && $dec->($back) eq $dec->($uri),
        "dismissing on $uri leads back there (Location: $back)";
}

# follow it
($st, $h, $body) = $t->http(GET => $href);
is $st, 303, 'dismiss: 303';
like $h->{location} // '', qr{\A$SELF/page\?x=1&y=%2F2\z}, 'dismiss: back to the page, query intact'
    or diag "Location: " . ($h->{location} // '(none)');
my @cookies = @{ $h->{_list}{'set-cookie'} || [] };
my ($cookie) = grep { /\Astatus_edge_dismissed=/ } @cookies;
ok defined $cookie, 'dismiss: sets status_edge_dismissed' or diag explain \@cookies;
$cookie //= '';
my ($val) = $cookie =~ /\Astatus_edge_dismissed=([^;]*)/;
is $val, $key, 'cookie value: se_banner_key(incident id, latest update id)';
like $cookie, qr{;\s*Path=/(?:;|\z)}i, 'cookie: Path=/';
note "Set-Cookie: $cookie";

# the cookie hides the banner
$up->clear_requests;
($st, $h, $body) = $t->http(GET => '/page', headers => [Cookie => "status_edge_dismissed=$key",
    'Accept-Encoding' => 'gzip', 'If-None-Match' => '"old"']);
ok $st == 200 && $body eq $page, 'with the cookie: page byte-identical, no banner'
    or diag $body;
is $h->{'x-se-banner'}, '0', 'with the cookie: $status_edge_banner 0';
is $h->{'x-se-incident'} // '', '', 'with the cookie: $status_edge_incident empty';
my $r = $up->last_request('/page');
is_deeply [map { $r->{h}{$_} } qw(accept-encoding if-none-match)], ['gzip', '"old"'],
    'with the cookie: the upstream request is untouched';
($st, $h, $body) = $t->http(GET => '/page',
    headers => [Cookie => "a=1; status_edge_dismissed=$key; b=2"]);
is banner_count($body), 0, 'cookie among others: no banner';
($st, $h, $body) = $t->http(GET => '/page',
    headers => [Cookie => 'a=1', Cookie => "status_edge_dismissed=$key"]);
is banner_count($body), 0, 'cookie in a second Cookie header: no banner';

# cookies that do not dismiss this banner
for my $c ("status_edge_dismissed=" . se_banner_key('inc-api', 'upd-api-1'),
           (uc($key) ne $key ? ("status_edge_dismissed=" . uc $key) : ()),
           "status_edge_dismissed=${key}0",
           "xstatus_edge_dismissed=$key",
           "status_edge_dismissed=") {
    ($st, $h, $body) = $t->http(GET => '/page', headers => [Cookie => $c]);
    is banner_count($body), 1, "Cookie: $c: banner shown";
}

# status_edge_dismiss at another location
($st, $h) = $t->http(GET => '/hide-banner?id=inc-api&u=upd-api-2&r=/other-dismiss/page');
is $st, 303, 'status_edge_dismiss at another location: 303';
like $h->{'set-cookie'} // '', qr{status_edge_dismissed=$key}, '... same cookie';

# --- open redirects --------------------------------------------------------------
my @evil = (
    '//evil.com', 'http://evil.com', 'https://evil.com/x', '/\\evil.com', '%2F%2Fevil.com',
    '%2F%5Cevil.com', '/%5Cevil.com', '%2f%2fevil.com', 'javascript:alert(1)',
    'evil.com', '', '\\\\evil.com', '/%2F/evil.com', '%09//evil.com', 'http:evil.com',
    '%20//evil.com', '/%5C%5Cevil.com',
);
my @bad;
for my $e (@evil) {
    ($st, $h) = $t->http(GET => "/status-edge/dismiss?id=inc-api&u=upd-api-2&r=$e");
    my $loc = $h->{location} // '(none)';
    push @bad, "r=$e: status " . ($st // $h->{_error}) . ", Location: $loc"
        unless defined $st && $st == 303 && $loc =~ m{\A$SELF/\z};
}
ok !@bad, 'open redirect attempts all go to "/"' or diag join "\n", @bad;

# tab, CR, LF inside: a browser strips tab and newlines ("/\t/evil.com" is
# "//evil.com"), and CR LF must not split the header; "/" or the path kept
# percent-encoded are both safe
for my $e ('/%09/evil.com', '/%0a/evil.com', '/%0d/evil.com', '/%0d%0aSet-Cookie:%20pwned=1',
           '/%0aLocation:%20http://evil.com', '/%00/evil.com') {
    ($st, $h) = $t->http(GET => "/status-edge/dismiss?id=inc-api&u=upd-api-2&r=$e");
    my @locs = @{ $h->{_list}{location} || [] };
    my $loc = $locs[0] // '';
    (my $path = $loc) =~ s{\A$SELF}{};
    $path =~ s/[\t\r\n]//g;
    my $shown = $loc =~ s/([\x00-\x1f])/sprintf '\\x%02x', ord $1/ger;
    ok defined $st && $st == 303 && @locs == 1 && $path =~ m{\A/} && $path !~ m{\A/[/\\]}
        && $loc !~ /[\x00-\x1f]/ && !grep({ /pwned/ } @{ $h->{_list}{'set-cookie'} || [] }),
        "r=$e: 303 to a same-site path, no header injected (Location: $shown)";
}

# missing parameters
($st, $h) = $t->http(GET => '/status-edge/dismiss?id=inc-api&u=upd-api-2');
is $st, 303, 'no r: 303';
like $h->{location} // '', qr{\A$SELF/\z}, 'no r: to "/"';
($st, $h) = $t->http(GET => '/status-edge/dismiss?r=/page');
ok defined $st && $st < 500, "no id: handled ($st), no 5xx";

# --- a new update shows the banner again ---------------------------------------
unshift @{ $S->{incidents}[0]{updates} }, { id => 'upd-api-3', status => 'monitoring',
    body => 'A fix has been deployed; we are monitoring.', created_at => ts(time - 60) };
$v = $t->write_state($S);
ok $t->wait_version($v), "state $v with a new update loaded";
my $new_key = se_banner_key('inc-api', 'upd-api-3');
isnt $new_key, $key, 'the new update has another key';
my $ok = wait_until(sub {
    my (undef, undef, $b) = $t->http(GET => '/page', headers => [Cookie => "status_edge_dismissed=$key"]);
    return ($b // '') =~ /u=upd-api-3&amp;/ && banner_count($b) == 1;
}, 10);
ok $ok, 'old dismissal cookie, new update: the banner is back, with the new update';
($st, $h, $body) = $t->http(GET => '/page', headers => [Cookie => "status_edge_dismissed=$key"]);
like $body // '', qr{we are monitoring}, '... showing the new update';
($st, $h) = $t->http(GET => '/status-edge/dismiss?id=inc-api&u=upd-api-3&r=/page');
like $h->{'set-cookie'} // '', qr{\Astatus_edge_dismissed=$new_key;}, 'dismissing it again: the new key';
($st, $h, $body) = $t->http(GET => '/page', headers => [Cookie => "status_edge_dismissed=$new_key"]);
is banner_count($body), 0, 'new cookie: no banner';

$t->stop;
$up->stop;
done_testing;
