#!/usr/bin/perl
# The SVG badge (status_edge_badge): the overall badge and a component's
# (?component=ID), unknown or invalid components (404), strong ETag per
# state, component and language with 304, a change of state, a hostile
# component name (escaped, well-formed XML), Korean (Accept-Language and
# ?lang=), HEAD, other methods, and the grey "unknown" badge before any
# state is loaded.

use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use StatusEdge::Test qw(sample_state ts wait_until);

my $XMLLINT = -x '/usr/bin/xmllint' ? '/usr/bin/xmllint' : undef;

my $S = sample_state();
my $t = StatusEdge::Test->new;
$t->start_redis;
my $v = $t->write_state($S);
$t->start_nginx(poll => '1s', servers => $t->server_conf(extra => <<'EOF'));
        location = /badge.svg {
            status_edge_badge;
        }
EOF
ok $t->wait_version($v), "state $v loaded";

sub badge {
    my ($query, @h) = @_;
    my ($st, $h, $body) = $t->http(GET => '/badge.svg' . ($query // ''), headers => \@h);
    return ($st // 'error', $h, $body // '');
}

# the aria-label, the value's colour
sub look {
    my ($body) = @_;
    my ($label) = $body =~ /aria-label="([^"]*)"/;
    my ($color) = $body =~ /<rect x="\d+" width="\d+" height="20" fill="(#[0-9a-f]+)"/;
    return ($label // '?') . ' ' . ($color // '?');
}

sub well_formed {
    my ($body, $name) = @_;
    SKIP: {
        skip 'no xmllint', 1 unless $XMLLINT;
        my $f = $t->prefix . '/badge.svg';
        open my $fh, '>:raw', $f or die $!;
        print $fh $body;
        close $fh;
        my $out = `$XMLLINT --noout $f 2>&1`;
        is $?, 0, "$name: well-formed XML" or diag $out;
    }
}

my ($etag_all, $etag_api);
{
    my ($st, $h, $body) = badge();
    is $st, 200, 'overall: 200';
    like $h->{'content-type'} // '', qr{^image/svg\+xml(?:; charset=utf-8)?$}, 'image/svg+xml';
    is $h->{'cache-control'}, 'no-cache', 'Cache-Control: no-cache';
    is $h->{'access-control-allow-origin'}, '*', 'CORS';
    like $h->{vary} // '', qr/Accept-Language/, 'Vary: Accept-Language';
    $etag_all = $h->{etag} // '';
    like $etag_all, qr/^"se-\d+-[0-9a-f]+-badge-en"$/, "strong ETag ($etag_all)";
    is look($body), 'status: Partial System Outage #c2410c', 'overall: the indicator, orange';
    like $body, qr{<svg [^>]*role="img"[^>]*><title>status: Partial System Outage</title>}, 'role and title';
    is $h->{'content-length'}, length $body, 'Content-Length';
    well_formed($body, 'overall');
}
{
    my ($st, $h, $body) = badge('?component=api');
    is $st, 200, 'component api: 200';
    is look($body), 'API: Partial outage #c2410c', 'component api: its status, orange';
    $etag_api = $h->{etag} // '';
    like $etag_api, qr/^"se-\d+-[0-9a-f]+-badge-api-en"$/, 'component ETag';
    ($st, $h, $body) = badge('?component=web');
    is look($body), 'Website: Operational #2e7d32', 'component web: operational, green';
    ($st, $h, $body) = badge('?component=payments');
    is look($body), 'Payments: Operational #2e7d32', 'component payments: its name.en';
}
for my $q ('?component=nope', '?component=%3Cx%3E', '?component=' . ('a' x 65)) {
    my ($st, $h, $body) = badge($q);
    ok $st eq '404' && $body eq "unknown component\n", "unknown or invalid component $q: 404"
        or diag "$st $body";
    like $h->{'content-type'} // '', qr{^text/plain}, "$q: text/plain";
}
{
    my ($st, $h, $body) = badge(undef, 'If-None-Match' => $etag_all);
    ok $st eq '304' && $body eq '', 'If-None-Match: 304';
    is $h->{etag}, $etag_all, '304 carries the ETag';
    ($st) = badge('?component=api', 'If-None-Match' => $etag_all);
    is $st, 200, 'another badge\'s ETag: 200';
    ($st) = badge('?component=api', 'If-None-Match' => $etag_api);
    is $st, 304, 'component ETag: 304';
    ($st) = badge(undef, 'If-None-Match' => $etag_all, 'Accept-Language' => 'ko');
    is $st, 200, 'another language: 200';
}
{
    my ($st, $h, $body) = badge(undef, 'Accept-Language' => 'ko-KR,ko;q=0.9,en;q=0.8');
    like $body, qr{aria-label="&#49345;&#53468;: &#48512;&#48516; &#49884;&#49828;&#53596; &#51109;&#50528;"},
        'Korean by Accept-Language: label and description as NCRs';
    like $h->{etag} // '', qr/-badge-ko"$/, 'Korean ETag';
    unlike $body, qr/[^\x00-\x7f]/, 'Korean: ASCII bytes';
    my ($st2, $h2, $body2) = badge('?lang=ko');
    is $body2, $body, '?lang=ko: the same badge';
    ($st, $h, $body) = badge('?component=payments&lang=ko', 'Accept-Language' => 'en');
    like $body, qr{<title>&#44208;&#51228; &#49436;&#48708;&#49828;: &#51221;&#49345;</title>},
        '?lang=ko wins over Accept-Language; the Korean name';
    well_formed($body, 'Korean component');
}
{
    my ($st, $h, $body) = $t->http(HEAD => '/badge.svg');
    ok $st == 200 && $body eq '' && $h->{etag}, 'HEAD: 200, ETag, no body';
    ($st, $h) = $t->http(POST => '/badge.svg', body => 'x');
    is $st, 405, 'POST: 405';
    like $h->{allow} // '', qr/GET/, 'Allow';
}

# --- a change of state, a hostile name ----------------------------------------------
$S->{components}[0]{status} = 'operational';
$S->{components}[1]{name} = q{<svg onload="alert(1)">&amp; 'x' ]]> --></svg>};
$S->{components}[1]{status} = 'major_outage';
$v = $t->write_state($S);
ok $t->wait_version($v), "state $v: api operational, web in a major outage, hostile name";
{
    my ($st, $h, $body) = badge();
    is look($body), 'status: Major System Outage #c62828', 'overall follows: red';
    isnt $h->{etag}, $etag_all, 'the ETag changes with the state';
    ($st) = badge(undef, 'If-None-Match' => $etag_all);
    is $st, 200, 'the old ETag: 200';
    ($st, $h, $body) = badge('?component=api', 'If-None-Match' => $etag_api);
    is $st, 200, 'component, old ETag: 200';
    is look($body), 'API: Operational #2e7d32', 'component api: operational now';
    ($st, $h, $body) = badge('?component=web');
    is look($body),
        '&lt;svg onload=&quot;alert(1)&quot;&gt;&amp;amp; &#39;x&#39; ]]&gt; --&gt;&lt;/svg&gt;: Major outage #c62828',
        'hostile name escaped in the attribute';
    unlike $body, qr/<svg onload|<\/svg><\/title>/, 'no markup from the name';
    is scalar(() = $body =~ /<svg/g), 1, 'one svg element';
    well_formed($body, 'hostile name');
}

$t->stop;

# --- no state yet: the grey "unknown" badge -----------------------------------------
{
    my $t2 = StatusEdge::Test->new;
    $t2->start_nginx(poll => '1s',
        redis => ['127.0.0.1:' . $t2->redis_port . ' timeout=300ms'],
        servers => $t2->server_conf(extra => <<'EOF'));
        location = /badge.svg {
            status_edge_badge;
        }
EOF
    my ($st, $h, $body) = $t2->http(GET => '/badge.svg');
    is $st, 200, 'no state: 200 (an image for the <img>)';
    is $h->{'cache-control'}, 'no-store', 'no state: Cache-Control: no-store';
    ok !defined $h->{etag}, 'no state: no ETag';
    is look($body), 'status: unknown #767676', 'no state: grey unknown';
    ($st, $h, $body) = $t2->http(GET => '/badge.svg?component=api',
        headers => ['Accept-Language' => 'ko']);
    is look($body), 'api: &#50508; &#49688; &#50630;&#51020; #767676',
        'no state, component, Korean: the id and unknown';
    $t2->stop;
}

# --- configuration: location only, no arguments ----------------------------------------
{
    my $t3 = StatusEdge::Test->new;
    my ($rc, $out) = $t3->nginx_test($t3->nginx_conf(
        servers => $t3->server_conf(extra => "        status_edge_badge;\n")));
    ok $rc != 0 && $out =~ /"status_edge_badge" directive is not allowed here/,
        'status_edge_badge in a server: refused' or diag $out;
    ($rc, $out) = $t3->nginx_test($t3->nginx_conf(servers => $t3->server_conf(
        extra => "        location /b { status_edge_badge on; }\n")));
    ok $rc != 0 && $out =~ /invalid number of arguments in "status_edge_badge"/,
        'status_edge_badge with an argument: refused' or diag $out;
}

done_testing;
