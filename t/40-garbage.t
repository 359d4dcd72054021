#!/usr/bin/perl
# Garbage in every key: wrong types, broken JSON in updates, invalid UTF-8,
# NUL bytes, 1 MB values, bad enums, bad timestamps, dangling ids, a
# non-numeric version.  nginx always answers 200 with valid UTF-8 JSON, the
# good records are still there, bad records are counted in the metrics,
# logged once per version, and nothing crashes or logs an alert.  Garbage
# that reads as an empty page is held back like any empty page.

use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Encode ();
use StatusEdge::Test qw(sample_state json_decode json_encode wait_until ts);

my @ENDPOINTS = qw(status.json summary.json components.json incidents.json
    incidents/unresolved.json scheduled-maintenances.json
    scheduled-maintenances/upcoming.json scheduled-maintenances/active.json);
my %INDICATORS = map { $_ => 1 } qw(none minor major critical maintenance);

my $now = time;
my $MB = 1024 * 1024;
my $P = 'status:';

my $t = StatusEdge::Test->new;
$t->start_redis;
my $v = $t->write_state(sample_state(now => $now));
$t->start_nginx(poll => '1s', resync => '2s');
ok $t->wait_version($v), 'clean state loaded';

sub r { $t->redis(@_) }

sub upd {
    my (%u) = @_;
    return json_encode({ status => 'investigating', body => 'b',
                         created_at => ts($now - 60), %u });
}

sub valid_utf8 {
    my ($bytes) = @_;
    my $copy = $bytes;
    return eval { Encode::decode('UTF-8', $copy, Encode::FB_CROAK); 1 };
}

sub ids { [map { $_->{id} } @{ $_[0] || [] }] }

