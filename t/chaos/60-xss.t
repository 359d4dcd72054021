#!/usr/bin/perl
# The XSS corpus (issue 12): every vector of t/chaos/xss/vectors.txt,
# bare and behind the breakouts below, is written into every admin field
# (page, components, an open and a resolved incident, a gated maintenance
# in progress, their updates, their Korean translations), one state per
# payload, and rendered through every output into real Chromium
# (t/browser/xss.mjs): the banner of an incident and of a maintenance in a
# proxied page, the status page, its Atom and RSS feeds, the maintenance
# gate's page, the badges and the widget on a page of another origin, in
# English and Korean.  Chromium records every call of X() and every
# dialog, and each document (and the widget's shadow root) is searched for
# markup that should never be there: an on* attribute, a script, frame,
# object, form or base element, a javascript:/data: URL.
#
# CHAOS_LONG=1 runs the whole corpus; the short form every 12th payload.

use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use StatusEdge::Test qw(ts browser_test json_encode);
use StatusEdge::Upstream;

plan skip_all => 'node and Chromium not installed (make build/.browser-deps)'
    unless -x '/usr/bin/chromium'
        && -d "$FindBin::Bin/../browser/node_modules";

my @BREAKOUTS = ('', '">', "'>",
    '</textarea></title></style></script>--></svg>]]>');

sub decode_vector {
    my ($s) = @_;
    $s =~ s/\\u\{([0-9A-Fa-f]+)\}/chr hex $1/ge;
    $s =~ s/\\n/\n/g;
    $s =~ s/\\t/\t/g;
    $s =~ s/\\r/\r/g;
    return $s;
}

