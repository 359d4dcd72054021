package StatusEdge::Test;

# Test harness for status-edge integration tests: a real redis-server and a
# real nginx loading the built module, on free loopback ports, in a temp
# prefix.  Perl core modules only.
#
#   my $t = StatusEdge::Test->new;
#   $t->start_redis;
#   $t->write_state(sample_state());
#   $t->start_nginx;                       # default config, see server_conf()
#   my ($status, $h, $body) = $t->http(GET => '/api/v2/summary.json');
#   $t->stop;                              # stops all, checks error.log (an ok)
#   done_testing;
#
# Processes are also killed (without assertions) from DESTROY / END, so a
# test that dies leaves nothing running.
#
# The sample state into a Redis that is already running (the demo):
#   perl -It/lib -MStatusEdge::Test=sample_state \
#       -e 'StatusEdge::Test->new(redis_port => 6390)->write_state(sample_state())'
#
# Environment: STATUS_EDGE_MODULE (the .so, default build/...), and for a
# sanitizer build STATUS_EDGE_PRELOAD (preloaded into nginx only) with
# ASAN_OPTIONS / UBSAN_OPTIONS / LSAN_OPTIONS (passed on with `env`);
# STATUS_EDGE_KEEP=1 keeps the temp prefixes; TEST_VERBOSE shows pids/ports.

use strict;
use warnings;

use Carp qw(croak);
use Cwd qw(abs_path);
use Encode ();
use Errno ();
use Exporter qw(import);
use File::Basename qw(dirname);
use File::Spec;
use File::Temp qw(tempdir);
use IO::Select;
use IO::Socket::INET;
use JSON::PP ();
use POSIX qw(WNOHANG strftime);
use Scalar::Util qw(weaken);
use Test::More ();
use Time::HiRes qw(time sleep);
use Time::Local qw(timegm);

our @EXPORT_OK = qw(free_port wait_until sample_state ts parse_ts
    json_decode json_encode cli_quote browser_test children_of slurp);

our $NGINX       = $ENV{STATUS_EDGE_NGINX}       || '/usr/sbin/nginx';
our $REDIS       = $ENV{STATUS_EDGE_REDIS_SERVER} || '/usr/bin/redis-server';
our $REDIS_CLI   = $ENV{STATUS_EDGE_REDIS_CLI}   || '/usr/bin/redis-cli';
our $VERBOSE     = $ENV{TEST_VERBOSE} || $ENV{STATUS_EDGE_TEST_VERBOSE};

# lines in error.log (or nginx's stderr) that fail a test
our $BAD_LOG_RE = qr/\[(?:alert|emerg|crit)\]|AddressSanitizer|LeakSanitizer
    |runtime\ error:|exited\ on\ signal|ERROR:\ .*Sanitizer|core\ dumped/x;

my @INSTANCES;

sub module_path {
    my $m = $ENV{STATUS_EDGE_MODULE};
    unless ($m) {
        # t/lib/StatusEdge/Test.pm -> repository root
        my $root = abs_path(File::Spec->catdir(dirname(__FILE__), '..', '..', '..'));
        $m = "$root/build/ngx_http_status_edge_module.so";
    }
    return File::Spec->rel2abs($m);
}

# ---------------------------------------------------------------------------
# small helpers

# A port for a server a test starts now or later, or for one that must
# stay closed.  Below the kernel's ephemeral range, so that no connect()
# or bind() to port 0, of this test or of another, takes it meanwhile (a
# Redis restarted on its port, a port that must refuse), and never the
# same one twice in a process.  The Redis link's tests (t/3x, t/4x) have
# a block of their own: make test runs them beside the rest.
my %ports_given;

sub free_port {
    my ($lo, $hi) = _port_block();
    for (1 .. 200) {
        my $port = $lo ? $lo + int(rand($hi - $lo + 1)) : 0;
        next if $ports_given{$port};
        my $s = IO::Socket::INET->new(Listen => 1, LocalAddr => '127.0.0.1',
            LocalPort => $port, Proto => 'tcp', ReuseAddr => 1) or next;
        $port = $s->sockport;
        close $s;
        $ports_given{$port} = 1;
        return $port;
    }
    die "free_port: no free port in $lo-$hi\n";
}

