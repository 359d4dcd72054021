#!/usr/bin/perl
# history.atom and history.rss beside the status page: parsed with a real
# XML parser (libxml2) and xmllint, the required Atom and RSS elements,
# one entry per public update, stable ids across a reload and a state
# change, hostile admin text escaped, ETag/304/HEAD.

use strict;
use warnings;
use utf8;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use File::Temp qw(tempdir);
use Storable qw(dclone);
use StatusEdge::Test qw(sample_state ts parse_ts);

BEGIN {
    system("$FindBin::Bin/../tools/need", 'libxml-libxml-perl',
           'libxml2-utils') == 0
        or plan skip_all => 'libxml-libxml-perl not installable';
}
use XML::LibXML;

binmode Test::More->builder->$_, ':encoding(UTF-8)'
    for qw(output failure_output todo_output);

my $ATOM = 'http://www.w3.org/2005/Atom';
my $dir = tempdir(CLEANUP => 1);

my $t = StatusEdge::Test->new;
$t->start_redis;
my $now = time;
my $S = sample_state(now => $now);
my $v = $t->write_state($S);
my $servers = $t->server_conf(extra => <<"CONF");
        location /status/ {
            status_edge_status_page;
        }
CONF
$t->start_nginx(servers => $servers);
ok $t->wait_version($v), "every worker serves version $v";

sub xp {
    my ($doc) = @_;
    my $xc = XML::LibXML::XPathContext->new($doc);
    $xc->registerNs(a => $ATOM);
    return $xc;
}

# GET, check the XML is well-formed (XML::LibXML and xmllint), parse it
sub feed {
    my ($path, $name) = @_;
    my ($st, $h, $body) = $t->http(GET => $path);
    is $st, 200, "$name: 200";
    my $doc = eval { XML::LibXML->load_xml(string => $body) };
    ok $doc, "$name: well-formed XML (libxml2)" or diag $@;
    open my $fh, '>:raw', "$dir/feed.xml" or die;
    print $fh $body;
    close $fh;
    my $out = `xmllint --noout "$dir/feed.xml" 2>&1`;
    is $?, 0, "$name: xmllint accepts it" or diag $out;
    return ($h, $body, $doc);
}

