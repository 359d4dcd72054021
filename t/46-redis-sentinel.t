#!/usr/bin/perl
# Redis Sentinel in the module (issue 14): status_edge_redis sentinel=NAME
# with three Sentinels (quorum 2) of one primary and two replicas.  An
# nginx with the default role=replica reads a replica the Sentinels name,
# one with role=primary the primary; ROLE confirms each.  The primary is
# killed with SIGKILL while both answer a bounded loop of requests on the
# API, a proxied page with a banner and the status page: no answer other
# than 200, the banner on every page.  The admin tool, through the
# Sentinels, writes to the new primary and both serve it.  The Sentinel a
# worker is subscribed to is killed: it asks the next one, and follows
# the next failover through the Sentinels left.  Configuration errors
# name the bad value.  Real redis-server and redis-sentinel on free
# loopback ports.

use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Time::HiRes qw(time sleep);
use StatusEdge::Test qw(sample_state wait_until);
use StatusEdge::Fleet;
use StatusEdge::CLI;
use StatusEdge::Upstream qw(banner_count);
use StatusEdge::TLS ();

# -------------------------------------------------------------------------
# configuration errors

{
    my $t = StatusEdge::Test->new;
    for my $case (
        [ 'sentinel=', qr/invalid value "sentinel=" in "status_edge_redis"/ ],
        [ 'sentinel=mymaster',
          qr/no Sentinel address in "status_edge_redis sentinel=mymaster"/ ],
        [ 'sentinel=mymaster tls db=1',
          qr/no Sentinel address in "status_edge_redis sentinel=mymaster"/ ],
        [ 'sentinel=mymaster 127.0.0.1:26379 role=reader',
          qr/invalid value "role=reader" in "status_edge_redis"/ ],
        [ 'sentinel=mymaster 127.0.0.1:26379 sentinel_password=',
          qr/invalid value "sentinel_password=" in "status_edge_redis"/ ],
        [ 'sentinel=mymaster 127.0.0.1:26379 sentinel_user=u',
          qr/"sentinel_user=u" needs "sentinel_password="/ ],
        [ 'sentinel=mymaster 127.0.0.1:notaport',
          qr/invalid Sentinel address "127\.0\.0\.1:notaport" in "status_edge_redis sentinel=mymaster"/ ],
        [ 'sentinel=mymaster 127.0.0.1:26379 db=x',
          qr/invalid value "db=x" in "status_edge_redis"/ ],
        [ 'sentinel=mymaster 127.0.0.1:26379 bogus=1',
          qr/invalid parameter "bogus=1" in "status_edge_redis"/ ],
        [ '127.0.0.1:6379 role=primary',
          qr/invalid parameter "role=primary" in "status_edge_redis"/ ],
        [ '127.0.0.1:6379 sentinel_password=x',
          qr/invalid parameter "sentinel_password=x" in "status_edge_redis"/ ],
    ) {
        my ($line, $re) = @$case;
        my ($rc, $out) = $t->nginx_test($t->nginx_conf(redis => [$line]));
        isnt $rc, 0, "\"$line\": refused";
        like $out, $re, "\"$line\": names the bad value" or diag $out;
    }
    my ($rc, $out) = $t->nginx_test($t->nginx_conf(redis => [
        'sentinel=mymaster 127.0.0.1:26379 localhost:26380 unix:/tmp/s.sock '
        . 'role=primary db=2 password=pw user=u sentinel_password=spw '
        . 'sentinel_user=su timeout=300ms',
        '127.0.0.1:6379']));
    is $rc, 0, 'a whole Sentinel entry and a fallback pass nginx -t'
        or diag $out;
}

# -------------------------------------------------------------------------
# one primary, two replicas, three Sentinels

my $base = StatusEdge::Test->new;
my $f = StatusEdge::Fleet->new($base);
$f->redis('p');
$f->redis("r$_", replicaof => 'p') for 1 .. 2;
$f->sentinel("s$_", monitor => 'p', quorum => 2, down_after => 1000,
    failover_timeout => 5000) for 1 .. 3;
