#!/usr/bin/perl
# Conditional requests on /api/v2/status.json.  The documents carry an
# ETag and no Last-Modified, so (RFC 9110 §13.1.3, §13.1.4) the date
# conditions are ignored and If-None-Match alone decides:
#   - a matching If-None-Match with any If-Modified-Since -> 304
#     (regression: nginx treated "no Last-Modified" as modified -> 200)
#   - If-Unmodified-Since with an old date -> 200, not 412
#     (regression: nginx answered 412 Precondition Failed)
#   - a non-matching If-None-Match -> 200; "*" and the weak W/ form -> 304
#   - JSONP (?callback=cb) has an ETag of its own, with its own 304

use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use POSIX ();
use StatusEdge::Test qw(sample_state json_decode);
use StatusEdge::Blocks qw(run_blocks);

my $t = StatusEdge::Test->new;
my $P = '/api/v2/status.json';
my $OLD = 'Sat, 01 Jan 2000 00:00:00 GMT';
my $NOW = POSIX::strftime('%a, %d %b %Y %H:%M:%S GMT', gmtime);
my $FUTURE = 'Fri, 01 Jan 2100 00:00:00 GMT';

# values saved by the blocks before: the plain and the JSONP answer
sub got { my ($k, $pre) = @_; return sub { ($pre // '') . $_[0]{$k} } }
my $ETAG = got('etag');
my $BODY = got('body');
my $JETAG = got('jetag');

# a conditional GET: name, path, request headers, expected status, more
sub cond {
    my ($name, $path, $headers, $status, %more) = @_;
    return { name => $name, request => [GET => $path, headers => $headers],
             status => $status, %more };
}

my $J = "$P?callback=cb";
run_blocks(t => $t, state => sample_state(),
    nginx => { poll => '1s', resync => '30s' },
    blocks => [
    { name    => 'plain GET',
      request => [GET => $P],
      status  => 200,
      headers => { etag => qr/^"[^"]+"$/ },
      absent  => ['last-modified'],
      json_ok => sub { 1 },
      save    => { etag => 'etag', body => 'body' } },

    # a matching If-None-Match with an If-Modified-Since: 304 whatever the date
    (map { cond("If-None-Match (match) + If-Modified-Since: $_", $P,
                ['If-None-Match' => $ETAG, 'If-Modified-Since' => $_], 304,
                body => '') } $OLD, $NOW, $FUTURE, 'not a date'),

    # If-Modified-Since alone: ignored, the document is sent
    (map { cond("If-Modified-Since alone ($_)", $P,
                ['If-Modified-Since' => $_], 200) } $OLD, $FUTURE),

    # If-Unmodified-Since: ignored, never 412
    cond("If-Unmodified-Since: $OLD (not 412)", $P,
        ['If-Unmodified-Since' => $OLD], 200, body => $BODY),
    cond('If-Unmodified-Since (old) + matching If-None-Match', $P,
        ['If-Unmodified-Since' => $OLD, 'If-None-Match' => $ETAG], 304),
    cond('If-Unmodified-Since (old) + other If-None-Match', $P,
        ['If-Unmodified-Since' => $OLD, 'If-None-Match' => '"nope"'], 200),

    # If-None-Match forms
    cond('non-matching If-None-Match', $P, ['If-None-Match' => '"nope"'], 200,
        body => $BODY, headers => { etag => $ETAG }),
    cond('non-matching If-None-Match + If-Modified-Since (future)', $P,
        ['If-None-Match' => '"nope"', 'If-Modified-Since' => $FUTURE], 200),
    cond('If-None-Match: *', $P, ['If-None-Match' => '*'], 304),
    cond('weak If-None-Match W/ETag', $P,
        ['If-None-Match' => got('etag', 'W/')], 304,
        headers => { etag => $ETAG }),
    cond('weak If-None-Match + If-Modified-Since', $P,
        ['If-None-Match' => got('etag', 'W/'), 'If-Modified-Since' => $OLD],
        304),

    # JSONP: an ETag of its own
    { name    => 'JSONP',
      request => [GET => $J],
      status  => 200,
      body    => qr/\Acb\(.*\);\z/s,
      headers => { etag => [qr/^"[^"]+"$/,
                            sub { qr/\A(?!\Q$_[0]{etag}\E\z)/ }] },
      save    => { jetag => 'etag' } },
    cond('JSONP with its own ETag', $J, ['If-None-Match' => $JETAG], 304),
    cond('JSONP with its own ETag + If-Modified-Since', $J,
        ['If-None-Match' => $JETAG, 'If-Modified-Since' => $OLD], 304),
    cond('JSONP with its weak ETag', $J,
        ['If-None-Match' => got('jetag', 'W/')], 304),
    cond('JSONP with the plain ETag', $J, ['If-None-Match' => $ETAG], 200,
        body => qr/\Acb\(/),
    cond('plain with the JSONP ETag', $P, ['If-None-Match' => $JETAG], 200,
        body => $BODY),
    cond('another callback with the cb ETag', "$P?callback=other",
        ['If-None-Match' => $JETAG], 200,
        headers => { etag => sub { qr/\A(?!\Q$_[0]{jetag}\E\z)/ } }),
]);

done_testing;
