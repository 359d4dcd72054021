#!/usr/bin/perl
# status-edge over TLS and through Redis Sentinel (issue 14, the admin
# tool): a write over TLS with the server verified (CA file, host name or
# IP, SNI), a wrong CA or name refused with a clear message and nothing
# written, a client certificate a server requires, the TLS options'
# environment and their misuse; through Sentinel: writes reach the
# primary, a failover moves them to the new primary, a dead Sentinel is
# skipped, a Sentinel that names a replica is refused (ROLE), no answer
# and an unknown set are clear errors, rediss+sentinel://, and no password
# in any message.  Real redis-server and redis-sentinel on free loopback
# ports; certificates made with openssl at test time.
#
# The tool: $STATUS_EDGE_CLI or build/status-edge.

use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use IO::Socket::INET;
use POSIX ();
use StatusEdge::Test qw(wait_until);
use StatusEdge::CLI;
use StatusEdge::Fleet;
use StatusEdge::TLS qw(make_ca make_cert redis_tls_args);

my $t = StatusEdge::Test->new;
my $f = StatusEdge::Fleet->new($t);
my $tls = $f->tls;
my $ca = $tls->{ca}{cert};

# $t's Redis serves TLS beside its plain port, which the helpers use
my $tport = $t->port('redis_tls');
$t->start_redis(args => [redis_tls_args($tport, $tls->{ca}, $tls->{server},
    auth_clients => 'no')]);
my $c = StatusEdge::CLI->new(t => $t, redis => "rediss://127.0.0.1:$tport/0");

my ($rc, $out, $err);

# --- 1. TLS, verified ----------------------------------------------------------------

cli_ok('component', 'add', 'api', '--name', 'API', '--cacert', $ca);
is version(), 1, 'written over TLS';
is hash_of('status:component:api')->{name}, 'API', 'the component is there';

cli_ok({ redis => "rediss://localhost:$tport/0" }, 'component', 'set', 'api',
    'degraded_performance', '--cacert', $ca);
is hash_of('status:component:api')->{status}, 'degraded_performance',
    'a host name checked against the certificate (DNS:localhost)';

cli_ok({ env => { STATUS_EDGE_REDIS_CACERT => $ca } }, 'component', 'set',
    'api', 'partial_outage');
is hash_of('status:component:api')->{status}, 'partial_outage',
    '--cacert from $STATUS_EDGE_REDIS_CACERT';

($rc, $out, $err) = cli('show', '--cacert', $ca);
is $rc, 0, 'show over TLS' or diag $err;
like $out, qr/API/, 'show reads the page over TLS';

# --- 2. refused: nothing written ---------------------------------------------------

my $other = make_ca($t->prefix, 'other-ca');

sub refused {
    my ($what, $re, @args) = @_;
    my $before = state_dump();
    my ($rc, $out, $err) = cli(@args, 'component', 'set', 'api', 'major_outage');
    is $rc, 1, "$what: exit 1";
    like $err, $re, "$what: says why" or diag $err;
    like $err, qr/\A\Qstatus-edge: component set: \E[^\n]*\n\z/,
        "$what: one line on stderr";
    is_deeply state_dump(), $before, "$what: nothing written";
}

