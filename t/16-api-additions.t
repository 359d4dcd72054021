#!/usr/bin/perl
# The additions to the Statuspage fields that the widget makes its banner
# choice from (docs/directives.md, "JSON additions"), through nginx: the
# banner flag on incidents and maintenances, banner_lead on maintenances,
# name_translations and body_translations only when there is one.  The
# state is written as a plain Redis writer does (SPEC §1).  One block a
# request (StatusEdge::Blocks); the other documents are compared with the
# summary's objects.

use strict;
use warnings;
use utf8;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use JSON::PP ();
use StatusEdge::Test qw(ts json_decode);
use StatusEdge::Blocks qw(run_blocks);

binmode Test::More->builder->$_, ':encoding(UTF-8)'
    for qw(output failure_output todo_output);

my $now = time;
my $h = 3600;

my $t = StatusEdge::Test->new;
my $S = {
    page => { id => 'addpage', name => 'Example', url => 'https://s.example' },
    components => [
        { id => 'api', position => 1, name => 'API', status => 'major_outage' },
    ],
    incidents => [
        { id => 'inc-on', name => 'Login errors', 'name.ko' => '로그인 오류',
          'name.JA' => 'ログインエラー',
          status => 'identified', impact => 'major',
          created_at => ts($now - $h), updated_at => ts($now - 60),
          updates => [
              { id => 'u2', status => 'identified', body => 'Found it.',
                created_at => ts($now - 60) },
              { id => 'u1', status => 'investigating', body => 'Looking.',
                'body.ko' => '조사 중입니다.', created_at => ts($now - $h) },
          ] },
        { id => 'inc-off', name => 'Quiet outage', status => 'investigating',
          impact => 'critical', banner => 'off',
          created_at => ts($now - 2 * $h),
          updates => [
              { id => 'q1', status => 'investigating', body => 'Hidden.',
                created_at => ts($now - 2 * $h) },
          ] },
    ],
    maintenances => [
        { id => 'mnt-lead', name => 'DB upgrade', 'name.ko' => 'DB 업그레이드',
          status => 'scheduled', impact => 'maintenance',
          banner_lead => 3600,
          scheduled_for => ts($now + 2 * $h),
          scheduled_until => ts($now + 3 * $h) },
        { id => 'mnt-default', name => 'Network', status => 'scheduled',
          impact => 'maintenance',
          scheduled_for => ts($now + 5 * $h),
          scheduled_until => ts($now + 6 * $h) },
        { id => 'mnt-off', name => 'Silent work', status => 'in_progress',
          impact => 'maintenance', banner => 'off', banner_lead => 0,
          scheduled_for => ts($now - $h),
          scheduled_until => ts($now + $h) },
    ],
};

sub by_id {
    my ($list) = @_;
    return { map { $_->{id} => $_ } @{ $list || [] } };
}

