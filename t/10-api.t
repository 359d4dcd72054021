#!/usr/bin/perl
# Every JSON endpoint and field against Statuspage v2 semantics, with the
# sample state written by plain redis-cli (SPEC §1): page, components,
# unresolved vs resolved incidents, upcoming vs active maintenances,
# internal incidents never shown.  One block a request
# (StatusEdge::Blocks); the field-by-field comparisons with the state
# written are the subs below, which the blocks' json_check calls.

use strict;
use warnings;
use utf8;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use JSON::PP ();
use StatusEdge::Test qw(sample_state parse_ts ts json_decode);
use StatusEdge::Blocks qw(run_blocks);

binmode Test::More->builder->$_, ':encoding(UTF-8)'
    for qw(output failure_output todo_output);

my $t = StatusEdge::Test->new;
my $now = time;
my $S = sample_state(now => $now);

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

# --- everything resolved, components operational: all clear
my $S3 = sample_state(now => $now);
$_->{status} = 'operational' for @{ $S3->{components} };
$S3->{incidents}[0]{status} = 'resolved';
$S3->{incidents}[0]{resolved_at} = ts($now - 60);
$S3->{incidents}[1]{status} = 'resolved';

# the records of a state by kind and id
sub by_id {
    my ($state) = @_;
    my %by;
    for my $kind (qw(components incidents maintenances)) {
        $by{$kind}{ $_->{id} } = $_ for @{ $state->{$kind} };
    }
    return \%by;
}
my $K = by_id($S);
my $K2 = by_id($S2);

sub ids { [map { ref $_ eq 'HASH' ? $_->{id} : $_ } @{ $_[0] || [] }] }

