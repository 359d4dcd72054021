#!/usr/bin/perl
# Component uptime: a history written by the admin tool (component set,
# component history import) and by hand (ZADD), read by the module into
# the status page's daily bars, components/ID/uptime.json, the uptime
# badge and the per-component feeds, with the page in America/New_York;
# a day across midnight, "no data" before a component was added, exact
# figures, and bad import rows that write nothing.

use strict;
use warnings;
use utf8;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use File::Temp qw(tempdir);
use POSIX qw(mktime tzset floor);
use StatusEdge::Test qw(json_decode ts);
use StatusEdge::CLI;

BEGIN {
    system("$FindBin::Bin/../tools/need", 'libxml-libxml-perl',
           'libxml2-utils') == 0
        or plan skip_all => 'libxml-libxml-perl not installable';
}
use XML::LibXML;

binmode Test::More->builder->$_, ':encoding(UTF-8)'
    for qw(output failure_output todo_output);

my $dir = tempdir(CLEANUP => 1);
my $t = StatusEdge::CLI->new->t;
my $P = 'status:';

# local times of the page's zone
$ENV{TZ} = 'America/New_York';
tzset();
my $now = time;
my @lt = localtime($now);
sub local_at {            # days before today, hour, minute (local)
    my ($ago, $h, $m) = @_;
    return mktime(0, $m, $h, $lt[3] - $ago, $lt[4], $lt[5], 0, 0, -1);
}
sub local_date {
    my ($ago) = @_;
    my @d = localtime(mktime(0, 0, 12, $lt[3] - $ago, $lt[4], $lt[5], 0, 0, -1));
    return sprintf '%04d-%02d-%02d', $d[5] + 1900, $d[4] + 1, $d[3];
}
sub day_len {             # seconds of a local day (23, 24 or 25 hours)
    my ($ago) = @_;
    return mktime(0, 0, 0, $lt[3] - $ago + 1, $lt[4], $lt[5], 0, 0, -1)
         - mktime(0, 0, 0, $lt[3] - $ago, $lt[4], $lt[5], 0, 0, -1);
}

cli_ok('page', 'set', '--name', 'Uptime Cloud', '--time-zone',
       'America/New_York', '--id', 'uptimepage');
cli_ok('component', 'add', 'api', '--name', 'API');
cli_ok('component', 'add', 'fresh', '--name', 'Fresh');
cli_ok('component', 'add', 'quiet', '--name', 'Quiet');
cli_ok('component', 'add', 'nohist', '--name', 'Nohist');
cli_ok('component', 'add', 'beta', '--name', 'Beta', '--uptime', 'off');
is $t->redis('HGET', "${P}component:beta", 'uptime'), 'off',
    'component add --uptime off';
cli_ok('component', 'set', 'beta', 'operational', '--uptime', 'on');
is $t->redis('HGET', "${P}component:beta", 'uptime'), 'on',
    'component set --uptime on';
my ($urc, undef, $uerr) = cli('component', 'set', 'beta', 'operational',
                              '--uptime', 'maybe');
is $urc, 2, 'a bad --uptime: exit 2';
like $uerr, qr/bad --uptime "maybe" \(on or off\)/, '... naming the value';

# the tool wrote one entry each, at now
my @h = @{ $t->redis('ZRANGE', "${P}component:api:history", 0, -1, 'WITHSCORES') };
is scalar(@h), 2, 'component add recorded one history entry';
like $h[0], qr/^operational:\d+$/, 'member STATUS:SECONDS';
ok abs($h[1] - $now) <= 5, 'scored at now';

# api: tracked for 200 days (by hand), a 30-minute partial outage 3 days
# ago (written by history import), and one across midnight 5 days ago
$t->redis('ZADD', "${P}component:api:history", $now - 200 * 86400,
          'operational:' . ($now - 200 * 86400));
my ($o1, $o2) = (local_at(3, 10, 0), local_at(3, 10, 30));
my ($m1, $m2) = (local_at(5, 23, 50), local_at(4, 0, 10));
open my $fh, '>', "$dir/history.csv" or die;
print $fh "component,at,status\n";
print $fh "api,", ts($o1), ",partial_outage\n";
print $fh "api,$o2,operational\n";
print $fh "api,", ts($m1), ",major_outage\n";
print $fh "api,", ts($m2), ",operational\n";
close $fh;