# the public updates of the sample, as "kind:id:update"
my @public;
for my $kind (qw(incidents maintenances)) {
    for my $r (@{ $S->{$kind} }) {
        next if ($r->{audience} // 'public') ne 'public';
        push @public, map {
            ($kind eq 'incidents' ? 'incident' : 'maintenance')
            . ":$r->{id}:update:$_->{id}"
        } @{ $r->{updates} };
    }
}

# --- Atom -----------------------------------------------------------------------
my ($h, $body, $doc) = feed('/status/history.atom', 'atom');
is $h->{'content-type'}, 'application/atom+xml; charset=utf-8',
    'atom: application/atom+xml';
like $h->{etag} // '', qr/^"sp-[0-9a-f]{16}"$/, 'atom: ETag';
is $h->{'cache-control'}, 'public, max-age=10', 'atom: Cache-Control';

my $x = xp($doc);
is $doc->documentElement->namespaceURI, $ATOM, 'atom: the Atom namespace';
is $doc->documentElement->localname, 'feed', 'atom: <feed>';
is $x->findvalue('/a:feed/a:id'), "tag:status-edge,2026:$S->{page}{id}",
    'atom: feed id';
is $x->findvalue('/a:feed/a:title'), 'Example Cloud status history',
    'atom: feed title';
my $updated = $x->findvalue('/a:feed/a:updated');
ok defined parse_ts($updated), "atom: feed updated is RFC 3339 ($updated)";
is $x->findvalue('/a:feed/a:link[@rel="self"]/@href'),
    'https://status.example.com/history.atom', 'atom: link rel=self';
is $x->findvalue('/a:feed/a:link[@rel="alternate"]/@href'),
    'https://status.example.com/', 'atom: link rel=alternate';
is $x->findvalue('/a:feed/a:author/a:name'), 'Example Cloud',
    'atom: feed author (so entries need none)';

my @entries = $x->findnodes('/a:feed/a:entry');
is scalar(@entries), scalar(@public),
    'atom: one entry per public update (' . scalar(@public) . ')';
my (%ids, @times, $bad);
for my $e (@entries) {
    my $id = $x->findvalue('a:id', $e);
    $ids{$id}++;
    for my $el (qw(id title updated)) {
        $bad .= "entry $id lacks $el\n"
            unless $x->findnodes("a:$el", $e)->size == 1;
    }
    $bad .= "entry $id: bad updated\n"
        unless defined parse_ts($x->findvalue('a:updated', $e));
    $bad .= "entry $id: no alternate link\n"
        unless $x->findvalue('a:link[@rel="alternate"]/@href', $e)
               =~ m{^https://status\.example\.com/#(incident|maintenance)-};
    $bad .= "entry $id: no content\n"
        unless $x->findnodes('a:content[@type="text"]', $e)->size == 1;
    push @times, parse_ts($x->findvalue('a:published', $e));
}
ok !$bad, 'atom: every entry has id, title, updated, alternate link, content'
    or diag $bad;
is_deeply [sort keys %ids],
    [sort map { "tag:status-edge,2026:$S->{page}{id}:$_" } @public],
    'atom: entry ids: tag URIs from page, record and update ids, unique';
is_deeply \@times, [sort { $b <=> $a } @times], 'atom: newest first';
ok !grep({ /inc-internal/ } keys %ids), 'atom: no internal incident';

my ($first) = grep { $x->findvalue('a:id', $_) =~ /:update:upd-api-2$/ }
    @entries;
is $x->findvalue('a:title', $first), 'Elevated API error rates: Identified',
    'atom: entry title = name and status';
is $x->findvalue('a:content', $first),
    $S->{incidents}[0]{updates}[0]{body}, 'atom: entry content = the body';
is parse_ts($x->findvalue('a:updated', $first)), $now - 30 * 60,
    'atom: entry updated = the update time';

# --- RSS ------------------------------------------------------------------------
my ($rh, $rbody, $rdoc) = feed('/status/history.rss', 'rss');
is $rh->{'content-type'}, 'application/rss+xml; charset=utf-8',
    'rss: application/rss+xml';
is $rdoc->findvalue('/rss/@version'), '2.0', 'rss: version 2.0';
is $rdoc->findvalue('/rss/channel/title'), 'Example Cloud status history',
    'rss: channel title';
is $rdoc->findvalue('/rss/channel/link'), 'https://status.example.com/',
    'rss: channel link';
ok length $rdoc->findvalue('/rss/channel/description'),
    'rss: channel description';
my @items = $rdoc->findnodes('/rss/channel/item');
is scalar(@items), scalar(@public), 'rss: one item per public update';
is_deeply [sort map { $_->findvalue('guid') } @items], [sort keys %ids],
    'rss: guids = the Atom ids';
my $dates_ok = !grep {
    $_->findvalue('pubDate')
        !~ /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d \+0000$/
} @items;
ok $dates_ok, 'rss: RFC 822 pubDate on every item';
ok !grep({ $_->findvalue('link') !~ m{^https://} } @items),
    'rss: absolute item links';

# --- stable ids across a reload and a state change ---------------------------------
$t->reload;
ok $t->wait_version($v), 'reloaded';
my ($h2, $body2) = feed('/status/history.atom', 'atom after reload');
is $body2, $body, 'atom after reload: the same bytes';
is $h2->{etag}, $h->{etag}, 'atom after reload: the same ETag';

my $S2 = dclone($S);
unshift @{ $S2->{incidents}[0]{updates} },
    { id => 'upd-api-3', status => 'monitoring',
      body => 'A fix has been deployed.', created_at => ts($now - 60) };
$S2->{incidents}[0]{status} = 'monitoring';
$v = $t->write_state($S2);
ok $t->wait_version($v), "state $v with a new update";
my ($h3, $body3, $doc3) = feed('/status/history.atom', 'atom after an update');
my $x3 = xp($doc3);
my %ids3 = map { $x3->findvalue('a:id', $_) => 1 }
    $x3->findnodes('/a:feed/a:entry');
ok !grep({ !$ids3{$_} } keys %ids), 'every old entry id is still there';
my $new = "tag:status-edge,2026:$S->{page}{id}:incident:inc-api:update:upd-api-3";
ok $ids3{$new}, 'the new update has its own id';
is $x3->findvalue('/a:feed/a:entry[1]/a:id'), $new, '... and comes first';
isnt $h3->{etag}, $h->{etag}, 'a new ETag';
is parse_ts($x3->findvalue('/a:feed/a:updated')), $now - 60,
    'feed updated = the new update';

# --- ETag / 304 / HEAD ----------------------------------------------------------------
my ($st) = $t->http(GET => '/status/history.atom',
    headers => ['If-None-Match' => $h3->{etag}]);
is $st, 304, 'atom: 304 on If-None-Match';
($st) = $t->http(GET => '/status/history.atom',
    headers => ['If-None-Match' => $h->{etag}]);
is $st, 200, 'atom: an old ETag gets the new feed';
my ($hst, $hh, $hbody) = $t->http(HEAD => '/status/history.rss');
is $hst, 200, 'rss: HEAD 200';
is $hbody // '', '', 'rss: HEAD without a body';

# --- hostile admin text --------------------------------------------------------------
my $evil = qq{<script>alert(1)</script>"x' ]]> &amp; \x{d55c}\x{ad6d}};
my $S3 = dclone($S);
$S3->{page}{name} = $evil;
$S3->{incidents}[0]{name} = $evil;
$S3->{incidents}[0]{updates}[0]{body} = "$evil\nline two";
$v = $t->write_state($S3);
ok $t->wait_version($v), "hostile state $v";
my (undef, $ebody, $edoc) = feed('/status/history.atom', 'hostile atom');
my $ex = xp($edoc);
unlike $ebody, qr/<script/, 'hostile atom: no raw markup';
is $ex->findvalue('/a:feed/a:title'), "$evil status history",
    'hostile atom: feed title round-trips exactly';
my ($ee) = grep { $ex->findvalue('a:id', $_) =~ /:update:upd-api-2$/ }
    $ex->findnodes('/a:feed/a:entry');
is $ex->findvalue('a:title', $ee), "$evil: Identified",
    'hostile atom: entry title round-trips';
is $ex->findvalue('a:content', $ee), "$evil\nline two",
    'hostile atom: content round-trips, line break kept';
my (undef, $erbody, $erdoc) = feed('/status/history.rss', 'hostile rss');
unlike $erbody, qr/<script/, 'hostile rss: no raw markup';
is $erdoc->findvalue('/rss/channel/title'), "$evil status history",
    'hostile rss: title round-trips';

$t->stop;
done_testing;
