#!/usr/bin/perl
# The last good state on disk (status_edge_state_path; issue 12, defect 6):
# nothing survived a restart or a binary upgrade, so an nginx started anew
# with Redis down answered 503, showed no banner and opened the gate.  Now
# every change is written (atomically) to the directory the operator
# chooses, and a new nginx starts from it: after a full restart and after
# a binary upgrade (USR2, WINCH, QUIT), both with Redis down, the API, the
# banner and the gate serve the last state.  A damaged file is logged and
# ignored; a newer state replaces the file.

use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use StatusEdge::Test qw(sample_state ts wait_until);
use StatusEdge::Upstream;

my $S = '/api/v2/summary.json';

my $t = StatusEdge::Test->new;
my $prefix = $t->prefix;
my $dir = "$prefix/state";
my $file = "$dir/status%3A.state";

my $up = StatusEdge::Upstream->new(dir => "$prefix/upstream");
$up->route('*', headers => ['Content-Type' => 'text/html'],
    body => ['<html><body><p>app</p></body></html>']);
$up->start;
my $u = '127.0.0.1:' . $up->port;

$t->start_redis;

# an open incident (a banner) and a gated maintenance in progress
my $state = sample_state();
my $M = $state->{maintenances}[0];
$M->{gate} = 'on';
$M->{status} = 'in_progress';
$M->{scheduled_for} = ts(time - 600);
$M->{scheduled_until} = ts(time + 3600);
my $v1 = $t->write_state($state);

# a new binary gets only the environment nginx passes on: the sanitizer
# runtime of an ASan build of the module, too
my %conf = (
    main => $ENV{STATUS_EDGE_PRELOAD} ? "env LD_PRELOAD;\n" : '',
    http => $t->http_conf(poll => '1s', resync => '2s')
        . "    status_edge_state_path $dir;\n",
    servers => $t->server_conf(extra => <<"EOF"));
        location /app/ {
            proxy_pass http://$u/;
            status_edge_banner on;
            add_header X-Banner "\$status_edge_banner" always;
        }
        location /db/ {
            proxy_pass http://$u/;
            status_edge_gate on;
            status_edge_banner_components db;
        }
EOF

sub file_version {
    open my $fh, '<:raw', $file or return undef;
    my $n = read $fh, my $h, 48;
    return undef unless $n == 48 && substr($h, 0, 8) eq 'SEDGEST1';
    return unpack 'Q', substr($h, 16, 8);
}

sub serves_state {
    my ($name, $v) = @_;
    my ($st, $h, $body) = $t->http(GET => $S);
    is $st, 200, "$name: the API answers 200";
    my $d = eval { StatusEdge::Test::json_decode($body) } || {};
    is $d->{page}{name}, $state->{page}{name}, "$name: the page as saved";
    my ($ind, $ver) = $t->ind;
    is $ver, $v, "$name: version $v";
    ($st, $h, $body) = $t->http(GET => '/app/x');
    is $st, 200, "$name: a proxied page";
    like $h->{'x-banner'} // '', qr/\S/, "$name: with a banner";
    like $body, qr/<body>.+<p>app<\/p>/s, "$name: the banner in the page";
    ($st) = $t->http(GET => '/db/x');
    is $st, 503, "$name: the gate is closed";
}

