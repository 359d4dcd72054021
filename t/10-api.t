#!/usr/bin/perl
# Every JSON endpoint and field against Statuspage v2 semantics, with the
# sample state written by plain redis-cli (SPEC §1): page, components,
# unresolved vs resolved incidents, upcoming vs active maintenances,
# internal incidents never shown.

use strict;
use warnings;
use utf8;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use JSON::PP ();
use StatusEdge::Test qw(sample_state parse_ts ts);

binmode Test::More->builder->$_, ':encoding(UTF-8)'
    for qw(output failure_output todo_output);

my @ENDPOINTS = qw(status.json summary.json components.json incidents.json
    incidents/unresolved.json scheduled-maintenances.json
    scheduled-maintenances/upcoming.json scheduled-maintenances/active.json);

my $t = StatusEdge::Test->new;
$t->start_redis;
my $now = time;
my $S = sample_state(now => $now);
my $v = $t->write_state($S);
$t->start_nginx;
ok $t->wait_version($v), "every worker serves version $v";

my %by_id;
for my $kind (qw(components incidents maintenances)) {
    $by_id{$kind}{ $_->{id} } = $_ for @{ $S->{$kind} };
}

sub ids { [map { ref $_ eq 'HASH' ? $_->{id} : $_ } @{ $_[0] || [] }] }

