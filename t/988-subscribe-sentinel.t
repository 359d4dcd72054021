#!/usr/bin/perl
# Subscriptions written through Redis Sentinel: status_edge_subscribe_redis
# sentinel=NAME ADDR... asks the Sentinels for the primary and writes
# there, from an edge that reads a replica; after a failover the next
# subscription reaches the new primary.  A write refused with READONLY (a
# primary turned replica under the connection) is held and sent again
# once after the Sentinels are asked anew, then refused (503), nothing
# written.  Without status_edge_subscribe_redis, the primary named by the
# Sentinels of a status_edge_redis sentinel= entry.  Configuration:
# role=replica refused for the writes.

use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use StatusEdge::Test qw(sample_state wait_until);
use StatusEdge::Fleet;

# --- configuration ----------------------------------------------------------

{
    my $t = StatusEdge::Test->new;
    my ($rc, $out) = $t->nginx_test($t->nginx_conf(http_extra =>
        "    status_edge_subscribe_redis sentinel=m 127.0.0.1:26379"
        . " role=replica;\n"));
    isnt $rc, 0, 'the writes by Sentinel, role=replica: refused';
    like $out, qr/"role=replica" in "status_edge_subscribe_redis": the writes go to the primary/,
        '... says why' or diag $out;
    ($rc, $out) = $t->nginx_test($t->nginx_conf(http_extra =>
        "    status_edge_subscribe_redis sentinel=m 127.0.0.1:notaport;\n"));
    like $out, qr/invalid Sentinel address "127\.0\.0\.1:notaport" in "status_edge_subscribe_redis sentinel=m"/,
        'a bad Sentinel address: named, with the directive' or diag $out;
    ($rc, $out) = $t->nginx_test($t->nginx_conf(http_extra =>
        "    status_edge_subscribe_redis sentinel=m 127.0.0.1:26379"
        . " db=2 password=pw sentinel_password=spw timeout=300ms;\n"));
    is $rc, 0, 'a whole Sentinel entry for the writes passes nginx -t'
        or diag $out;
}

# --- a primary, a replica, three Sentinels ----------------------------------

my $base = StatusEdge::Test->new;
my $f = StatusEdge::Fleet->new($base);
$f->redis('p');
$f->redis('r', replicaof => 'p');
$f->sentinel("s$_", monitor => 'p', quorum => 2, down_after => 1000,
    failover_timeout => 5000) for 1 .. 3;
ok $f->wait_replicas("s$_", 'mymaster', 1, 30), "Sentinel s$_ knows the replica"
    for 1 .. 3;
my $sentinels = join ' ', map { '127.0.0.1:' . $f->port("s$_") } 1 .. 3;

my $w = StatusEdge::Test->new(redis_port => $f->port('p'));
my $v = $w->write_state(sample_state());

my $secret = $base->prefix . '/sub.secret';
open my $sf, '>', $secret or die;
print $sf "0123456789abcdef0123456789abcdef\n";
close $sf;

my $t = StatusEdge::Test->new(workers => 1);
$t->start_nginx(
    redis => ["sentinel=mymaster $sentinels timeout=500ms"],
    http_extra => "    status_edge_subscribe_secret $secret;\n"
        . "    status_edge_subscribe_redis sentinel=mymaster $sentinels"
        . " timeout=1s;\n",
    servers => $t->server_conf(extra => <<'CONF'));
        location /status/ {
            status_edge_status_page;
        }
CONF
ok $t->wait_version($v), "the edge serves state $v, read from a replica";

sub subscribe {
    my ($email) = @_;
    my ($st, undef, $body) = $t->http('POST', '/status/subscribe', headers => [
        'Content-Type' => 'application/x-www-form-urlencoded' ],
        body => "email=$email");
    return ($st, $body);
}

sub subscribers {
    my ($name) = @_;
    return $f->cmd($name, 'ZCARD', 'status:subscribers');
}

my ($s1) = subscribe('first%40example.com');
is $s1, 200, 'a subscription: 200';
is subscribers('p'), 1, '... written to the primary the Sentinels named';
my $p_addr = '127.0.0.1:' . $f->port('p');
like $t->log_text, qr/Sentinel "[^"]+" names primary \Q$p_addr\E of "mymaster"/,
    '... logged';

# --- a failover -------------------------------------------------------------

$f->kill_one('p');
ok $f->wait_sentinels('mymaster', 'r', 40), 'p killed: the Sentinels promote r';

my ($s2) = subscribe('second%40example.com');
is $s2, 200, 'after the failover: 200';
is subscribers('r'), 2, '... written to the new primary';
my $r_addr = '127.0.0.1:' . $f->port('r');
like $t->log_text, qr/names primary \Q$r_addr\E of "mymaster"/,
    '... the Sentinels asked again';

# --- READONLY: sent again once, then refused ------------------------------

# r turned replica by hand, under the writer's connection, the Sentinels
# not told: READONLY, the Sentinels asked again name r still
$f->cmd('r', 'REPLICAOF', '127.0.0.1', $f->port('p'));
my ($s3, $b3) = subscribe('third%40example.com');
is $s3, 503, 'READONLY twice: 503';
like $b3, qr/unavailable/, '... "try again in a few minutes"';
my $log = $t->log_text;
like $log, qr/Redis "\Q$r_addr\E" is a replica now, asking the Sentinels of "mymaster" again/,
    '... the first READONLY: the Sentinels asked again';
like $log, qr/Redis refused a write: READONLY/,
    '... the second: refused, logged';
$f->cmd('r', 'REPLICAOF', 'NO', 'ONE');
is subscribers('r'), 2, '... nothing written';

# --- no status_edge_subscribe_redis: the primary of status_edge_redis's ----

my $t2 = StatusEdge::Test->new(workers => 1);
$t2->start_nginx(
    redis => ["sentinel=mymaster $sentinels role=replica timeout=500ms"],
    http_extra => "    status_edge_subscribe_secret $secret;\n",
    servers => $t2->server_conf(extra => <<'CONF'));
        location /status/ {
            status_edge_status_page;
        }
CONF
ok wait_until(sub { ($t2->http('GET', '/status/'))[0] == 200 }, 20),
    'an edge with only status_edge_redis sentinel=... role=replica';
my ($s4) = $t2->http('POST', '/status/subscribe', headers => [
    'Content-Type' => 'application/x-www-form-urlencoded' ],
    body => 'email=fourth%40example.com');
is $s4, 200, '... a subscription: 200';
is subscribers('r'), 3, '... written to the primary its Sentinels name';

$t2->stop_nginx;
$t2->check_logs;
$t->stop_nginx;
$t->check_logs;
done_testing;
