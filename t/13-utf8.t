#!/usr/bin/perl
# Text round trip: Korean (and other non-ASCII text, and characters JSON
# must escape) written with plain redis-cli comes back exactly in every
# document, as valid UTF-8 JSON; JSONP stays valid JavaScript.

use strict;
use warnings;
use utf8;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Encode ();
use StatusEdge::Test qw(sample_state json_decode ts);

binmode Test::More->builder->$_, ':encoding(UTF-8)'
    for qw(output failure_output todo_output);

my $now = time;
my %TEXT = (
    page      => '예제 클라우드 상태',
    component => '결제 서비스 (카드·계좌이체)',
    cdesc     => "한국어 설명\t탭과 \"따옴표\" 그리고 \\역슬래시",
    incident  => '결제 지연 — 일부 사용자 😀 영향',
    body      => "첫 줄\n둘째 줄 </script><!-- & 'quote' \x{2028} line sep \x{2029} para sep",
    mbody     => '데이터베이스 업그레이드 예정입니다. 日本語も。 Ünïcödé.',
    mname     => '정기 점검',
);

my $S = sample_state(now => $now);
$S->{page}{name} = $TEXT{page};
$S->{components}[0]{name} = $TEXT{component};
$S->{components}[0]{description} = $TEXT{cdesc};
$S->{incidents}[0]{name} = $TEXT{incident};
$S->{incidents}[0]{updates}[0]{body} = $TEXT{body};
$S->{maintenances}[0]{name} = $TEXT{mname};
$S->{maintenances}[0]{updates}[0]{body} = $TEXT{mbody};

my $t = StatusEdge::Test->new;
$t->start_redis;
my $v = $t->write_state($S, via => 'cli');
my $raw = $t->redis('HGET', 'status:component:api', 'description');
is Encode::decode_utf8($raw), $TEXT{cdesc}, 'redis-cli stored the text as typed';
$t->start_nginx;
ok $t->wait_version($v), 'state loaded';

sub valid_utf8 {
    my ($bytes) = @_;
    my $copy = $bytes;
    return eval { Encode::decode('UTF-8', $copy, Encode::FB_CROAK); 1 };
}

my %doc;
for my $ep (qw(summary.json incidents.json components.json scheduled-maintenances.json)) {
    my ($st, $h, $body) = $t->http(GET => "/api/v2/$ep");
    is $st, 200, "$ep: 200";
    ok valid_utf8($body), "$ep: valid UTF-8";
    like $h->{'content-type'}, qr/charset=utf-8/i, "$ep: charset=utf-8"
        or diag $h->{'content-type'};
    $doc{$ep} = json_decode($body) || {};
}

is $doc{'summary.json'}{page}{name}, $TEXT{page}, 'page name';
is $doc{'components.json'}{components}[0]{name}, $TEXT{component}, 'component name';
is $doc{'components.json'}{components}[0]{description}, $TEXT{cdesc},
    'component description with tab, quotes, backslash';
is $doc{'summary.json'}{incidents}[0]{name}, $TEXT{incident}, 'incident name with emoji';
is $doc{'summary.json'}{incidents}[0]{incident_updates}[0]{body}, $TEXT{body},
    'update body with newline, </script>, U+2028/U+2029';
is $doc{'incidents.json'}{incidents}[0]{incident_updates}[0]{body}, $TEXT{body},
    'same in incidents.json';
is $doc{'scheduled-maintenances.json'}{scheduled_maintenances}[0]{name}, $TEXT{mname},
    'maintenance name';
is $doc{'scheduled-maintenances.json'}{scheduled_maintenances}[0]{incident_updates}[0]{body},
    $TEXT{mbody}, 'maintenance update body (Korean, Japanese, Latin-1 range)';
is $doc{'incidents.json'}{incidents}[1]{incident_updates}[0]{body},
    $S->{incidents}[2]{updates}[0]{body}, 'sample Korean body of the resolved incident';
is $doc{'incidents.json'}{incidents}[1]{name}, '결제 지연', 'sample Korean incident name';

# JSONP: the same text; raw U+2028/U+2029 are line terminators in older
# JavaScript, so a JSONP body should carry them escaped
{
    my ($st, $h, $body) = $t->http(GET => '/api/v2/summary.json?callback=cb');
    is $st, 200, 'JSONP 200';
    ok valid_utf8($body), 'JSONP: valid UTF-8';
    my ($inner) = $body =~ /\A(?:\/\*\*\/\s*)?cb\((.*)\);?\s*\z/s;
    my $d = json_decode($inner // '');
    is $d->{incidents}[0]{incident_updates}[0]{body}, $TEXT{body}, 'JSONP: same text';
    ok $body !~ /\xe2\x80[\xa8\xa9]/, 'JSONP: U+2028/U+2029 escaped (\u2028), not raw';
}

# a hand edit with redis-cli only (HSET + INCR + PUBLISH, no MULTI)
$t->redis_cli('HSET', 'status:page', 'name', '상태 페이지 (수정됨)');
my $nv = $t->redis_cli('INCR', 'status:version');
chomp $nv;
$t->redis_cli('PUBLISH', 'status:events', $nv);
ok $t->wait_version($nv), "hand edit with redis-cli: version $nv loaded";
my (undef, undef, $d2) = $t->get_json('/api/v2/status.json');
is $d2->{page}{name}, '상태 페이지 (수정됨)', 'hand-edited Korean name';

$t->stop;
done_testing;