$t->start_nginx(%conf);
ok $t->wait_version($v1), "state $v1 loaded";
ok wait_until(sub { (file_version() // 0) == $v1 }, 10),
    "version $v1 written to $file";
is((stat $dir)[2] & 0777, 0700, 'the directory is private to nginx');

# a change replaces the file
$state->{page}{name} = 'Saved on disk';
my $v2 = $t->write_state($state);
ok $t->wait_version($v2), "state $v2 loaded";
ok wait_until(sub { (file_version() // 0) == $v2 }, 10),
    "version $v2 replaces it";
my @tmp = glob "$dir/*.tmp.*";
is scalar @tmp, 0, 'no temporary file is left';

# --- a full restart with Redis down ------------------------------------
$t->stop_redis;
$t->stop_nginx;
$t->start_nginx(%conf);
serves_state('restarted with Redis down', $v2);
like $t->log_text, qr/page "status:": starting from version \Q$v2\E, saved in/,
    'the start from the file is logged';

# --- a binary upgrade with Redis down ------------------------------------
# nginx ignores USR2 while its parent is the one that started it, so this
# nginx is a daemon, as on a real host
sub master_pid {
    open my $fh, '<', $_[0] or return undef;
    my ($pid) = (<$fh> // '') =~ /(\d+)/;
    return $pid;
}

sub serving_master {
    my ($pid) = @_;
    return 0 unless $pid && kill 0, $pid;
    return 0 unless StatusEdge::Test::children_of($pid) > 0;
    my ($st) = $t->http(GET => '/plain', timeout => 2);
    return ($st // 0) == 200;
}

{
    $t->stop_nginx;
    my $conf = $t->nginx_conf(%conf);
    $conf =~ s/^daemon off;/daemon on;/m or die 'no daemon line';
    StatusEdge::Test::_write_file($t->conf_file, $conf);
    StatusEdge::Test::_run([$t->_nginx_args($t->conf_file)], undef,
        StatusEdge::Test::_nginx_env());
    my $old;
    ok wait_until(sub { serving_master($old = master_pid("$prefix/nginx.pid")) }, 15),
        'nginx runs as a daemon';
    serves_state('the daemon, started with Redis down', $v2);

    my %old_workers = map { $_ => 1 } StatusEdge::Test::children_of($old);
    kill 'USR2', $old;
    my $new;
    ok wait_until(sub {
        return 0 unless (master_pid("$prefix/nginx.pid.oldbin") // 0) == $old;
        $new = master_pid("$prefix/nginx.pid");
        return $new && $new != $old && StatusEdge::Test::children_of($new) > 0;
    }, 15), 'USR2: a new master with its workers';
    kill 'WINCH', $old;
    ok wait_until(sub { !grep { kill 0, $_ } keys %old_workers }, 15),
        'WINCH: the old workers are gone';
    # the new master's zone is new: only the file can have given it a state
    serves_state('upgraded with Redis down, old workers gone', $v2);
    kill 'QUIT', $old;
    ok wait_until(sub { !kill 0, $old }, 15), 'QUIT: the old master is gone';
    serves_state('after the old master left', $v2);
    kill 'QUIT', $new;
    ok wait_until(sub { !kill 0, $new }, 20), 'the new master stopped';
    $t->check_logs(allow => qr/changing binary/);
}

# --- a damaged file is logged and ignored ------------------------------
{
    open my $fh, '+<:raw', $file or die "$file: $!";
    seek $fh, 60, 0;
    print $fh 'X';
    close $fh;
    $t->start_nginx(%conf);
    my ($st) = $t->http(GET => $S);
    is $st, 503, 'a file that fails its checksum is not used: 503 with no state';
    like $t->log_text, qr/the state saved in "\Q$file\E" fails its checksum, not starting from it/,
        'and that is logged, naming the file';
    $t->stop_nginx;

    truncate $file, 30;
    $t->start_nginx(%conf);
    ($st) = $t->http(GET => $S);
    is $st, 503, 'a truncated file is not used';
    like $t->log_text, qr/"\Q$file\E" is not a whole saved state/, 'and that is logged';

    # Redis back: the next state is written whole again
    $t->start_redis;
    my $v3 = $t->write_state($state);
    ok $t->wait_version($v3), "state $v3 loaded from Redis";
    ok wait_until(sub { (file_version() // 0) == $v3 }, 10),
        "version $v3 written over the damaged file";
    $t->stop;
}

# --- configuration errors name the value --------------------------------
{
    my $c = $t->nginx_conf(%conf);
    (my $bad = $c) =~ s{status_edge_state_path \S+;}{status_edge_state_path $prefix/no/such/dir;};
    my ($rc, $out) = $t->nginx_test($bad);
    isnt $rc, 0, 'a directory whose parent is missing: nginx -t fails';
    like $out, qr{"\Q$prefix\E/no/such/dir" failed}, 'naming it';
    (my $dup = $c) =~ s{(status_edge_state_path \S+;)}{$1\n    $1};
    ($rc, $out) = $t->nginx_test($dup);
    isnt $rc, 0, 'the directive twice: nginx -t fails';
    like $out, qr/"status_edge_state_path" directive is duplicate/, 'saying so';
}

$up->stop;
done_testing;
