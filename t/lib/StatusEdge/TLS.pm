package StatusEdge::TLS;

# Test certificates made with openssl at test time, and the redis-server
# arguments that serve TLS with them.  Perl core modules only.
#
#   use StatusEdge::TLS qw(make_ca make_cert redis_tls_args);
#   my $ca  = make_ca($dir, 'test-ca');            # {cert, key}
#   my $srv = make_cert($dir, $ca, 'redis', san => 'DNS:localhost,IP:127.0.0.1');
#   my $cli = make_cert($dir, $ca, 'client', client => 1);
#   $t->start_redis(args => [redis_tls_args($t->port('redis_tls'), $ca, $srv)]);
#
# Each function dies with openssl's output when openssl fails.

use strict;
use warnings;
use Exporter 'import';

our @EXPORT_OK = qw(make_ca make_cert redis_tls_args);

my $OPENSSL = $ENV{STATUS_EDGE_OPENSSL} || 'openssl';

sub _openssl {
    my (@args) = @_;
    my $out = qx{$OPENSSL @{[ map { _sh($_) } @args ]} 2>&1};
    die "openssl @args: $out" if $?;
    return $out;
}

sub _sh {
    my ($s) = @_;
    return $s if $s =~ m{^[\w./:=,+-]+$};
    $s =~ s/'/'\\''/g;
    return "'$s'";
}

sub _write {
    my ($path, $text) = @_;
    open my $fh, '>', $path or die "$path: $!";
    print $fh $text;
    close $fh or die "$path: $!";
}

# a self-signed CA, $dir/$name.crt and $dir/$name.key
sub make_ca {
    my ($dir, $name) = @_;
    my %ca = (cert => "$dir/$name.crt", key => "$dir/$name.key");
    _openssl('req', '-x509', '-new', '-nodes', '-newkey', 'rsa:2048',
        '-days', '2', '-subj', "/CN=$name", '-keyout', $ca{key},
        '-out', $ca{cert},
        '-addext', 'basicConstraints=critical,CA:TRUE',
        '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
    return \%ca;
}

# a certificate signed by $ca: san => 'DNS:…,IP:…' (default: none),
# client => 1 for a client certificate (clientAuth)
sub make_cert {
    my ($dir, $ca, $name, %o) = @_;
    my %c = (cert => "$dir/$name.crt", key => "$dir/$name.key");
    my $csr = "$dir/$name.csr";
    my $ext = "$dir/$name.ext";
    _openssl('req', '-new', '-nodes', '-newkey', 'rsa:2048',
        '-subj', "/CN=" . ($o{cn} // $name), '-keyout', $c{key},
        '-out', $csr);
    _write($ext, join "\n",
        'basicConstraints=CA:FALSE',
        'keyUsage=critical,digitalSignature,keyEncipherment',
        'extendedKeyUsage=' . ($o{client} ? 'clientAuth' : 'serverAuth'),
        ($o{san} ? "subjectAltName=$o{san}" : ()), '');
    _openssl('x509', '-req', '-in', $csr, '-CA', $ca->{cert},
        '-CAkey', $ca->{key}, '-CAcreateserial', '-days', '2',
        '-out', $c{cert}, '-extfile', $ext);
    return \%c;
}

# redis-server arguments for a TLS port beside the plain one; auth_clients
# => 'no' | 'optional' (default) | 'yes'
sub redis_tls_args {
    my ($port, $ca, $server, %o) = @_;
    return ('--tls-port', $port,
        '--tls-cert-file', $server->{cert},
        '--tls-key-file', $server->{key},
        '--tls-ca-cert-file', $ca->{cert},
        '--tls-auth-clients', $o{auth_clients} // 'optional');
}

1;
