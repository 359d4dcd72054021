package StatusEdge::Blocks;

# Data-driven HTTP cases, in the spirit of Test::Nginx: a test file lists
# blocks, this runner starts Redis and nginx through StatusEdge::Test and
# checks each block with one assertion per expectation, named
# "<block>: <what>", so a failure names its block and shows got/expected.
#
#   use StatusEdge::Blocks qw(run_blocks);
#   run_blocks(
#       state => sample_state(),              # written before nginx starts
#       nginx => { poll => '1s', servers => ... },   # start_nginx options
#       blocks => [
#           { name    => 'summary',
#             request => [GET => '/api/v2/summary.json',
#                         headers => ['If-None-Match' => '"x"']],
#             status  => 200,
#             headers => { 'cache-control' => qr/max-age=10/ },
#             absent  => ['last-modified'],
#             body    => qr/\A\{/,                # or an exact string
#             json_ok => sub { $_[0]{page}{name} eq 'Example Cloud' },
#             save    => { etag => 'etag' } },
#       ]);
#
# A block:
#   name     what the assertions are called (required)
#   redis    [[command, args...], ...] sent to Redis before the request
#   state    a state written with write_state; its version is awaited
#            (one assertion: "<name>: state loaded")
#   before   sub ($vars) run before the request (resetting what the check
#            looks at afterwards, an upstream's request log say)
#   request  [method, path, StatusEdge::Test::http options]
#   status   the expected status (undef: a timeout or connection error)
#   headers  { lowercase name => exact string, qr// or a list of them }
#   absent   [header names that must not be sent]
#   content_length  1: a Content-Length, when sent, is the body's length
#            (of a GET: the body of a HEAD is empty)
#   body     exact string or qr//;  body_unlike: qr// (or a list of them)
#   json     the decoded body compared with is_deeply (all of it)
#   json_ok  a sub ($data, $vars) returning true when the decoded body is
#            right
#   json_check  sub ($data, $vars): more assertions on the decoded body
#            (undef when it is not JSON)
#   check    sub ($status, $headers, $body, $vars): more assertions
#   save     { var => header name or sub ($status, $headers, $body) }
#   conf     instead of a request, `nginx -t` of nginx_conf(%$conf)
#            (or of the text itself): exit => 0 or 'fail', output => [qr//]
# Anything in request, headers, body or json may be a sub ($vars): it is
# evaluated when the block runs, after the saves of the blocks before it.

use strict;
use warnings;

use Carp qw(croak);
use Exporter qw(import);
use Test::More ();
use StatusEdge::Test qw(json_decode);

our @EXPORT_OK = qw(run_blocks run_block);

my %KNOWN = map { $_ => 1 } qw(name redis state before request status
    headers absent content_length body body_unlike json json_ok json_check
    check save conf exit output);

# run_blocks(t => existing StatusEdge::Test, state, nginx, blocks,
#            stop => 0 to leave nginx running); returns the test object
sub run_blocks {
    my (%o) = @_;
    my $t = $o{t} // StatusEdge::Test->new;
    my $vars = $o{vars} // {};
    if ($o{nginx}) {
        $t->start_redis unless $t->redis_pid;
        my $v = defined $o{state} ? $t->write_state($o{state}) : undef;
        $t->start_nginx(%{ $o{nginx} });
        Test::More::ok($t->wait_version($v), 'state loaded') if defined $v;
    }
    run_block($t, $_, $vars) for @{ $o{blocks} };
    $t->stop if $o{nginx} && !defined $o{stop} || $o{stop};
    return $t;
}

sub _value {
    my ($v, $vars) = @_;
    return ref $v eq 'CODE' ? $v->($vars) : $v;
}

sub _match {
    my ($got, $want, $what) = @_;
    return ref $want eq 'Regexp'
        ? Test::More::like($got, $want, $what)
        : Test::More::is($got, $want, $what);
}

