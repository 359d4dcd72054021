package StatusEdge::Fleet;

# Several redis-server and redis-sentinel processes for one test: primaries,
# replicas, Sentinels, optionally with TLS, on free loopback ports, each in
# its own directory under the prefix of a StatusEdge::Test object (whose
# free-port, spawn and reap helpers it uses).  Perl core modules only.
#
#   my $t = StatusEdge::Test->new;
#   my $f = StatusEdge::Fleet->new($t);
#   $f->redis('p');                              # a primary
#   $f->redis('r', replicaof => 'p');            # its replica (waits: link up)
#   $f->sentinel("s$_", monitor => 'p', set => 'mymaster', quorum => 2,
#                down_after => 1000) for 1 .. 3;
#   $f->cmd('p', 'SET', 'k', 'v');               # one command, plain port
#   $f->wait_sentinels('mymaster', 'r', 20);     # all name r's port
#   $f->kill_one('p');                           # SIGKILL (a crash)
#   my $url = $f->sentinel_url('mymaster');      # redis+sentinel://...
#   $f->stop;                                    # everything (also DESTROY/END)
#
# Functions:
#   new($t)                    the fleet of StatusEdge::Test $t
#   tls()                      {ca, server, client} made once with
#                              StatusEdge::TLS in $t's prefix: the server
#                              certificate is for localhost and 127.0.0.1
#   redis($name, %o)           starts a redis-server named $name; o: replicaof
#                              => name (waits until master_link_status is up),
#                              tls => 1 (a TLS port beside the plain one,
#                              auth_clients => no|optional|yes), password,
#                              args => [more arguments]; returns its port
#   sentinel($name, %o)        starts a redis-sentinel monitoring server o:
#                              monitor (a name of redis()) as set (default
#                              mymaster) with quorum (2), down_after ms
#                              (1000), failover_timeout ms (10000); tls => 1:
#                              a TLS port beside the plain one, and the
#                              server watched on its TLS port; waits until
#                              it answers; returns its port
#   port($name), tls_port($name), pid($name), dir($name), log_text($name)
#   cmd($name, @cmd)           one command on the plain port (dies on error
#                              replies, as StatusEdge::Test::redis)
#   try($name, @cmd)           the same, the error returned
#                              (StatusEdge::Test::RedisError)
#   role($name)                ROLE's first element: master, slave, sentinel
#   put_state($name, $state, $version)
#                              a whole state (StatusEdge::Test's form) on
#                              server $name under "status:", at $version,
#                              published, in one MULTI/EXEC
#   master_of($sentinel, $set) the port the Sentinel names (undef: none)
#   wait_sentinels($set, $name, $timeout)
#                              until every Sentinel of $set that runs names
#                              $name's port and
#                              $name says ROLE master; 1 or 0
#   wait_replicas($sentinel, $set, $n, $timeout)
#                              until the Sentinel knows $n replicas that
#                              are up with their link; 1 or 0
#   kill_one($name, $signal)   kills one process (default KILL), reaps it
#   sentinel_url($set, %o)     redis+sentinel://127.0.0.1:P,.../$set[/db]
#                              of every Sentinel of $set started; o: db,
#                              tls (rediss+sentinel:// and their TLS
#                              ports), userinfo, query
#   stop()                     kills every process still running
#
# Every wait is bounded in time; every process is killed when the object
# goes away or the test ends, also when it dies.

use strict;
use warnings;

use Carp qw(croak);
use Scalar::Util qw(weaken);
use Time::HiRes qw(time sleep);

use StatusEdge::Test qw(wait_until slurp);
use StatusEdge::TLS qw(make_ca make_cert redis_tls_args);

my $SENTINEL = $ENV{STATUS_EDGE_REDIS_SENTINEL} || '/usr/bin/redis-sentinel';

my @FLEETS;

sub new {
    my ($class, $t) = @_;
    croak 'StatusEdge::Fleet->new($t)' unless $t;
    my $self = bless { t => $t, owner => $$, procs => {}, order => [] },
        $class;
    push @FLEETS, $self;
    weaken($FLEETS[-1]);
    return $self;
}

sub _proc {
    my ($self, $name) = @_;
    return $self->{procs}{$name} // croak "no fleet process $name";
}

sub port     { $_[0]{t}->port("fleet-$_[1]") }
sub tls_port { $_[0]{t}->port("fleet-$_[1]-tls") }
sub pid      { $_[0]->_proc($_[1])->{pid} }
sub dir      { "$_[0]{t}{prefix}/fleet/$_[1]" }
sub log_text { slurp($_[0]->dir($_[1]) . '/log') }

