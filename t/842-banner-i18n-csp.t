#!/usr/bin/perl
# What the banner says and how it is styled: Korean via Accept-Language
# (built-in labels and name.ko/body.ko as numeric character references),
# a page in EUC-KR (its bytes preserved, the banner ASCII), a strict CSP
# with a nonce (<style nonce>, no <link>) or without one (the same-origin
# stylesheet), and incident text full of HTML/JS injection attempts:
# nothing executable from admin text reaches the page.

use strict;
use warnings;
use utf8;
use FindBin;
use lib "$FindBin::Bin/lib";
use Encode qw(encode);
use Test::More;
use StatusEdge::Test qw(sample_state ts);
use StatusEdge::Upstream qw(banner_env banner_count inserted_at markup_problems);

binmode Test::More->builder->$_, ':encoding(UTF-8)' for qw(output failure_output todo_output);

my $S = sample_state();
my $inc = $S->{incidents}[0];
$inc->{'name.ko'} = 'API 오류 증가';
$inc->{updates}[0]{'body.ko'} = "잘못된 배포를 롤백하고 있습니다.\n곧 복구됩니다.";

my ($t, $up, $v) = banner_env(state => $S, locations => <<'EOF');
        location / {
            proxy_pass http://UPSTREAM;
            status_edge_banner on;
        }
        location /evil/ {
            status_edge_page evil:;
            proxy_pass http://UPSTREAM/;
            status_edge_banner on;
        }
        location = /eind {
            status_edge_page evil:;
            add_header X-Pid $pid always;
            return 200 "$status_edge_indicator $status_edge_version";
        }