ok $f->wait_replicas("s$_", 'mymaster', 2, 30),
    "Sentinel s$_ knows both replicas" for 1 .. 3;

my $sentinels = join ' ', map { '127.0.0.1:' . $f->port("s$_") } 1 .. 3;
my %name_of = map { ('127.0.0.1:' . $f->port($_)) => $_ }
    qw(p r1 r2 s1 s2 s3);

# the state is written to the primary, the admin tool goes through the
# Sentinels
my $w = StatusEdge::Test->new(redis_port => $f->port('p'));
my $v = $w->write_state(sample_state());
my $c = StatusEdge::CLI->new(t => $w, redis => $f->sentinel_url('mymaster'));

my $up = StatusEdge::Upstream->new(dir => $base->prefix . '/upstream');
my $page = '<!DOCTYPE html><html><head><title>Shop</title></head>'
    . '<body><h1>Shop</h1><p>goods</p></body></html>';
$up->route('/page', headers => ['Content-Type' => 'text/html'],
    body => [$page]);
$up->start;

my @paths = ('/api/v2/summary.json', '/site/page', '/status/');

sub edge {
    my ($role) = @_;
    my $t = StatusEdge::Test->new(workers => 2);
    my $servers = $t->server_conf(extra => <<"EOF");
        location /site/ {
            proxy_pass http://127.0.0.1:@{[ $up->port ]}/;
            status_edge_banner on;
        }
        location /status/ {
            status_edge_status_page;
        }
EOF
    $t->start_nginx(servers => $servers, poll => '1s', resync => '5s',
        redis => ["sentinel=mymaster $sentinels"
            . ($role ? " role=$role" : '') . ' timeout=500ms']);
    return $t;
}

my $ta = edge(undef);        # role=replica, the default
my $tb = edge('primary');
my %edges = (replica => $ta, primary => $tb);

