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

my $t = StatusEdge::Test->new;
$t->start_redis;
my $v = $t->write_state(sample_state());
$t->start_nginx(poll => '1s', resync => '30s');
ok $t->wait_version($v), 'state loaded';

my $P = '/api/v2/status.json';
my $OLD = 'Sat, 01 Jan 2000 00:00:00 GMT';
my $NOW = POSIX::strftime('%a, %d %b %Y %H:%M:%S GMT', gmtime);
my $FUTURE = 'Fri, 01 Jan 2100 00:00:00 GMT';

my ($st, $h, $body) = $t->http(GET => $P);
is $st, 200, 'plain GET -> 200';
my $etag = $h->{etag} // '';
like $etag, qr/^"[^"]+"$/, "strong ETag ($etag)";
ok !defined $h->{'last-modified'}, 'no Last-Modified (the ETag is the validator)';
ok json_decode($body // ''), 'body is JSON';

# one request: (status, headers, body)
sub req {
    my ($path, @headers) = @_;
    return $t->http(GET => $path, headers => \@headers);
}

# --- a matching If-None-Match with an If-Modified-Since: 304 whatever the date
for my $date ($OLD, $NOW, $FUTURE, 'not a date') {
    my ($s, $hh, $b) = req($P, 'If-None-Match' => $etag,
        'If-Modified-Since' => $date);
    is $s, 304, "If-None-Match (match) + If-Modified-Since: $date -> 304";
    is $b // '', '', '304 has no body' if $s && $s == 304;
}

# --- If-Modified-Since alone: ignored, the document is sent
for my $date ($OLD, $FUTURE) {
    my ($s, undef, $b) = req($P, 'If-Modified-Since' => $date);
    is $s, 200, "If-Modified-Since alone ($date) -> 200";
}

# --- If-Unmodified-Since: ignored, never 412
{
    my ($s, undef, $b) = req($P, 'If-Unmodified-Since' => $OLD);
    is $s, 200, "If-Unmodified-Since: $OLD -> 200 (not 412)";
    is $b, $body, '... with the document';

    ($s) = req($P, 'If-Unmodified-Since' => $OLD, 'If-None-Match' => $etag);
    is $s, 304, 'If-Unmodified-Since (old) + matching If-None-Match -> 304';

    ($s) = req($P, 'If-Unmodified-Since' => $OLD, 'If-None-Match' => '"nope"');
    is $s, 200, 'If-Unmodified-Since (old) + other If-None-Match -> 200';
}

# --- If-None-Match forms
{
    my ($s, $hh, $b) = req($P, 'If-None-Match' => '"nope"');
    is $s, 200, 'non-matching If-None-Match -> 200';
    is $b, $body, '... with the document';
    is $hh->{etag}, $etag, '... and the ETag';

    ($s) = req($P, 'If-None-Match' => '"nope"', 'If-Modified-Since' => $FUTURE);
    is $s, 200, 'non-matching If-None-Match + If-Modified-Since (future) -> 200';

    ($s, $hh) = req($P, 'If-None-Match' => '*');
    is $s, 304, 'If-None-Match: * -> 304';

    ($s, $hh) = req($P, 'If-None-Match' => "W/$etag");
    is $s, 304, "weak If-None-Match W/$etag -> 304";
    is $hh->{etag}, $etag, '304 repeats the ETag';

    ($s) = req($P, 'If-None-Match' => "W/$etag", 'If-Modified-Since' => $OLD);
    is $s, 304, 'weak If-None-Match + If-Modified-Since -> 304';
}

# --- JSONP: an ETag of its own
{
    my $J = "$P?callback=cb";
    my ($s, $hh, $b) = req($J);
    is $s, 200, 'JSONP -> 200';
    like $b // '', qr/\Acb\(.*\);\z/s, 'JSONP body is cb(...);';
    my $jetag = $hh->{etag} // '';
    like $jetag, qr/^"[^"]+"$/, "JSONP ETag ($jetag)";
    isnt $jetag, $etag, 'JSONP ETag differs from the plain one';

    ($s) = req($J, 'If-None-Match' => $jetag);
    is $s, 304, 'JSONP with its own ETag -> 304';
    ($s) = req($J, 'If-None-Match' => $jetag, 'If-Modified-Since' => $OLD);
    is $s, 304, 'JSONP with its own ETag + If-Modified-Since -> 304';
    ($s) = req($J, 'If-None-Match' => "W/$jetag");
    is $s, 304, 'JSONP with its weak ETag -> 304';

    ($s, undef, $b) = req($J, 'If-None-Match' => $etag);
    is $s, 200, 'JSONP with the plain ETag -> 200';
    like $b // '', qr/\Acb\(/, '... with the JSONP body';
    ($s, undef, $b) = req($P, 'If-None-Match' => $jetag);
    is $s, 200, 'plain with the JSONP ETag -> 200';
    is $b, $body, '... with the plain body';

    ($s, $hh) = req("$P?callback=other", 'If-None-Match' => $jetag);
    is $s, 200, 'another callback with the cb ETag -> 200';
    isnt $hh->{etag}, $jetag, '... and another ETag';
}

$t->stop;
done_testing;
