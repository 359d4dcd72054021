#!/usr/bin/perl
# The subscription flow in headless Chromium (t/browser/subscribe.mjs):
# the status page's form without script, the confirmation email's link,
# an incident delivered, one-click unsubscribe; a forged token and bad
# input refused.  Screenshots in build/screenshots/subscribe-*.png.

use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Cwd qw(abs_path);
use StatusEdge::Test qw(browser_test);
use StatusEdge::CLI;
use StatusEdge::SMTPSink;

plan skip_all => 'node and Chromium not installed (make build/.browser-deps)'
    unless -x '/usr/bin/chromium' && -d "$FindBin::Bin/browser/node_modules";

my $c = StatusEdge::CLI->new;
my $t = $c->t;
my $dir = $t->prefix;
my $smtp = StatusEdge::SMTPSink->new(dir => "$dir/smtp")->start;

open my $sf, '>', "$dir/sub.secret" or die;
print $sf "fedcba9876543210fedcba9876543210\n";
close $sf;

my $page = 'http://127.0.0.1:' . $t->port('http') . '/status/';
cli_ok('page', 'set', '--name', 'Example', '--status-url', $page);
cli_ok('component', 'add', 'api', '--name', 'API');
cli_ok('component', 'add', 'web', '--name', 'Web');
my @notify = ('notify', '--once', '--smtp', $smtp->url, '--secret-file',
    "$dir/sub.secret");
my ($rc, undef, $err) = cli(@notify);
is $rc, 0, 'the notifier makes its groups' or diag $err;

$t->start_nginx(
    http_extra => "    status_edge_subscribe_secret $dir/sub.secret;\n",
    servers => $t->server_conf(extra => <<'CONF'));
        location /status/ {
            status_edge_status_page;
        }
CONF

browser_test('subscribe.mjs', PAGE_URL => $page, CLI => $c->{bin},
    STATUS_EDGE_REDIS => $c->url, SMTP_URL => $smtp->url,
    SMTP_DIR => $smtp->dir, SECRET_FILE => "$dir/sub.secret");

$t->check_logs;
done_testing;
