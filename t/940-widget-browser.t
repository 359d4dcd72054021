#!/usr/bin/perl
# The widget in a real headless Chromium (issue 5): a site on one port
# embeds the script served by status_edge_widget on another port (another
# origin); the admin tool changes the state in Redis while the browser
# watches (t/browser/widget.mjs): hidden when operational, shown soon
# after an incident opens, live updates, dismissal across a reload until
# the next update, keyboard close, dark scheme, mobile bar, Korean, an
# HTML-laden name shown as text, the JS API, hidden again on resolve, and
# the banner choice from the JSON additions: banner off, banner_lead,
# name.ko / body.ko for Korean visitors.

use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use StatusEdge::Test qw(browser_test);

my $ROOT = "$FindBin::Bin/..";
my $CLI = $ENV{STATUS_EDGE_CLI} || "$ROOT/build/status-edge";

ok(-x $CLI, "the admin tool is built: $CLI") or BAIL_OUT('make first');
ok(-d "$ROOT/t/browser/node_modules/playwright-core",
   'playwright-core installed (make test runs npm ci in t/browser)')
    or BAIL_OUT('make build/.browser-deps first');

my $t = StatusEdge::Test->new;
$t->start_redis;
my $v = $t->write_state({
    page => { id => 'widgettest', name => 'Example Cloud',
              url => 'https://status.example.com',
              time_zone => 'Asia/Seoul' },
    components => [
        { id => 'api', position => 1, name => 'API', status => 'operational' },
    ],
});

my $site = $t->prefix . '/site';
mkdir $site or die "$site: $!";
chmod 0755, $site;

$t->start_nginx(servers => $t->server_conf(extra => <<"EOF") . <<"EOF2");
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
        # the same service without the event stream: the widget polls
        location = /no-events/widget.js {
            status_edge_widget;
        }
        location /no-events/api/v2/ {
            status_edge_api;
            status_edge_api_max_age 0;
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

# the first Redis load follows the start: the summary is 503 until then
ok($t->wait_version($v), "state $v loaded");

my $mod = 'http://127.0.0.1:' . $t->port . '/status-edge/';
# live updates must come through the event stream: the polling fallback
# is set far beyond the test's timeouts (poll.html tests the fallback)
our $script = qq{<script src="${mod}widget.js" data-poll="600" async};

# a style that would break a widget without its own shadow root
my $HOSTILE = <<'EOF';
button { display: none !important }
status-edge-widget { display: none !important; position: static !important }
p, span, div { color: rgb(0, 255, 0) !important; font-size: 40px !important;
               border: 0 !important }
EOF

# a plain page of the site, with a link before the widget
sub page {
    my ($name, $attrs, $extra, $style) = @_;
    $extra //= '';
    $style //= '';
    open my $fh, '>:utf8', "$site/$name" or die "$name: $!";
    print $fh <<"EOF";
<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Example shop</title>
<style>
body { font: 16px/1.5 serif; margin: 0; padding: 24px 32px; color: #222;
       background: #f6f4ef; }
h1 { margin-top: 0 }
.card { background: #fff; border: 1px solid #ddd; padding: 16px;
        margin: 16px 0; max-width: 520px }
$style</style></head>
<body>
<h1>Example shop</h1>
<p><a href="#products">Products</a></p>
<div class="card">Spring collection: new arrivals every week.</div>
<div class="card">Free shipping on orders over 50 000 won.</div>
$extra
$script $attrs></script>
</body></html>
EOF
    close $fh;
}

page('index.html', '');
page('ko.html', 'data-lang="ko"');
{
    # the fallback: a module location without the event stream (404)
    local $script = qq{<script src="http://127.0.0.1:@{[ $t->port ]}/no-events/widget.js" data-poll="1" async};
    page('poll.html', '');
}
page('top-left.html', 'data-position="top-left"', '', $HOSTILE);
page('inline.html', 'data-auto="off"', <<'EOF');
<div id="status"></div>
<script>
addEventListener('load', () => {
    window.inlineWidget = StatusEdge.render(document.getElementById('status'),
                                            { poll: 1, lang: 'en' });
});
</script>
EOF
# the inline page loads the script synchronously (the API is used on load)
{
    local $/;
    open my $fh, '<:utf8', "$site/inline.html" or die;
    my $s = <$fh>;
    $s =~ s/ async data-auto/ data-auto/;
    open $fh, '>:utf8', "$site/inline.html" or die;
    print $fh $s;
}

my ($st) = $t->http(GET => '/index.html', port => 'site');
is($st, 200, 'the site serves its page');
($st) = $t->http(GET => '/status-edge/api/v2/summary.json');
is($st, 200, 'the module serves the summary');

browser_test('widget.mjs',
    SITE => 'http://127.0.0.1:' . $t->port('site') . '/',
    MODULE => $mod,
    CLI => $CLI,
    STATUS_EDGE_REDIS => 'redis://127.0.0.1:' . $t->redis_port . '/0');

$t->stop;
done_testing;