# a bad row: nothing is written
open $fh, '>', "$dir/bad.csv" or die;
print $fh "api,", ts($o1), ",partial_outage\napi,2026-13-01T00:00:00Z,operational\n";
close $fh;
my ($rc, $out, $err) = cli('component', 'history', 'import', "$dir/bad.csv");
is $rc, 2, 'a bad time: exit 2';
like $err, qr/bad\.csv"?:2: bad time "2026-13-01T00:00:00Z"/, 'names file, line, value';
open $fh, '>', "$dir/bad2.csv" or die;
print $fh "nosuch,", ts($o1), ",partial_outage\n";
close $fh;
($rc, $out, $err) = cli('component', 'history', 'import', "$dir/bad2.csv");
is $rc, 2, 'an unknown component: exit 2';
like $err, qr/unknown component "nosuch"/, 'names it';
open $fh, '>', "$dir/bad3.json" or die;
print $fh qq([{"component":"api","at":$o1,"status":"down"}]);
close $fh;
($rc, $out, $err) = cli('component', 'history', 'import', "$dir/bad3.json");
is $rc, 2, 'a bad status in JSON: exit 2';
like $err, qr/bad status "down"/, 'names it';
is $t->redis('ZCARD', "${P}component:api:history"), 2, 'nothing written';

cli_ok('component', 'history', 'import', "$dir/history.csv");
is $t->redis('ZCARD', "${P}component:api:history"), 6, 'imported 4 changes';

# fresh: added 10 days ago (by hand)
$t->redis('DEL', "${P}component:fresh:history");
$t->redis('ZADD', "${P}component:fresh:history", $now - 10 * 86400,
          'operational:' . ($now - 10 * 86400));
# nohist: no history at all (a page from before the history)
$t->redis('DEL', "${P}component:nohist:history");
# quiet: no uptime shown
$t->redis('HSET', "${P}component:quiet", 'uptime', 'off');

# an incident on api 3 days ago, resolved
cli_ok('incident', 'open', '--name', 'API <errors>', '--impact', 'minor',
       '--components', 'api', '--message', 'Elevated errors.', '--id',
       'inc-api');
$t->redis('HSET', "${P}incident:inc-api", 'created_at', ts($o1), 'status',
          'resolved', 'resolved_at', ts($o2));
cli_ok('incident', 'open', '--name', 'Other thing', '--impact', 'minor',
       '--components', 'fresh', '--message', 'Elsewhere.', '--id',
       'inc-other');
my $v = $t->redis('INCR', "${P}version");

$t->start_nginx(servers => $t->server_conf(extra => <<'CONF'));
        location /status/ {
            status_edge_status_page;
        }
        location = /badge.svg {
            status_edge_badge;
        }
CONF
ok $t->wait_version($v), "the module serves version $v";

# --- uptime.json ---------------------------------------------------------
my ($st, $hd, $j) = $t->get_json('/api/v2/components/api/uptime.json');
is $st, 200, 'uptime.json: 200';
is $j->{id}, 'api', 'id';
is $j->{time_zone}, 'America/New_York', 'time_zone';
is scalar(@{ $j->{days} }), 90, '90 days';
is $j->{range_end}, local_date(0), 'range_end is today (local)';
is $j->{range_start}, local_date(89), 'range_start 89 days before';
my %day = map { $_->{date} => $_ } @{ $j->{days} };

my $d3 = $day{ local_date(3) };
is $d3->{partial_outage}, 1800, 'the outage day: 1800 s of partial outage';
my $len3 = day_len(3);
my $want3 = floor(($len3 * 1000 - 1800 * 300) * 10000 / ($len3 * 1000)) / 100;
is $d3->{uptime_percentage}, $want3, "its figure: $want3";
is $d3->{level}, 'minor', 'its colour: minor';
is_deeply $d3->{related_events}, ['inc-api'], 'its incident';

is $day{ local_date(5) }{major_outage}, 600, '10 minutes before midnight';
is $day{ local_date(4) }{major_outage}, 600, 'and 10 minutes after';

# the window: today up to now, 89 whole local days before
my $start = mktime(0, 0, 0, $lt[3] - 89, $lt[4], $lt[5], 0, 0, -1);
my $counted = $now - $start;
my $down = 1800 * 300 + 1200 * 1000;
my $want = floor(($counted * 1000 - $down) * 10000 / ($counted * 1000)) / 100;
ok abs($j->{uptime_percentage} - $want) < 0.011,
    "90-day figure $j->{uptime_percentage} (want $want)";
is $j->{partial_outage}, 1800, 'window partial_outage seconds';
is $j->{major_outage}, 1200, 'window major_outage seconds';
is_deeply [map { $_->{id} } @{ $j->{related_events}{incidents} }], ['inc-api'],
    'related incidents';

