#!/usr/bin/perl
# The served state never goes backwards (issue 14, item 5).  A Redis that
# lost the page (FLUSHALL, restarted empty, a lower version set by hand,
# an empty page at a higher version) used to be published to every
# worker as an "all operational" state.  Now such a read is held back:
# the last state stays (its version, its page, its banner; not replaced
# in the zone nor on disk), a warning is logged once per held version,
# status_edge_state_held and status_edge_state_held_total show it and the
# state counts as stale, until a higher version arrives or an operator
# confirms with "status-edge reset".  The state nginx starts from (the
# disk's, after a restart) counts as served; and a state saved by the
# build before Preset existed (7 elements) is still read.

use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Compress::Zlib qw(crc32);
use StatusEdge::Test qw(sample_state wait_until);
use StatusEdge::Upstream;
use StatusEdge::CLI;

my $S = '/api/v2/summary.json';
my $WORKERS = 2;

my $t = StatusEdge::Test->new(workers => $WORKERS);
my $prefix = $t->prefix;
my $dir = "$prefix/state";
my $file = "$dir/status%3A.state";

my $up = StatusEdge::Upstream->new(dir => "$prefix/upstream");
$up->route('*', headers => ['Content-Type' => 'text/html'],
    body => ['<html><body><p>app</p></body></html>']);
$up->start;
my $u = '127.0.0.1:' . $up->port;

$t->start_redis;
my $c = StatusEdge::CLI->new(t => $t);

my %conf = (
    http => $t->http_conf(poll => '1s', resync => '2s')
        . "    status_edge_state_path $dir;\n",
    servers => $t->server_conf(extra => <<"EOF"));
        location /app/ {
            proxy_pass http://$u/;
            status_edge_banner on;
            add_header X-Banner "\$status_edge_banner" always;
        }
EOF

sub named {
    my ($name) = @_;
    my $s = sample_state();
    $s->{page}{name} = $name;
    return $s;
}

sub page_name {
    my ($st, $h, $d) = $t->get_json($S);
    return defined $st && $st == 200 && ref $d ? $d->{page}{name} // "" : undef;
}

sub file_version {
    open my $fh, '<:raw', $file or return undef;
    my $n = read $fh, my $h, 56;
    return undef unless $n == 56 && substr($h, 0, 8) eq 'SEDGEST1';
    return unpack 'Q', substr($h, 16, 8);
}

sub metric {
    my ($name) = @_;
    my $m = $t->metrics or return undef;
    return StatusEdge::Test::metric($m, $name, page => 'status:');
}