# the ids of a document's list $key (sorted => 1: in any order)
sub ids_are {
    my ($d, $key, $want, $what, %o) = @_;
    my $got = ids($d->{$key});
    $got = [sort @$got] if $o{sorted};
    is_deeply $got, $want, $what;
}

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
    my ($c, $known, $what) = @_;
    my $w = $known->{components}{ $c->{id} // '' };
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
    my ($i, $known, $kind, $what) = @_;
    my $w = $known->{$kind}{ $i->{id} // '' };
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

sub check_components {
    my ($d, $known, $ep) = @_;
    ids_are($d, components => [qw(api web storage db payments)],
        "$ep: components in position order");
    check_component($_, $known, "$ep component $_->{id}")
        for @{ $d->{components} || [] };
}

sub check_records {
    my ($d, $known, $key, $ep) = @_;
    my $kind = $key eq 'incidents' ? 'incidents' : 'maintenances';
    check_incident($_, $known, $kind, "$ep $_->{id}") for @{ $d->{$key} || [] };
}

# a GET of an endpoint: what every document answers (a JSON object with
# the page, CORS, no internal incident), then $check->($data, $vars)
sub endpoint {
    my ($ep, $check, %more) = @_;
    my $name = $more{name} // $ep;
    return {
        name    => $name,
        request => [GET => "/api/v2/$ep"],
        status  => 200,
        headers => {
            'content-type' => qr{^application/json(?:;\s*charset=utf-8)?$}i,
            'access-control-allow-origin' => '*' },
        content_length => 1,
        json_ok => sub { ref $_[0] eq 'HASH' },
        # internal incidents never appear
        body_unlike => qr/inc-internal|upd-int-1|CI runners/,
        json_check  => sub {
            my ($d, $vars) = @_;
            $d = {} unless ref $d eq 'HASH';
            check_page($d->{page}, $name);
            $check->($d, $vars) if $check;
        },
        %more,
    };
}

run_blocks(t => $t, state => $S, nginx => {}, blocks => [
    endpoint('status.json', sub {
        is_deeply $_[0]{status},
            { indicator => 'major', description => 'Partial System Outage' },
            'status.json: indicator major (partial outage + major incident)';
    }, save => {
        status => sub { (json_decode($_[2] // '') || {})->{status} } }),

    endpoint('summary.json', sub {
        my ($d, $vars) = @_;
        check_components($d, $K, 'summary.json');
        ids_are($d, incidents => ['inc-api'],
            'summary.json: unresolved incidents only');
        check_records($d, $K, incidents => 'summary.json');
        is_deeply $d->{status}, $vars->{status},
            'summary.json: same status as status.json';
        ids_are($d, scheduled_maintenances => ['mnt-db'],
            'summary.json: upcoming and active maintenances');
    }),

    endpoint('components.json', sub {
        check_components($_[0], $K, 'components.json');
    }),

    endpoint('incidents.json', sub {
        my ($d) = @_;
        ids_are($d, incidents => [qw(inc-api inc-pay)], 'incidents.json: '
            . 'public incidents newest first (resolved included)');
        check_records($d, $K, incidents => 'incidents.json');
        # documents carry only what they are about
        ok !exists $d->{scheduled_maintenances}
            && !grep({ /^mnt-/ } @{ ids($d->{incidents}) }),
            'incidents.json: no maintenances';
    }),

    endpoint('incidents/unresolved.json', sub {
        ids_are($_[0], incidents => ['inc-api'],
            'incidents/unresolved.json: only the unresolved one');
    }),

    endpoint('scheduled-maintenances.json', sub {
        my ($d) = @_;
        ids_are($d, scheduled_maintenances => [qw(mnt-db mnt-net)],
            'scheduled-maintenances.json: all, newest first');
        check_records($d, $K, scheduled_maintenances =>
            'scheduled-maintenances.json');
    }),

    endpoint('scheduled-maintenances/upcoming.json', sub {
        ids_are($_[0], scheduled_maintenances => ['mnt-db'],
            'upcoming: the scheduled one');
    }),

    endpoint('scheduled-maintenances/active.json', sub {
        ids_are($_[0], scheduled_maintenances => [], 'active: none');
    }),

    # S2: in progress and verifying are active, completed is neither
    endpoint('scheduled-maintenances/active.json', sub {
        ids_are($_[0], scheduled_maintenances => [qw(mnt-db mnt-verify)],
            'active: in_progress and verifying', sorted => 1);
    }, name => 'S2 active.json', state => $S2),

    endpoint('scheduled-maintenances/upcoming.json', sub {
        ids_are($_[0], scheduled_maintenances => ['mnt-later'],
            'upcoming: the scheduled one');
    }, name => 'S2 upcoming.json'),

    endpoint('scheduled-maintenances.json', sub {
        my ($d) = @_;
        ids_are($d, scheduled_maintenances =>
            [qw(mnt-later mnt-db mnt-verify mnt-net)],
            'scheduled-maintenances.json: all four, newest scheduled_for '
            . 'first');
        check_records($d, $K2, scheduled_maintenances =>
            'scheduled-maintenances.json');
    }, name => 'S2 scheduled-maintenances.json'),

    endpoint('summary.json', sub {
        my ($d) = @_;
        ids_are($d, scheduled_maintenances => [qw(mnt-db mnt-later mnt-verify)],
            'summary.json: upcoming and active, not completed', sorted => 1);
        is $d->{status}{indicator}, 'major',
            'summary.json: indicator still major';
    }, name => 'S2 summary.json'),

    # S3: everything resolved, components operational: all clear
    endpoint('status.json', sub {
        is_deeply $_[0]{status},
            { indicator => 'none', description => 'All Systems Operational' },
            'all resolved: none / All Systems Operational';
    }, name => 'S3 status.json', state => $S3),

    endpoint('incidents/unresolved.json', sub {
        ids_are($_[0], incidents => [], 'unresolved: empty array');
    }, name => 'S3 unresolved.json'),

    endpoint('incidents.json', sub {
        my ($d) = @_;
        ids_are($d, incidents => [qw(inc-api inc-pay)],
            'incidents.json: both resolved ones');
        same_time($d->{incidents}[0]{resolved_at}, ts($now - 60),
            'inc-api resolved_at');
    }, name => 'S3 incidents.json'),
]);

done_testing;