sub tls {
    my ($self) = @_;
    return $self->{tls} if $self->{tls};
    my $d = "$self->{t}{prefix}/fleet/tls";
    mkdir "$self->{t}{prefix}/fleet";
    mkdir $d;
    my $ca = make_ca($d, 'fleet-ca');
    $self->{tls} = {
        ca     => $ca,
        server => make_cert($d, $ca, 'server',
            san => 'DNS:localhost,IP:127.0.0.1'),
        client => make_cert($d, $ca, 'client', client => 1),
    };
    return $self->{tls};
}

sub _start {
    my ($self, $name, $kind, @cmd) = @_;
    croak "fleet process $name already running"
        if $self->{procs}{$name} && StatusEdge::Test::_alive($self->{procs}{$name}{pid});
    my $pid = StatusEdge::Test::_spawn(cmd => \@cmd,
        out => $self->dir($name) . '/log', env => StatusEdge::Test::_plain_env());
    $self->{procs}{$name} = { pid => $pid, kind => $kind };
    push @{ $self->{order} }, $name;
    my $ok = wait_until(sub {
        return 0 unless StatusEdge::Test::_alive($pid);
        my $r = eval { $self->cmd($name, 'PING') };
        return defined $r && $r eq 'PONG';
    }, 10);
    die "$kind $name did not start on port " . $self->port($name) . ":\n"
        . $self->log_text($name) unless $ok;
    return $self->port($name);
}

