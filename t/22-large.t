#!/usr/bin/perl
# A large valid state (a snapshot reply of about half a megabyte, many
# reads for hiredis) is loaded whole: every record and every byte.

use strict;
use warnings;
use utf8;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use StatusEdge::Test qw(ts);

my $now = time;
my $NC = 40;
my $NI = 40;
my $NU = 5;

my $S = {
    page => { id => 'big', name => 'Big Page', url => 'https://big.example.com',
              time_zone => 'UTC' },
    components => [map {
        { id => "c$_", position => $_, name => "Component $_ 구성요소",
          status => 'operational', description => "Description $_ " . ('d' x 200) }
    } 1 .. $NC],
    maintenances => [],
};
for my $i (1 .. $NI) {
    my $created = $now - 86400 * $i;
    push @{ $S->{incidents} }, {
        id => "inc$i", name => "Incident $i 장애", status => 'resolved', impact => 'minor',
        created_at => ts($created), updated_at => ts($created + 3600),
        resolved_at => ts($created + 3600),
        components => join(',', map { "c$_" } 1 .. 10),
        updates => [map {
            my $u = $NU - $_ + 1;
            { id => "inc$i-u$u", status => $u == $NU ? 'resolved' : 'investigating',
              body => "Update $u of incident $i: " . ("본문 text $i.$u " x 120),
              created_at => ts($created + $u * 60) }
        } 1 .. $NU],
    };
}

my $t = StatusEdge::Test->new;
$t->start_redis;
my $v = $t->write_state($S, via => 'resp');
$t->start_nginx;
ok $t->wait_version($v), "large state (version $v) loaded";

my ($st, $h, $d, $body) = $t->get_json('/api/v2/incidents.json');
is $st, 200, 'incidents.json 200';
ok length($body) > 300_000, 'a large document (' . length($body) . ' bytes)';
my @inc = @{ $d->{incidents} || [] };
is scalar @inc, $NI, "all $NI incidents";
my $bad = 0;
for my $k (0 .. $#inc) {
    my $w = $S->{incidents}[$k];
    my $g = $inc[$k];
    $bad++, diag("incident $k: id $g->{id}") if $g->{id} ne $w->{id};
    $bad++, diag("incident $k: name") if $g->{name} ne $w->{name};
    my @u = @{ $g->{incident_updates} || [] };
    $bad++, diag("incident $k: " . @u . ' updates') if @u != $NU;
    for my $j (0 .. $#u) {
        $bad++, diag("incident $k update $j body") if $u[$j]{body} ne $w->{updates}[$j]{body};
    }
    $bad++, diag("incident $k components") if @{ $g->{components} || [] } != 10;
}
is $bad, 0, 'every incident, update body and component intact';

(undef, undef, $d) = $t->get_json('/api/v2/components.json');
is scalar @{ $d->{components} || [] }, $NC, "all $NC components";
is $d->{components}[-1]{description}, $S->{components}[-1]{description}, 'last description';

# and a change to it still arrives
$S->{incidents}[0]{updates}[0]{body} = 'Edited: ' . ('짧은 ' x 500);
$v = $t->write_state($S, via => 'resp');
ok $t->wait_version($v), "changed large state (version $v) loaded";
(undef, undef, $d) = $t->get_json('/api/v2/incidents.json');
is $d->{incidents}[0]{incident_updates}[0]{body}, $S->{incidents}[0]{updates}[0]{body},
    'edited body served';

my $m = $t->metrics;
is StatusEdge::Test::metric($m, 'status_edge_bad_records', page => 'status:'), 0,
    'no bad records';

$t->stop;
done_testing;
