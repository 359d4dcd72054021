#!/usr/bin/perl
# Characters that markup may not carry (issue 12, defect 5): U+FFFE and
# U+FFFF are not XML 1.0 characters, not even as references ("&#65534;"),
# and every noncharacter is an HTML parse error.  A component and an
# incident named with them: the badge parses as XML with libxml2 (a
# fatal error otherwise), and neither the badge, the feeds nor the status
# page write them, raw or as references; the rest of the name is kept.

use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Encode qw(encode_utf8);
use StatusEdge::Test qw(sample_state);

BEGIN {
    system("$FindBin::Bin/../tools/need", 'libxml-libxml-perl') == 0
        or BAIL_OUT('libxml-libxml-perl not installable');
}
use XML::LibXML;

no warnings 'nonchar';

my $BAD = "\x{FFFE}\x{FFFF}\x{FDD0}\x{1FFFE}";
my $S = sample_state();
$S->{components}[0]{name} = "A${BAD}PI\x{FFFE}";
$S->{incidents}[0]{name} = "Elevated${BAD} API error rates";
$S->{incidents}[0]{updates}[0]{body} = "Rolled${BAD} back.";

my $t = StatusEdge::Test->new;
$t->start_redis;
my $v = $t->write_state($S);
$t->start_nginx(poll => '1s', servers => $t->server_conf(extra => <<'EOF'));
        location = /badge.svg {
            status_edge_badge;
        }
        location /status/ {
            status_edge_status_page;
        }
EOF
ok $t->wait_version($v), "state $v loaded";

# no noncharacter, raw (UTF-8) or as a decimal or hex reference
sub clean {
    my ($body, $name) = @_;
    my $raw = encode_utf8($BAD);
    my @refs = $body =~ /&#(?:6553[45]|64976|131070|[xX]0*(?:[fF]{3}[eEfF]|[fF][dD][dD]0|1[fF]{3}[eE]));/g;
    my @utf8 = grep { index($body, encode_utf8($_)) >= 0 } split //, $BAD;
    ok !@refs && !@utf8, "$name: no noncharacter, raw or as a reference"
        or diag "references: @refs, raw: " . scalar(@utf8);
}

sub xml {
    my ($body, $name) = @_;
    my $doc = eval {
        XML::LibXML->load_xml(string => $body, no_network => 1,
                              load_ext_dtd => 0, expand_entities => 0)
    };
    ok $doc, "$name: well-formed XML (libxml2)" or diag $@;
    return $doc;
}

{
    my ($st, $h, $body) = $t->http(GET => '/badge.svg?component=api');
    is $st, 200, 'badge of the component: 200';
    my $doc = xml($body // '', 'badge');
    clean($body // '', 'badge');
    if ($doc) {
        my $xc = XML::LibXML::XPathContext->new($doc);
        $xc->registerNs(s => 'http://www.w3.org/2000/svg');
        is $xc->findvalue('/s:svg/s:title'), 'API: Partial outage',
            'badge: the title is the name without the noncharacters';
        is $xc->findvalue('/s:svg/@aria-label'), 'API: Partial outage',
            'badge: so is the aria-label';
    }
}

for my $feed (qw(history.atom history.rss)) {
    my ($st, $h, $body) = $t->http(GET => "/status/$feed");
    is $st, 200, "$feed: 200";
    my $doc = xml($body // '', $feed);
    clean($body // '', $feed);
    like $body // '', qr/Elevated API error rates/,
        "$feed: the incident's name without them";
}

{
    my ($st, $h, $body) = $t->http(GET => '/status/');
    is $st, 200, 'status page: 200';
    clean($body // '', 'status page');
    like $body // '', qr/Elevated API error rates/,
        "status page: the incident's name without them";
    like $body // '', qr/>API</, "status page: the component's name too";
}

done_testing;
