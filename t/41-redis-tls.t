#!/usr/bin/perl
# TLS to Redis (issue 14): a redis-server with a TLS port beside its plain
# one (the state is written over the plain port), certificates made with
# openssl in the test's directory.  The module connects over TLS and
# verifies the certificate (by the address, 127.0.0.1 against the
# certificate's IP address, or by status_edge_redis_ssl_name against its
# DNS name); a certificate of another CA or for another name is refused
# with one log line that names the address and the reason, and the last
# state keeps being served; a client certificate is sent when configured,
# and a Redis with --tls-auth-clients yes needs it.

use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use StatusEdge::Test qw(sample_state wait_until);
use StatusEdge::TLS qw(make_ca make_cert redis_tls_args);

my $P = '/api/v2/status.json';

my $probe = StatusEdge::Test->new;
my $dir = $probe->prefix;
my $ca = make_ca($dir, 'test-ca');
my $other = make_ca($dir, 'other-ca');
my $srv = make_cert($dir, $ca, 'redis', cn => 'localhost',
    san => 'DNS:localhost,IP:127.0.0.1');
my $cli = make_cert($dir, $ca, 'client', client => 1);

# the http-level lines of a TLS configuration
sub tls_conf {
    my (%o) = @_;
    my $c = '';
    $c .= "    status_edge_redis_ssl_trusted_certificate $o{ca};\n" if $o{ca};
    $c .= "    status_edge_redis_ssl_name $o{name};\n" if $o{name};
    $c .= "    status_edge_redis_ssl_verify $o{verify};\n" if $o{verify};
    if ($o{cert}) {
        $c .= "    status_edge_redis_ssl_certificate $o{cert}{cert};\n";
        $c .= "    status_edge_redis_ssl_certificate_key $o{cert}{key};\n"
            if $o{cert}{key};
    }
    return $c;
}

# the status of the API and the version served
sub served_version {
    my ($t) = @_;
    my ($st) = $t->http(GET => $P, timeout => 5);
    my (undef, $ver) = $t->ind;
    return ($st // 0, $ver);
}

# -------------------------------------------------------------------------
# configuration

{
    my $t = StatusEdge::Test->new;
    my ($rc, $out) = $t->nginx_test($t->nginx_conf(
        redis => ['127.0.0.1:6380 tls']));
    isnt $rc, 0, 'tls with verification and no trusted certificate: refused';
    like $out, qr/no "status_edge_redis_ssl_trusted_certificate" for "status_edge_redis_ssl_verify"/,
        'and said so';

    ($rc, $out) = $t->nginx_test($t->nginx_conf(
        redis => ['127.0.0.1:6380 tls'],
        http_extra => tls_conf(ca => $ca->{cert},
            cert => { cert => $cli->{cert} })));
    isnt $rc, 0, 'a client certificate without its key: refused';
    like $out, qr/no "status_edge_redis_ssl_certificate_key" is defined/,
        'and said so';

    ($rc, $out) = $t->nginx_test($t->nginx_conf(
        redis => ['127.0.0.1:6380 tls'],
        http_extra => tls_conf(ca => $ca->{cert}, cert => $cli)));
    is $rc, 0, 'a whole TLS configuration passes nginx -t' or diag $out;

    ($rc, $out) = $t->nginx_test($t->nginx_conf(
        redis => ['127.0.0.1:6380 tls=yes']));
    like $out, qr/invalid parameter "tls=yes"/, 'tls takes no value';
}

# -------------------------------------------------------------------------
# verified, then refused: the last state stays

my $t = StatusEdge::Test->new;
my $tls = $t->port('redis_tls');
$t->start_redis(args => [redis_tls_args($tls, $ca, $srv)]);
my $S = sample_state();
$S->{page}{name} = 'Over TLS';
my $v1 = $t->write_state($S);

my @redis = (redis => ["127.0.0.1:$tls tls timeout=1000"]);
$t->start_nginx(workers => 1, poll => '1s', resync => '60s', @redis,
    http_extra => tls_conf(ca => $ca->{cert}));
ok $t->wait_version($v1), "state $v1 read over TLS, the address verified "
    . 'against the certificate\'s IP address' or diag $t->log_tail(10);

my $clients = $t->redis('CLIENT', 'LIST');
my @nginx = grep { !/cmd=client/ } split /\n/, $clients;
cmp_ok scalar(@nginx), '>=', 2, 'the links are connected to Redis'
    or diag $clients;

# a name given: the DNS name of the certificate, sent as SNI
$S->{page}{name} = 'By name';
my $v2 = $t->write_state($S);
$t->reload(conf => $t->nginx_conf(workers => 1, poll => '1s',
    resync => '60s', @redis,
    http_extra => tls_conf(ca => $ca->{cert}, name => 'localhost')));
ok $t->wait_version($v2), "state $v2 read with status_edge_redis_ssl_name "
    . 'localhost' or diag $t->log_tail(10);

# refused: each case reloads with a configuration that cannot verify, then
# writes a new state, which must not be served
my @refused = (
    ['another CA', tls_conf(ca => $other->{cert}),
     qr/certificate refused: verify error: \([1-9]\d*:[^)]+\)/],
    ['another name', tls_conf(ca => $ca->{cert}, name => 'wrong.example'),
     qr/certificate refused: it is not for "wrong\.example"/],
);

