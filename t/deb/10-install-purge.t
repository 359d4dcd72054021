#!/usr/bin/perl
# The Debian packages as an operator installs them (make test-deb): both
# .debs from build/deb/ installed with apt-get into this machine's system
# nginx, the module enabled through /etc/nginx/modules-enabled/ the way
# Debian's own libnginx-mod-* packages are, `nginx -t` on the system
# configuration, the system nginx binary started with a test
# configuration that loads the module through that snippet (on free
# loopback ports: the nginx service is not touched), summary.json and a
# banner served, a change written with the packaged admin tool, and then
# both packages purged, with nothing they installed left behind.
#
# It installs into the running system: root only, and meant for CI and
# throwaway machines.

use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use StatusEdge::Test qw(wait_until json_decode);
use StatusEdge::Upstream qw(banner_count);

my @PKGS = qw(libnginx-mod-http-status-edge status-edge);
my $MODULE = '/usr/lib/nginx/modules/ngx_http_status_edge_module.so';
my $SNIPPET = '/usr/share/nginx/modules-available/mod-http-status-edge.conf';
my $ENABLED = '/etc/nginx/modules-enabled/50-mod-http-status-edge.conf';
my $CLI = '/usr/bin/status-edge';

plan skip_all => 'installs packages: root only' if $> != 0;

my $dir = "$FindBin::Bin/../../build/deb";
my %deb;
for my $p (@PKGS) {
    my @f = glob "$dir/${p}_*.deb";
    is scalar @f, 1, "build/deb holds one $p package (make deb)"
        or BAIL_OUT("no $p package in $dir");
    $deb{$p} = $f[0];
}

sub run {
    my (@cmd) = @_;
    my $out = qx{@{[ join ' ', map { quotemeta } @cmd ]} 2>&1};
    return ($? >> 8, $out);
}

sub installed {
    my ($p) = @_;
    my ($rc, $out) = run('dpkg-query', '-W', '-f=${Status}', $p);
    return $rc == 0 && $out =~ /install ok installed/;
}

# a package left over from an earlier run would hide what this one installs
run('apt-get', 'purge', '-y', '-q', grep { installed($_) } @PKGS)
    if grep { installed($_) } @PKGS;

# ---------------------------------------------------------------------------
# install

{
    local $ENV{DEBIAN_FRONTEND} = 'noninteractive';
    my ($rc, $out) = run('apt-get', 'install', '-y', '-q',
        '--no-install-recommends', map { $deb{$_} } @PKGS);
    is $rc, 0, 'apt-get install ./*.deb' or diag $out;
}
ok installed($_), "$_ is installed" for @PKGS;

my ($rc, $out) = run('dpkg-query', '-W', '-f=${Depends}',
    'libnginx-mod-http-status-edge');
like $out, qr/\bnginx-abi-[\w.+~-]+/,
    'the module depends on the nginx ABI it was built for (dh_nginx)';
(my $abi) = $out =~ /\b(nginx-abi-[\w.+~-]+)/;
($rc, $out) = run('dpkg-query', '-W', '-f=${Provides}', 'nginx');
like $out, qr/\Q$abi\E/, "the system nginx provides $abi" if $abi;

ok -f $MODULE, "the module is in /usr/lib/nginx/modules/";
ok -f $SNIPPET, 'its load_module snippet is in modules-available';
like StatusEdge::Test::slurp($SNIPPET),
    qr{^load_module modules/ngx_http_status_edge_module\.so;$}m,
    'the snippet loads the module from nginx\'s modules path';
ok -l $ENABLED && readlink($ENABLED) eq $SNIPPET,
    'the snippet is enabled by a link in /etc/nginx/modules-enabled/';