sub run_block {
    my ($t, $b, $vars) = @_;
    my $name = $b->{name} // croak 'a block without a name';
    my @unknown = grep { !$KNOWN{$_} } sort keys %$b;
    croak "block '$name': unknown fields @unknown" if @unknown;

    for my $cmd (@{ $b->{redis} || [] }) {
        $t->redis(map { _value($_, $vars) } @$cmd);
    }
    if (defined $b->{state}) {
        my $v = $t->write_state(_value($b->{state}, $vars));
        Test::More::ok($t->wait_version($v), "$name: state loaded");
    }
    return _run_conf($t, $b, $vars) if $b->{conf};
    $b->{before}->($vars) if $b->{before};

    my ($method, $path, %opt) = map { _value($_, $vars) }
        @{ $b->{request} || croak "block '$name': no request" };
    $opt{headers} = [map { _value($_, $vars) } @{ $opt{headers} }]
        if $opt{headers};
    my ($st, $h, $body) = $t->http($method, $path, %opt);
    Test::More::diag("$name: $h->{_error}") if !defined $st && $h->{_error};

    Test::More::is($st, $b->{status}, "$name: status") if exists $b->{status};
    for my $k (sort keys %{ $b->{headers} || {} }) {
        my $want = $b->{headers}{$k};
        for my $w (ref $want eq 'ARRAY' ? @$want : ($want)) {
            _match($h->{$k}, _value($w, $vars), "$name: $k");
        }
    }
    for my $k (@{ $b->{absent} || [] }) {
        Test::More::ok(!defined $h->{$k}, "$name: no $k")
            or Test::More::diag("$k: $h->{$k}");
    }
    if ($b->{content_length}) {
        my $cl = $h->{'content-length'};
        Test::More::ok(!defined $cl || $cl eq length($body // ''),
            "$name: Content-Length absent or the body's length")
            or Test::More::diag("Content-Length: $cl, body "
                . length($body // ''));
    }
    _match($body, _value($b->{body}, $vars), "$name: body")
        if exists $b->{body};
    my $un = $b->{body_unlike};
    for my $re (ref $un eq 'ARRAY' ? @$un : defined $un ? ($un) : ()) {
        Test::More::unlike($body // '', $re, "$name: body is not $re");
    }
    if (exists $b->{json}) {
        Test::More::is_deeply(json_decode($body // ''),
            _value($b->{json}, $vars), "$name: json");
    }
    if ($b->{json_ok}) {
        my $data = json_decode($body // '');
        Test::More::ok($data && $b->{json_ok}->($data, $vars), "$name: json")
            or Test::More::diag('got: ' . substr($body // '', 0, 300));
    }
    $b->{json_check}->(json_decode($body // ''), $vars) if $b->{json_check};
    $b->{check}->($st, $h, $body, $vars) if $b->{check};
    for my $var (sort keys %{ $b->{save} || {} }) {
        my $from = $b->{save}{$var};
        $vars->{$var} = ref $from eq 'CODE' ? $from->($st, $h, $body)
            : $from eq 'body' ? $body : $h->{$from};
    }
    return ($st, $h, $body);
}

# nginx -t of a configuration: its exit code and what it printed
sub _run_conf {
    my ($t, $b, $vars) = @_;
    my $name = $b->{name};
    my $conf = _value($b->{conf}, $vars);
    my ($rc, $out) = $t->nginx_test(ref $conf ? $t->nginx_conf(%$conf) : $conf);
    my $exit = $b->{exit} // 0;
    if ($exit eq 'fail') {
        Test::More::isnt($rc, 0, "$name: nginx -t fails");
    } else {
        Test::More::is($rc, $exit, "$name: nginx -t exit $exit")
            or Test::More::diag($out);
    }
    for my $re (@{ $b->{output} || [] }) {
        Test::More::like($out, $re, "$name: output matches $re")
            or Test::More::diag($out);
    }
    return ($rc, $out);
}

1;