sub same_time {
    my ($got, $want, $name) = @_;
    if (!defined $want) {
        ok !defined $got, "$name is null" or diag "got $got";
        return;
    }
    my $g = parse_ts($got);
    ok defined $g && $g == parse_ts($want), "$name = $want"
        or diag 'got ' . ($got // 'null');
}

sub check_page {
    my ($page, $what) = @_;
    ok ref $page eq 'HASH', "$what: page object" or return;
    is $page->{id}, $S->{page}{id}, "$what: page.id";
    is $page->{name}, $S->{page}{name}, "$what: page.name";
    is $page->{url}, $S->{page}{url}, "$what: page.url";
    is $page->{time_zone}, $S->{page}{time_zone}, "$what: page.time_zone";
    ok defined parse_ts($page->{updated_at}), "$what: page.updated_at is RFC 3339"
        or diag $page->{updated_at} // 'null';
}

sub check_component {
    my ($c, $what) = @_;
    my $w = $by_id{components}{ $c->{id} // '' };
    ok $w, "$what: known component id " . ($c->{id} // 'null') or return;
    is $c->{name}, $w->{name}, "$what: name";
    is $c->{status}, $w->{status}, "$what: status";
    is $c->{description}, $w->{description}, "$what: description";
    ok !ref $c->{position} && $c->{position} =~ /^\d+$/ && $c->{position} == $w->{position},
        "$what: position is the number $w->{position}"
        or diag explain $c->{position};
    is $c->{group_id}, $w->{group_id}, "$what: group_id";
    ok JSON::PP::is_bool($c->{only_show_if_degraded}), "$what: only_show_if_degraded is a boolean";
    is !!$c->{only_show_if_degraded}, !!$w->{only_show_if_degraded},
        "$what: only_show_if_degraded value";
    same_time($c->{updated_at}, $w->{updated_at}, "$what: updated_at");
}

my @INC_TIMES = qw(created_at updated_at monitoring_at resolved_at next_update_at);

sub check_incident {
    my ($i, $kind, $what) = @_;
    my $w = $by_id{$kind}{ $i->{id} // '' };
    ok $w, "$what: known id " . ($i->{id} // 'null') or return;
    for my $f (qw(name status impact shortlink postmortem_url)) {
        is $i->{$f}, $w->{$f}, "$what: $f";
    }
    same_time($i->{$_}, $w->{$_}, "$what: $_") for @INC_TIMES;
    if ($kind eq 'maintenances') {
        same_time($i->{$_}, $w->{$_}, "$what: $_") for qw(scheduled_for scheduled_until);
    }
    # components: full component objects for the listed ids
    my @want_c = split /,/, $w->{components} // '';
    ok ref $i->{components} eq 'ARRAY', "$what: components is an array" or return;
    is_deeply [sort @{ ids($i->{components}) }], [sort @want_c], "$what: component ids";
    for my $c (@{ $i->{components} }) {
        ok ref $c eq 'HASH' && defined $c->{name} && defined $c->{status},
            "$what: component $c->{id} is an object with name and status";
    }
    # updates, newest first
    my $u = $i->{incident_updates};
    ok ref $u eq 'ARRAY', "$what: incident_updates is an array" or return;
    is_deeply ids($u), [map { $_->{id} } @{ $w->{updates} }], "$what: update ids newest first";
    for my $k (0 .. $#{ $w->{updates} }) {
        my ($gu, $wu) = ($u->[$k], $w->{updates}[$k]);
        next unless $gu;
        is $gu->{status}, $wu->{status}, "$what: update $wu->{id} status";
        is $gu->{body}, $wu->{body}, "$what: update $wu->{id} body";
        same_time($gu->{created_at}, $wu->{created_at}, "$what: update $wu->{id} created_at");
        same_time($gu->{display_at}, $wu->{display_at} // $wu->{created_at},
            "$what: update $wu->{id} display_at");
    }
}

my %doc;
my %raw;
for my $ep (@ENDPOINTS) {
    my ($st, $h, $data, $body) = $t->get_json("/api/v2/$ep");
    is $st, 200, "$ep: 200";
    like $h->{'content-type'} // '', qr{^application/json(?:;\s*charset=utf-8)?$}i,
        "$ep: application/json";
    is $h->{'access-control-allow-origin'}, '*', "$ep: CORS";
    ok ref $data eq 'HASH', "$ep: a JSON object" or diag $body;
    is $h->{'content-length'}, length $body, "$ep: Content-Length matches"
        if defined $h->{'content-length'};
    $doc{$ep} = $data || {};
    $raw{$ep} = $body // '';
    check_page($doc{$ep}{page}, $ep);
}

# status.json
is_deeply $doc{'status.json'}{status},
    { indicator => 'major', description => 'Partial System Outage' },
    'status.json: indicator major (partial outage + major incident)';

# components
for my $ep ('summary.json', 'components.json') {
    my $cs = $doc{$ep}{components};
    is_deeply ids($cs), [qw(api web storage db payments)], "$ep: components in position order";
    check_component($_, "$ep component $_->{id}") for @{ $cs || [] };
}

# incidents
is_deeply ids($doc{'incidents.json'}{incidents}), [qw(inc-api inc-pay)],
    'incidents.json: public incidents newest first (resolved included)';
is_deeply ids($doc{'incidents/unresolved.json'}{incidents}), ['inc-api'],
    'incidents/unresolved.json: only the unresolved one';
is_deeply ids($doc{'summary.json'}{incidents}), ['inc-api'],
    'summary.json: unresolved incidents only';
check_incident($_, 'incidents', "incidents.json $_->{id}")
    for @{ $doc{'incidents.json'}{incidents} || [] };
check_incident($_, 'incidents', "summary.json $_->{id}")
    for @{ $doc{'summary.json'}{incidents} || [] };
is_deeply $doc{'summary.json'}{status}, $doc{'status.json'}{status},
    'summary.json: same status as status.json';

# maintenances
is_deeply ids($doc{'scheduled-maintenances.json'}{scheduled_maintenances}),
    [qw(mnt-db mnt-net)], 'scheduled-maintenances.json: all, newest first';
is_deeply ids($doc{'scheduled-maintenances/upcoming.json'}{scheduled_maintenances}),
    ['mnt-db'], 'upcoming: the scheduled one';
is_deeply ids($doc{'scheduled-maintenances/active.json'}{scheduled_maintenances}),
    [], 'active: none';
is_deeply ids($doc{'summary.json'}{scheduled_maintenances}), ['mnt-db'],
    'summary.json: upcoming and active maintenances';
check_incident($_, 'maintenances', "scheduled-maintenances.json $_->{id}")
    for @{ $doc{'scheduled-maintenances.json'}{scheduled_maintenances} || [] };

# documents carry only what they are about
ok !exists $doc{'incidents.json'}{scheduled_maintenances}
    && !grep({ /^mnt-/ } @{ ids($doc{'incidents.json'}{incidents}) }),
    'incidents.json: no maintenances';

# internal incidents never appear
for my $ep (@ENDPOINTS) {
    unlike $raw{$ep}, qr/inc-internal|upd-int-1|CI runners/, "$ep: no internal incident";
}

# --- maintenance in progress / verifying: active; completed: neither
my $S2 = sample_state(now => $now);
$S2->{maintenances}[0]{status} = 'in_progress';
$S2->{maintenances}[0]{scheduled_for} = ts($now - 600);
$S2->{maintenances}[0]{scheduled_until} = ts($now + 3600);
unshift @{ $S2->{maintenances}[0]{updates} },
    { id => 'upd-mnt-2', status => 'in_progress', body => 'Started.',
      created_at => ts($now - 600) };
push @{ $S2->{maintenances} },
    { id => 'mnt-verify', name => 'Cache migration', status => 'verifying',
      impact => 'maintenance', created_at => ts($now - 7200),
      updated_at => ts($now - 300), scheduled_for => ts($now - 3600),
      scheduled_until => ts($now - 300), components => 'web',
      updates => [{ id => 'upd-v-1', status => 'verifying',
                    body => 'Verifying.', created_at => ts($now - 300) }] },
    { id => 'mnt-later', name => 'Later work', status => 'scheduled',
      impact => 'maintenance', created_at => ts($now - 7200),
      updated_at => ts($now - 7200), scheduled_for => ts($now + 10 * 86400),
      scheduled_until => ts($now + 10 * 86400 + 3600), components => 'web',
      updates => [] };
%by_id = ();
$by_id{components}{ $_->{id} } = $_ for @{ $S2->{components} };
$by_id{maintenances}{ $_->{id} } = $_ for @{ $S2->{maintenances} };
$by_id{incidents}{ $_->{id} } = $_ for @{ $S2->{incidents} };
$v = $t->write_state($S2);
ok $t->wait_version($v), "every worker serves version $v";

my (undef, undef, $act) = $t->get_json('/api/v2/scheduled-maintenances/active.json');
is_deeply [sort @{ ids($act->{scheduled_maintenances}) }], [qw(mnt-db mnt-verify)],
    'active: in_progress and verifying';
my (undef, undef, $up) = $t->get_json('/api/v2/scheduled-maintenances/upcoming.json');
is_deeply ids($up->{scheduled_maintenances}), ['mnt-later'], 'upcoming: the scheduled one';
my (undef, undef, $all) = $t->get_json('/api/v2/scheduled-maintenances.json');
is_deeply ids($all->{scheduled_maintenances}),
    [qw(mnt-later mnt-db mnt-verify mnt-net)],
    'scheduled-maintenances.json: all four, newest scheduled_for first';
check_incident($_, 'maintenances', "scheduled-maintenances.json $_->{id}")
    for @{ $all->{scheduled_maintenances} || [] };
my (undef, undef, $sum) = $t->get_json('/api/v2/summary.json');
is_deeply [sort @{ ids($sum->{scheduled_maintenances}) }],
    [qw(mnt-db mnt-later mnt-verify)], 'summary.json: upcoming and active, not completed';
is $sum->{status}{indicator}, 'major', 'summary.json: indicator still major';

# --- everything resolved, components operational: all clear
my $S3 = sample_state(now => $now);
$_->{status} = 'operational' for @{ $S3->{components} };
$S3->{incidents}[0]{status} = 'resolved';
$S3->{incidents}[0]{resolved_at} = ts($now - 60);
$S3->{incidents}[1]{status} = 'resolved';
$v = $t->write_state($S3);
ok $t->wait_version($v), "every worker serves version $v";
my (undef, undef, $st) = $t->get_json('/api/v2/status.json');
is_deeply $st->{status}, { indicator => 'none', description => 'All Systems Operational' },
    'all resolved: none / All Systems Operational';
my (undef, undef, $unr) = $t->get_json('/api/v2/incidents/unresolved.json');
is_deeply ids($unr->{incidents}), [], 'unresolved: empty array';
my (undef, undef, $inc) = $t->get_json('/api/v2/incidents.json');
is_deeply ids($inc->{incidents}), [qw(inc-api inc-pay)], 'incidents.json: both resolved ones';
same_time($inc->{incidents}[0]{resolved_at}, ts($now - 60), 'inc-api resolved_at');

$t->stop;
done_testing;
