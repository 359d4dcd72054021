#!/usr/bin/perl
# The banner follows the state (SPEC §2): the choice per location
# (status_edge_banner_components, status_edge_audience), an incident
# resolved (banner gone, page and upstream request untouched again), a
# maintenance in progress, Redis down (the last state is used, pages
# intact), and an nginx that never had a state (nothing injected).

use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use StatusEdge::Test qw(sample_state ts wait_until);
use StatusEdge::Upstream qw(banner_count inserted_at);

my $S = sample_state();
my $VARS = <<'EOF';
            add_header X-SE-Banner "$status_edge_banner" always;
            add_header X-SE-Incident "$status_edge_incident" always;
            status_edge_audience $http_x_audience;
EOF
my ($t, $up, $v);
{
    # as banner_env(), with a short Redis timeout (its port comes from $t)
    $t = StatusEdge::Test->new;
    $up = StatusEdge::Upstream->new(dir => $t->prefix . '/upstream');
    $up->start;
    $t->start_redis;
    $v = $t->write_state($S);
    my $u = '127.0.0.1:' . $up->port;
    $t->start_nginx(poll => '1s', resync => '3s',
        redis => ['127.0.0.1:' . $t->redis_port . ' timeout=300ms'],
        servers => $t->server_conf(extra => <<"EOF"));
        location / {
            proxy_pass http://$u;
            status_edge_banner on;
$VARS        }
        location /api-only/ {
            proxy_pass http://$u/;
            status_edge_banner on;
            status_edge_banner_components api;
$VARS        }
        location /web/ {
            proxy_pass http://$u/;
            status_edge_banner on;
            status_edge_banner_components web;
$VARS        }
        location /db/ {
            proxy_pass http://$u/;
            status_edge_banner on;
            status_edge_banner_components db storage;
$VARS        }
        location = /status-edge/dismiss {
            status_edge_dismiss;
        }
EOF
    ok $t->wait_version($v), "state $v loaded";
}

my $head = '<html><head><title>S</title></head><body>';
my $page = $head . '<p>state</p></body></html>';
my $pos = length $head;
$up->route('/page', headers => ['Content-Type' => 'text/html', ETag => '"s1"'],
    body => [substr($page, 0, 20), substr($page, 20)], delay => 0.01);

