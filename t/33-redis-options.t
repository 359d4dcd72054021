#!/usr/bin/perl
# status_edge_redis options: unix socket, db=N, password=, user= (ACL),
# timeout=; several lines are ordered fallbacks; a wrong password never
# loads a state (503), logged without alerts.

use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use StatusEdge::Test qw(sample_state free_port);

my $PW = 'sekret';
my $t = StatusEdge::Test->new;
$t->start_redis(unixsocket => 1, password => $PW);
$t->redis_db(3);
my $S = sample_state();
$S->{page}{name} = 'In db 3';
my $v = $t->write_state($S);
# db 0 holds another state, to prove db= is used
$t->redis_db(0);
my $S0 = sample_state();
$S0->{page}{name} = 'In db 0';
$t->write_state($S0);
$t->write_state($S0);
$t->redis_db(3);
is $t->redis('GET', 'status:version'), $v, "db 3 at version $v";

$t->redis('ACL', 'SETUSER', 'edge', 'on', '>edgepw', '~*', '&*', '+@all');

sub served_name {
    my (undef, undef, $d) = $t->get_json('/api/v2/status.json');
    return $d->{page}{name} // '';
}

my $sock = $t->{redis_unixsocket};
my $port = $t->redis_port;

# 1. unix socket, db, password, timeout
$t->start_nginx(redis => ["unix:$sock db=3 password=$PW timeout=1s"]);
ok $t->wait_version($v), 'unix socket + db=3 + password: loaded';
is served_name(), 'In db 3', 'the state of db 3';
$t->stop_nginx;

# 2. ACL user
$t->start_nginx(redis => ["127.0.0.1:$port db=3 user=edge password=edgepw"]);
ok $t->wait_version($v), 'user=edge password=edgepw: loaded';
is served_name(), 'In db 3', 'the state of db 3';
$t->stop_nginx;

# 3. ordered fallbacks: the first address is dead, the second serves
my $dead = free_port();
$t->start_nginx(redis => ["127.0.0.1:$dead timeout=300ms",
                          "127.0.0.1:$port db=3 password=$PW timeout=1s"]);
ok $t->wait_version($v, timeout => 30), 'first address dead: the fallback serves';
is served_name(), 'In db 3', 'the state from the fallback';
$S->{page}{name} = 'Via fallback';
my $v2 = $t->write_state($S);
ok $t->wait_version($v2, timeout => 20), 'changes arrive through the fallback';
$t->stop_nginx;

# 4. wrong password: never a state, 503, no alert
$t->start_nginx(redis => ["127.0.0.1:$port db=3 password=wrong timeout=300ms"]);
my $st;
for (1 .. 10) {
    ($st) = $t->http(GET => '/api/v2/summary.json');
    last if $st != 503;
    select undef, undef, undef, 0.1;
}
is $st, 503, 'wrong password: 503';
like $t->log_text, qr/WRONGPASS|invalid (?:username-)?password|auth/i,
    'the authentication failure is logged';
$t->stop_nginx;

$t->stop;
done_testing;