ok -x $CLI, 'the admin tool is /usr/bin/status-edge';
ok -f '/usr/share/man/man1/status-edge.1.gz', 'its man page is installed';
{
    local $ENV{LC_ALL} = 'C.UTF-8';
    local $ENV{MANWIDTH} = 80;
    # its messages only: the formatted page goes to /dev/null
    $out = qx{man --warnings -E UTF-8 -l -Tutf8 -Z \\
        /usr/share/man/man1/status-edge.1.gz 2>&1 >/dev/null};
    $rc = $? >> 8;
}
is $rc, 0, 'man formats the man page';
# what lintian ignores too: a table cell's long word at 80 columns (tbl
# gives its message on the line after the warning's)
$out =~ s/:\n[ \t]+/: /g;
is_deeply [grep { /warning|error/ && !/can't break line|table (?:wider|squeezed)/ }
           split /\n/, $out], [], '... without a warning';
($rc, $out) = run($CLI, '--help');
like $out, qr/incident open/, 'status-edge --help answers';

($rc, $out) = run('/usr/sbin/nginx', '-t');
is $rc, 0, 'nginx -t on the system configuration, with the module enabled'
    or diag $out;

# ---------------------------------------------------------------------------
# the system nginx binary, the module loaded through the package's snippet

{
    # the prefix's modules/ is nginx's modules path, as Debian's
    # /usr/share/nginx/modules is, for the snippet's relative load_module
    my $t = StatusEdge::Test->new;
    symlink '/usr/lib/nginx/modules', $t->prefix . '/modules'
        or die "symlink: $!";
    my $up = StatusEdge::Upstream->new(dir => $t->prefix . '/upstream');
    $up->start;
    $t->start_redis;
    my $v = $t->write_state(StatusEdge::Test::sample_state());
    my $upstream = '127.0.0.1:' . $up->port;
    $t->start_nginx(no_module => 1,
        main => 'include /etc/nginx/modules-enabled/*.conf;',
        servers => $t->server_conf(extra => <<"EOF"));
        location / {
            proxy_pass http://$upstream;
            status_edge_banner on;
        }
EOF
    ok $t->wait_version($v), 'the system nginx serves the state';

    my $conf = StatusEdge::Test::slurp($t->conf_file);
    ok $conf !~ /load_module/ && $conf =~ m{include /etc/nginx/modules-enabled/},
        'the test configuration loads the module through modules-enabled only';

    my ($st, $h, $body) = $t->http(GET => '/api/v2/summary.json');
    is $st, 200, 'summary.json: 200';
    my $s = eval { json_decode($body) };
    ok $s && $s->{page} && ref $s->{incidents} eq 'ARRAY',
        'summary.json: a Statuspage v2 summary';

    $up->route('/page', headers => ['Content-Type' => 'text/html'],
        body => ['<html><head></head><body><p>page</p></body></html>']);
    ($st, $h, $body) = $t->http(GET => '/page');
    is $st, 200, 'a proxied page: 200';
    is banner_count($body), 1, 'a proxied page: the banner is in it';

    # a change written with the packaged admin tool is served
    local $ENV{STATUS_EDGE_REDIS} = 'redis://127.0.0.1:' . $t->redis_port;
    ($rc, $out) = run($CLI, 'incident', 'open', '--id', 'deb-test',
        '--name', 'Packaged tool incident', '--impact', 'minor',
        '--message', 'Written by /usr/bin/status-edge');
    is $rc, 0, 'status-edge incident open' or diag $out;
    ok wait_until(sub {
        my (undef, undef, $b) = $t->http(GET => '/api/v2/incidents/unresolved.json');
        return ($b // '') =~ /Packaged tool incident/;
    }, 10), 'the incident is served by the module';

    $t->stop;
    $up->stop;
}

# ---------------------------------------------------------------------------
# purge

my @files;
for my $p (@PKGS) {
    ($rc, $out) = run('dpkg-query', '-L', $p);
    push @files, grep { length && $_ ne '/.' } split /\n/, $out;
}
ok scalar(grep { m{status.edge} } @files) >= 4, 'dpkg lists what was installed'
    or diag explain \@files;

{
    local $ENV{DEBIAN_FRONTEND} = 'noninteractive';
    ($rc, $out) = run('apt-get', 'purge', '-y', '-q', @PKGS);
    is $rc, 0, 'apt-get purge' or diag $out;
}
ok !installed($_), "$_ is gone" for @PKGS;

# the packages' own files, and every folder named for them; shared folders
# (/usr/lib/nginx/modules, /usr/bin) stay for their other owners
my @left = grep { (-f $_ || -l $_) || (-d $_ && m{status.edge}) } @files;
is_deeply \@left, [], 'nothing the packages installed is left';
ok !-e $ENABLED && !-l $ENABLED && !-l "$ENABLED.removed",
    'the modules-enabled link is gone';
($rc, $out) = run('/usr/sbin/nginx', '-t');
is $rc, 0, 'nginx -t still passes without the module' or diag $out;

done_testing;
