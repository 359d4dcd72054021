#!/usr/bin/perl
# Pages in flight while the state changes under them and nginx reloads:
# every answer is the page untouched or the page with exactly one banner
# right after the body tag, complete; nothing in error.log.  (Run under
# `make test-asan` this is where a banner freed too early would show.)

use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Time::HiRes qw(time sleep);
use POSIX qw(WNOHANG);
use StatusEdge::Test qw(sample_state ts);
use StatusEdge::Upstream qw(banner_env banner_count inserted_at http_parallel);

my $S = sample_state();
my ($t, $up, $v) = banner_env(state => $S, locations => <<'EOF');
        location /off/ {
            proxy_pass http://UPSTREAM/;
            proxy_buffering off;
            status_edge_banner on;
        }
        location /on/ {
            proxy_pass http://UPSTREAM/;
            status_edge_banner on;
        }
EOF

my $head = '<!DOCTYPE html><html><head><title>stress</title></head><bo';
my $tail = 'dy class="s">' . ('<p>' . ('s' x 200) . "</p>\n") x 300 . '</body></html>';
my $page = $head . $tail;
my $pos = length($head) + length('dy class="s">');
# the tag split across two writes 0.4 s apart: the banner is chosen at the
# header, inserted after the state may have changed
$up->route('/p', headers => ['Content-Type' => 'text/html'],
    body => [$head, $tail], delay => 0.4, head_delay => 0);

# a writer flipping the state: incident open with a new update, resolved,
# open again ... every 0.1 s, for the whole run
my $writer = fork // die "fork: $!";
if (!$writer) {
    my $deadline = time + 6;
    my $i = 0;
    while (time < $deadline) {
        $i++;
        my $inc = $S->{incidents}[0];
        $inc->{status} = $i % 3 == 0 ? 'resolved' : 'identified';
        $inc->{name} = "Flip $i";
        unshift @{ $inc->{updates} }, { id => "upd-flip-$i", status => $inc->{status},
            body => "Update number $i", created_at => ts(time) };
        splice @{ $inc->{updates} }, 5 if @{ $inc->{updates} } > 5;
        eval { $t->write_state($S, via => 'resp') };
        sleep 0.1;
    }
    POSIX::_exit(0);
}

my (%kinds, @bad);
my $check = sub {
    my ($res) = @_;
    for my $r (@$res) {
        my ($st, $h, $body) = @$r;
        if (!defined $st || $st != 200) {
            push @bad, 'status ' . ($st // $h->{_error});
        } elsif ($body eq $page) {
            $kinds{none}++;
        } else {
            my $ins = inserted_at($body, $page, $pos);
            if (defined $ins && banner_count($ins) == 1 && $ins =~ /Flip \d+|Elevated API/) {
                $kinds{banner}++;
            } else {
                push @bad, length($body) . ' bytes, ' . banner_count($body) . ' banners: '
                    . substr($body, 0, 200);
            }
        }
    }
};

my $t0 = time;
my $reloaded = 0;
while (time - $t0 < 5) {
    my @reqs = map { [GET => ($_ % 2 ? '/off/p' : '/on/p'),
        headers => [$_ % 3 ? () : ('Accept-Language' => 'ko')]] } 1 .. 24;
    if (!$reloaded && time - $t0 > 2) {
        # a reload while a batch is in flight (from a child: the batch blocks)
        my $pid = fork // die;
        if (!$pid) {
            sleep 0.15;
            my $ok = eval { $t->reload; 1 };
            POSIX::_exit($ok ? 0 : 1);
        }
        $check->([http_parallel($t->port, \@reqs)]);
        waitpid $pid, 0;
        push @bad, 'reload failed' if $?;
        $reloaded = 1;
        next;
    }
    $check->([http_parallel($t->port, \@reqs)]);
}
waitpid $writer, 0;

ok !@bad, 'every page in flight while the state changed: untouched or one banner in place, complete'
    or diag join "\n", scalar(@bad) . ' bad:', @bad[0 .. ($#bad > 9 ? 9 : $#bad)];
ok $kinds{banner} && $kinds{none}, "both seen: $kinds{banner} with a banner, $kinds{none} without"
    or diag explain \%kinds;

$t->stop;
$up->stop;
done_testing;