# (incident id or '' for none, level) of GET $path
sub seen {
    my ($path, @h) = @_;
    my ($st, $h, $body) = $t->http(GET => $path, headers => \@h);
    return ('error ' . ($st // $h->{_error})) unless defined $st && $st == 200;
    if (banner_count($body) == 0) {
        return ('bad: page changed') unless $body eq $page;
        return ('', '', $h);
    }
    my $ins = inserted_at($body, $page, $pos);
    return ('bad: not right after <body>') unless defined $ins && banner_count($ins) == 1;
    my ($level) = $ins =~ /<div class="se-banner se-([a-z]+)/;
    my ($id) = $ins =~ /dismiss\?id=([^&"]+)/;
    return ($id // '?', $level // '?', $h);
}

sub seen_is {
    my ($path, $want, $name, @h) = @_;
    my ($id, $level, $h) = seen($path, @h);
    is "$id $level", $want, $name;
    if ($h && $id !~ /^(?:bad|error)/) {
        is $h->{'x-se-incident'} // '', $id, "$name: \$status_edge_incident";
        is $h->{'x-se-banner'}, $id eq '' ? '0' : '1', "$name: \$status_edge_banner";
    }
}

seen_is('/page', 'inc-api major', 'all components: the major public incident');
seen_is('/page', 'inc-api major', 'internal audience: major beats the internal minor one',
    'X-Audience' => 'internal');
seen_is('/api-only/page', 'inc-api major', 'components api: inc-api');
seen_is('/web/page', ' ', 'components web, public: no banner (the web incident is internal)');
seen_is('/web/page', 'inc-internal minor', 'components web, internal audience: the internal incident',
    'X-Audience' => 'internal');
seen_is('/web/page', ' ', 'audience other than "internal": public', 'X-Audience' => 'staff');
seen_is('/db/page', ' ', 'components db: maintenance in two days is not announced yet');

my (undef, undef, $h_before) = seen('/page');

# --- a maintenance in progress -------------------------------------------------------
$S->{maintenances}[0]{status} = 'in_progress';
$S->{maintenances}[0]{scheduled_for} = ts(time - 600);
$S->{maintenances}[0]{scheduled_until} = ts(time + 3600);
$v = $t->write_state($S);
ok $t->wait_version($v), "state $v: maintenance in progress";
seen_is('/db/page', 'mnt-db maintenance', 'components db: the maintenance in progress');
seen_is('/page', 'inc-api major', 'all: the incident still comes first');

# --- resolved: banner gone ------------------------------------------------------------
$S->{incidents}[0]{status} = 'resolved';
$S->{incidents}[0]{resolved_at} = ts(time);
unshift @{ $S->{incidents}[0]{updates} }, { id => 'upd-api-3', status => 'resolved',
    body => 'Resolved.', created_at => ts(time) };
$S->{maintenances}[0]{status} = 'completed';
$v = $t->write_state($S);
my $gone = wait_until(sub { my ($id) = seen('/page'); $id eq '' }, 10);
ok $gone, 'incident resolved: the banner is gone';
seen_is('/api-only/page', ' ', 'components api: gone too');
seen_is('/db/page', ' ', 'maintenance completed: gone');
{
    $up->clear_requests;
    my ($st, $h, $body) = $t->http(GET => '/page', headers => ['Accept-Encoding' => 'gzip',
        'If-None-Match' => '"s0"']);
    ok $body eq $page && $h->{'content-length'} == length $page && ($h->{etag} // '') eq '"s1"',
        'resolved: page, Content-Length and strong ETag as the upstream sent them';
    my $r = $up->last_request('/page');
    is_deeply [map { $r->{h}{$_} } qw(accept-encoding if-none-match)], ['gzip', '"s0"'],
        'resolved: the upstream request is untouched again';
}

# --- reopened, then Redis down: the last state is used ------------------------------
$S->{incidents}[0]{status} = 'monitoring';
delete $S->{incidents}[0]{resolved_at};
$S->{incidents}[0]{updates}[0] = { id => 'upd-api-4', status => 'monitoring',
    body => 'Reopened: monitoring.', created_at => ts(time) };
$v = $t->write_state($S);
ok wait_until(sub { my ($id) = seen('/page'); $id eq 'inc-api' }, 10), 'reopened: banner back';
my (undef, undef, $h_after) = seen('/page');
isnt $h_after->{etag}, $h_before->{etag}, 'the weak ETag changes with the state'
    if $h_before->{etag} && $h_after->{etag};

$t->stop_redis(signal => 'KILL');
my %got;
my @bad;
for my $i (1 .. 30) {
    my ($st, $h, $body) = $t->http(GET => '/page', timeout => 5);
    my $ins = inserted_at($body, $page, $pos);
    if (defined $st && $st == 200 && defined $ins && banner_count($ins) == 1
        && $ins =~ /Reopened: monitoring\./) {
        $got{banner}++;
    } else {
        push @bad, ($st // $h->{_error}) . ': ' . substr($body // '', 0, 200);
    }
    select undef, undef, undef, 0.1 if $i % 5 == 0;
}
is $got{banner} // 0, 30, 'Redis down for 1.5 s+: 30 pages, all with the last banner, intact'
    or diag join "\n", @bad[0 .. ($#bad > 4 ? 4 : $#bad)];
# long enough for the poll and resync to have failed several times
select undef, undef, undef, 2.5;
seen_is('/page', 'inc-api major', 'Redis down after failed polls and resyncs: last state');
seen_is('/web/page', ' ', 'Redis down: no banner where none applies');
$t->stop;

# --- an nginx that never had a state ---------------------------------------------------
{
    my $t2 = StatusEdge::Test->new;
    my $u = '127.0.0.1:' . $up->port;
    $t2->start_nginx(redis => ['127.0.0.1:' . StatusEdge::Test::free_port() . ' timeout=200ms'],
        servers => $t2->server_conf(extra => <<"EOF"));
        location / {
            proxy_pass http://$u;
            status_edge_banner on;
            add_header X-SE-Banner "\$status_edge_banner" always;
        }
EOF
    $up->clear_requests;
    my ($st, $h, $body) = $t2->http(GET => '/page', headers => ['Accept-Encoding' => 'gzip']);
    ok defined $st && $st == 200 && $body eq $page, 'never a state: page byte-identical';
    is $h->{'x-se-banner'}, '0', 'never a state: $status_edge_banner 0';
    my $r = $up->last_request('/page');
    is $r && $r->{h}{'accept-encoding'}, 'gzip', 'never a state: upstream request untouched';
    $t2->stop_nginx;
}

$up->stop;
done_testing;