sub redis {
    my ($self, $name, %o) = @_;
    my $dir = $self->dir($name);
    mkdir "$self->{t}{prefix}/fleet";
    mkdir $dir;
    my @args = ($StatusEdge::Test::REDIS, '--port', $self->port($name),
        '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
        '--dir', $dir, '--daemonize', 'no', '--protected-mode', 'no',
        '--loglevel', 'warning');
    if (defined $o{password}) {
        push @args, '--requirepass', $o{password}, '--masterauth', $o{password};
        $self->{password}{$name} = $o{password};
    }
    if ($o{tls}) {
        my $tls = $self->tls;
        push @args, redis_tls_args($self->tls_port($name), $tls->{ca},
            $tls->{server}, auth_clients => $o{auth_clients});
    }
    push @args, '--replicaof', '127.0.0.1', $self->port($o{replicaof})
        if $o{replicaof};
    push @args, @{ $o{args} || [] };
    $self->_start($name, 'redis-server', @args);
    if ($o{replicaof}) {
        wait_until(sub {
            ($self->cmd($name, 'INFO', 'replication') // '')
                =~ /master_link_status:up/;
        }, 20) or die "replica $name: no link to $o{replicaof}:\n"
            . $self->log_text($name);
    }
    return $self->port($name);
}

sub sentinel {
    my ($self, $name, %o) = @_;
    my $dir = $self->dir($name);
    mkdir "$self->{t}{prefix}/fleet";
    mkdir $dir;
    my $set = $o{set} // 'mymaster';
    my $conf = "$dir/sentinel.conf";
    my @tls;
    if ($o{tls}) {
        my $tls = $self->tls;
        @tls = ('tls-port ' . $self->tls_port($name),
            "tls-cert-file $tls->{server}{cert}",
            "tls-key-file $tls->{server}{key}",
            "tls-ca-cert-file $tls->{ca}{cert}",
            'tls-auth-clients no', 'tls-replication yes');
    }
    my $watched = $o{tls} ? $self->tls_port($o{monitor})
                          : $self->port($o{monitor});
    open my $fh, '>', $conf or die "$conf: $!";
    print $fh join "\n",
        'port ' . $self->port($name), 'bind 127.0.0.1', "dir $dir",
        'daemonize no', 'protected-mode no', 'loglevel warning', @tls,
        "sentinel monitor $set 127.0.0.1 $watched " . ($o{quorum} // 2),
        "sentinel down-after-milliseconds $set " . ($o{down_after} // 1000),
        "sentinel failover-timeout $set " . ($o{failover_timeout} // 10000),
        "sentinel parallel-syncs $set 1",
        (defined $self->{password}{ $o{monitor} }
            ? "sentinel auth-pass $set $self->{password}{ $o{monitor} }" : ()),
        @{ $o{lines} || [] }, '';
    close $fh or die "$conf: $!";
    push @{ $self->{sentinels}{$set} }, $name;
    return $self->_start($name, 'redis-sentinel', $SENTINEL, $conf);
}

sub _conn {
    my ($self, $name) = @_;
    my $c = $self->{conns}{$name};
    return $c if $c && $c->alive;
    $c = StatusEdge::Test::Redis->new(port => $self->port($name), timeout => 5);
    if (defined(my $pw = $self->{password}{$name})) {
        $c->cmd('AUTH', $pw);
    }
    return $self->{conns}{$name} = $c;
}

sub try {
    my ($self, $name, @cmd) = @_;
    my $r = eval { $self->_conn($name)->cmd(@cmd) };
    if ($@) {
        delete $self->{conns}{$name};
        die $@;
    }
    return $r;
}

sub cmd {
    my ($self, $name, @cmd) = @_;
    my $r = $self->try($name, @cmd);
    croak "$name: @cmd: $r->{err}" if ref $r eq 'StatusEdge::Test::RedisError';
    return $r;
}

sub put_state {
    my ($self, $name, $state, $version) = @_;
    my $keys = $self->cmd($name, 'KEYS', 'status:*') || [];
    my @c = (['MULTI']);
    push @c, ['DEL', @$keys] if @$keys;
    push @c, @{ StatusEdge::Test::state_commands($state, 'status:') };
    push @c, ['SET', 'status:version', $version],
        ['PUBLISH', 'status:events', $version], ['EXEC'];
    $self->cmd($name, @$_) for @c;
}

sub role {
    my ($self, $name) = @_;
    my $r = eval { $self->cmd($name, 'ROLE') };
    return ref $r eq 'ARRAY' ? $r->[0] : undef;
}

sub master_of {
    my ($self, $sentinel, $set) = @_;
    my $r = eval {
        $self->cmd($sentinel, 'SENTINEL', 'get-master-addr-by-name',
            $set // 'mymaster');
    };
    return ref $r eq 'ARRAY' ? $r->[1] : undef;
}

sub wait_sentinels {
    my ($self, $set, $name, $timeout) = @_;
    my $port = $self->port($name);
    return wait_until(sub {
        for my $s (@{ $self->{sentinels}{$set} || [] }) {
            next unless StatusEdge::Test::_alive($self->{procs}{$s}{pid});
            my $m = $self->master_of($s, $set);
            return 0 unless defined $m && $m == $port;
        }
        return ($self->role($name) // '') eq 'master';
    }, $timeout // 20, 0.1) ? 1 : 0;
}

sub wait_replicas {
    my ($self, $sentinel, $set, $n, $timeout) = @_;
    return wait_until(sub {
        my $list = eval { $self->cmd($sentinel, 'SENTINEL', 'replicas',
            $set // 'mymaster') } or return 0;
        my $up = 0;
        for my $r (@$list) {
            my %h = @$r;
            $up++ if $h{flags} eq 'slave'
                && ($h{'master-link-status'} // '') eq 'ok';
        }
        return $up >= $n;
    }, $timeout // 20, 0.1) ? 1 : 0;
}

sub kill_one {
    my ($self, $name, $signal) = @_;
    my $p = $self->_proc($name);
    delete $self->{conns}{$name};
    return unless $p->{pid};
    CORE::kill($signal // 'KILL', $p->{pid});
    StatusEdge::Test::_reap($p->{pid}, 10)
        or do { CORE::kill('KILL', $p->{pid}); StatusEdge::Test::_reap($p->{pid}, 5) };
    $p->{pid} = undef;
}

sub sentinel_url {
    my ($self, $set, %o) = @_;
    $set //= 'mymaster';
    my $hosts = join ',', map {
        '127.0.0.1:' . ($o{tls} ? $self->tls_port($_) : $self->port($_))
    } @{ $self->{sentinels}{$set} || [] };
    return ($o{tls} ? 'rediss' : 'redis') . '+sentinel://'
        . (defined $o{userinfo} ? "$o{userinfo}\@" : '')
        . "$hosts/$set" . (defined $o{db} ? "/$o{db}" : '')
        . (defined $o{query} ? "?$o{query}" : '');
}

sub stop {
    my ($self) = @_;
    return unless $self->{owner} == $$;
    local ($?, $!, $@);
    for my $name (reverse @{ $self->{order} }) {
        $self->kill_one($name) if $self->{procs}{$name}{pid};
    }
}

sub DESTROY { $_[0]->stop }

END {
    local $?;
    for my $f (@FLEETS) { $f->stop if $f }
}

1;