open my $fh, '<:encoding(UTF-8)', "$FindBin::Bin/xss/vectors.txt" or die $!;
my @vectors = map { chomp; decode_vector($_) }
    grep { !/^(?:# |#$|\s*$)/ } <$fh>;
close $fh;
# the first, plain, shows what each output holds without a payload
my @payloads = ('Plain name',
    map { my $b = $_; map { $b . $_ } @vectors } @BREAKOUTS);
my $all = @payloads;
unless ($ENV{CHAOS_LONG}) {
    my $i = 0;
    @payloads = grep { $i++ % 12 == 0 } @payloads;
}
note scalar(@payloads) . " of $all payloads";

my $t = StatusEdge::Test->new(workers => 1);
my $prefix = $t->prefix;
my $site = "$prefix/site";
mkdir $site or die "$site: $!";
chmod 0755, $site;

$t->start_redis;

# one state per payload: the same records, every text field the payload
sub payload_state {
    my ($p) = @_;
    my $now = time;
    my $upd = sub { [ { id => "u-$_[0]", status => $_[1], body => $p,
                      'body.ko' => $p, created_at => ts($now - 60) } ] };
    return {
        page => { id => 'xsspage', name => $p, 'name.ko' => $p,
                  url => 'https://status.example.com',
                  status_url => 'https://status.example.com',
                  time_zone => 'Asia/Seoul' },
        components => [
            { id => 'c1', position => 1, name => $p, 'name.ko' => $p,
              description => $p, status => 'partial_outage',
              only_show_if_degraded => 0, updated_at => ts($now - 60) },
            { id => 'c2', position => 2, name => $p, 'name.ko' => $p,
              description => $p, status => 'under_maintenance',
              only_show_if_degraded => 0, updated_at => ts($now - 60) },
        ],
        incidents => [
            { id => 'open', name => $p, 'name.ko' => $p,
              status => 'identified', impact => 'major', components => 'c1',
              created_at => ts($now - 600), updated_at => ts($now - 60),
              shortlink => 'https://stspg.io/x', next_update_at => ts($now + 600),
              updates => $upd->('open', 'identified') },
            { id => 'done', name => $p, 'name.ko' => $p,
              status => 'resolved', impact => 'minor', components => 'c1',
              created_at => ts($now - 86400), updated_at => ts($now - 80000),
              resolved_at => ts($now - 80000),
              postmortem_url => 'https://blog.example.com/pm',
              updates => $upd->('done', 'resolved') },
        ],
        maintenances => [
            { id => 'mnt', name => $p, 'name.ko' => $p,
              status => 'in_progress', impact => 'maintenance', gate => 'on',
              components => 'c2', created_at => ts($now - 3600),
              updated_at => ts($now - 60), scheduled_for => ts($now - 600),
              scheduled_until => ts($now + 3600),
              updates => $upd->('mnt', 'in_progress') },
        ],
    };
}

sub resp {
    my (@cmds) = @_;
    my $out = '';
    for my $c (@cmds) {
        $out .= '*' . @$c . "\r\n";
        for my $a (@$c) {
            my $b = $a;
            utf8::encode($b) if utf8::is_utf8($b);
            $out .= '$' . length($b) . "\r\n$b\r\n";
        }
    }
    return $out;
}

# the manifest: per payload, the RESP that writes its state and the
# version it makes (each write flushes the db and sets the version)
my $dir = "$prefix/xss";
mkdir $dir or die $!;
my @manifest;
my $v = 0;
for my $i (0 .. $#payloads) {
    $v++;
    my $cmds = StatusEdge::Test::state_commands(payload_state($payloads[$i]), 'status:');
    my $file = sprintf '%s/%04d.resp', $dir, $i;
    open my $o, '>:raw', $file or die $!;
    print $o resp(['MULTI'], ['FLUSHDB'], @$cmds, ['SET', 'status:version', $v],
        ['PUBLISH', 'status:events', $v], ['EXEC']);
    close $o;
    push @manifest, { file => $file, version => $v, payload => $payloads[$i] };
}
open my $m, '>:raw', "$dir/manifest.json" or die $!;
print $m json_encode(\@manifest);
close $m;

my $mod = 'http://127.0.0.1:' . $t->port . '/status-edge/';
open my $w, '>', "$site/index.html" or die $!;
print $w qq{<!DOCTYPE html><html><head><meta charset="utf-8"><title>site</title>}
    . qq{</head><body><p>site</p><script src="${mod}widget.js" data-poll="600" async></script>}
    . qq{</body></html>\n};
close $w;

# the browser script first checks that it sees the real thing here
open $w, '>', "$site/canary.html" or die $!;
print $w qq{<!DOCTYPE html><html><body><img src=x onerror=X()>}
    . qq{<a href="javascript:X()">x</a></body></html>\n};
close $w;

my $up = StatusEdge::Upstream->new(dir => "$prefix/upstream");
$up->route('*', headers => ['Content-Type' => 'text/html; charset=utf-8'],
    body => ['<!DOCTYPE html><html><head><title>app</title></head>'
             . '<body><p>app</p></body></html>']);
$up->start;
my $u = '127.0.0.1:' . $up->port;

$t->start_nginx(http => $t->http_conf(poll => '1s', resync => '30s')
        . "    status_edge_shm_size 32m;\n",
    servers => $t->server_conf(extra => <<"EOF") . <<"EOF2");
        location /app/ {
            proxy_pass http://$u/;
            status_edge_banner on;
        }
        location /mnt/ {
            proxy_pass http://$u/;
            status_edge_banner on;
            status_edge_banner_components c2;
        }
        location /gate/ {
            proxy_pass http://$u/;
            status_edge_gate on;
            status_edge_banner_components c2;
        }
        location /status/ {
            status_edge_status_page;
            status_edge_api_max_age 0;
        }
        location = /status-edge/badge.svg {
            status_edge_badge;
        }
        location = /status-edge/widget.js {
            status_edge_widget;
        }
        location /status-edge/api/v2/ {
            status_edge_api;
            status_edge_api_max_age 0;
        }
        location = /status-edge/events {
            status_edge_events;
        }
        location = /status-edge/dismiss {
            status_edge_dismiss;
        }
EOF
    server {
        listen 127.0.0.1:@{[ $t->port('site') ]};
        server_name site;
        root $site;
        charset utf-8;
        default_type text/html;
    }
EOF2

browser_test('xss.mjs',
    MANIFEST => "$dir/manifest.json",
    REDIS_PORT => $t->redis_port,
    BASE => 'http://127.0.0.1:' . $t->port,
    SITE => 'http://127.0.0.1:' . $t->port('site') . '/index.html');

$t->stop;
$up->stop;
done_testing;
