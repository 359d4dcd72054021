#!/usr/bin/perl
# What the snapshot reads is bounded, and never at the cost of what is
# open (issue 12, defects 1 and 9).
#
# 1. An unresolved incident followed by 205 newer resolved ones, and an
#    in-progress gated maintenance followed by 205 newer completed ones,
#    with 230 components: before the fix the script read the 200 newest
#    members of each sorted set, so the open incident vanished from
#    unresolved.json, the banner and the status page, the gate opened and
#    30 components were gone, without a log line.  Now every component,
#    the open incident and the active maintenance are read, only resolved
#    history past 200 is left out, and that is logged and counted
#    (status_edge_trimmed_records).
#
# 2. Huge values: a field of 1 MiB, a hash with 5,000 fields and an update
#    list of 20,000 updates of 1 KiB are not read whole: the load stays
#    small (the oversized field is refused by name, the hash is read by
#    its known fields, at most 100 updates are read) and the rest of the
#    state is served.

use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use StatusEdge::Test qw(sample_state wait_until ts json_decode);

my $now = time;

sub resolved_incident {
    my ($i) = @_;
    return { id => sprintf('old-%03d', $i), name => "Old incident $i",
        status => 'resolved', impact => 'minor',
        created_at => ts($now - 86400 + $i * 60),
        resolved_at => ts($now - 86400 + $i * 60 + 30),
        updated_at => ts($now - 86400 + $i * 60 + 30),
        updates => [ { id => "u-old-$i", status => 'resolved',
            body => "Fixed $i.", created_at => ts($now - 86400 + $i * 60) } ] };
}

sub completed_maintenance {
    my ($i) = @_;
    return { id => sprintf('done-%03d', $i), name => "Old window $i",
        status => 'completed', impact => 'maintenance',
        created_at => ts($now - 2 * 86400),
        scheduled_for => ts($now + 3600 + $i * 60),
        scheduled_until => ts($now + 3600 + $i * 60 + 30),
        updated_at => ts($now - 2 * 86400),
        updates => [] };
}

sub servers {
    my ($t) = @_;
    my $root = $t->prefix . '/html';
    mkdir $root;
    open my $fh, '>', "$root/gated" or die "$root/gated: $!";
    print $fh "app\n";
    close $fh;
    return $t->server_conf(extra => <<"EOF");
        location = /banner {
            status_edge_banner on;
            default_type text/html;
            return 200 "<html><head></head><body>app</body></html>";
        }
        location = /gated {
            status_edge_gate on;
            root $root;
        }
        location /status/ {
            status_edge_status_page;
        }
EOF
}

