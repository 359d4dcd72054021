#!/usr/bin/perl
# status-edge: regressions of the review.  A failure after the first
# write cannot leave a half-applied change; export refuses keys of the
# wrong type; passwords never appear in messages; a lost EXEC reply is
# resolved with the audit nonce; postmortem output is inert Markdown;
# template status/impact values are validated; --templates, --var,
# --components, escaped values in messages and versions beyond 2^53.
#
# The tool: $STATUS_EDGE_CLI or build/status-edge.

use strict;
use warnings;
use utf8;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Encode qw(decode_utf8);
use File::Temp ();
use IO::Select;
use IO::Socket::INET;
use POSIX ();
use StatusEdge::Test qw(sample_state);
use StatusEdge::CLI;

my $c = StatusEdge::CLI->new;    # the tool, and a Redis of its own
my $t = $c->t;

my $now = time;
$t->write_state(sample_state(now => $now));

no warnings 'qw';    # ids with commas in qw() lists

my ($rc, $out, $err);

# --- 1. a failure after the checks writes nothing -------------------------------

{
    $t->redis('XADD', 'status:audit',
        '18446744073709551615-18446744073709551615', 'x', 'y');
    my $before = state_dump();
    my $was = hash_of('status:component:api')->{status};
    ($rc, $out, $err) = cli('component', 'set', 'api', 'major_outage');
    is $rc, 1, 'audit stream exhausted: exit 1';
    like $err, qr/\Astatus-edge: [^\n]*nothing was written[^\n]*\n\z/,
        'one line: nothing was written';
    is_deeply state_dump(), $before, 'and indeed nothing was written';
    is hash_of('status:component:api')->{status}, $was,
        'the component is unchanged';
    $t->redis('DEL', 'status:audit');
}

# --- 2. export refuses keys of the wrong type -------------------------------------

sub wrong_type {
    my ($what, $key, $type) = @_;
    $t->redis('RENAME', $key, 'tmp:wrong');
    if ($type eq 'string') {
        $t->redis('SET', $key, 'oops');
    } else {
        $t->redis('RPUSH', $key, 'oops');
    }
    my ($rc, $out, $err) = cli('export');
    is $rc, 1, "export, $what of the wrong type: exit 1";
    like $err, qr/\Astatus-edge: [^\n]*\Q"$key"\E[^\n]*\n\z/,
        "one line naming $key" or diag $err;
    is $out, '', "no partial backup: $what";
    $t->redis('DEL', $key);
    $t->redis('RENAME', 'tmp:wrong', $key);
}

my $good = cli_ok('export');
wrong_type('the incidents zset', 'status:incidents', 'string');
wrong_type('the components zset', 'status:components', 'list');
wrong_type('the maintenances zset', 'status:maintenances', 'string');
wrong_type('the page hash', 'status:page', 'string');
wrong_type('an incident hash', 'status:incident:inc-api', 'list');
wrong_type('a component hash', 'status:component:web', 'string');
wrong_type("an incident's updates", 'status:incident:inc-api:updates',
    'string');
wrong_type("a maintenance's updates", 'status:maintenance:mnt-db:updates',
    'string');
is cli_ok('export'), $good, 'export works again once repaired';

# --- 3. no password in messages --------------------------------------------------------