EOF
my $LINK_OK = qr{\Ahttps://status\.example\.com(?:/|\z)};

sub ncr { join '', map { ord($_) < 128 ? $_ : '&#' . ord($_) . ';' } split //, $_[0] }

my $head = '<!DOCTYPE html><html><head><meta charset="utf-8"><title>페이지</title></head><body>';
my $page = encode('UTF-8', $head . '<p>본문</p></body></html>');
my $pos = length encode('UTF-8', $head);
$up->route('/page', headers => ['Content-Type' => 'text/html; charset=utf-8'],
    body => [substr($page, 0, 50), substr($page, 50)], delay => 0.01);

sub banner_of {
    my ($name, $path, $pg, $ps, @h) = @_;
    my ($st, $h, $body) = $t->http(GET => $path, headers => \@h);
    my $ins = inserted_at($body, $pg, $ps);
    ok defined $st && $st == 200 && defined $ins && banner_count($ins) == 1,
        "$name: one banner right after the body tag, page bytes preserved"
        or diag "status " . ($st // $h->{_error}) . "\n" . substr($body // '', 0, 600);
    return ($ins // '', $h);
}

# --- language -----------------------------------------------------------------
{
    my ($en) = banner_of('English', '/page', $page, $pos);
    like $en, qr{ lang="en"}, 'no Accept-Language: lang="en"';
    like $en, qr{<strong class="se-level">Partial outage</strong>}, 'English level label';

    my ($ko) = banner_of('Korean', '/page', $page, $pos, 'Accept-Language' => 'ko-KR,ko;q=0.9,en;q=0.8');
    like $ko, qr{ lang="ko"}, 'Accept-Language ko-KR: lang="ko"';
    ok index($ko, '<strong class="se-level">' . ncr('부분 장애') . '</strong>') >= 0,
        'Korean level label as NCRs';
    ok index($ko, '<span class="se-name">' . ncr('API 오류 증가') . '</span>') >= 0, 'name.ko as NCRs'
        or diag $ko;
    ok index($ko, ncr('잘못된 배포를 롤백하고 있습니다.') . '<br>' . ncr('곧 복구됩니다.')) >= 0,
        'body.ko as NCRs, line break as <br>' or diag $ko;
    unlike $ko, qr/[^\x09\x0a\x0d\x20-\x7e]/, 'Korean banner bytes are all ASCII';
    is_deeply [markup_problems($ko, link_ok => $LINK_OK)], [], 'Korean banner: only the module\'s markup';

    my ($pref) = banner_of('en preferred', '/page', $page, $pos, 'Accept-Language' => 'en-US,en;q=0.9,ko;q=0.8');
    like $pref, qr{ lang="en"}, 'en before ko: English';
    my ($q) = banner_of('ko by q', '/page', $page, $pos, 'Accept-Language' => 'en;q=0.5, ko;q=0.8');
    like $q, qr{ lang="ko"}, 'ko with the higher q: Korean';
    my ($fr) = banner_of('other language', '/page', $page, $pos, 'Accept-Language' => 'fr-FR,fr;q=0.9');
    like $fr, qr{ lang="en"}, 'only French: English';
}

# --- a page in EUC-KR -------------------------------------------------------------
{
    my $khead = encode('euc-kr', '<html><head><meta http-equiv="Content-Type" content="text/html; charset=euc-kr">'
        . '<title>한국어 페이지</title></head><body class="본문">');
    my $kpage = $khead . encode('euc-kr', '<p>안녕하세요, 상태 배너 시험입니다.</p></body></html>');
    ok $kpage =~ /[\xa1-\xfe]{2}/, 'the EUC-KR page has two-byte characters';
    $up->route('/euckr', headers => ['Content-Type' => 'text/html; charset=euc-kr'],
        body => [substr($kpage, 0, 71), substr($kpage, 71)], delay => 0.01);
    my ($ins, $h) = banner_of('EUC-KR page, Korean', '/euckr', $kpage, length $khead,
        'Accept-Language' => 'ko');
    is $h->{'content-type'}, 'text/html; charset=euc-kr', 'EUC-KR: Content-Type (charset) kept';
    unlike $ins, qr/[^\x09\x0a\x0d\x20-\x7e]/, 'EUC-KR: the banner is ASCII';
    ok index($ins, ncr('API 오류 증가')) >= 0, 'EUC-KR: Korean text as NCRs (reads right in any charset)';
    ($ins) = banner_of('EUC-KR page, English', '/euckr', $kpage, length $khead);
    unlike $ins, qr/[^\x09\x0a\x0d\x20-\x7e]/, 'EUC-KR, English banner: ASCII';
}

# --- CSP ------------------------------------------------------------------------------
my (undef, undef, $css) = $t->http(GET => '/status-edge/banner.css');
{
    my $nonce = 'r4nd0mN0nce+/Q==';
    $up->route('/csp', headers => ['Content-Type' => 'text/html',
        'Content-Security-Policy' => "default-src 'none'; style-src 'nonce-$nonce'; script-src 'nonce-$nonce'; img-src 'self'"],
        body => [$page]);
    my ($ins, $h) = banner_of('strict CSP with a nonce', '/csp', $page, $pos);
    like $h->{'content-security-policy'} // '', qr/'nonce-\Q$nonce\E'/, 'CSP header passed unchanged';
    like $ins, qr{<style nonce="\Q$nonce\E">}, 'inline <style> with the response\'s nonce';
    unlike $ins, qr{<link}i, 'no stylesheet link (style-src has no \'self\')';
    my ($inline) = $ins =~ m{<style nonce="[^"]*">(.*?)</style>}s;
    ok defined $inline && defined $css && $inline eq $css, 'the inline style is the banner stylesheet';
    unlike $ins, qr{\sstyle=}i, 'no style attributes (blocked by a strict CSP)';
    unlike $ins, qr{<script|\son[a-z]+=}i, 'no script, no event handlers';
    is_deeply [markup_problems($ins, link_ok => $LINK_OK)], [], 'CSP banner: only the module\'s markup';

    $up->route('/csp-self', headers => ['Content-Type' => 'text/html',
        'Content-Security-Policy' => "default-src 'self'"], body => [$page]);
    ($ins) = banner_of('CSP without a nonce', '/csp-self', $page, $pos);
    like $ins, qr{<link (?=[^>]*\brel="stylesheet")(?=[^>]*\bhref="/status-edge/banner\.css")[^>]*>},
        'CSP without a nonce: the same-origin stylesheet';
    unlike $ins, qr{<style}i, 'CSP without a nonce: no inline style';

    # a nonce that would break out of the attribute
    $up->route('/csp-evil', headers => ['Content-Type' => 'text/html',
        'Content-Security-Policy' => q{style-src 'nonce-a"><script>alert(1)</script>'}], body => [$page]);
    ($ins) = banner_of('CSP with a malformed nonce', '/csp-evil', $page, $pos);
    unlike $ins, qr{<script}i, 'malformed nonce: no script reaches the page';
    is_deeply [markup_problems($ins, link_ok => $LINK_OK)], [], 'malformed nonce: only the module\'s markup';

    # the contract says "a nonce in the CSP: <style nonce>"; but a nonce
    # that only script-src lists does not let a <style> in (style-src
    # falls back to default-src 'self'): the banner would be unstyled.
    # SPEC §3 asks for markup that works under the CSP.
    $up->route('/csp-script', headers => ['Content-Type' => 'text/html',
        'Content-Security-Policy' => q{default-src 'self'; script-src 'nonce-abc'}], body => [$page]);
    ($ins) = banner_of('nonce in script-src only', '/csp-script', $page, $pos);
    like $ins, qr{<link[^>]*banner\.css}, "nonce only in script-src, style-src 'self': the stylesheet link";
    unlike $ins, qr{<style}, '... and no inline <style> the policy would block';
}

# --- injection attempts in admin text ------------------------------------------
{
    my $now = time;
    my $evil = {
        page => { id => 'evil', name => '<script>alert("page")</script>',
                  url => 'https://status.example.com', status_url => 'javascript:alert(4)',
                  time_zone => 'UTC' },
        components => [{ id => 'api', position => 1, name => '<b onmouseover=alert(1)>API</b>',
                         status => 'major_outage' }],
        incidents => [
            { id => 'inc-evil', name => q{<script>alert(1)</script> "q" 'a' & <img src=x onerror=alert(2)>},
              'name.ko' => q{<svg onload=alert(3)> 한국어 " '},
              status => 'investigating', impact => 'critical',
              created_at => ts($now - 600), updated_at => ts($now - 60),
              components => 'api', next_update_at => ts($now + 1800),
              updates => [{ id => 'upd-evil-1', status => 'investigating',
                  body => qq{&amp;lt; </span></p></div><script>alert(5)</script><a href="javascript:alert(6)">x</a>}
                      . qq{ <style>*{display:none}</style> <!-- c --> <iframe src=//evil.com></iframe>}
                      . qq{ <![CDATA[ x ]]> javascript:alert(7) \x{2028} <body onload=alert(8)> \r\nend},
                  'body.ko' => q{<img src=x onerror="alert(10)"> 본문},
                  created_at => ts($now - 60) }] },
        ],
        maintenances => [],
    };
    my $ve = $t->write_state($evil, prefix => 'evil:');
    ok $t->wait_version($ve, path => '/eind'), "evil: state $ve loaded";
    for my $lang ('en', 'ko') {
        my ($st, $h, $body) = $t->http(GET => '/evil/page', headers => ['Accept-Language' => $lang]);
        my $ins = inserted_at($body, $page, $pos);
        ok defined $ins && banner_count($ins) == 1, "$lang: banner of the incident with hostile text"
            or diag substr($body // '', 0, 800);
        $ins //= '';
        is_deeply [markup_problems($ins, link_ok => $LINK_OK)], [],
            "$lang: only the module's tags and attributes, safe URLs" or diag $ins;
        unlike $ins, qr{<(?:script|img|svg|iframe|style|b|body)\b}i, "$lang: no tag from admin text";
        my @tags = $ins =~ /<[A-Za-z][^>]*>/g;
        is_deeply [grep { /\son\w+\s*=/i } @tags], [], "$lang: no event handler attribute in any tag";
        unlike $ins, qr{href\s*=\s*["']?\s*javascript:}i, "$lang: no javascript: URL";
        unlike $ins, qr{<!--|<!\[CDATA}, "$lang: no comment or CDATA from admin text";
        like $ins, qr{&lt;script&gt;|&lt;img|&lt;svg}, "$lang: the admin text shown escaped";
        my $divs_open = () = $ins =~ /<div\b/g;
        my $divs_close = () = $ins =~ m{</div>}g;
        is $divs_open, $divs_close, "$lang: the banner's divs are balanced";
        unlike $ins, qr/[^\x09\x0a\x0d\x20-\x7e]/, "$lang: ASCII";
        if ($lang eq 'en') {
            like $ins, qr{<span class="se-name">&lt;script&gt;alert\(1\)&lt;/script&gt; &quot;q&quot; &#39;a&#39; &amp; &lt;img src=x onerror=alert\(2\)&gt;</span>},
                'en: the name escaped exactly (& < > " \')';
            like $ins, qr{&amp;amp;lt;}, 'en: "&amp;" in admin text is shown, not interpreted';
            like $ins, qr{href="/status-edge/dismiss\?id=inc-evil&amp;u=upd-evil-1&amp;r=/evil/page"},
                'en: the dismiss link';
        }
    }
}

$t->stop;
$up->stop;
done_testing;