# (0, 0): bind() to port 0 where the ephemeral range leaves too few below
sub _port_block {
    my ($ephemeral) = split ' ', slurp('/proc/sys/net/ipv4/ip_local_port_range') // '';
    return (0, 0) unless ($ephemeral // 0) >= 16000;
    my $mid = int((10000 + $ephemeral) / 2);
    return File::Basename::basename($0) =~ /^[34]\d-/
        ? (10000, $mid - 1) : ($mid, $ephemeral - 1);
}

# polls $cb until it returns true; returns the true value or undef on timeout
sub wait_until {
    my ($cb, $timeout, $interval) = @_;
    $timeout  //= 10;
    $interval //= 0.05;
    my $deadline = time + $timeout;
    while (1) {
        my $r = $cb->();
        return $r if $r;
        return undef if time > $deadline;
        sleep $interval;
    }
}

sub ts {
    my ($epoch) = @_;
    return strftime('%Y-%m-%dT%H:%M:%SZ', gmtime(int $epoch));
}

# RFC 3339 -> Unix seconds (undef when not RFC 3339)
sub parse_ts {
    my ($s) = @_;
    return undef unless defined $s && !ref $s;
    $s =~ /\A(\d{4})-(\d\d)-(\d\d)[Tt ](\d\d):(\d\d):(\d\d)(?:\.\d+)?
           (?:([Zz])|([+-])(\d\d):(\d\d))\z/x or return undef;
    my $t = eval { timegm($6, $5, $4, $3, $2 - 1, $1) };
    return undef unless defined $t;
    if (!$7) {
        my $off = ($9 * 3600 + $10 * 60) * ($8 eq '+' ? 1 : -1);
        $t -= $off;
    }
    return $t;
}

my $JSON = JSON::PP->new->utf8->canonical->allow_nonref;

sub json_decode {
    my ($bytes) = @_;
    return eval { $JSON->decode($bytes) };
}

sub json_encode { $JSON->encode($_[0]) }

# quoting of one argument for redis-cli's line parser (sdssplitargs)
sub cli_quote {
    my ($s) = @_;
    $s = Encode::encode_utf8($s) if utf8::is_utf8($s);
    return $s if length $s && $s !~ /[\x00-\x20"'\\\x7f]/;
    $s =~ s/([\\"])/\\$1/g;
    $s =~ s/\n/\\n/g;
    $s =~ s/\r/\\r/g;
    $s =~ s/\t/\\t/g;
    $s =~ s/([\x00-\x1f\x7f])/sprintf('\\x%02x', ord $1)/ge;
    return qq{"$s"};
}

sub _log { Test::More::diag(@_) if $VERBOSE }

sub _spawn {
    my (%o) = @_;
    my @cmd = @{ $o{cmd} };
    my $pid = fork;
    die "fork: $!" unless defined $pid;
    if (!$pid) {
        open STDIN, '<', '/dev/null';
        open STDOUT, '>>', $o{out} or POSIX::_exit(126);
        open STDERR, '>&', \*STDOUT or POSIX::_exit(126);
        if ($o{env}) { %ENV = %{ $o{env} } }
        { no warnings 'exec'; exec { $cmd[0] } @cmd; }
        POSIX::_exit(127);
    }
    return $pid;
}

# environment for helper programs (redis): without sanitizer preloads
sub _plain_env {
    my %env = %ENV;
    delete @env{qw(LD_PRELOAD ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS)};
    return \%env;
}

# waits for $pid to exit; returns 1 when reaped (or not our child)
sub _reap {
    my ($pid, $timeout) = @_;
    my $deadline = time + $timeout;
    while (1) {
        my $r = waitpid($pid, WNOHANG);
        return 1 if $r == $pid || $r == -1;
        return 0 if time > $deadline;
        sleep 0.02;
    }
}

sub _alive { my ($pid) = @_; return $pid && kill(0, $pid) }

sub children_of {
    my ($ppid) = @_;
    my @pids;
    opendir my $d, '/proc' or return;
    for my $p (grep { /^\d+$/ } readdir $d) {
        open my $fh, '<', "/proc/$p/stat" or next;
        my $stat = <$fh>;
        close $fh;
        next unless defined $stat && $stat =~ /\)\s+(\S)\s+(\d+)/;
        next if $1 eq 'Z';
        push @pids, $p + 0 if $2 == $ppid;
    }
    @pids = sort { $a <=> $b } @pids;
    return @pids;
}

# ---------------------------------------------------------------------------
# the test environment object

sub new {
    my ($class, %o) = @_;
    my $dir = tempdir('status-edge-t-XXXXXX', TMPDIR => 1,
        CLEANUP => !$ENV{STATUS_EDGE_KEEP});
    chmod 0755, $dir;    # workers run as nobody when we are root
    my $self = bless {
        prefix    => $dir,
        owner     => $$,
        ports     => {},
        name      => $o{name} || ($0 =~ s{.*/}{}r),
        module    => $o{module} || module_path(),
        workers   => $o{workers} // 2,
        redis_db  => $o{redis_db},
        redis_password => $o{redis_password},
    }, $class;
    # an already running redis (the demo): new(redis_port => 6379)
    $self->{ports}{redis} = $o{redis_port} if $o{redis_port};
    mkdir "$dir/$_" for qw(tmp redis conf);
    Test::More::diag("prefix: $dir") if $ENV{STATUS_EDGE_KEEP};
    push @INSTANCES, $self;
    weaken($INSTANCES[-1]);
    return $self;
}

sub prefix { $_[0]{prefix} }

# named free ports, stable for the life of the object
sub port {
    my ($self, $name) = @_;
    $name //= 'http';
    return $self->{ports}{$name} //= free_port();
}

# ---------------------------------------------------------------------------
# redis

sub redis_port { $_[0]->port('redis') }

sub start_redis {
    my ($self, %o) = @_;
    croak 'redis already running' if _alive($self->{redis_pid});
    my $port = $self->redis_port;
    my $dir = "$self->{prefix}/redis";
    my @args = ($REDIS, '--port', $port, '--bind', '127.0.0.1',
        '--save', '', '--appendonly', 'no', '--dir', $dir,
        '--daemonize', 'no', '--protected-mode', 'no',
        '--loglevel', 'warning');
    if ($o{unixsocket} // $self->{redis_unixsocket}) {
        $self->{redis_unixsocket} = "$dir/redis.sock";
        push @args, '--unixsocket', $self->{redis_unixsocket},
            '--unixsocketperm', '777';
    }
    if (defined(my $pw = $o{password} // $self->{redis_password})) {
        $self->{redis_password} = $pw;
        push @args, '--requirepass', $pw;
    }
    $self->{redis_args} = $o{args} if $o{args};
    push @args, @{ $self->{redis_args} || [] };
    $self->{redis_pid} = _spawn(cmd => \@args, out => "$dir/redis.log",
        env => _plain_env());
    delete $self->{rconn};
    my $ok = wait_until(sub {
        return 0 unless _alive($self->{redis_pid});
        my $r = eval { $self->redis('PING') };
        return defined $r && $r eq 'PONG';
    }, 10);
    unless ($ok) {
        my $log = slurp("$dir/redis.log");
        die "redis-server did not start on port $port:\n$log";
    }
    _log("redis-server $self->{redis_pid} on port $port");
    return $self;
}

sub redis_pid { $_[0]{redis_pid} }

# the database the helpers use (SELECT / redis-cli -n)
sub redis_db {
    my ($self, $db) = @_;
    if (@_ > 1) { $self->{redis_db} = $db; delete $self->{rconn} }
    return $self->{redis_db};
}

# kills redis (SIGKILL by default: a crash); the port stays reserved
sub stop_redis {
    my ($self, %o) = @_;
    my $pid = delete $self->{redis_pid} or return;
    delete $self->{rconn};
    kill($o{signal} // 'KILL', $pid);
    _reap($pid, 10) or do { kill 'KILL', $pid; _reap($pid, 5) };
    # wait until the port is really closed
    wait_until(sub {
        !IO::Socket::INET->new(PeerAddr => '127.0.0.1',
            PeerPort => $self->redis_port, Timeout => 1);
    }, 5);
    return $self;
}

sub restart_redis {
    my ($self, %o) = @_;
    $self->stop_redis(%o);
    $self->start_redis;
}

sub _rconn {
    my ($self) = @_;
    return $self->{rconn} if $self->{rconn} && $self->{rconn}->alive;
    my $c = StatusEdge::Test::Redis->new(port => $self->redis_port);
    if (defined $self->{redis_password}) {
        my $r = $c->cmd('AUTH', $self->{redis_password});
        die "AUTH: $r->{err}\n" if ref $r eq 'StatusEdge::Test::RedisError';
    }
    if ($self->{redis_db}) {
        my $r = $c->cmd('SELECT', $self->{redis_db});
        die "SELECT: $r->{err}\n" if ref $r eq 'StatusEdge::Test::RedisError';
    }
    return $self->{rconn} = $c;
}

# one command over a tiny RESP client; dies on an error reply
sub redis {
    my ($self, @cmd) = @_;
    my $r = $self->redis_try(@cmd);
    croak "redis @cmd[0..($#cmd > 2 ? 2 : $#cmd)]: $r->{err}"
        if ref $r eq 'StatusEdge::Test::RedisError';
    return $r;
}

# as redis(), but an error reply is returned as a
# StatusEdge::Test::RedisError ({err => 'ERR ...'})
sub redis_try {
    my ($self, @cmd) = @_;
    my $c = $self->_rconn;
    my $r = eval { $c->cmd(@cmd) };
    if ($@) {
        delete $self->{rconn};
        die $@;
    }
    return $r;
}

# a new connection for one command whose reply is not awaited (DEBUG SLEEP)
sub redis_send_async {
    my ($self, @cmd) = @_;
    my $c = StatusEdge::Test::Redis->new(port => $self->redis_port);
    $c->cmd('AUTH', $self->{redis_password}) if defined $self->{redis_password};
    $c->cmd('SELECT', $self->{redis_db}) if $self->{redis_db};
    $c->send_cmd(@cmd);
    return $c;
}

sub _cli_base {
    my ($self) = @_;
    my @base = ($REDIS_CLI, '-h', '127.0.0.1', '-p', $self->redis_port);
    push @base, '--no-auth-warning', '-a', $self->{redis_password}
        if defined $self->{redis_password};
    push @base, '-n', $self->{redis_db} if $self->{redis_db};
    return @base;
}

# runs redis-cli with arguments; returns its output (stdout and stderr)
sub redis_cli {
    my ($self, @args) = @_;
    my @cmd = ($self->_cli_base, @args);
    return _run(\@cmd, undef, _plain_env());
}

# pipes command lines (each an array ref of arguments) into one redis-cli,
# as an admin would with `redis-cli < script`; returns the output
sub redis_cli_script {
    my ($self, $cmds) = @_;
    my $script = join '', map { join(' ', map { cli_quote($_) } @$_) . "\n" } @$cmds;
    return _run([$self->_cli_base], $script, _plain_env());
}

# feeds a redis-cli script (text, one command a line) to redis-cli
sub redis_cli_raw {
    my ($self, $script) = @_;
    return _run([$self->_cli_base], $script, _plain_env());
}

# runs a command, feeding $input; returns output, sets $? ; 30 s limit
sub _run {
    my ($cmd, $input, $env) = @_;
    my $in = File::Temp->new;
    binmode $in;
    print $in $input if defined $input;
    close $in;
    my $out = File::Temp->new;
    my $pid = fork // die "fork: $!";
    if (!$pid) {
        open STDIN, '<', $in->filename or POSIX::_exit(126);
        open STDOUT, '>', $out->filename or POSIX::_exit(126);
        open STDERR, '>&', \*STDOUT;
        %ENV = %$env if $env;
        { no warnings 'exec'; exec { $cmd->[0] } @$cmd; }
        POSIX::_exit(127);
    }
    my $deadline = time + 30;
    my $r;
    while (($r = waitpid($pid, WNOHANG)) == 0) {
        if (time > $deadline) { kill 'KILL', $pid; waitpid($pid, 0); last }
        sleep 0.01;
    }
    my $output = slurp($out->filename);
    return $output;
}

# a file's bytes ('' when it cannot be read)
sub slurp {
    my ($file) = @_;
    open my $fh, '<:raw', $file or return '';
    local $/;
    my $s = <$fh>;
    return $s // '';
}

# ---------------------------------------------------------------------------
# state in Redis, exactly as SPEC §1 describes

# a realistic state; times relative to $o{now} (default: now)
sub sample_state {
    my (%o) = @_;
    my $now = int($o{now} // time);
    my $h = 3600;
    my $d = 86400;
    return {
        page => {
            id         => 'kctbh9vrtdwd',
            name       => 'Example Cloud',
            url        => 'https://status.example.com',
            status_url => 'https://status.example.com',
            time_zone  => 'Asia/Seoul',
            'name.ko'  => "\x{c608}\x{c81c} \x{d074}\x{b77c}\x{c6b0}\x{b4dc}",
        },
        components => [
            { id => 'api', position => 1, name => 'API',
              status => 'partial_outage',
              description => 'REST and GraphQL API',
              only_show_if_degraded => 0,
              updated_at => ts($now - 30 * 60) },
            { id => 'web', position => 2, name => 'Website',
              status => 'operational', description => 'www.example.com',
              only_show_if_degraded => 0,
              updated_at => ts($now - 10 * $d) },
            { id => 'storage', position => 3, name => 'Storage',
              status => 'operational', description => 'Storage services',
              only_show_if_degraded => 0,
              updated_at => ts($now - 10 * $d) },
            { id => 'db', position => 4, name => 'Database',
              status => 'operational', description => 'Managed PostgreSQL',
              group_id => 'storage', only_show_if_degraded => 0,
              updated_at => ts($now - 10 * $d) },
            { id => 'payments', position => 5,
              # 결제 서비스
              name => "\x{acb0}\x{c81c} \x{c11c}\x{be44}\x{c2a4}",
              'name.en' => 'Payments',
              status => 'operational', description => 'Card payments',
              only_show_if_degraded => 1,
              updated_at => ts($now - 3 * $d) },
        ],
        incidents => [
            { id => 'inc-api', name => 'Elevated API error rates',
              status => 'identified', impact => 'major',
              created_at => ts($now - 2 * $h),
              updated_at => ts($now - 30 * 60),
              shortlink => 'https://stspg.io/x1abc',
              components => 'api',
              next_update_at => ts($now + 30 * 60),
              updates => [
                  { id => 'upd-api-2', status => 'identified',
                    body => 'A faulty deploy has been identified and is being rolled back.',
                    created_at => ts($now - 30 * 60) },
                  { id => 'upd-api-1', status => 'investigating',
                    body => 'We are investigating elevated error rates on the API.',
                    created_at => ts($now - 2 * $h),
                    display_at => ts($now - 2 * $h + 60) },
              ] },
            { id => 'inc-internal', name => 'Internal: CI runners slow',
              status => 'investigating', impact => 'minor',
              audience => 'internal',
              created_at => ts($now - 1 * $h),
              updated_at => ts($now - 1 * $h),
              components => 'web',
              updates => [
                  { id => 'upd-int-1', status => 'investigating',
                    body => 'Staff only: CI runners are slow.',
                    created_at => ts($now - 1 * $h) },
              ] },
            { id => 'inc-pay',
              # 결제 지연
              name => "\x{acb0}\x{c81c} \x{c9c0}\x{c5f0}",
              'name.en' => 'Delayed payments',
              status => 'resolved', impact => 'minor',
              created_at => ts($now - 3 * $d),
              updated_at => ts($now - 3 * $d + 2 * $h),
              monitoring_at => ts($now - 3 * $d + 1 * $h),
              resolved_at => ts($now - 3 * $d + 2 * $h),
              shortlink => 'https://stspg.io/x1pay',
              postmortem_url => 'https://blog.example.com/postmortem-payments',
              components => 'payments,api',
              updates => [
                  { id => 'upd-pay-3', status => 'resolved',
                    # 결제가 정상화되었습니다.
                    body => "\x{acb0}\x{c81c}\x{ac00} \x{c815}\x{c0c1}\x{d654}\x{b418}\x{c5c8}\x{c2b5}\x{b2c8}\x{b2e4}.",
                    'body.en' => 'Payments are back to normal.',
                    created_at => ts($now - 3 * $d + 2 * $h) },
                  { id => 'upd-pay-2', status => 'monitoring',
                    body => "\x{c218}\x{c815} \x{c0ac}\x{d56d}\x{c744} \x{bc30}\x{d3ec}\x{d588}\x{c2b5}\x{b2c8}\x{b2e4}.",
                    created_at => ts($now - 3 * $d + 1 * $h) },
                  { id => 'upd-pay-1', status => 'investigating',
                    body => "\x{acb0}\x{c81c}\x{ac00} \x{c9c0}\x{c5f0}\x{b418}\x{ace0} \x{c788}\x{c2b5}\x{b2c8}\x{b2e4}.",
                    created_at => ts($now - 3 * $d) },
              ] },
        ],
        maintenances => [
            { id => 'mnt-db', name => 'Database upgrade',
              status => 'scheduled', impact => 'maintenance',
              created_at => ts($now - 1 * $d),
              updated_at => ts($now - 1 * $d),
              scheduled_for => ts($now + 2 * $d),
              scheduled_until => ts($now + 2 * $d + 2 * $h),
              shortlink => 'https://stspg.io/x1mnt',
              components => 'db',
              updates => [
                  { id => 'upd-mnt-1', status => 'scheduled',
                    body => 'We will upgrade the database cluster.',
                    created_at => ts($now - 1 * $d) },
              ] },
            { id => 'mnt-net', name => 'Network maintenance',
              status => 'completed', impact => 'maintenance',
              created_at => ts($now - 9 * $d),
              updated_at => ts($now - 7 * $d + 1 * $h),
              scheduled_for => ts($now - 7 * $d),
              scheduled_until => ts($now - 7 * $d + 1 * $h),
              components => 'web,api',
              updates => [
                  { id => 'upd-net-3', status => 'completed',
                    body => 'The maintenance has been completed.',
                    created_at => ts($now - 7 * $d + 1 * $h) },
                  { id => 'upd-net-2', status => 'in_progress',
                    body => 'Maintenance is in progress.',
                    created_at => ts($now - 7 * $d) },
                  { id => 'upd-net-1', status => 'scheduled',
                    body => 'Network equipment will be replaced.',
                    created_at => ts($now - 9 * $d) },
              ] },
        ],
    };
}

# the Redis commands that write $state under $prefix (without the version
# bump); hash fields are every key but position/score/updates (and id,
# which is in the key name, except for the page)
sub state_commands {
    my ($state, $p) = @_;
    $p //= 'status:';
    my @cmds;
    my $hash = sub {
        my ($key, $rec, $keep_id) = @_;
        my @fv;
        for my $f (sort keys %$rec) {
            next if $f =~ /\A(?:position|score|updates)\z/;
            next if $f eq 'id' && !$keep_id;
            next unless defined $rec->{$f};
            push @fv, $f, $rec->{$f};
        }
        push @cmds, ['HSET', $key, @fv] if @fv;
    };
    $hash->("${p}page", $state->{page}, 1) if $state->{page};
    if (my $cs = $state->{components}) {
        push @cmds, ['ZADD', "${p}components",
            map { ($_->{position} // $_->{score} // 0, $_->{id}) } @$cs] if @$cs;
        $hash->("${p}component:$_->{id}", $_) for @$cs;
    }
    for my $kind (['incidents', 'incident', 'created_at'],
                  ['maintenances', 'maintenance', 'scheduled_for']) {
        my ($zkey, $rkey, $sf) = @$kind;
        my $rs = $state->{$zkey} or next;
        next unless @$rs;
        push @cmds, ['ZADD', "$p$zkey",
            map { ($_->{score} // parse_ts($_->{$sf}) // 0, $_->{id}) } @$rs];
        for my $r (@$rs) {
            $hash->("$p$rkey:$r->{id}", $r);
            my $u = $r->{updates} or next;
            next unless @$u;
            # newest first: RPUSH in the given (newest first) order
            push @cmds, ['RPUSH', "$p$rkey:$r->{id}:updates",
                map { ref $_ ? json_encode($_) : $_ } @$u];
        }
    }
    return \@cmds;
}

# writes a whole state as a writer does: MULTI, (DEL old keys: not
# Pversion, Paudit, Preset, which are not page content), writes,
# INCR Pversion, PUBLISH Pevents <version>, EXEC.
# options: prefix (status:), via ('cli' = piped into redis-cli, 'resp'),
# flush (1: delete the prefix's keys first), bump (1), publish (1).
# Returns the new version (or the current one when bump => 0).
sub write_state {
    my ($self, $state, %o) = @_;
    my $p = $o{prefix} // 'status:';
    my $via = $o{via} // 'cli';
    my $bump = $o{bump} // 1;
    my $publish = $o{publish} // $bump;
    my @cmds = (['MULTI']);
    if ($o{flush} // 1) {
        my $keys = $self->redis('KEYS', _glob_escape($p) . '*') || [];
        my %keep = map { ("$p$_" => 1) } qw(version audit reset);
        my @del = grep { !$keep{$_} } @$keys;
        push @cmds, ['DEL', @del] if @del;
    }
    push @cmds, @{ state_commands($state, $p) };
    my $cur = $self->redis('GET', "${p}version") // 0;
    my $new = $cur;
    if ($bump) {
        $new = $cur + 1;
        push @cmds, ['INCR', "${p}version"];
        push @cmds, ['PUBLISH', "${p}events", $new] if $publish;
    }
    push @cmds, ['EXEC'];
    if ($via eq 'cli') {
        my $out = $self->redis_cli_script(\@cmds);
        die "redis-cli reported an error:\n$out"
            if $out =~ /^(?:\(error\) )?(?:ERR|WRONGTYPE|EXECABORT|NOAUTH)/m;
    } else {
        for my $c (@cmds) {
            my $r = $self->redis_try(@$c);
            die "redis @$c[0]: $r->{err}" if ref $r eq 'StatusEdge::Test::RedisError';
            if ($c->[0] eq 'EXEC') {
                for (@{ $r || [] }) {
                    die "redis EXEC: $_->{err}" if ref $_ eq 'StatusEdge::Test::RedisError';
                }
            }
        }
    }
    my $v = $self->redis('GET', "${p}version") // 0;
    die "version is $v after write, expected $new" if $bump && $v != $new;
    return $v;
}

# INCR Pversion and PUBLISH it (after hand edits); returns the version
sub bump {
    my ($self, %o) = @_;
    my $p = $o{prefix} // 'status:';
    my $v = $self->redis('INCR', "${p}version");
    $self->redis('PUBLISH', "${p}events", $v) if $o{publish} // 1;
    return $v;
}

sub _glob_escape { my ($s) = @_; $s =~ s/([*?\[\]\\])/\\$1/g; $s }

# ---------------------------------------------------------------------------
# nginx

sub nginx_pid { $_[0]{nginx_pid} }
sub error_log { "$_[0]{prefix}/error.log" }

# the http-level lines: status_edge_redis and intervals
#   redis => [ 'ADDR [opts]', ... ] (default 127.0.0.1:<redis port>)
#   poll => '1s', resync => '30s' (undef: directive omitted)
sub http_conf {
    my ($self, %o) = @_;
    my $redis = $o{redis} // ['127.0.0.1:' . $self->redis_port];
    $redis = [$redis] unless ref $redis;
    my $c = '';
    $c .= "    status_edge_redis $_;\n" for @$redis;
    $c .= "    status_edge_poll_interval $o{poll};\n" if defined $o{poll};
    $c .= "    status_edge_resync_interval $o{resync};\n" if defined $o{resync};
    return $c;
}

# a server with the usual locations:
#   /api/v2/ (status_edge_api), /metrics, /ind (variables), /plain
#   port => name or number (default 'http'), page => prefix (omitted: default),
#   max_age => for the api location, extra => more lines in the server
sub server_conf {
    my ($self, %o) = @_;
    my $port = $o{port} // 'http';
    $port = $self->port($port) unless $port =~ /^\d+$/;
    my $page = defined $o{page} ? "        status_edge_page $o{page};\n" : '';
    my $max_age = defined $o{max_age}
        ? "            status_edge_api_max_age $o{max_age};\n" : '';
    my $extra = $o{extra} // '';
    return <<"EOF";
    server {
        listen 127.0.0.1:$port;
        server_name localhost;
$page
        location /api/v2/ {
            status_edge_api;
$max_age        }
        location = /metrics {
            status_edge_metrics;
        }
        location = /ind {
            add_header X-Pid \$pid always;
            return 200 "\$status_edge_indicator \$status_edge_version";
        }
        location = /plain {
            add_header X-Pid \$pid always;
            return 200 "plain";
        }
$extra    }
EOF
}

# a whole nginx.conf.
#   workers, main (extra main-context lines), http (http-level lines,
#   default http_conf(%o)), servers (default server_conf()), http_extra,
#   no_module (1: without load_module)
sub nginx_conf {
    my ($self, %o) = @_;
    my $prefix = $self->{prefix};
    my $workers = $o{workers} // $self->{workers};
    my $http = $o{http} // $self->http_conf(%o);
    my $servers = $o{servers} // $self->server_conf;
    my $http_extra = $o{http_extra} // '';
    my $main = $o{main} // '';
    my $load = $o{no_module} ? '' : "load_module $self->{module};\n";
    my $env = '';
    for my $v (qw(ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS)) {
        $env .= "env $v;\n" if exists $ENV{$v};
    }
    my $user = $> == 0 ? "user nobody nogroup;\n" : '';
    return <<"EOF";
$load
worker_processes $workers;
master_process on;
daemon off;
${user}pid $prefix/nginx.pid;
lock_file $prefix/nginx.lock;
error_log $prefix/error.log info;
$env$main
events {
    worker_connections 256;
}

http {
    access_log $prefix/access.log;
    default_type application/octet-stream;
    client_body_temp_path $prefix/tmp/client_body;
    proxy_temp_path $prefix/tmp/proxy;
    fastcgi_temp_path $prefix/tmp/fastcgi;
    uwsgi_temp_path $prefix/tmp/uwsgi;
    scgi_temp_path $prefix/tmp/scgi;

$http$http_extra
$servers
}
EOF
}

sub _write_file {
    my ($file, $text) = @_;
    open my $fh, '>:raw', $file or die "$file: $!";
    print $fh $text;
    close $fh or die "$file: $!";
}

sub conf_file { "$_[0]{prefix}/nginx.conf" }

sub _nginx_args {
    my ($self, $conf) = @_;
    return ($NGINX, '-p', "$self->{prefix}/", '-c', $conf,
        '-e', "$self->{prefix}/error.log");
}

# nginx's environment: STATUS_EDGE_PRELOAD (the sanitizer runtime of an
# ASan build of the module) is preloaded into nginx only
# (command => 1: an nginx that only signals or tests a configuration,
# whose exit LeakSanitizer is not to fail)
sub _nginx_env {
    my (%o) = @_;
    my %env = %ENV;
    if ($o{command} && defined $env{ASAN_OPTIONS}) {
        $env{ASAN_OPTIONS} .= ':detect_leaks=0';
    }
    if (my $pre = $ENV{STATUS_EDGE_PRELOAD}) {
        $env{LD_PRELOAD} = join ' ', grep { defined && length } $pre, $env{LD_PRELOAD};
    }
    return \%env;
}

# starts nginx (conf => full text, or the options of nginx_conf) and waits
# until the first listening port answers
sub start_nginx {
    my ($self, %o) = @_;
    croak 'nginx already running' if _alive($self->{nginx_pid});
    croak "module not built: $self->{module} (run make)"
        unless $o{no_module} || -f $self->{module};
    my $conf = $o{conf} // $self->nginx_conf(%o);
    _write_file($self->conf_file, $conf);
    $self->{log_offset} //= 0;
    $self->{nginx_pid} = _spawn(cmd => [$self->_nginx_args($self->conf_file)],
        out => "$self->{prefix}/nginx.out", env => _nginx_env());
    my @ports = $conf =~ /listen\s+127\.0\.0\.1:(\d+)/g;
    my $ok = wait_until(sub {
        return -1 unless _alive($self->{nginx_pid});
        my @w = $self->worker_pids;
        return 0 unless @w;
        for my $p (@ports) {
            my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                PeerPort => $p, Timeout => 1) or return 0;
            close $s;
        }
        return 1;
    }, 15);
    if (!$ok || $ok == -1) {
        my $log = slurp($self->error_log) . slurp("$self->{prefix}/nginx.out");
        $self->_kill_nginx;
        die "nginx did not start:\n$log";
    }
    _log("nginx $self->{nginx_pid} on ports @ports");
    return $self;
}

sub worker_pids {
    my ($self) = @_;
    return () unless $self->{nginx_pid};
    # cache loaders / managers would also be children; we have none
    return children_of($self->{nginx_pid});
}

# nginx -s reload; waits until a new set of workers runs and the old ones
# are gone (the old ones finish their requests first)
sub reload {
    my ($self, %o) = @_;
    if (defined $o{conf}) { _write_file($self->conf_file, $o{conf}) }
    my %old = map { $_ => 1 } $self->worker_pids;
    my $out = _run([$self->_nginx_args($self->conf_file), '-s', 'reload'],
        undef, _nginx_env(command => 1));
    my $rc = $?;
    die "nginx -s reload failed ($rc): $out" if $rc;
    my $ok = wait_until(sub {
        my @now = $self->worker_pids;
        return 0 unless @now;
        return !grep { $old{$_} } @now;
    }, $o{timeout} // 20);
    die "reload: old workers still running" unless $ok;
    return $self;
}

# nginx -t on a configuration text; returns ($exit_code, $output)
sub nginx_test {
    my ($self, $conf) = @_;
    my $file = "$self->{prefix}/conf/test-" . ++$self->{ntest} . '.conf';
    _write_file($file, $conf);
    my $out = _run([$NGINX, '-t', '-p', "$self->{prefix}/", '-c', $file,
        '-e', 'stderr'], undef, _nginx_env(command => 1));
    my $rc = $? >> 8;
    $rc = 128 + ($? & 127) if $? & 127;
    return ($rc, $out);
}

sub _kill_nginx {
    my ($self) = @_;
    my $pid = delete $self->{nginx_pid} or return 1;
    my @workers = children_of($pid);
    kill 'QUIT', $pid;
    my $clean = _reap($pid, 20);
    if (!$clean) {
        kill 'TERM', $pid;
        _reap($pid, 5) or do { kill 'KILL', $pid; _reap($pid, 5) };
    }
    for my $w (@workers) {
        next unless kill 0, $w;
        wait_until(sub { !kill 0, $w }, 5) or kill 'KILL', $w;
    }
    return $clean;
}

# A LeakSanitizer report (ASAN_OPTIONS=detect_leaks=1, make test-leaks)
# whose stacks never pass through the module is nginx's own (a worker's
# connection arrays at exit, say): it is left out, as a report that names
# the module (-z nodelete keeps its symbols) or the core is not.
# Workers exiting together (a reload of many workers) write their reports
# into the same log line by line, interleaved, so a report's lines are not
# told from another's: when no stack frame in the file names the module or
# the core, every report is nginx's own and each leftover line goes too.
my $OURS_RE = qr/ngx_http_status_edge|status_edge_module\.so|\bse_\w+|src\/core\//;

sub _drop_foreign_leaks {
    my ($text) = @_;
    $text =~ s{^[^\n]*ERROR: LeakSanitizer: detected memory leaks\n(.*?)^SUMMARY: [^\n]*\n}{
        my $r = $&;
        $1 =~ $OURS_RE ? $r : '';
    }gmse;
    if ($text !~ /^\s*#\d+ 0x[0-9a-f]+ [^\n]*$OURS_RE/m) {
        $text =~ s{^(?:[^\n]*ERROR: LeakSanitizer: detected memory leaks
                      |SUMMARY:\ AddressSanitizer:\ \d+\ byte\(s\)\ leaked
                      \ in\ \d+\ allocation\(s\)\.)[^\n]*\n}{}gmx;
    }
    return $text;
}

# lines of error.log and nginx's own output matching the bad patterns,
# less those matching $allow
sub bad_log_lines {
    my ($self, %o) = @_;
    my $allow = $o{allow};
    my @bad;
    for my $f ($self->error_log, "$self->{prefix}/nginx.out") {
        for my $line (split /\n/, _drop_foreign_leaks(slurp($f))) {
            next unless $line =~ $BAD_LOG_RE;
            next if $allow && $line =~ $allow;
            push @bad, $line;
        }
    }
    return @bad;
}

# stops nginx (graceful QUIT) and checks the logs: one ok()
sub stop_nginx {
    my ($self, %o) = @_;
    return unless $self->{nginx_pid};
    my $clean = $self->_kill_nginx;
    Test::More::ok($clean, 'nginx exited on QUIT within 20 s');
    $self->check_logs(%o);
}

sub check_logs {
    my ($self, %o) = @_;
    my @bad = $self->bad_log_lines(%o);
    my $n = @bad;
    splice @bad, 20 if @bad > 20;
    Test::More::ok(!$n, "error.log: no alert, emerg, crit or sanitizer report")
        or Test::More::diag(join "\n", "$n bad lines:", @bad);
}

# stops everything: nginx (with the log check) and redis
sub stop {
    my ($self, %o) = @_;
    $self->stop_nginx(%o);
    $self->stop_redis(signal => 'TERM');
}

sub _kill_all {
    my ($self) = @_;
    return unless $self->{owner} == $$;
    local ($?, $!, $@);
    $self->_kill_nginx if $self->{nginx_pid};
    $self->stop_redis if $self->{redis_pid};
}

sub DESTROY { $_[0]->_kill_all }

END {
    local $?;
    for my $t (@INSTANCES) { $t->_kill_all if $t }
}

# the last lines of error.log, for diagnostics
sub log_tail {
    my ($self, $n) = @_;
    my @l = split /\n/, slurp($self->error_log);
    $n //= 30;
    return join "\n", @l > $n ? @l[-$n .. -1] : @l;
}

sub log_text { slurp($_[0]->error_log) }

# ---------------------------------------------------------------------------
# Browser tests: runs t/browser/<script> (node, playwright-core, Debian's
# chromium) with %env added to the environment, and reports each TAP line
# it prints as a test here; the script's diagnostics become diag lines.
#   browser_test('widget.mjs', PAGE_URL => ..., API_BASE => ...);

sub browser_test {
    my ($script, %env) = @_;
    my $dir = abs_path(dirname(__FILE__) . '/../../browser');
    local %ENV = (%ENV, %env);
    my $pid = open(my $fh, '-|') // die "fork: $!";
    if (!$pid) {
        open STDERR, '>&', \*STDOUT;
        exec 'node', "$dir/$script" or die "node: $!";
    }
    my ($seen, @diag) = (0);
    my $flush = sub {
        Test::More::diag(join "\n", @diag) if @diag;
        @diag = ();
    };
    while (my $line = <$fh>) {
        chomp $line;
        if ($line =~ /\A(not )?ok \d+ - (.*)\z/) {
            $flush->();
            $seen++;
            Test::More::ok(!$1, "browser: $2");
        } elsif ($line =~ /\ABail out!\s*(.*)/) {
            $flush->();
            Test::More::fail("browser: bailed out: $1");
        } elsif ($line =~ /\A# ?(.*)/) {
            push @diag, $1;
        } elsif ($line !~ /\A1\.\.\d+\z/) {
            push @diag, $line;
        }
    }
    $flush->();
    close $fh;
    Test::More::is($? >> 8, 0, "browser: $script exited cleanly");
    Test::More::ok($seen > 0, "browser: $script ran tests");
    return $seen;
}

# ---------------------------------------------------------------------------
# HTTP client: one request, HTTP/1.1, Connection: close.
#   $t->http($method, $path, port => name|number, headers => [k, v, ...],
#            timeout => 10, body => ..)
# list context: ($status, \%headers (lowercase names), $body);
# $status is undef on timeout or connection error ($h->{_error}).

sub http {
    my ($self, $method, $path, %o) = @_;
    my $port = $o{port} // 'http';
    $port = $self->port($port) unless $port =~ /^\d+$/;
    return http_request($port, $method, $path, %o);
}

sub http_request {
    my ($port, $method, $path, %o) = @_;
    my $timeout = $o{timeout} // 10;
    my $deadline = time + $timeout;
    my @h = @{ $o{headers} || [] };
    my %given = map { lc($_) => 1 } @h[grep { !($_ % 2) } 0 .. $#h];
    my $req = "$method $path HTTP/1.1\r\n"
        . ($given{host} ? '' : "Host: localhost\r\n") . "Connection: close\r\n";
    while (my ($k, $v) = splice @h, 0, 2) { $req .= "$k: $v\r\n" }
    if (defined $o{body}) { $req .= 'Content-Length: ' . length($o{body}) . "\r\n" }
    $req .= "\r\n";
    $req .= $o{body} if defined $o{body};
    $req = $o{raw} if defined $o{raw};

    my $fail = sub { return (undef, { _error => $_[0] }, undef) };
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port,
        Proto => 'tcp', Timeout => $timeout)
        or return $fail->("connect: $!");
    $s->blocking(0);
    my $sel = IO::Select->new($s);
    my $off = 0;
    while ($off < length $req) {
        my $left = $deadline - time;
        return $fail->('timeout writing') if $left <= 0;
        $sel->can_write($left) or return $fail->('timeout writing');
        my $n = syswrite($s, $req, length($req) - $off, $off);
        if (!defined $n) {
            next if $!{EAGAIN} || $!{EINTR};
            return $fail->("write: $!");
        }
        $off += $n;
    }
    my $resp = '';
    while (1) {
        my $left = $deadline - time;
        return $fail->('timeout reading') if $left <= 0;
        $sel->can_read($left) or return $fail->('timeout reading');
        my $n = sysread($s, $resp, 65536, length $resp);
        if (!defined $n) {
            next if $!{EAGAIN} || $!{EINTR};
            last if $!{ECONNRESET} && length $resp;
            return $fail->("read: $!");
        }
        last if $n == 0;
    }
    close $s;
    return parse_response($resp, $method);
}

sub parse_response {
    my ($resp, $method) = @_;
    my $i = index($resp, "\r\n\r\n");
    return (undef, { _error => 'no header end', _raw => $resp }, undef) if $i < 0;
    my $head = substr($resp, 0, $i);
    my $body = substr($resp, $i + 4);
    my ($sl, @lines) = split /\r\n/, $head;
    my ($status) = $sl =~ m{\AHTTP/1\.[01] (\d{3})}
        or return (undef, { _error => "bad status line: $sl" }, undef);
    my %h = (_status_line => $sl);
    for (@lines) {
        my ($k, $v) = /\A([^:]+):\s*(.*?)\s*\z/ or next;
        $k = lc $k;
        $h{$k} = exists $h{$k} ? "$h{$k}, $v" : $v;
        push @{ $h{_list}{$k} }, $v;
    }
    if (($h{'transfer-encoding'} // '') =~ /chunked/i
        && $method ne 'HEAD' && $status != 304 && $status != 204) {
        my $out = '';
        while ($body =~ s/\A([0-9a-fA-F]+)[^\r\n]*\r\n//) {
            my $n = hex $1;
            last if $n == 0;
            $out .= substr($body, 0, $n, '');
            $body =~ s/\A\r\n//;
        }
        $body = $out;
    }
    return ($status + 0, \%h, $body);
}

# GET and decode JSON: ($status, $headers, $data (undef if not JSON), $body)
sub get_json {
    my ($self, $path, %o) = @_;
    my ($st, $h, $body) = $self->http($o{method} // 'GET', $path, %o);
    return ($st, $h, defined $body ? json_decode($body) : undef, $body);
}

# ---------------------------------------------------------------------------
# waiting for state

# /ind of a server: ($indicator, $version, $worker_pid) or () on failure
sub ind {
    my ($self, %o) = @_;
    my ($st, $h, $body) = $self->http(GET => $o{path} // '/ind', %o);
    return () unless defined $st && $st == 200;
    my ($ind, $ver) = split / /, $body, 2;
    return ($ind, $ver, $h->{'x-pid'});
}

# one answer of /ind checked against the last version each worker served:
# $last is { pid => version }, a version lower than its worker's last is
# pushed onto @$backwards ("worker PID: OLD -> NEW")
sub sample_backwards {
    my ($self, $last, $backwards) = @_;
    my ($ind, $ver, $pid) = $self->ind;
    return unless defined $ver && $ver =~ /^\d+$/ && $pid;
    push @$backwards, "worker $pid: $last->{$pid} -> $ver"
        if defined $last->{$pid} && $ver < $last->{$pid};
    $last->{$pid} = $ver;
}

# waits until every worker serves version >= $v (by /ind with X-Pid), or,
# when a worker is never reached, 40 answers in a row do; returns 1 or 0
sub wait_version {
    my ($self, $v, %o) = @_;
    my %seen;
    my $row = 0;
    my $ok = wait_until(sub {
        my ($ind, $ver, $pid) = $self->ind(%o);
        if (!defined $ver || $ver !~ /^\d+$/ || $ver < $v) {
            $row = 0;
            delete $seen{$pid} if defined $pid;
            return 0;
        }
        $row++;
        $seen{$pid} = 1 if defined $pid;
        my @w = $self->worker_pids;
        return 1 if @w && !grep { !$seen{$_} } @w;
        return $row >= 40;
    }, $o{timeout} // 15, 0.02);
    return $ok ? 1 : 0;
}

# per worker: { pid => value } of per-worker metric $name (labels %l must
# match), scraped until every worker appeared (bounded, 10 s)
sub worker_metric {
    my ($self, $name, %l) = @_;
    my %v;
    wait_until(sub {
        my $m = $self->metrics or return 0;
        for my $k (grep { /^\Q$name\E\{/ } keys %$m) {
            my %kl = $k =~ /(\w+)="([^"]*)"/g;
            next if !$kl{worker}
                || grep { ($kl{$_} // '') ne $l{$_} } keys %l;
            $v{ $kl{worker} } = $m->{$k};
        }
        my @w = $self->worker_pids;
        return @w && !grep { !defined $v{$_} } @w;
    }, 10, 0.02);
    return \%v;
}

# waits until every worker's version of page $o{page} (default status:),
# from the zone's per-worker metric, is >= $v; 1 or 0 (with a diag)
sub wait_workers_serve {
    my ($self, $v, %o) = @_;
    my $page = $o{page} // 'status:';
    my %ver;
    my $ok = wait_until(sub {
        my $m = $self->metrics or return 0;
        %ver = ();
        for my $k (keys %$m) {
            next unless $k =~ /^status_edge_worker_version\{(.*)\}$/;
            my %l = $1 =~ /(\w+)="([^"]*)"/g;
            $ver{ $l{worker} } = $m->{$k} if $l{page} eq $page;
        }
        my @w = $self->worker_pids;
        return @w && (!$o{workers} || @w == $o{workers})
            && !grep { !defined $ver{$_} || $ver{$_} < $v } @w;
    }, $o{timeout} // 10, 0.01);
    Test::More::diag(Test::More::explain({ want => $v,
        workers => [$self->worker_pids], seen => \%ver })) unless $ok;
    return $ok ? 1 : 0;
}

# the client connections of the Redis on $port (default the test's own)
# that this nginx's workers (or the processes of pids => [...]) own, from
# CLIENT LIST and /proc: ({ pid => count }, how many connections none of
# them owns); $list: CLIENT LIST's text (default asked on the test's Redis)
sub redis_clients_by_pid {
    my ($self, %o) = @_;
    my $port = $o{port} // $self->redis_port;
    my $list = $o{list} // $self->redis('CLIENT', 'LIST');
    # the client ends of connections to that Redis, by their port
    my %port_inode;
    open my $fh, '<', '/proc/net/tcp' or die "/proc/net/tcp: $!";
    <$fh>;
    while (my $line = <$fh>) {
        my @f = split ' ', $line;
        my ($local) = $f[1] =~ /^0100007F:([0-9A-F]{4})$/ or next;
        my ($peer) = $f[2] =~ /^0100007F:([0-9A-F]{4})$/ or next;
        $port_inode{hex $local} = $f[9] if hex $peer == $port;
    }
    close $fh;
    my %inode_pid;
    for my $pid (@{ $o{pids} || [$self->worker_pids] }) {
        opendir my $d, "/proc/$pid/fd" or next;
        for my $fd (readdir $d) {
            my $l = readlink "/proc/$pid/fd/$fd" or next;
            $inode_pid{$1} = $pid if $l =~ /^socket:\[(\d+)\]$/;
        }
        closedir $d;
    }
    my (%by, $others);
    for my $line (split /\n/, $list) {
        my ($p) = $line =~ /\baddr=127\.0\.0\.1:(\d+)/ or next;
        my $pid = $inode_pid{ $port_inode{$p} // '' };
        if ($pid) { $by{$pid}++ } else { $others++ }
    }
    return (\%by, $others // 0);
}

# waits until $cb->($data) is true for $n answers in a row of GET $path
# (JSON); returns the last data or undef
sub wait_json {
    my ($self, $path, $cb, %o) = @_;
    my $n = $o{row} // 10;
    my $row = 0;
    my $last;
    my $ok = wait_until(sub {
        my ($st, $h, $data) = $self->get_json($path, %o);
        if (defined $st && $st == 200 && ref $data && $cb->($data, $h)) {
            $last = $data;
            return ++$row >= $n;
        }
        $row = 0;
        return 0;
    }, $o{timeout} // 15, 0.02);
    return $ok ? $last : undef;
}

# parsed /metrics: { 'name{labels}' => value, ... } and a list of samples
sub metrics {
    my ($self, %o) = @_;
    my ($st, $h, $body) = $self->http(GET => $o{path} // '/metrics', %o);
    return undef unless defined $st && $st == 200;
    my %m;
    for my $line (split /\n/, $body) {
        next if $line =~ /^\s*(#|$)/;
        my ($k, $v) = $line =~ /\A(\S+(?:\{[^}]*\})?)\s+(\S+)/ or next;
        $m{$k} = $v;
    }
    return wantarray ? (\%m, $body, $h) : \%m;
}

# the value of metric $name with labels matching %labels (first match;
# with sum => 1 the sum of all matches); undef if absent
sub metric {
    my ($m, $name, %labels) = @_;
    my ($sum, $found);
    for my $k (sort keys %$m) {
        my ($n, $l) = $k =~ /\A([^{]+)(?:\{(.*)\})?\z/ or next;
        next unless $n eq $name;
        my %kl = ($l // '') =~ /(\w+)="((?:[^"\\]|\\.)*)"/g;
        next if grep { !defined $kl{$_} || $kl{$_} ne $labels{$_} } keys %labels;
        $found = 1;
        $sum += $m->{$k};
    }
    return $found ? $sum : undef;
}

# ---------------------------------------------------------------------------

package StatusEdge::Test::RedisError;

sub new { bless { err => $_[1] }, $_[0] }

package StatusEdge::Test::Redis;

# a tiny RESP2 client

use IO::Select;
use IO::Socket::INET;
use Time::HiRes qw(time);

sub new {
    my ($class, %o) = @_;
    my $s = IO::Socket::INET->new(PeerAddr => $o{host} // '127.0.0.1',
        PeerPort => $o{port}, Proto => 'tcp', Timeout => 5)
        or die "redis connect $o{port}: $!\n";
    $s->blocking(0);
    return bless { s => $s, buf => '', timeout => $o{timeout} // 10 }, $class;
}

sub alive { my ($self) = @_; return $self->{s} && $self->{s}->connected }

sub send_cmd {
    my ($self, @args) = @_;
    my $req = '*' . @args . "\r\n";
    for my $a (@args) {
        my $b = $a // '';
        utf8::encode($b) if utf8::is_utf8($b);
        $req .= '$' . length($b) . "\r\n$b\r\n";
    }
    my $sel = IO::Select->new($self->{s});
    my $deadline = time + $self->{timeout};
    my $off = 0;
    while ($off < length $req) {
        my $left = $deadline - time;
        die "redis write timeout\n" if $left <= 0;
        $sel->can_write($left) or die "redis write timeout\n";
        my $n = syswrite($self->{s}, $req, length($req) - $off, $off);
        if (!defined $n) {
            next if $!{EAGAIN} || $!{EINTR};
            die "redis write: $!\n";
        }
        $off += $n;
    }
}

sub _fill {
    my ($self, $deadline) = @_;
    my $sel = IO::Select->new($self->{s});
    while (1) {
        my $left = $deadline - time;
        die "redis read timeout\n" if $left <= 0;
        $sel->can_read($left) or die "redis read timeout\n";
        my $n = sysread($self->{s}, $self->{buf}, 1 << 20, length $self->{buf});
        if (!defined $n) {
            next if $!{EAGAIN} || $!{EINTR};
            die "redis read: $!\n";
        }
        die "redis: connection closed\n" if $n == 0;
        return;
    }
}

sub _line {
    my ($self, $deadline) = @_;
    while (1) {
        my $i = index($self->{buf}, "\r\n");
        return substr(substr($self->{buf}, 0, $i + 2, ''), 0, $i) if $i >= 0;
        $self->_fill($deadline);
    }
}

sub read_reply {
    my ($self, $timeout) = @_;
    my $deadline = time + ($timeout // $self->{timeout});
    return $self->_reply($deadline);
}

sub _reply {
    my ($self, $deadline) = @_;
    my $line = $self->_line($deadline);
    my $t = substr($line, 0, 1, '');
    return $line if $t eq '+';
    return $line + 0 if $t eq ':';
    return StatusEdge::Test::RedisError->new($line) if $t eq '-';
    if ($t eq '$') {
        return undef if $line < 0;
        $self->_fill($deadline) while length($self->{buf}) < $line + 2;
        my $s = substr($self->{buf}, 0, $line + 2, '');
        return substr($s, 0, $line);
    }
    if ($t eq '*') {
        return undef if $line < 0;
        return [map { $self->_reply($deadline) } 1 .. $line];
    }
    die "redis: bad reply type '$t'\n";
}

sub cmd {
    my ($self, @args) = @_;
    $self->send_cmd(@args);
    return $self->read_reply;
}

sub close { my ($self) = @_; close $self->{s} if $self->{s}; delete $self->{s} }

1;