# --------------------------------------------------------------------------
# 1. open records behind a long resolved history
{
    my $t = StatusEdge::Test->new;
    $t->start_redis;

    my $s = sample_state(now => $now);
    $s->{incidents} = [
        { id => 'open-one', name => 'Checkout is failing',
          status => 'investigating', impact => 'major',
          created_at => ts($now - 2 * 86400),
          updated_at => ts($now - 2 * 86400),
          components => 'api',
          updates => [ { id => 'u-open', status => 'investigating',
              body => 'We are looking into checkout errors.',
              created_at => ts($now - 2 * 86400) } ] },
        map { resolved_incident($_) } 1 .. 205 ];
    $s->{maintenances} = [
        { id => 'active-one', name => 'Database failover drill',
          status => 'in_progress', impact => 'maintenance', gate => 'on',
          created_at => ts($now - 3 * 86400),
          scheduled_for => ts($now - 600),
          scheduled_until => ts($now + 3600),
          updated_at => ts($now - 600),
          updates => [ { id => 'u-active', status => 'in_progress',
              body => 'The drill has started.',
              created_at => ts($now - 600) } ] },
        map { completed_maintenance($_) } 1 .. 205 ];
    my @comps = @{ $s->{components} };
    for my $i (1 .. 225) {
        push @comps, { id => sprintf('c%03d', $i), position => 10 + $i,
            name => "Region $i", status => 'operational',
            only_show_if_degraded => 0, updated_at => ts($now - 86400) };
    }
    $s->{components} = \@comps;

    my $v = $t->write_state($s);
    $t->start_nginx(servers => servers($t));
    ok $t->wait_version($v), "state $v loaded" or diag $t->log_tail;

    my ($st, $h, $body) = $t->http(GET => '/api/v2/incidents/unresolved.json');
    is $st, 200, 'unresolved.json';
    my $doc = json_decode($body);
    is_deeply [ map { $_->{id} } @{ $doc->{incidents} } ], ['open-one'],
        'the open incident behind 205 newer resolved ones is unresolved';

    ($st, $h, $body) = $t->http(GET => '/api/v2/components.json');
    $doc = json_decode($body);
    is scalar(@{ $doc->{components} }), scalar(@comps),
        'every one of ' . scalar(@comps) . ' components is read';

    ($st, $h, $body) = $t->http(GET => '/api/v2/scheduled-maintenances/active.json');
    $doc = json_decode($body);
    is_deeply [ map { $_->{id} } @{ $doc->{scheduled_maintenances} } ],
        ['active-one'], 'the in-progress maintenance is active';

    ($st, $h, $body) = $t->http(GET => '/banner');
    like $body, qr/Checkout is failing/, 'the banner names the open incident';

    ($st, $h, $body) = $t->http(GET => '/gated');
    is $st, 503, 'the gate stays closed for the in-progress maintenance'
        or diag "$st $body";

    ($st, $h, $body) = $t->http(GET => '/status/');
    is $st, 200, 'status page';
    like $body, qr/Checkout is failing/, 'the status page shows it';

    my $m = $t->metrics;
    is StatusEdge::Test::metric($m, 'status_edge_trimmed_records'), 10,
        'the 5 + 5 records past the history cap are counted';
    like $t->log_text,
        qr/page "status:" version $v: 5 resolved incidents and 5 completed maintenances left out/,
        'and logged';
    $t->stop;
}

# --------------------------------------------------------------------------
# 2. huge values are not read whole
{
    my $t = StatusEdge::Test->new;
    $t->start_redis;
    my $v = $t->write_state(sample_state(now => $now));

    # a 1 MiB description, a hash of 5,000 fields, 20,000 updates of 1 KiB
    $t->redis('HSET', 'status:component:web', 'description', 'x' x (1 << 20));
    my @f = map { ("junk$_", 'y' x 16) } 1 .. 5000;
    while (my @chunk = splice @f, 0, 1000) {
        $t->redis('HSET', 'status:component:storage', @chunk);
    }
    my $upd = '{"id":"u-big","status":"identified","body":"'
        . ('z' x 1000) . '","created_at":"' . ts($now - 60) . '"}';
    for (1 .. 20) {
        $t->redis('RPUSH', 'status:incident:inc-api:updates', ($upd) x 1000);
    }
    $v = $t->redis('INCR', 'status:version');

    $t->start_nginx(servers => servers($t));
    ok $t->wait_version($v), "state $v with huge values loaded"
        or diag $t->log_tail;

    my ($st, $h, $body) = $t->http(GET => '/api/v2/components.json');
    is $st, 200, 'components.json';
    my %c = map { $_->{id} => $_ } @{ json_decode($body)->{components} };
    ok $c{web}, 'the component with the 1 MiB description is kept';
    cmp_ok length($c{web}{description} // ''), '<', 65536,
        'without the oversized description';
    is $c{storage}{name}, 'Storage', 'the 5,000-field hash: known fields read';
    ok !exists $c{storage}{junk1}, 'and nothing else';

    ($st, $h, $body) = $t->http(GET => '/api/v2/incidents/unresolved.json');
    my ($inc) = grep { $_->{id} eq 'inc-api' } @{ json_decode($body)->{incidents} };
    ok $inc, 'the incident with 20,000 updates is kept';
    cmp_ok scalar(@{ $inc->{incident_updates} }), '<=', 100,
        'at most 100 of its updates are read';

    like $t->log_text, qr/description.*(?:oversize|too long|65536)/i,
        'the oversized field is named in the log';
    like $t->log_text, qr/: 2 records with more than 64 fields or over 65536 bytes/,
        'the hash read by its known fields is logged' or diag $t->log_tail;
    $t->stop;
}

done_testing;