# the address the last "names" line of a log names, and the Sentinel
sub named {
    my ($t, $kind) = @_;
    my @l = ($t->log_text // '') =~ /Sentinel "([^"]+)" names $kind (\S+) of "mymaster"/g;
    return @l ? ($name_of{ $l[-1] } // $l[-1], $name_of{ $l[-2] } // $l[-2])
              : ();
}

for my $role (qw(replica primary)) {
    my $t = $edges{$role};
    ok $t->wait_version($v), "role=$role: state $v served"
        or diag $t->log_tail(20);
}

my ($ra, $sa) = named($ta, 'replica');
like $ra // '', qr/\Ar[12]\z/, "role=replica: a replica named ($ra, by $sa)";
my ($pb) = named($tb, 'primary');
is $pb, 'p', 'role=primary: the primary named';

# the data comes from there: the replica has the edge's two links, one
# subscribed (not counted: the Sentinels' own connections, named
# sentinel-*, the replica's link to its primary, the test's CLIENT LIST)
my ($list, @edge);
ok wait_until(sub {
    $list = $f->cmd($ra, 'CLIENT', 'LIST');
    @edge = grep { !/ name=sentinel-/ && !/ flags=M / && !/ cmd=client/ }
        split /\n/, $list;
    @edge == 2 && grep { / cmd=subscribe/ } @edge;
}, 10), "role=replica: $ra has the edge's two links, one subscribed"
    or diag $list;

$v = $w->write_state(sample_state());
for my $role (qw(replica primary)) {
    ok $edges{$role}->wait_version($v),
        "role=$role: a write on the primary served ($v)";
}

# the bodies to expect: each path answers the same on both edges
sub check_answer {
    my ($path, $st, $body) = @_;
    return "no answer" unless defined $st;
    return "status $st" unless $st == 200;
    return 'no banner' if $path eq '/site/page' && banner_count($body) != 1;
    return undef;
}

for my $role (qw(replica primary)) {
    for my $p (@paths) {
        my ($st, undef, $body) = $edges{$role}->http(GET => $p);
        is check_answer($p, $st, $body), undef, "role=$role: $p answers";
    }
}

# the replica role=replica reads is the one the Sentinels will promote, so
# that edge has only the new primary to read until the other replica
# follows it (below: it must not stay on the primary)
my ($other) = grep { $_ ne $ra } qw(r1 r2);
$f->cmd($ra, 'CONFIG', 'SET', 'replica-priority', 1);
$f->cmd($other, 'CONFIG', 'SET', 'replica-priority', 100);
ok wait_until(sub {
    for my $s (qw(s1 s2 s3)) {
        my $l = eval { $f->cmd($s, 'SENTINEL', 'replicas', 'mymaster') };
        return 0 unless ref $l eq 'ARRAY';
        my ($mine) = grep { my %h = @$_; $h{port} == $f->port($ra)
            && ($h{'slave-priority'} // '') eq '1' } @$l;
        return 0 unless $mine;
    }
    return 1;
}, 15, 0.2), "every Sentinel sees $ra first to be promoted";

# -------------------------------------------------------------------------
# the primary killed under load

my (%n, @bad);
my $t0 = time;
$f->kill_one('p');
my ($switched, $after) = (0, undef);
my $new;
REQ: for my $i (1 .. 20000) {
    for my $role (qw(replica primary)) {
        my $p = $paths[$i % @paths];
        my ($st, $h, $body) = $edges{$role}->http(GET => $p, timeout => 5);
        $n{$role}++;
        my $why = check_answer($p, $st, $body);
        push @bad, "$role $p: $why" . ($h->{_error} ? " ($h->{_error})" : '')
            if defined $why;
    }
    if (!$switched && $i % 20 == 0) {
        my $m = $f->master_of('s2');
        if (defined $m && $m != $f->port('p')) {
            $switched = time;
            ($new) = grep { $f->port($_) == $m } qw(r1 r2);
        }
    }
    # two seconds of requests after the switch, 45 s at most in all
    last REQ if ($switched && time - $switched > 2) || time - $t0 > 45;
}
ok $switched, sprintf 'the Sentinels promoted %s in %.1f s', $new // '?',
    ($switched || time) - $t0;
is scalar(@bad), 0, "during the failover: $n{replica} requests on "
    . "role=replica, $n{primary} on role=primary, all 200 with the banner"
    or diag join "\n", @bad[0 .. ($#bad > 20 ? 20 : $#bad)];
cmp_ok $n{$_}, '>=', 30, "$_: requests answered all along" for keys %n;

# under load a failover can time out and be tried again with the other
# replica: the new primary is the one every Sentinel names in the end
my $agreed = wait_until(sub {
    for my $r (qw(r1 r2)) {
        if ($f->wait_sentinels('mymaster', $r, 0.3)) { $new = $r; return 1 }
    }
    return 0;
}, 30);
ok $agreed, "every Sentinel names $new, which says ROLE master";

# the admin tool through the Sentinels: on the new primary
my $before = $f->cmd($new, 'GET', 'status:version');
my $tw = time;
cli_ok('component', 'set', 'api', 'major_outage');
my $v2 = $f->cmd($new, 'GET', 'status:version');
is $v2, $before + 1, "the admin tool wrote to the new primary $new";
for my $role (qw(replica primary)) {
    my $t = $edges{$role};
    my $ok = $t->wait_version($v2, timeout => 30);
    ok $ok, "role=$role: the write through Sentinel served ($v2)"
        or diag $t->log_tail(20);
    diag sprintf "role=$role: served %.2f s after the write", time - $tw;
}
# a failover tried twice (the first promotion abandoned for another) can
# name the abandoned one first: ROLE (at the latest the next keepalive)
# or the Sentinels' +switch-master move the edge on
my $pb2;
ok wait_until(sub { ($pb2) = named($tb, 'primary'); ($pb2 // '') eq $new },
    20), "role=primary: follows to $new" or diag 'last named: '
    . ($pb2 // 'none');

# the metrics name the server the Sentinels named, and its role as ROLE
# says (they said "sentinel=mymaster" and "unknown"); role=replica, which
# read the new primary while the other replica moved to it, goes back to
# a replica once that one follows the new primary (+slave-reconf-done;
# it stayed on the primary)
for my $role (qw(replica primary)) {
    my ($address, $said, $is);
    my $ok = wait_until(sub {
        my $m = $edges{$role}->metrics or return 0;
        ($address, $said) = map {
            /\Astatus_edge_redis_info\{address="([^"]*)",role="([^"]*)"\}/
                ? ($1, $2) : () } grep { $m->{$_} } keys %$m;
        my ($port) = ($address // '') =~ /\A127\.0\.0\.1:(\d+)\z/
            or return 0;
        my ($name) = grep { $f->port($_) == $port } qw(p r1 r2) or return 0;
        $is = { master => 'primary', slave => 'replica' }->{
            $f->role($name) // '' } // '?';
        return $said eq $is && $is eq $role;
    }, 20);
    ok $ok, "role=$role: status_edge_redis_info names the server read "
        . '(' . ($address // '?') . ') and its role (' . ($is // '?') . ')'
        or diag 'said ' . ($said // 'nothing');
}

# -------------------------------------------------------------------------
# the Sentinel in use killed: the next one answers

# the Sentinel each edge is subscribed to (the last that named its
# server) is killed; one or two, the next failover needs no majority
my %via = map { $_ => (named($edges{$_}, '(?:replica|primary)'))[1] }
    keys %edges;
my %dead = map { $_ => 1 } values %via;
my %mark = map { $_ => length($edges{$_}->log_text // '') } keys %edges;
$f->kill_one($_) for sort keys %dead;
my @alive = grep { !$dead{$_} } qw(s1 s2 s3);
diag "killed the Sentinels @{[ sort keys %dead ]}, left @alive";

for my $role (qw(replica primary)) {
    my $t = $edges{$role};
    my $gone = '127.0.0.1:' . $f->port($via{$role});
    my $text;
    ok wait_until(sub {
        $text = substr($t->log_text // '', $mark{$role});
        $text =~ /Sentinel "127\.0\.0\.1:(\d+)" names \w+ \S+ of "mymaster"/
            && !$dead{ $name_of{"127.0.0.1:$1"} // '' };
    }, 15), "role=$role: after $via{$role} died, another Sentinel answers"
        or diag $text;
    like $text,
        qr/Sentinel "\Q$gone\E" of "mymaster": [^\n]*asking the next/,
        "role=$role: the subscription to $via{$role} lost, said so";
}

# the next failover, through the Sentinels left
ok $f->wait_replicas($alive[0], 'mymaster', 1, 30),
    'the other replica follows the new primary';
my ($old) = $new;
is $f->cmd($alive[0], 'SENTINEL', 'FAILOVER', 'mymaster'), 'OK',
    "SENTINEL FAILOVER on $alive[0]";
($new) = grep { $_ ne $old } qw(r1 r2);
ok $f->wait_sentinels('mymaster', $new, 30), "$new promoted";
$tw = time;
cli_ok('component', 'set', 'api', 'operational');
my $v3 = $f->cmd($new, 'GET', 'status:version');
cmp_ok $v3, '>', $v2, "the admin tool wrote to $new";
for my $role (qw(replica primary)) {
    my $t = $edges{$role};
    ok $t->wait_version($v3, timeout => 30),
        "role=$role: served after the second failover ($v3)"
        or diag $t->log_tail(20);
    diag sprintf "role=$role: served %.2f s after the write", time - $tw;
}

# -------------------------------------------------------------------------
# TLS to the Sentinel and to the data server, an ACL user on the
# Sentinel; no replica: role=replica reads the primary

my $tls = $f->tls;
$f->redis('tp', tls => 1, auth_clients => 'no');
$f->sentinel('ts', monitor => 'tp', set => 'tlsset', quorum => 1, tls => 1,
    down_after => 60000);
$f->cmd('ts', 'ACL', 'SETUSER', 'edge', 'on', '>spw', '+@all', 'allchannels');
my $wt = StatusEdge::Test->new(redis_port => $f->port('tp'));
my $vt = $wt->write_state(sample_state());

sub tls_edge {
    my (%o) = @_;
    my $t = StatusEdge::Test->new(workers => 1);
    $t->start_nginx(poll => '1s', resync => '5s',
        redis => ['sentinel=tlsset 127.0.0.1:' . $f->tls_port('ts')
            . " sentinel_user=edge sentinel_password=$o{pw} tls"],
        http_extra => "    status_edge_redis_ssl_trusted_certificate "
            . "$o{ca};\n");
    return $t;
}

my $tt = tls_edge(pw => 'spw', ca => $tls->{ca}{cert});
ok $tt->wait_version($vt), "over TLS, with an ACL user: state $vt served"
    or diag $tt->log_tail(20);
my $tp_tls = '127.0.0.1:' . $f->tls_port('tp');
like $tt->log_text, qr/Sentinel "127\.0\.0\.1:\d+" names primary \Q$tp_tls\E of "tlsset"/,
    'no replica: the primary, on its TLS port';
$tt->stop_nginx;

my $other_ca = StatusEdge::TLS::make_ca($base->prefix, 'other-ca');
for my $case (
    [ 'a wrong sentinel_password', { pw => 'nope', ca => $tls->{ca}{cert} },
      qr/Sentinel "127\.0\.0\.1:\d+" of "tlsset": AUTH refused: WRONGPASS/ ],
    [ 'a Sentinel of another CA', { pw => 'spw', ca => $other_ca->{cert} },
      qr/Sentinel "127\.0\.0\.1:\d+" of "tlsset": certificate refused: verify error/ ],
) {
    my ($what, $o, $re) = @$case;
    my $t = tls_edge(%$o);
    ok wait_until(sub { ($t->log_text // '') =~ $re }, 10),
        "$what: refused, said so" or diag $t->log_tail(10);
    like $t->log_text, qr/\[error\] [^\n]*Redis "sentinel=tlsset" Sentinel: no Sentinel of "tlsset" names a server/,
        "$what: one [error] line for the entry";
    my ($st) = $t->http(GET => '/api/v2/summary.json');
    is $st, 503, "$what: no state served";
    $t->stop_nginx;
}

# -------------------------------------------------------------------------
# a Sentinel that names a replica as the primary: ROLE refuses it

ok wait_until(sub { ($f->role($old) // '') eq 'slave' }, 20),
    "$old is a replica";
$f->sentinel('sx', monitor => $old, set => 'wrongset', quorum => 1,
    down_after => 60000);
{
    my $t = StatusEdge::Test->new(workers => 1);
    $t->start_nginx(poll => '1s', resync => '5s',
        redis => ['sentinel=wrongset 127.0.0.1:' . $f->port('sx')
            . ' role=primary']);
    my $replica = '127.0.0.1:' . $f->port($old);
    ok wait_until(sub { ($t->log_text // '') =~ /wrong role: \Q$replica\E is not a primary \(ROLE "slave"\)/ }, 10),
        'a replica named as the primary: refused after ROLE, said so'
        or diag $t->log_tail(10);
    my ($st) = $t->http(GET => '/api/v2/summary.json');
    is $st, 503, 'a replica named as the primary: its state is not served';
    $t->stop_nginx;
}

# no alert, no crit; the failovers' errors are [error] lines only
$_->stop_nginx for values %edges;
$up->stop;
$f->stop;
done_testing;