my $served = $v2;
for my $case (@refused) {
    my ($what, $conf, $re) = @$case;
    my $mark = length($t->log_text // '');
    $t->reload(conf => $t->nginx_conf(workers => 1, poll => '1s',
        resync => '60s', @redis, http_extra => $conf));
    $S->{page}{name} = "Not served ($what)";
    my $v = $t->write_state($S);

    # either link may be the first to fail, and only the first is an error
    my $line_re = qr/\[error\] [^\n]*status_edge: Redis "127\.0\.0\.1:$tls" (?:command|subscribe) link: $re; serving the last known state/;
    ok wait_until(sub { substr($t->log_text // '', $mark) =~ $line_re }, 10),
        "$what: refused, one clear [error] line naming the address"
        or diag substr($t->log_text // '', $mark);

    my ($bad, $n) = (0, 0);
    for (1 .. 10) {
        my ($st, $ver) = served_version($t);
        $n++;
        $bad++ unless $st == 200 && defined $ver && $ver == $served;
        select undef, undef, undef, 0.1;
    }
    is $bad, 0, "$what: $n requests answered 200 with the last state "
        . "(version $served, not $v)";
    my $text = substr($t->log_text // '', $mark);
    unlike $text, qr/\[(?:alert|crit|emerg)\]/, "$what: no alert or crit";
}

# verification off: another CA is accepted
$t->reload(conf => $t->nginx_conf(workers => 1, poll => '1s',
    resync => '60s', @redis,
    http_extra => tls_conf(ca => $other->{cert}, verify => 'off')));
my $v3 = $t->write_state($S);
ok $t->wait_version($v3), 'status_edge_redis_ssl_verify off: another CA '
    . 'is accepted' or diag $t->log_tail(10);
$t->stop;

# -------------------------------------------------------------------------
# a Redis that requires a client certificate

my $u = StatusEdge::Test->new;
my $utls = $u->port('redis_tls');
$u->start_redis(args => [redis_tls_args($utls, $ca, $srv,
    auth_clients => 'yes')]);
$S->{page}{name} = 'Client certificate';
my $w = $u->write_state($S);
my @uredis = (redis => ["127.0.0.1:$utls tls timeout=1000"]);

$u->start_nginx(workers => 1, poll => '1s', resync => '60s', @uredis,
    http_extra => tls_conf(ca => $ca->{cert}));
# TLS 1.3 sends the alert after the handshake: the first link to fail may
# see only a reset, so the error and the reason may be on different lines
ok wait_until(sub {
        my $log = $u->log_text // '';
        $log =~ /\[error\] [^\n]*status_edge: Redis "127\.0\.0\.1:$utls" \w+ link: /
            && $log =~ /status_edge: Redis "127\.0\.0\.1:$utls" \w+ link: [^\n]*certificate required/;
    }, 10),
    'without a client certificate: refused by Redis, an error logged and '
    . 'the reason named'
    or diag $u->log_tail(10);
my ($st) = served_version($u);
is $st, 503, 'and no state (503)';

$u->reload(conf => $u->nginx_conf(workers => 1, poll => '1s',
    resync => '60s', @uredis,
    http_extra => tls_conf(ca => $ca->{cert}, cert => $cli)));
ok $u->wait_version($w), 'with status_edge_redis_ssl_certificate: the '
    . 'state is read' or diag $u->log_tail(10);
$u->stop;

done_testing;
