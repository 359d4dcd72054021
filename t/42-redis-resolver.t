#!/usr/bin/perl
# Runtime DNS for a Redis host name (issue 14): with a `resolver` at the
# http level, a host name of status_edge_redis is resolved again at each
# connect (StatusEdge::FakeDNS answers "localhost" with 127.0.0.2, where
# the same Redis listens too, then with 127.0.0.1: CLIENT LIST shows
# which address the links came to, without a reload); when resolution
# fails (a resolver where nothing answers) the address resolved with the
# configuration is used, logged once per connect.  An IP address is never
# resolved, and without a resolver nothing changes.

use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use StatusEdge::Test qw(sample_state wait_until);
use StatusEdge::FakeDNS;

my $t = StatusEdge::Test->new;
$t->start_redis(args => ['--bind', '127.0.0.1', '127.0.0.2']);
my $S = sample_state();
my $v = $t->write_state($S);
my $dns = $t->port('dns');   # free: nothing listens there
my $port = $t->redis_port;
my $resolver = "    resolver 127.0.0.1:$dns ipv6=off;\n"
    . "    resolver_timeout 500ms;\n";
my $fallback = qr/status_edge: cannot resolve Redis "localhost:$port" \(\d+: [^)]+\), using the address of the configuration/;

# a host name and a resolver that does not answer
$t->start_nginx(workers => 1, poll => '1s', resync => '60s',
    redis => ["localhost:$port"], http_extra => $resolver);
ok $t->wait_version($v, timeout => 15),
    'the resolver times out: the address of the configuration is used'
    or diag $t->log_tail(10);
like $t->log_text, qr/\[warn\] [^\n]*$fallback/, 'and that is logged';

# the links dropped by Redis: (higher versions than a restarted, empty
# Redis would give)
sub drop_links {
    $t->redis('CLIENT', 'KILL', 'TYPE', 'pubsub');
    $t->redis('CLIENT', 'KILL', 'TYPE', 'normal');
}

# reconnects resolve again
my $n0 = () = $t->log_text =~ /$fallback/g;
drop_links();
$v = $t->write_state($S);
ok $t->wait_version($v, timeout => 15), 'links dropped: read again';
my $n1 = () = $t->log_text =~ /$fallback/g;
cmp_ok $n1, '>', $n0, "each connect resolves again ($n0 -> $n1 lines)";

# an IP address is not resolved
$t->reload(conf => $t->nginx_conf(workers => 1, poll => '1s',
    resync => '60s', redis => ["127.0.0.1:$port"], http_extra => $resolver));
my $mark = length $t->log_text;
$v = $t->write_state($S);
ok $t->wait_version($v), 'an IP address with a resolver: read';
drop_links();
$v = $t->write_state($S);
ok $t->wait_version($v, timeout => 15), 'and again after the links dropped';
unlike substr($t->log_text, $mark), qr/cannot resolve Redis/,
    'an IP address is never resolved';

# a resolver in a server block is not the http level's
$t->reload(conf => $t->nginx_conf(workers => 1, poll => '1s',
    resync => '60s', redis => ["localhost:$port"],
    servers => $t->server_conf(extra => $resolver)));
$mark = length $t->log_text;
drop_links();
$v = $t->write_state($S);
ok $t->wait_version($v, timeout => 15), 'no resolver at the http level: read';
unlike substr($t->log_text, $mark), qr/cannot resolve Redis/,
    'the name is not resolved at runtime';

# a resolver that answers: the links go where DNS says
$t->stop_nginx;
my $fake = StatusEdge::FakeDNS->start($t->prefix . '/dns-answer');
$fake->answer('127.0.0.2');
my $answering = "    resolver 127.0.0.1:" . $fake->port
    . " ipv6=off valid=1s;\n    resolver_timeout 2s;\n";

# nginx's links by the local address they came to (CLIENT LIST's laddr),
# this test's own connection left out
sub links_at {
    my ($ip) = @_;
    my $list = $t->redis('CLIENT', 'LIST');
    return scalar grep { /laddr=\Q$ip\E:$port / && !/cmd=client/ }
        split /\n/, $list;
}

$mark = length $t->log_text;
$t->start_nginx(workers => 1, poll => '1s', resync => '60s',
    redis => ["localhost:$port"], http_extra => $answering);
$v = $t->write_state($S);
ok $t->wait_version($v, timeout => 15), 'resolved at runtime: read'
    or diag $t->log_tail(10);
cmp_ok $fake->queries, '>=', 1, 'the resolver was asked';
is links_at('127.0.0.2'), 2, 'both links at 127.0.0.2, the runtime answer '
    . '(the configuration resolved localhost to 127.0.0.1)'
    or diag $t->redis('CLIENT', 'LIST');

# the name moves; the next connect follows it without a reload
$fake->answer('127.0.0.1');
my $q0 = $fake->queries;
sleep 2.5;          # the resolver's cache: valid=1s, counted in seconds
drop_links();
$v = $t->write_state($S);
ok $t->wait_version($v, timeout => 15), 'the name moved: read again';
ok wait_until(sub { links_at('127.0.0.1') == 2 }, 5),
    'both links now at 127.0.0.1' or diag $t->redis('CLIENT', 'LIST');
is links_at('127.0.0.2'), 0, 'none left at 127.0.0.2';
cmp_ok $fake->queries, '>', $q0, 'the resolver was asked again';
unlike substr($t->log_text, $mark), qr/cannot resolve Redis/,
    'no fallback while DNS answers';

$t->stop;
$fake->stop;

done_testing;