# checks every endpoint; returns the decoded documents
sub check_served {
    my ($name, %o) = @_;
    my %doc;
    my @fail;
    for my $ep (@ENDPOINTS) {
        my ($st, $h, $body) = $t->http(GET => "/api/v2/$ep");
        if (!defined $st || $st != 200) {
            push @fail, "$ep: status " . ($st // $h->{_error});
            next;
        }
        push @fail, "$ep: invalid UTF-8" unless valid_utf8($body);
        my $d = json_decode($body);
        push @fail, "$ep: not a JSON object" unless ref $d eq 'HASH';
        push @fail, "$ep: " . length($body) . ' bytes'
            if $o{max_size} && length($body) > $o{max_size};
        $doc{$ep} = $d || {};
    }
    ok !@fail, "$name: every endpoint 200 with valid UTF-8 JSON" or diag join "\n", @fail;
    my $ind = $doc{'status.json'}{status}{indicator} // 'null';
    ok $INDICATORS{$ind}, "$name: a valid indicator ($ind)";
    return \%doc;
}

sub expect_present {
    my ($name, $doc, %want) = @_;
    my %have = (
        components   => ids($doc->{'components.json'}{components}),
        incidents    => ids($doc->{'incidents.json'}{incidents}),
        maintenances => ids($doc->{'scheduled-maintenances.json'}{scheduled_maintenances}),
    );
    for my $kind (sort keys %want) {
        my %h = map { $_ => 1 } @{ $have{$kind} };
        my @missing = grep { !$h{$_} } @{ $want{$kind} };
        ok !@missing, "$name: good $kind still served (@{ $want{$kind} })"
            or diag "missing @missing; have @{ $have{$kind} }";
    }
}

sub bad_records {
    my $m = $t->metrics or return undef;
    return StatusEdge::Test::metric($m, 'status_edge_bad_records', page => $P);
}

my @ALLC = qw(api web storage db payments);

my @scenarios = (
    {
        name => 'bad enums',
        apply => sub {
            r('HSET', "${P}component:web", 'status', 'exploding');
            r('HSET', "${P}incident:inc-api", 'impact', 'apocalyptic');
            r('HSET', "${P}maintenance:mnt-db", 'status', 'someday');
            r('HSET', "${P}component:db", 'only_show_if_degraded', 'maybe');
        },
        present => { components => [qw(api storage payments)], incidents => ['inc-pay'],
                     maintenances => ['mnt-net'] },
        bad => 1,
    },
    {
        name => 'bad timestamps',
        apply => sub {
            r('HSET', "${P}incident:inc-pay", 'created_at', 'yesterday',
              'next_update_at', '12:00', 'resolved_at', '2026-02-30T25:61:61Z');
            r('HSET', "${P}maintenance:mnt-db", 'scheduled_for', '2026-13-45T99:99:99Z');
            r('HSET', "${P}component:web", 'updated_at', 'not a time');
            r('LPUSH', "${P}incident:inc-api:updates",
              upd(id => 'bad-ts', created_at => '1 Jan 2026'));
        },
        present => { components => [qw(api storage db payments)], incidents => ['inc-api'],
                     maintenances => ['mnt-net'] },
        bad => 1,
    },
    {
        name => 'broken JSON in updates',
        apply => sub {
            r('LPUSH', "${P}incident:inc-api:updates",
              '{"id":"x1","status":', '[1,2', 'null', '"just a string"', '{}', '',
              '{"id":5,"status":"investigating","body":"b","created_at":"2026-01-01T00:00:00Z"}',
              upd(id => 'x2', status => 'bogus'),
              upd(id => 'x3', body => { nested => 1 }),
              ('[' x 5000) . (']' x 5000),
              '{"id":"x4","status":"investigating","body":"b","created_at":"2026-01-01T00:00:00Z"} trailing');
            r('RPUSH', "${P}maintenance:mnt-net:updates", '{"id":');
        },
        present => { components => \@ALLC, incidents => [qw(inc-api inc-pay)],
                     maintenances => [qw(mnt-db mnt-net)] },
        bad => 1,
        also => sub {
            my ($doc) = @_;
            my ($inc) = grep { $_->{id} eq 'inc-api' } @{ $doc->{'incidents.json'}{incidents} };
            my %u = map { $_ => 1 } @{ ids($inc->{incident_updates}) };
            ok $u{'upd-api-2'} && $u{'upd-api-1'}, 'broken JSON: the good updates remain'
                or diag explain [keys %u];
        },
    },
    {
        name => 'invalid UTF-8',
        apply => sub {
            r('HSET', "${P}component:web", 'name', "\xff\xfe bad \xc3\x28");
            r('HSET', "${P}component:storage", 'description', "\xed\xa0\x80 surrogate \xc0\xaf overlong");
            r('HSET', "${P}incident:inc-pay", 'name', "cut \xe2\x82");
            r('HSET', "${P}maintenance:mnt-db", 'name', "\xf8\x88\x80\x80\x80 five bytes");
            r('LPUSH', "${P}incident:inc-api:updates",
              qq({"id":"u8","status":"investigating","body":"raw \xff\xfe","created_at":"2026-01-01T00:00:00Z"}));
            r('HSET', "${P}page", 'time_zone', "Asia/\xc0Seoul");
        },
        present => { components => [qw(api db payments)], incidents => ['inc-api'],
                     maintenances => ['mnt-net'] },
        bad => 1,
    },
    {
        name => 'NUL bytes',
        apply => sub {
            r('HSET', "${P}component:web", 'name', "ab\0cd");
            r('LPUSH', "${P}incident:inc-api:updates",
              upd(id => 'nul', body => "a\0b"));
        },
        present => { components => [qw(api storage db payments)], incidents => ['inc-api'] },
        also => sub {
            my ($doc) = @_;
            my ($web) = grep { $_->{id} eq 'web' } @{ $doc->{'components.json'}{components} };
            ok !$web || !defined $web->{name} || $web->{name} eq "ab\0cd",
                'NUL: a name is never silently truncated'
                or diag explain $web->{name};
        },
    },
    {
        name => '1 MB values',
        apply => sub {
            r('HSET', "${P}component:web", 'description', 'x' x $MB);
            r('HSET', "${P}maintenance:mnt-db", 'name', 'n' x $MB);
            r('LPUSH', "${P}incident:inc-api:updates", upd(id => 'huge', body => 'b' x $MB));
            r('HSET', "${P}incident:inc-pay", "junk$_", 'j' x 1000) for 1 .. 50;
        },
        present => { components => [qw(api storage db payments)], incidents => ['inc-api'],
                     maintenances => ['mnt-net'] },
        bad => 1,
        max_size => 900_000,
    },
    {
        name => 'wrong types of record keys',
        apply => sub {
            r('DEL', "${P}component:web");
            r('SET', "${P}component:web", 'a string');
            r('DEL', "${P}incident:inc-api");
            r('RPUSH', "${P}incident:inc-api", 'a', 'list');
            r('DEL', "${P}incident:inc-pay:updates");
            r('HSET', "${P}incident:inc-pay:updates", 'not', 'a list');
            r('DEL', "${P}maintenance:mnt-db");
            r('ZADD', "${P}maintenance:mnt-db", 1, 'zset');
        },
        present => { components => [qw(api storage db payments)], incidents => ['inc-pay'],
                     maintenances => ['mnt-net'] },
        bad => 1,
    },
    {
        name => 'wrong types of top-level keys',
        apply => sub {
            r('DEL', "${P}page", "${P}components", "${P}incidents", "${P}maintenances");
            r('SET', "${P}page", 'page as a string');
            r('HSET', "${P}components", 'api', 1);
            r('SET', "${P}incidents", 'x');
            r('RPUSH', "${P}maintenances", 'mnt-db');
        },
        # it reads as an empty page: held back (t/47-never-backwards.t)
        held => 1,
    },
    {
        name => 'dangling ids and odd scores',
        apply => sub {
            r('ZADD', "${P}components", 9, 'ghost', '-inf', 'neg-ghost');
            r('ZADD', "${P}incidents", $now, 'ghost-inc', '+inf', 'inf-ghost');
            r('ZADD', "${P}maintenances", $now, 'ghost-mnt');
        },
        present => { components => \@ALLC, incidents => [qw(inc-api inc-pay)],
                     maintenances => [qw(mnt-db mnt-net)] },
        bad => 1,
    },
    {
        name => 'odd ids',
        apply => sub {
            my @odd = (qq{we"ird\nid<>&\\}, "\xea\xb2\xb0\xec\xa0\x9c2", 'i' x 3000, 'a:b:updates');
            my $pos = 10;
            for my $id (@odd) {
                r('ZADD', "${P}components", $pos++, $id);
                r('HSET', "${P}component:$id", 'name', 'Odd', 'status', 'operational');
            }
            r('HSET', "${P}incident:inc-api", 'components', 'nope,api,,api,' . ('z' x 5000));
        },
        present => { components => \@ALLC, incidents => [qw(inc-api inc-pay)] },
    },
    {
        name => 'missing required fields',
        apply => sub {
            r('HDEL', "${P}component:web", 'status');
            r('HDEL', "${P}incident:inc-pay", 'status', 'impact');
            r('HDEL', "${P}maintenance:mnt-db", 'scheduled_for', 'scheduled_until');
            r('HSET', "${P}page", 'name', '');
        },
        present => { components => [qw(api storage db payments)], incidents => ['inc-api'],
                     maintenances => ['mnt-net'] },
        bad => 1,
    },
);

my $log_check_done;
for my $sc (@scenarios) {
    my $name = $sc->{name};
    $t->write_state(sample_state(now => $now), publish => 0);
    $sc->{apply}->();
    my $v = $t->bump;
    if ($sc->{held}) {
        ok wait_until(sub {
            $t->log_text =~ /Redis has an empty page at version $v /
        }, 15), "$name: an empty page at version $v, held back"
            or diag $t->log_tail(10);
        my (undef, $ver) = $t->ind;
        ok defined $ver && $ver < $v, "$name: the last state still served "
            . '(version ' . ($ver // 'none') . ')';
    } else {
        ok $t->wait_version($v), "$name: version $v loaded"
            or diag $t->log_tail(10);
    }
    my $doc = check_served($name, max_size => $sc->{max_size});
    expect_present($name, $doc, %{ $sc->{present} }) if $sc->{present};
    if ($sc->{bad}) {
        my $b = bad_records();
        ok defined $b && $b > 0, "$name: bad records counted (" . ($b // 'none') . ')';
    }
    $sc->{also}->($doc) if $sc->{also};

    # logged once per version: resyncs of the same bad state add no lines
    if ($sc->{bad} && !$log_check_done++) {
        my $count = sub { scalar(() = $t->log_text =~ /\[(?:warn|error)\].*status_edge/g) };
        my $n0 = $count->();
        ok $n0 > 0, "$name: the bad records are logged";
        select undef, undef, undef, 5;    # two resync intervals
        check_served("$name (after resyncs)");
        is $count->(), $n0, "$name: not logged again by the resyncs of the same version";
    }
}

# a version that is not a number, then a hand edit: still served, no crash
{
    my $name = 'non-numeric version';
    $t->write_state(sample_state(now => $now));
    r('SET', "${P}version", 'abc');
    r('HSET', "${P}page", 'name', 'Version garbage');
    r('PUBLISH', "${P}events", 'abc');
    r('PUBLISH', "${P}events", "\xff" x 100);
    for (1 .. 5) {
        check_served("$name, pass $_");
        select undef, undef, undef, 0.5;
    }
    r('SET', "${P}version", 1000);
    r('PUBLISH', "${P}events", 1000);
    ok $t->wait_version(1000), "$name: recovers once the version is a number again";
}

# clean again: no bad records
{
    my $v = $t->write_state(sample_state(now => $now));
    ok $t->wait_version($v), "clean state: version $v";
    my $doc = check_served('clean again');
    expect_present('clean again', $doc, components => \@ALLC,
        incidents => [qw(inc-api inc-pay)], maintenances => [qw(mnt-db mnt-net)]);
    is bad_records(), 0, 'clean again: no bad records';
    is $doc->{'status.json'}{page}{name}, 'Example Cloud', 'clean again: page name';
}

$t->stop;
done_testing;