my ($st2, undef, $f) = $t->get_json('/api/v2/components/fresh/uptime.json');
is $st2, 200, 'fresh: 200';
my $nodata = grep { $_->{level} eq 'none' } @{ $f->{days} };
ok $nodata >= 79 && $nodata <= 80, "fresh: $nodata days of no data";
ok !defined $f->{days}[0]{uptime_percentage}, 'no figure before it was added';
is $f->{uptime_percentage}, 100, 'its figure counts only its 10 days';
like $f->{warnings}[0], qr/^no data before \d{4}-\d\d-\d\d$/, 'a warning says so';

($st2) = $t->get_json('/api/v2/components/quiet/uptime.json');
is $st2, 404, 'uptime off: 404';
($st2) = $t->get_json('/api/v2/components/nosuch/uptime.json');
is $st2, 404, 'unknown component: 404';

# --- the page ------------------------------------------------------------
my ($pst, $ph, $page) = $t->http(GET => '/status/');
is $pst, 200, 'page: 200';
my $doc = XML::LibXML->load_html(string => $page, recover => 2,
                                 suppress_errors => 1);
my @bars = $doc->findnodes('//li[contains(@class,"comp")][.//span[@class="name"]="API"]'
                           . '//ol[@class="bars"]/li');
is scalar(@bars), 90, 'api: 90 bars';
is $bars[-4]->getAttribute('class'), 'b d-minor', 'the outage day is minor';
is $bars[-4]->getAttribute('tabindex'), '0', 'focusable';
my $tip = $bars[-4]->findvalue('span[@class="t"]');
like $tip, qr/\Q$want3\E% uptime/, 'its text gives the figure' or diag $tip;
like $tip, qr/Partial outage 30 min/, 'and the time in partial outage';
like $tip, qr/API <errors>/, 'and the incident';
my ($a) = $bars[-4]->findnodes('.//a');
ok $a && $a->getAttribute('href') eq '#incident-inc-api', 'linked on the page';
is $bars[-6]->getAttribute('class'), 'b d-minor',
    '10 minutes of major outage (0.7 %) colour the day minor';
like $bars[-6]->findvalue('span[@class="t"]'), qr/Major outage 10 min/,
    'and say so';
my $fig = $doc->findvalue('//li[contains(@class,"comp")][.//span[@class="name"]="API"]'
                          . '//p[@class="ax"]/span[@class="fig"]');
my $jfig = sprintf '%.2f', $j->{uptime_percentage};
is $fig, "$jfig% uptime", "the page's figure agrees with uptime.json ($fig)";
my @fbars = $doc->findnodes('//li[contains(@class,"comp")][.//span[@class="name"]="Fresh"]'
                            . '//ol[@class="bars"]/li[contains(@class,"d-none")]');
is scalar(@fbars), $nodata, 'fresh: "no data" bars before it was added';
like $fbars[0]->findvalue('span'), qr/No data/, 'reading "No data"';
my @qbars = $doc->findnodes('//li[contains(@class,"comp")][.//span[@class="name"]="Quiet"]'
                            . '//ol[@class="bars"]');
is scalar(@qbars), 0, 'uptime off: no bars';
@qbars = $doc->findnodes('//li[contains(@class,"comp")][.//span[@class="name"]="Nohist"]'
                         . '//ol[@class="bars"]');
is scalar(@qbars), 0, 'no history: no row of grey bars';
my ($nst, undef, $nh) = $t->get_json('/api/v2/components/nohist/uptime.json');
is $nst, 200, 'no history: uptime.json 200';
ok !defined $nh->{uptime_percentage}, '... with a null figure';
like $nh->{warnings}[0], qr/^no history/, '... and a warning';
unlike $page, qr/<script|style=/, 'no script, no inline style';

# --- the badge -----------------------------------------------------------
my ($bst, undef, $svg) = $t->http(GET => '/badge.svg?component=api&metric=uptime');
is $bst, 200, 'uptime badge: 200';
like $svg, qr/aria-label="API: \Q$jfig\E%"/, "badge reads API: $jfig%";
($bst, undef, $svg) = $t->http(GET => '/badge.svg?metric=bogus');
is $bst, 400, 'an unknown metric: 400';
($bst) = $t->http(GET => '/badge.svg?component=quiet&metric=uptime');
is $bst, 404, 'uptime off: 404';