{
    my $port = StatusEdge::Test::free_port();
    ($rc, $out, $err) = cli({ redis => "redis://admin:hunter2pw\@127.0.0.1:$port/0" },
        'show');
    is $rc, 1, 'connection refused: exit 1';
    unlike $err, qr/hunter2pw/, 'the password is not printed';
    like $err, qr{redis://\*\*\*\@127\.0\.0\.1:$port/0}, 'the URL redacted';

    ($rc, $out, $err) = cli({ redis => "redis://:hunter2pw\@127.0.0.1:99999/0" },
        'show');
    is $rc, 2, 'bad URL: exit 2';
    unlike $err, qr/hunter2pw/, 'bad URL: the password is not printed';

    ($rc, $out, $err) = cli({ redis => 'unix:///nonexistent/redis.sock?db=1&password=hunter2pw' },
        'show');
    is $rc, 1, 'no socket: exit 1';
    unlike $err, qr/hunter2pw/, 'unix URL: the password is not printed';
    like $err, qr{unix:///nonexistent/redis\.sock\?db=1"}, 'the unix URL redacted';

    # a server that accepts and hangs up: the error after connecting
    my $l = IO::Socket::INET->new(Listen => 5, LocalAddr => '127.0.0.1',
        LocalPort => 0, Proto => 'tcp', ReuseAddr => 1) or die "listen: $!";
    my $lport = $l->sockport;
    my $pid = fork // die "fork: $!";
    if (!$pid) {
        while (my $s = $l->accept) { close $s }
        POSIX::_exit(0);
    }
    close $l;
    ($rc, $out, $err) = cli({ redis => "redis://:hunter2pw\@127.0.0.1:$lport/0" },
        'show');
    is $rc, 1, 'hang-up after connect: exit 1';
    unlike $err, qr/hunter2pw/, 'hang-up: the password is not printed';
    like $err, qr/\*\*\*\@/, 'hang-up: the URL redacted';
    kill 'KILL', $pid;
    waitpid $pid, 0;
}

# --- 4. the EXEC reply is lost -------------------------------------------------------------

# a TCP proxy to Redis that cuts the first connection at EXEC: commit
# (EXEC runs, its reply is dropped), drop (EXEC never reaches Redis), gone
# (as commit, then the proxy stops listening)
sub exec_proxy {
    my ($mode) = @_;
    my $l = IO::Socket::INET->new(Listen => 5, LocalAddr => '127.0.0.1',
        LocalPort => 0, Proto => 'tcp', ReuseAddr => 1) or die "listen: $!";
    my $port = $l->sockport;
    my $pid = fork // die "fork: $!";
    if (!$pid) {
        my $cut = 0;
        while (my $cl = $l->accept) {
            my $sv = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                PeerPort => $t->redis_port, Proto => 'tcp')
                or POSIX::_exit(1);
            my $sel = IO::Select->new($cl, $sv);
            LOOP: while (1) {
                my @r = $sel->can_read(20) or last;
                for my $fh (@r) {
                    my $buf = '';
                    my $n = sysread($fh, $buf, 1 << 20);
                    last LOOP unless $n;
                    if ($fh == $sv) {
                        syswrite($cl, $buf);
                        next;
                    }
                    if (!$cut && $buf =~ /\A\*1\r\n\$4\r\nEXEC\r\n/) {
                        $cut = 1;
                        last LOOP if $mode eq 'drop';
                        syswrite($sv, $buf);
                        my $reply = '';
                        sysread($sv, $reply, 1 << 20);
                        if ($mode eq 'gone') {
                            close $l;
                            close $cl;
                            close $sv;
                            POSIX::_exit(0);
                        }
                        last LOOP;
                    }
                    syswrite($sv, $buf);
                }
            }
            close $cl;
            close $sv;
        }
        POSIX::_exit(0);
    }
    close $l;
    return ($port, $pid);
}

for my $mode (qw(commit drop gone)) {
    my ($port, $pid) = exec_proxy($mode);
    my $before = state_dump();
    my $v = version();
    my $status = { commit => 'degraded_performance', drop => 'partial_outage',
                   gone => 'major_outage' }->{$mode};
    ($rc, $out, $err) = cli({ redis => "redis://127.0.0.1:$port/0" },
        'component', 'set', 'storage', $status);
    if ($mode eq 'commit') {
        is $rc, 0, 'EXEC reply lost, change committed: exit 0' or diag $err;
        like $err, qr/reply.*lost.*written|written.*reply.*lost/i,
            'a note says the change was written' or diag $err;
        is hash_of('status:component:storage')->{status}, $status,
            'the change is there';
        is version(), $v + 1, 'written once';
        ok length(last_audit()->{nonce} // '') >= 16, 'the audit entry has a nonce';
    } elsif ($mode eq 'drop') {
        is $rc, 1, 'EXEC lost before Redis: exit 1';
        like $err, qr/nothing was written/, 'says nothing was written' or diag $err;
        is_deeply state_dump(), $before, 'nothing was written';
    } else {
        is $rc, 1, 'EXEC reply lost, no reconnect: exit 1';
        like $err, qr/outcome unknown: check XREVRANGE status:audit \+ - COUNT 5/,
            'says the outcome is unknown and how to check' or diag $err;
        unlike $err, qr/nothing was written/, 'does not claim nothing was written';
        is hash_of('status:component:storage')->{status}, $status,
            '(it was written)';
    }
    like $err, qr/\Astatus-edge: [^\n]*\n\z/, "one line: $mode";
    kill 'KILL', $pid;
    waitpid $pid, 0;
}
cli_ok('component', 'set', 'storage', 'operational');

# --- 5. postmortem: inert Markdown --------------------------------------------------------

{
    my $evil = 'Evil `code` | # **bold** <img src=x onerror=alert(1)> [x](javascript:alert(1)) _u_ &amp;';
    cli_ok('component', 'add', 'evil', '--name', '**Comp** `x` <b>');
    my $id = cli_ok('incident', 'open', '--name', $evil, '--impact', 'major',
        '--components', 'evil', '--message',
        "# Heading\n- item\n1. numbered\n<script>alert(1)</script>\n"
        . "    code\n===\n| a | b |\n[link](javascript:alert(1))");
    cli_ok('incident', 'resolve', $id, '--postmortem',
        'https://example.com/pm_(x)?a=*b*');
    my $md = decode_utf8(cli_ok('postmortem', $id));
    unlike $md, qr/<img|<script|<b>/, 'no raw HTML';
    like $md, qr/&lt;img src=x onerror=alert\\\(1\\\)&gt;/, 'HTML escaped';
    like $md, qr/^# Postmortem: Evil \\`code\\` \\\| \\# \\\*\\\*bold\\\*\\\* /m,
        'the name escaped in the title';
    unlike $md, qr/(?<!\\)\*\*bold/, 'no bold from the name';
    unlike $md, qr/(?<!\\)\[x\]/, 'no link from the name';
    like $md, qr/&amp;amp;/, '& escaped';
    like $md, qr/\\\*\\\*Comp\\\*\\\* \\`x\\` &lt;b&gt; \(`evil`\)/,
        'the component name escaped';
    my ($timeline) = $md =~ /^## Timeline\n(.*?)^## /ms;
    like $timeline, qr/investigating: \\# Heading\n  \\- item\n  1\\\. numbered\n  &lt;script&gt;/,
        'body lines escaped, in their list item';
    like $timeline, qr/^  \\===$/m, 'no setext underline';
    like $timeline, qr/^  \\\| a \\\| b \\\|$/m, 'no table';
    unlike $timeline, qr/^ +(?:[-#*+=|>]|\d+[.)])/m,
        'no block structure from the body' or diag $timeline;
    like $md, qr{^- \*\*Published postmortem:\*\* <https://example\.com/pm_\(x\)\?a=\*b\*>$}m,
        'the URL as an autolink';
    cli_ok('component', 'remove', 'evil');
}

# --- 6. template status and impact are validated ------------------------------------------

{
    my $dir = File::Temp->newdir;
    my %files = (
        'bad-status' => "status = fixing\n[body]\nx\n",
        'bad-impact' => "impact = huge\ntitle = T\n[body]\nx\n",
        'mnt-only'   => "status = scheduled\nimpact = maintenance\ntitle = M\n[body]\nx\n",
    );
    while (my ($n, $text) = each %files) {
        open my $fh, '>', "$dir/$n.tmpl" or die;
        print $fh $text;
        close $fh;
    }
    ($rc, $out, $err) = cli('--templates', "$dir", 'template', 'list');
    is $rc, 2, 'template list with bad files: exit 2';
    like $out, qr/^bad-status\s+\(invalid/m, 'the bad status file is reported';
    like $out, qr/^bad-impact\s+\(invalid/m, 'the bad impact file is reported';
    like $out, qr/^mnt-only\s+(?!\(invalid)/m, 'a maintenance template is fine';
    like $err, qr/"fixing"/, 'names the bad status';
    like $err, qr/"huge"/, 'names the bad impact';

    for my $case (
        ['bad-status', [qw(incident open --name x --impact minor)], qr/"fixing"/],
        ['bad-impact', [qw(incident open)], qr/"huge"/],
        ['bad-status', [qw(incident update inc-api)], qr/"fixing"/],
        ['mnt-only', [qw(incident open)], qr/"maintenance"/],
        ['mnt-only', [qw(incident open --impact minor)], qr/"scheduled"/],
        ['mnt-only', [qw(incident update inc-api)], qr/"scheduled"/],
    ) {
        my ($tmpl, $args, $re) = @$case;
        my $before = state_dump();
        my ($rc, $out, $err) = cli('--templates', "$dir", @$args,
            '--template', $tmpl);
        is $rc, 2, "template $tmpl, @$args: exit 2";
        like $err, qr/\Astatus-edge: [^\n]*\n\z/, "one line: $tmpl, @$args"
            or diag $err;
        like $err, $re, "names the value: $tmpl, @$args";
        is_deeply state_dump(), $before, "nothing written: $tmpl, @$args";
    }
}

# --- low: --templates, --var, escaped values, --components, versions -------------------

{
    my $before = state_dump();
    ($rc, $out, $err) = cli('--templates', '/nonexistent/templates', 'incident',
        'open', '--template', 'security-investigation', '--var', 'component=API');
    is $rc, 2, 'missing --templates directory: exit 2';
    like $err, qr{\A[^\n]*/nonexistent/templates[^\n]*\n\z}, 'names it';
    is_deeply state_dump(), $before, 'nothing written';

    ($rc, $out, $err) = cli(qw(incident open --template high-load
        --var component=API --var eta=1 --var eta=2));
    is $rc, 2, 'a --var given twice: exit 2';
    like $err, qr/--var eta given twice/, 'says so';

    ($rc, $out, $err) = cli('incident', 'open', '--name', 'x', '--impact',
        'minor', '--message', 'm', '--var', "a\x01b=c");
    is $rc, 2, '--var without --template: exit 2';
    like $err, qr/--var "a\\x01b" needs --template/, 'the key escaped';

    $t->redis('SET', 'status:incident:weird', 'oops');
    $t->redis('ZADD', 'status:incidents', 1, 'weird');
    ($rc, $out, $err) = cli(qw(incident update weird --message m));
    is $rc, 1, 'a record of the wrong type: exit 1';
    like $err, qr/HGETALL "status:incident:weird"/, 'names the key'
        or diag $err;
    unlike $err, qr/%s/, 'no format string';
    $t->redis('DEL', 'status:incident:weird');
    $t->redis('ZREM', 'status:incidents', 'weird');

    $t->redis('HSET', 'status:component:Legacy_API', 'name', 'Legacy',
        'status', 'operational');
    $t->redis('ZADD', 'status:components', 50, 'Legacy_API');
    my $id = cli_ok(qw(incident open --name x --impact minor --message m
        --components api,Legacy_API));
    is hash_of("status:incident:$id")->{components}, 'api,Legacy_API',
        'an existing id with A-Z and _ can be referred to';
    ($rc, $out, $err) = cli(qw(incident open --name x --impact minor
        --message m --components Bad!));
    is $rc, 2, 'a bad id is still refused';

    # versions beyond %.14g and 2^53 stay exact
    my $sub = StatusEdge::Test::Redis->new(port => $t->redis_port);
    $sub->send_cmd('SUBSCRIBE', 'status:events');
    $sub->read_reply;
    for my $v ('123456789012345', '9007199254740993') {
        $t->redis('SET', 'status:version', $v);
        cli_ok(qw(component set api operational));
        (my $next = $v) =~ s/(\d)$/$1 + 1/e;
        is $t->redis('GET', 'status:version'), $next, "Pversion $v + 1";
        is last_audit()->{version}, $next, "audit version $next";
        my $msg = $sub->read_reply(5);
        is $msg->[2], $next, "published $next";
    }
}

$t->stop_redis;
done_testing;
