#!/usr/bin/perl
# A promised next update that passes (issue 16): "Next update by" leaves
# the banner, the status page and the widget within a second of the
# promised time, with Redis down, and no feed shows a promise
# (t/browser/promise.mjs drives the widget in Chromium).

use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Time::HiRes qw(time sleep);
use StatusEdge::Test qw(sample_state ts wait_until);

plan skip_all => 'node and Chromium not installed (make build/.browser-deps)'
    unless -x '/usr/bin/chromium' && -d "$FindBin::Bin/browser/node_modules";

my $t = StatusEdge::Test->new;
$t->start_redis;
my $now = time;
my $due = int($now) + 8;          # the promise: 8 s from now
my $S = sample_state(now => $now);
$_->{next_update_at} = ts($due) for @{ $S->{incidents} };
my $v = $t->write_state($S);

my $site = $t->prefix . '/site';
mkdir $site or die "$site: $!";
chmod 0755, $site;
my $mod = 'http://127.0.0.1:' . $t->port . '/status-edge/';
open my $fh, '>', "$site/index.html" or die;
print $fh qq{<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">}
    . qq{<title>Site</title></head><body><h1>Site</h1>}
    . qq{<script src="${mod}widget.js" data-poll="600" async></script>}
    . qq{</body></html>\n};
close $fh;
chmod 0644, "$site/index.html";

$t->start_nginx(servers => $t->server_conf(extra => <<"EOF"));
        location = /status-edge/widget.js { status_edge_widget; }
        location /status-edge/api/v2/ {
            status_edge_api;
            status_edge_api_max_age 0;
        }
        location = /status-edge/events { status_edge_events; }
        location /status/ { status_edge_status_page; }
        location /site/ {
            status_edge_banner on;
            alias $site/;
            default_type text/html;
        }
EOF
ok $t->wait_version($v), "every worker serves version $v";

sub page   { ($t->http(GET => '/status/'))[2] // '' }
sub banner { ($t->http(GET => '/site/index.html'))[2] // '' }

like page(), qr/Next update by/, 'the page promises the next update';
like banner(), qr/Next update by/, 'so does the banner';

# Redis goes away: the module serves its last state, and the clock alone
# must take the promise down
$t->stop_redis;
ok time < $due - 3, 'Redis stopped well before the promised time';

local $ENV{SITE} = "http://127.0.0.1:" . $t->port . "/site/index.html";
local $ENV{DUE} = $due;
my $pid = open(my $node, '-|') // die "fork: $!";
if (!$pid) {
    open STDERR, '>&', \*STDOUT;
    exec 'node', "$FindBin::Bin/browser/promise.mjs" or die "node: $!";
}

# here, the server side
wait_until(sub { time >= $due }, 20, 0.01);
my ($page_gone, $banner_gone);
wait_until(sub {
    $page_gone //= time if page() !~ /Next update by/;
    $banner_gone //= time if banner() !~ /Next update by/;
    $page_gone && $banner_gone;
}, 5, 0.05);
ok $page_gone && $page_gone - $due < 1.0,
    sprintf('the page drops the passed promise within a second (%.2f s)',
            ($page_gone // 99) - $due);
ok $banner_gone && $banner_gone - $due < 1.0,
    sprintf('so does the banner (%.2f s)', ($banner_gone // 99) - $due);
like page(), qr/Elevated API error rates/, 'the incident itself stays';
like banner(), qr/Elevated API error rates/, '... in the banner too';
my $atom = ($t->http(GET => '/status/history.atom'))[2] // '';
unlike $atom, qr/Next update/i, 'no feed shows a promise';

# the browser's TAP, reported as ours
while (my $line = <$node>) {
    chomp $line;
    if ($line =~ /\A(not )?ok \d+ - (.*)\z/) { ok !$1, "browser: $2" }
    elsif ($line =~ /\ABail out!\s*(.*)/) { fail "browser: bailed out: $1" }
    elsif ($line =~ /\A# ?(.*)/) { diag $1 }
}
close $node;

$t->stop;
done_testing;