# --- per-component feeds -------------------------------------------------
for my $kind (qw(atom rss)) {
    my ($fst, $fh2, $xml) = $t->http(GET => "/status/history.$kind?component=api");
    is $fst, 200, "$kind?component=api: 200";
    my $x = eval { XML::LibXML->load_xml(string => $xml) };
    ok $x, "$kind: well-formed" or diag $@;
    open my $o, '>:raw', "$dir/f.xml" or die;
    print $o $xml;
    close $o;
    my $lint = `xmllint --noout "$dir/f.xml" 2>&1`;
    is $?, 0, "$kind: xmllint accepts it" or diag $lint;
    like $xml, qr/inc-api/, "$kind: the component's incident";
    unlike $xml, qr/inc-other/, "$kind: not another component's";
    like $xml, qr/history\.\Q$kind\E\?component=api/, "$kind: self link";
}
($st2) = $t->http(GET => '/status/history.atom?component=nosuch');
is $st2, 404, 'feed of an unknown component: 404';

# --- the tool records every change ---------------------------------------
cli_ok('component', 'set', 'api', 'major_outage');
my @last = @{ $t->redis('ZREVRANGE', "${P}component:api:history", 0, 0) };
like $last[0], qr/^major_outage:\d+$/, 'component set recorded the change';

# a hand-made entry of no known status: skipped, warned about, the rest read
$t->redis('ZADD', "${P}component:fresh:history", $now - 5 * 86400, 'down:1');
$v = $t->redis('INCR', "${P}version");
ok $t->wait_version($v), 'a bad history entry: the state still loads';
my ($bst2, undef, $fj) = $t->get_json('/api/v2/components/fresh/uptime.json');
is $bst2, 200, '... and uptime.json is served';
is $fj->{uptime_percentage}, 100, '... from the good entries';
ok StatusEdge::Test::wait_until(sub { StatusEdge::Test::slurp($t->error_log) =~ /ignored a bad history entry "down:1"/ }, 5),
    'the warning names the entry';

# the writer trims what is older than the longest window (367 days), but
# the newest of those, the status the window starts in
my $k = "${P}component:fresh:history";
$t->redis('ZADD', $k, $now - 400 * 86400, 'major_outage:' . ($now - 400 * 86400),
          $now - 380 * 86400, 'degraded_performance:' . ($now - 380 * 86400));
cli_ok('component', 'set', 'fresh', 'operational');
my @kept = @{ $t->redis('ZRANGE', $k, 0, -1) };
ok !(grep { /^major_outage:/ } @kept), 'an entry of 400 days ago is trimmed';
ok((grep { /^degraded_performance:/ } @kept), 'the newest before the window is kept');
is scalar(@kept), 4, 'and the others (the bad one too: the writer trims by time only)';

# weights and days: partial_outage in full, a 30-day window
$t->stop_nginx;
$v = $t->redis('GET', "${P}version");
$t->start_nginx(http => $t->http_conf . "    status_edge_uptime_days 30;\n"
                . "    status_edge_uptime_weights partial_outage=1;\n",
                servers => $t->server_conf);
ok $t->wait_version($v), 'restarted with other weights';
($st, $hd, $j) = $t->get_json('/api/v2/components/api/uptime.json');
is scalar(@{ $j->{days} }), 30, 'status_edge_uptime_days 30: 30 days';
my %day30 = map { $_->{date} => $_ } @{ $j->{days} };
is $day30{ local_date(3) }{uptime_percentage},
    floor(($len3 - 1800) * 10000 / $len3) / 100,
    'partial_outage=1 counts the 30 minutes in full';

for my $bad (['status_edge_uptime_days 0;', qr/invalid number of uptime days "0": 1 to 366/],
             ['status_edge_uptime_days 400;', qr/invalid number of uptime days "400"/],
             ['status_edge_uptime_weights partial_outage=2;',
              qr/invalid uptime weight "partial_outage=2": "2" is not a number from 0 to 1/],
             ['status_edge_uptime_weights operational=1;',
              qr/invalid uptime weight "operational=1": unknown status "operational"/],
             ['status_edge_uptime_weights major_outage;',
              qr/invalid uptime weight "major_outage": STATUS=WEIGHT expected/]) {
    my ($rc2, $out2) = $t->nginx_test($t->nginx_conf(
        http => $t->http_conf . "    $bad->[0]\n"));
    isnt $rc2, 0, "nginx -t refuses $bad->[0]";
    like $out2, $bad->[1], '... naming the value' or diag $out2;
}
my ($rc3, $out3) = $t->nginx_test($t->nginx_conf(http => $t->http_conf
    . "    status_edge_uptime_weights under_maintenance=0.5 degraded_performance=excluded;\n"));
is $rc3, 0, 'nginx -t accepts decimals and excluded' or diag $out3;

$t->check_logs;
done_testing;
