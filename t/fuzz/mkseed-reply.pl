#!/usr/bin/perl
# The seeds of fuzz_reply (t/fuzz/corpus-reply): real snapshot replies,
# read from a real Redis holding states written as the tests write them
# (the sample state, an empty page, hostile text, many resolved
# incidents), by t/fuzz/mkseed_reply.c.
#
#   perl -I t/lib t/fuzz/mkseed-reply.pl t/fuzz/corpus-reply

use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use StatusEdge::Test qw(sample_state ts);

my $out = shift or die "usage: $0 corpus-dir\n";
my $bin = "/tmp/mkseed_reply.$$";
system('cc', '-std=c99', '-D_GNU_SOURCE', '-O1', "-I$FindBin::Bin/../../src/core",
       '-o', $bin, "$FindBin::Bin/mkseed_reply.c", '-lhiredis') == 0
    or die "cannot build mkseed_reply\n";

my $t = StatusEdge::Test->new;
$t->start_redis;

sub seed {
    my ($name, $state, $control) = @_;
    $t->write_state($state);
    system($bin, $t->redis_port, 'status:', $control, "$out/$name") == 0
        or die "mkseed_reply failed for $name\n";
}

my $now = 1795272000;
seed('sample', sample_state(now => $now), 0);
seed('sample-bytes', sample_state(now => $now), 64);
seed('empty', { page => { id => 'p', name => 'Empty' }, components => [],
                incidents => [], maintenances => [] }, 7);

no warnings 'nonchar';
my $h = sample_state(now => $now);
$h->{components}[0]{name} = qq{<svg onload="x">\x{FFFE}\x{202E}&amp;]]>};
$h->{incidents}[0]{name} = qq{"><script>alert(1)</script>\x{FFFF}};
$h->{incidents}[0]{updates}[0]{body} = "line\r\nbreak\x{1}\x{85}\x{FDD0}";
$h->{incidents}[0]{shortlink} = 'javascript:alert(1)';
seed('hostile', $h, 3);

my $m = sample_state(now => $now);
for my $i (1 .. 30) {
    push @{ $m->{incidents} }, {
        id => "old-$i", name => "Resolved $i", status => 'resolved',
        impact => 'minor', created_at => ts($now - $i * 86400),
        updated_at => ts($now - $i * 86400 + 60),
        resolved_at => ts($now - $i * 86400 + 60),
        updates => [ { id => "u-$i", status => 'resolved', body => "done $i",
                       created_at => ts($now - $i * 86400 + 60) } ] };
}
seed('history', $m, 31);

$t->stop_redis;
unlink $bin;