# every worker shows $value for $name (30 answers in a row)
sub metric_is {
    my ($name, $value, $what) = @_;
    my $row = 0;
    my $last;
    my $ok = wait_until(sub {
        $last = metric($name);
        $row = defined $last && $last == $value ? $row + 1 : 0;
        return $row >= 30;
    }, 15, 0.02);
    ok $ok, "$what: $name $value" or diag 'last: ' . ($last // 'none');
}

sub count_lines {
    my ($re) = @_;
    my $n = () = $t->log_text =~ /$re/g;
    return $n;
}

# the served state, checked on 20 answers: version, page name, banner
sub serves {
    my ($what, $v, $name, $banner) = @_;
    ok $t->wait_version($v, timeout => 20), "$what: version $v served"
        or diag $t->log_tail(10);
    ok $t->wait_json($S, sub { ($_[0]{page}{name} // '') eq $name },
        timeout => 20, row => 10), "$what: page \"$name\" served";
    my @bad;
    for (1 .. 20) {
        my ($ind, $ver) = $t->ind;
        push @bad, 'version ' . ($ver // 'none') unless ($ver // '') eq $v;
        my $got = page_name() // 'none';
        push @bad, "page $got" unless $got eq $name;
        my ($st, $h, $body) = $t->http(GET => '/app/x');
        my $has = ($h->{'x-banner'} // '') eq '1' && $body =~ /<body>.+<p>app/s;
        push @bad, 'banner ' . ($has ? 'shown' : 'missing')
            unless $st && $st == 200 && !$has == !$banner;
    }
    ok !@bad, "$what: 20 answers with version $v, page \"$name\", "
        . ($banner ? 'a banner' : 'no banner') or diag "@bad[0 .. 5]";
}

# a read held back: logged once by the instance's reader (the one worker
# that reads Redis), counted, stale in every worker; the old state served,
# and still the one in the file on disk
sub holds {
    my ($what, $v, $name, $line) = @_;
    ok wait_until(sub { count_lines($line) >= 1 }, 20),
        "$what: the reader logs the hold" or diag $t->log_tail(10);
    metric_is('status_edge_state_held', 1, $what);
    metric_is('status_edge_state_stale', 1, $what);
    ok((metric('status_edge_state_held_total') // 0) > 0,
        "$what: status_edge_state_held_total counts it");
    serves("$what, held", $v, $name, 1);
    # the polls keep reading the held state: it is not logged again
    sleep 2.5;
    is count_lines($line), 1, "$what: logged once for the instance";
    is file_version(), $v, "$what: the state on disk is still version $v";
}

sub lower_line {
    my ($has, $served) = @_;
    return qr/\[warn\].*\Qstatus_edge: page "status:": Redis has version\E
        \ $has\ \(reset\ \d+\)\Q, lower than version $served (reset \E\d+\)
        \Q served; keeping version $served until a higher version or\E
        \Q "status-edge reset"\E/x;
}

sub empty_line {
    my ($has, $served) = @_;
    return qr/\[warn\].*\Qstatus_edge: page "status:": Redis has an empty\E
        \Q page at version $has (reset \E\d+\)\Q after version $served\E
        \Q (reset \E\d+\)\Q served; keeping version $served until a\E
        \Q non-empty state or "status-edge reset"\E/x;
}

sub reset_ok {
    my ($what) = @_;
    my $out = $c->cli_ok('reset');
    my ($r, $v) = $out =~ /\Areset (\d+), version (\d+)\z/;
    ok defined $v, "$what: reset prints the reset and the version"
        or diag $out;
    is $t->redis('GET', 'status:reset'), $r, "$what: Preset $r";
    return ($r, $v);
}

# --- a served state, at version 57
$t->redis('SET', 'status:version', 56);
my $v = $t->write_state(named('Fifty-seven'));
is $v, 57, 'version 57 written';
$t->start_nginx(%conf);
serves('start', 57, 'Fifty-seven', 1);
metric_is('status_edge_state_held', 0, 'start');
is metric('status_edge_state_held_total'), 0, 'start: nothing held yet';
ok wait_until(sub { (file_version() // 0) == 57 }, 10), 'version 57 on disk';

# --- 1. FLUSHALL
$t->redis('FLUSHALL');
holds('FLUSHALL', 57, 'Fifty-seven', lower_line(0, 57));

my ($r1, $rv) = reset_ok('FLUSHALL');
is $rv, 1, 'FLUSHALL: the reset bumps the version (1 on an empty Redis)';
is $c->last_audit->{command}, 'reset', 'FLUSHALL: the reset is audited';
is $c->last_audit->{fields}, 'reset', 'FLUSHALL: audit names the field';
serves('FLUSHALL, reset', 1, '', 0);
metric_is('status_edge_state_held', 0, 'FLUSHALL, reset');
metric_is('status_edge_state_stale', 0, 'FLUSHALL, reset');
ok wait_until(sub { (file_version() // 0) == 1 }, 10),
    'FLUSHALL, reset: the empty state confirmed is on disk';
like $c->cli_ok('show'), qr/^Reset: +$r1 /m, 'show prints the reset';

# a new page after the reset
$t->redis('SET', 'status:version', 9);
$v = $t->write_state(named('Ten'));
is $v, 10, 'version 10 written after the reset';
serves('after the reset', 10, 'Ten', 1);

# --- an equal version with a hand edit is still served (by the resync)
$t->redis('HSET', 'status:page', 'name', 'Ten, by hand');
serves('hand edit without a bump', 10, 'Ten, by hand', 1);
metric_is('status_edge_state_held', 0, 'hand edit without a bump');

# --- 2. a lower version, set by hand
$t->redis('SET', 'status:version', 3);
$t->redis('HSET', 'status:page', 'name', 'Three');
$t->redis('PUBLISH', 'status:events', 3);
holds('lower version', 10, 'Ten, by hand', lower_line(3, 10));

# a reload: the new workers start from the zone, which never got it
$t->reload;
serves('lower version, after a reload', 10, 'Ten, by hand', 1);
metric_is('status_edge_state_held', 1, 'lower version, after a reload');

# a higher version after a hold is served without a reset
$t->redis('SET', 'status:version', 11);
$t->redis('PUBLISH', 'status:events', 11);
serves('a higher version after the hold', 11, 'Three', 1);
metric_is('status_edge_state_held', 0, 'a higher version after the hold');
metric_is('status_edge_state_stale', 0, 'a higher version after the hold');

# a lower version again, then the reset serves it
$t->redis('SET', 'status:version', 4);
$t->redis('HSET', 'status:page', 'name', 'Four');
holds('lower version again', 11, 'Three', lower_line(4, 11));
(undef, $rv) = reset_ok('lower version');
is $rv, 5, 'lower version: the reset bumps 4 to 5';
serves('lower version, reset', 5, 'Four', 1);
metric_is('status_edge_state_held', 0, 'lower version, reset');

# --- 3. an empty page at a higher version after a non-empty one
$t->redis('SET', 'status:version', 19);
$v = $t->write_state(named('Twenty'));
serves('before emptying', 20, 'Twenty', 1);
my @keys = grep { !/\Astatus:(?:version|reset|audit)\z/ }
    @{ $t->redis('KEYS', 'status:*') };
$t->redis('DEL', @keys);
$t->bump;
holds('empty, higher version', 20, 'Twenty', empty_line(21, 20));
(undef, $rv) = reset_ok('empty, higher version');
is $rv, 22, 'empty, higher version: the reset bumps 21 to 22';
serves('empty, higher version, reset', 22, '', 0);

# --- 4. Redis restarted empty (the same port)
$v = $t->write_state(named('Twenty-three'));
serves('before the Redis restart', 23, 'Twenty-three', 1);
$t->restart_redis(signal => 'KILL');
holds('Redis restarted empty', 23, 'Twenty-three', lower_line(0, 23));

# a writer on the empty Redis starts again at version 1: held as well
$v = $t->write_state(named('One'));
is $v, 1, 'a writer on the restarted Redis writes version 1';
ok wait_until(sub { count_lines(lower_line(1, 23)) >= 1 }, 20),
    'Redis restarted empty: its version 1 is held too';
serves('Redis restarted empty, version 1 written', 23, 'Twenty-three', 1);

(undef, $rv) = reset_ok('Redis restarted empty');
is $rv, 2, 'Redis restarted empty: the reset bumps 1 to 2';
serves('Redis restarted empty, reset', 2, 'One', 1);
metric_is('status_edge_state_held', 0, 'Redis restarted empty, reset');

# --- 5. nginx restarted (the state from disk), then Redis empty
$t->redis('SET', 'status:version', 29);
$v = $t->write_state(named('Thirty'));
serves('before the nginx restart', 30, 'Thirty', 1);
ok wait_until(sub { (file_version() // 0) == 30 }, 10), 'version 30 on disk';
$t->stop_nginx;
$t->stop_redis;
$t->start_redis;
$t->start_nginx(%conf);
holds('nginx restarted, Redis empty', 30, 'Thirty', lower_line(0, 30));
(undef, $rv) = reset_ok('nginx restarted, Redis empty');
serves('nginx restarted, Redis empty, reset', $rv, '', 0);

# --- 6. a state saved by the build before Preset: 7 elements, read as
# never reset (the encoding: tag, 4-byte length or count, little endian)
sub skip_node {
    my ($buf, $p) = @_;
    my $tag = substr($$buf, $p, 1);
    return $p + 1 if $tag eq 'n';
    return $p + 9 if $tag eq 'i';
    my $n = unpack 'V', substr($$buf, $p + 1, 4);
    return $p + 5 + $n if $tag eq 's';
    die "bad tag $tag at $p" unless $tag eq 'a';
    $p += 5;
    $p = skip_node($buf, $p) for 1 .. $n;
    return $p;
}

$v = $t->write_state(named('Saved by the build before'));
serves('a state to save', $v, 'Saved by the build before', 1);
ok wait_until(sub { (file_version() // 0) == $v }, 10), "version $v on disk";
$t->stop_nginx;
$t->stop_redis;
{
    my $raw = StatusEdge::Test::slurp($file);
    my ($head, $body) = (substr($raw, 0, 56), substr($raw, 56));
    is substr($body, 0, 1) . unpack('V', substr($body, 1, 4)), 'a8',
        'the state saved now has 8 elements';
    my $p = 5;
    $p = skip_node(\$body, $p) for 1 .. 7;
    my $old = 'a' . pack('V', 7) . substr($body, 5, $p - 5);
    substr($head, 40, 8) = pack 'Q', length $old;
    substr($head, 48, 4) = pack 'L', crc32($old);
    open my $fh, '>:raw', $file or die "$file: $!";
    print $fh $head, $old;
    close $fh;
}
$t->start_nginx(%conf);
serves('Redis down, a state of the build before', $v,
    'Saved by the build before', 1);
unlike $t->log_text, qr/cannot be read by this build|not starting from it/,
    'the state of the build before is read, not refused';

# Redis back, empty: the old state counts as served, never reset (0), so a
# reset is above it
$t->start_redis;
holds('state of the build before, Redis empty', $v,
    'Saved by the build before', lower_line(0, $v));
(undef, $rv) = reset_ok('state of the build before');
serves('state of the build before, reset', $rv, '', 0);

$t->stop;
$up->stop;
done_testing;