refused('another CA',
    qr{\Qcannot connect to Redis "rediss://127.0.0.1:$tport/0": TLS: the server's certificate cannot be verified: \E(?:unable to get local issuer certificate|self-signed certificate in certificate chain)},
    '--cacert', $other->{cert});
refused('no --cacert: the system store does not know the test CA',
    qr/TLS: the server's certificate cannot be verified/);
refused('a wrong --sni',
    qr/TLS: the server's certificate is not valid for "wrong\.example" \(hostname mismatch\)/,
    '--cacert', $ca, '--sni', 'wrong.example');
refused('a wrong name in $STATUS_EDGE_REDIS_SNI',
    qr/not valid for "redis\.invalid"/,
    { env => { STATUS_EDGE_REDIS_SNI => 'redis.invalid' } }, '--cacert', $ca);
refused('TLS to the plain port',
    qr/cannot connect to Redis .*TLS/,
    { redis => 'rediss://127.0.0.1:' . $t->redis_port . '/0' },
    '--cacert', $ca);

# usage errors: exit 2 before connecting
for my $case (
    [ '--cacert with a redis:// URL',
      qr/--cacert is for TLS, and Redis "redis:\/\/127\.0\.0\.1:\d+\/0" is not a rediss:\/\/ URL/,
      { redis => 'redis://127.0.0.1:' . $t->redis_port . '/0' }, '--cacert', $ca ],
    [ '$STATUS_EDGE_REDIS_SNI with a redis:// URL', qr/--sni is for TLS/,
      { redis => 'redis://127.0.0.1:' . $t->redis_port . '/0',
        env => { STATUS_EDGE_REDIS_SNI => 'x' } } ],
    [ 'an unreadable --cacert',
      qr/cannot read --cacert "\/nonexistent\/ca\.crt": No such file or directory/,
      '--cacert', '/nonexistent/ca.crt' ],
    [ 'a --cacert that is no certificate', qr/cannot use --cacert/,
      '--cacert', $tls->{server}{key} ],
    [ '--cert without --key', qr/--cert needs --key/,
      '--cacert', $ca, '--cert', $tls->{client}{cert} ],
    [ 'a --key of another certificate',
      qr/cannot use --key "[^"]*server\.key" with --cert "[^"]*client\.crt": key values mismatch/,
      '--cacert', $ca, '--cert', $tls->{client}{cert},
      '--key', $tls->{server}{key} ],
) {
    my ($what, $re, @args) = @$case;
    my $before = state_dump();
    ($rc, $out, $err) = cli(@args, 'component', 'set', 'api', 'major_outage');
    is $rc, 2, "$what: exit 2";
    like $err, $re, "$what: says why" or diag $err;
    is_deeply state_dump(), $before, "$what: nothing written";
}

# --- 3. a client certificate the server requires -----------------------------------

$f->redis('mtls', tls => 1, auth_clients => 'yes');
my $murl = 'rediss://127.0.0.1:' . $f->tls_port('mtls') . '/0';

($rc, $out, $err) = cli({ redis => $murl }, 'component', 'add', 'db',
    '--name', 'DB', '--cacert', $ca);
is $rc, 1, 'no client certificate: exit 1';
# the server's alert, or, when the PING after the handshake reached a
# socket the server had closed, the connection reset
like $err, qr/cannot connect to Redis "\Q$murl\E": TLS: the server (?:wants a client certificate \(--cert and --key\): tlsv13 alert certificate required|closed the connection after the handshake \(does it want a client certificate\? --cert and --key\))\n\z/,
    'no client certificate: says so' or diag $err;
is $f->cmd('mtls', 'GET', 'status:version'), undef,
    'no client certificate: nothing written';

cli_ok({ redis => $murl }, 'component', 'add', 'db', '--name', 'DB',
    '--cacert', $ca, '--cert', $tls->{client}{cert},
    '--key', $tls->{client}{key});
is $f->cmd('mtls', 'GET', 'status:version'), 1,
    'with --cert and --key: written';
cli_ok({ redis => $murl, env => {
        STATUS_EDGE_REDIS_CACERT => $ca,
        STATUS_EDGE_REDIS_CERT => $tls->{client}{cert},
        STATUS_EDGE_REDIS_KEY => $tls->{client}{key} } },
    'component', 'set', 'db', 'partial_outage');
is $f->cmd('mtls', 'HGET', 'status:component:db', 'status'), 'partial_outage',
    'the client certificate from the environment';

# --- 4. through Sentinel -------------------------------------------------------------

$f->redis('p');
$f->redis('r', replicaof => 'p');
$f->sentinel("s$_", monitor => 'p', quorum => 2, down_after => 1000,
    failover_timeout => 5000) for 1 .. 3;
ok $f->wait_replicas("s$_", 'mymaster', 1, 20), "Sentinel s$_ knows the replica"
    for 1 .. 3;

my $surl = $f->sentinel_url('mymaster');

cli_ok({ redis => $surl }, 'component', 'add', 'db', '--name', 'DB');
is $f->cmd('p', 'GET', 'status:version'), 1, 'through Sentinel: on the primary';
is $f->cmd('p', 'HGET', 'status:component:db', 'name'), 'DB',
    'through Sentinel: the data';

cli_ok({ redis => $f->sentinel_url('mymaster', db => 3) }, 'component', 'add',
    'web', '--name', 'Web');
$f->cmd('p', 'SELECT', 3);
is $f->cmd('p', 'HGET', 'status:component:web', 'name'), 'Web',
    'through Sentinel: /NAME/db selects the database';
$f->cmd('p', 'SELECT', 0);

my $dead = StatusEdge::Test::free_port();
my $hosts = join ',', map { '127.0.0.1:' . $f->port("s$_") } 1 .. 3;
cli_ok({ redis => "redis+sentinel://127.0.0.1:$dead,$hosts/mymaster" },
    'component', 'set', 'db', 'degraded_performance');
is $f->cmd('p', 'HGET', 'status:component:db', 'status'),
    'degraded_performance', 'a Sentinel that does not answer is skipped';

# failover: the tool follows the Sentinels to the new primary
my $v0 = $f->cmd('p', 'GET', 'status:version');
is $f->cmd('s1', 'SENTINEL', 'FAILOVER', 'mymaster'), 'OK', 'SENTINEL FAILOVER';
ok $f->wait_sentinels('mymaster', 'r', 30),
    'every Sentinel names the new primary, which says ROLE master';
($rc, $out, $err) = cli({ redis => $surl }, 'component', 'set', 'db',
    'major_outage');
is $rc, 0, 'after the failover: exit 0' or diag $err;
is $f->cmd('r', 'GET', 'status:version'), $v0 + 1,
    'after the failover: on the new primary';
is $f->cmd('r', 'HGET', 'status:component:db', 'status'), 'major_outage',
    'after the failover: the data';

# a Sentinel that names a replica as the primary: refused after ROLE
ok wait_until(sub { ($f->role('p') // '') eq 'slave' }, 20),
    'the old primary is now a replica';
$f->sentinel('sx', monitor => 'p', set => 'wrongset', quorum => 1,
    down_after => 60000);
my $v = $f->cmd('r', 'GET', 'status:version');
($rc, $out, $err) = cli({ redis => $f->sentinel_url('wrongset') }, 'component',
    'set', 'db', 'operational');
is $rc, 1, 'a Sentinel that names a replica: exit 1';
my $pp = $f->port('p');
like $err, qr/no Sentinel of "redis\+sentinel:\/\/[^"]*\/wrongset" names a usable primary of "wrongset"; Sentinel 127\.0\.0\.1:\d+ names 127\.0\.0\.1:$pp: it is not a primary \(ROLE "slave"\)/,
    'a Sentinel that names a replica: says so' or diag $err;
is $f->cmd('r', 'GET', 'status:version'), $v, 'a replica named: nothing written';
is $f->cmd('r', 'HGET', 'status:component:db', 'status'), 'major_outage',
    'a replica named: the data unchanged';

# no Sentinel answers; none knows the set
my $dead2 = StatusEdge::Test::free_port();
($rc, $out, $err) = cli({ redis => "redis+sentinel://127.0.0.1:$dead,127.0.0.1:$dead2/mymaster" },
    'component', 'set', 'db', 'operational');
is $rc, 1, 'no Sentinel answers: exit 1';
like $err, qr/names a usable primary of "mymaster"; Sentinel 127\.0\.0\.1:$dead: Connection refused; Sentinel 127\.0\.0\.1:$dead2: Connection refused\n\z/,
    'no Sentinel answers: every one named' or diag $err;

($rc, $out, $err) = cli({ redis => $f->sentinel_url('mymaster') =~ s{/mymaster\z}{/nosuchset}r },
    'component', 'set', 'db', 'operational');
is $rc, 1, 'an unknown set: exit 1';
like $err, qr/Sentinel 127\.0\.0\.1:\d+: does not know "nosuchset"/,
    'an unknown set: says so' or diag $err;
is $f->cmd('r', 'GET', 'status:version'), $v, 'errors: nothing written';

# passwords: the data server's and the Sentinels' never printed
($rc, $out, $err) = cli({ redis => "redis+sentinel://admin:hunter2pw\@127.0.0.1:$dead/mymaster?sentinel_password=s3cr\@tpw" },
    'show');
is $rc, 1, 'passwords: exit 1';
unlike $err, qr/hunter2pw|s3cr|tpw/, 'passwords: neither is printed';
like $err, qr{"redis\+sentinel://\*\*\*\@127\.0\.0\.1:$dead/mymaster"},
    'passwords: the URL redacted';

# Sentinels that want a password
($rc, $out, $err) = cli({ redis => "$surl?sentinel_password=nope" }, 'show');
is $rc, 1, 'a sentinel_password the Sentinels do not want: exit 1';
like $err, qr/Sentinel 127\.0\.0\.1:\d+: Redis refused AUTH/,
    'a sentinel_password refused: says so' or diag $err;
unlike $err, qr/nope/, 'the sentinel_password is not printed';

# bad Sentinel URLs: exit 2
for my $bad ("redis+sentinel://127.0.0.1:$dead", "redis+sentinel://127.0.0.1:$dead/",
             "redis+sentinel://127.0.0.1:$dead/m?db=1",
             "redis+sentinel:///mymaster", "redis+sentinel://127.0.0.1:0/m",
             "redis+sentinel://127.0.0.1:$dead,/m") {
    ($rc, $out, $err) = cli({ redis => $bad }, 'show');
    is $rc, 2, "bad URL $bad: exit 2";
    like $err, qr/bad Redis URL/, "bad URL $bad: says so";
}

# --- 5. TLS through Sentinel --------------------------------------------------------

$f->redis('tp', tls => 1, auth_clients => 'no');
$f->sentinel('ts', monitor => 'tp', set => 'tlsset', quorum => 1, tls => 1,
    down_after => 60000);
my $turl = $f->sentinel_url('tlsset', tls => 1);
cli_ok({ redis => $turl }, 'component', 'add', 'edge', '--name', 'Edge',
    '--cacert', $ca);
is $f->cmd('tp', 'HGET', 'status:component:edge', 'name'), 'Edge',
    'rediss+sentinel://: the Sentinel and the primary over TLS';
($rc, $out, $err) = cli({ redis => $turl }, 'component', 'set', 'edge',
    'major_outage', '--cacert', $other->{cert});
is $rc, 1, 'rediss+sentinel:// with another CA: exit 1';
like $err, qr/Sentinel 127\.0\.0\.1:\d+: TLS: the server's certificate cannot be verified/,
    'rediss+sentinel:// with another CA: the Sentinel is not trusted' or diag $err;
is $f->cmd('tp', 'HGET', 'status:component:edge', 'status'), 'operational',
    'rediss+sentinel:// with another CA: nothing written';

# --- 6. bounds of the connection ------------------------------------------------------

# a server that answers every command with $answer (undef: never answers)
sub fake_server {
    my ($answer) = @_;
    my $l = IO::Socket::INET->new(Listen => 5, LocalAddr => '127.0.0.1',
        LocalPort => 0, Proto => 'tcp', ReuseAddr => 1) or die "listen: $!";
    my $pid = fork // die "fork: $!";
    if (!$pid) {
        while (my $s = $l->accept) {
            while (sysread($s, my $buf, 65536)) {
                syswrite($s, $answer) if defined $answer;
            }
            close $s;
        }
        POSIX::_exit(0);
    }
    my $port = $l->sockport;
    close $l;
    return ($port, $pid);
}

{
    # hiredis 0.14 would allocate 16 GiB for this header: the reader limit
    my ($port, $pid) = fake_server("*2147483647\r\n");
    ($rc, $out, $err) = cli({ redis => "redis://127.0.0.1:$port/0" }, 'show');
    is $rc, 1, 'an array header beyond the limit: exit 1';
    like $err, qr/Redis "redis:\/\/127\.0\.0\.1:$port\/0": a bad reply \(Out of memory\) while /,
        'an array header beyond the limit: a bad reply' or diag $err;
    kill 'KILL', $pid;
    waitpid $pid, 0;

    # a TLS port that never answers the handshake: the connect deadline
    ($port, $pid) = fake_server(undef);
    ($rc, $out, $err) = cli({ redis => "rediss://127.0.0.1:$port/0" }, 'show',
        '--cacert', $ca);
    is $rc, 1, 'a silent TLS port: exit 1';
    like $err, qr/cannot connect to Redis "rediss:\/\/127\.0\.0\.1:$port\/0": timed out after 3000 ms in the TLS handshake/,
        'a silent TLS port: timed out in the handshake' or diag $err;
    kill 'KILL', $pid;
    waitpid $pid, 0;
}

$f->stop;
$t->stop_redis;
done_testing;