# a GET of an endpoint: a JSON object, then $check->($data, $body, $vars)
sub endpoint {
    my ($ep, $check, %more) = @_;
    return {
        name    => $ep,
        request => [GET => "/api/v2/$ep"],
        status  => 200,
        json_ok => sub { ref $_[0] eq 'HASH' },
        check   => sub {
            my (undef, undef, $body, $vars) = @_;
            my $d = json_decode($body // '');
            $check->(ref $d eq 'HASH' ? $d : {}, $body // '', $vars);
        },
        %more,
    };
}

# the same object as the summary's
sub same_as_summary {
    my ($key, $kind, $id, $what) = @_;
    return sub {
        my ($doc, undef, $vars) = @_;
        is_deeply by_id($doc->{$key})->{$id}, $vars->{$kind}{$id}, $what;
    };
}

my $cli = $ENV{STATUS_EDGE_CLI} || "$FindBin::Bin/../build/status-edge";

run_blocks(t => $t, state => $S, nginx => {}, blocks => [
    endpoint('summary.json', sub {
        my ($sum, $raw, $vars) = @_;
        my $inc = $vars->{incidents} = by_id($sum->{incidents});
        my $mnt = $vars->{maintenances} = by_id($sum->{scheduled_maintenances});

        is_deeply [sort keys %$inc], [qw(inc-off inc-on)],
            'summary: both unresolved incidents (banner off is no filter of '
            . 'the API)';
        is_deeply [sort keys %$mnt], [qw(mnt-default mnt-lead mnt-off)],
            'summary: every upcoming and active maintenance';

        # banner: always there, a JSON boolean
        for my $id (qw(inc-on inc-off)) {
            ok JSON::PP::is_bool($inc->{$id}{banner}),
                "$id: banner is a boolean";
        }
        ok $inc->{'inc-on'}{banner}, 'inc-on: banner true (the default)';
        ok !$inc->{'inc-off'}{banner}, 'inc-off: banner false ("banner off")';
        ok !exists $inc->{'inc-on'}{banner_lead}, 'incidents: no banner_lead';
        like $raw, qr/"id":"inc-off".*?"banner":false/,
            'raw: "banner":false';

        for my $id (qw(mnt-lead mnt-default mnt-off)) {
            ok JSON::PP::is_bool($mnt->{$id}{banner}),
                "$id: banner is a boolean";
        }
        ok $mnt->{'mnt-lead'}{banner} && $mnt->{'mnt-default'}{banner},
            'maintenances: banner true by default';
        ok !$mnt->{'mnt-off'}{banner}, 'mnt-off: banner false';
        is $mnt->{'mnt-lead'}{banner_lead}, 3600, 'mnt-lead: banner_lead 3600';
        is $mnt->{'mnt-default'}{banner_lead}, 86400,
            'mnt-default: banner_lead 86400 by default';
        is $mnt->{'mnt-off'}{banner_lead}, 0, 'mnt-off: banner_lead 0 as set';
        like $raw, qr/"banner_lead":3600[,}]/,
            'raw: banner_lead is a JSON number';

        # translations: lowercase tags, only when present
        is_deeply $inc->{'inc-on'}{name_translations},
            { ko => '로그인 오류', ja => 'ログインエラー' },
            'inc-on: name_translations (tags in lowercase)';
        is $inc->{'inc-on'}{name}, 'Login errors',
            'inc-on: name is the base text';
        ok !exists $inc->{'inc-off'}{name_translations},
            'inc-off: no name_translations key without a translation';
        is_deeply $mnt->{'mnt-lead'}{name_translations}, { ko => 'DB 업그레이드' },
            'mnt-lead: name_translations';
        ok !exists $mnt->{'mnt-default'}{name_translations},
            'mnt-default: no name_translations key';

        my $ups = $inc->{'inc-on'}{incident_updates} || [];
        is_deeply [map { $_->{id} } @$ups], [qw(u2 u1)], 'inc-on: updates';
        ok !exists $ups->[0]{body_translations},
            'u2: no body_translations key without a translation';
        is_deeply $ups->[1]{body_translations}, { ko => '조사 중입니다.' },
            'u1: body_translations';
        is $ups->[1]{body}, 'Looking.', 'u1: body is the base text';
    }),

    # the other documents carry the same objects
    endpoint('incidents.json', same_as_summary(
        incidents => incidents => 'inc-on',
        'incidents.json: the same inc-on')),
    endpoint('incidents/unresolved.json', same_as_summary(
        incidents => incidents => 'inc-off',
        'unresolved.json: the same inc-off')),
    endpoint('scheduled-maintenances.json', same_as_summary(
        scheduled_maintenances => maintenances => 'mnt-lead',
        'scheduled-maintenances.json: the same mnt-lead')),
    endpoint('scheduled-maintenances/upcoming.json', same_as_summary(
        scheduled_maintenances => maintenances => 'mnt-default',
        'upcoming.json: the same mnt-default')),
    endpoint('scheduled-maintenances/active.json', same_as_summary(
        scheduled_maintenances => maintenances => 'mnt-off',
        'active.json: the same mnt-off')),

    # a change through the admin tool shows up: banner back on
    endpoint('incidents/unresolved.json', sub {
        my $off = by_id($_[0]{incidents})->{'inc-off'} || {};
        ok JSON::PP::is_bool($off->{banner}) && $off->{banner},
            'inc-off: banner true after "incident update --banner on"';
    }, name => 'after the CLI change', before => sub {
        my $v = $t->redis('GET', 'status:version');
        system($cli, '--redis', 'redis://127.0.0.1:' . $t->redis_port . '/0',
               'incident', 'update', 'inc-off', '--banner', 'on') == 0
            or diag "status-edge exited $?";
        ok $t->wait_version($v + 1), 'the CLI change is served';
    }),
]);

done_testing;
