#!/usr/bin/perl
# A Content-Security-Policy set by nginx itself (issue 12, defect 4): with
# add_header Content-Security-Policy "style-src 'nonce-...'" the banner's
# <style nonce> must carry the policy's nonce, on a proxied page and on one
# nginx serves itself, also when the nonce is a per-request variable
# ($request_id).  The banner filter's header filter used to run before
# add_header's (ngx_http_headers_filter), saw no policy and linked the
# stylesheet, which the policy blocks.  Likewise "expires" set by nginx
# must not make a page with a banner cacheable: the filter's
# "private, no-cache" wins over it.

use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use StatusEdge::Upstream qw(banner_env banner_count inserted_at markup_problems);

my ($t, $up, $v) = banner_env(locations => <<'EOF');
        location / {
            proxy_pass http://UPSTREAM;
            status_edge_banner on;
            add_header Content-Security-Policy "default-src 'none'; style-src 'nonce-$request_id'; img-src 'self'";
        }
        location /fixed/ {
            proxy_pass http://UPSTREAM/;
            status_edge_banner on;
            add_header Content-Security-Policy "style-src-elem 'nonce-Zm9vYmFy+/=='" always;
        }
        location /noncsp/ {
            proxy_pass http://UPSTREAM/;
            status_edge_banner on;
            add_header Content-Security-Policy "default-src 'self'";
        }
        location /expires/ {
            proxy_pass http://UPSTREAM/;
            status_edge_banner on;
            expires 1h;
        }
        location = /own.html {
            status_edge_banner on;
            default_type text/html;
            add_header Content-Security-Policy "style-src 'nonce-$request_id'";
            return 200 "<html><head></head><body>own</body></html>";
        }
EOF
my $LINK_OK = qr{\Ahttps://status\.example\.com(?:/|\z)};

my $head = '<!DOCTYPE html><html><head><title>csp</title></head><body class="c">';
my $page = $head . "<p>text</p></body></html>\n";
$up->route('/page', headers => ['Content-Type' => 'text/html'],
    body => [substr($page, 0, 30), substr($page, 30)], delay => 0.01);

# the nonce of the directive that governs <style> elements, from the header
sub policy_nonce {
    my ($csp) = @_;
    my %d;
    for my $dir (split /;/, $csp // '') {
        my ($name, $rest) = $dir =~ /^\s*(\S+)\s*(.*)$/ or next;
        $d{ lc $name } //= $rest;
    }
    my $src = $d{'style-src-elem'} // $d{'style-src'} // $d{'default-src'} // '';
    my ($n) = $src =~ /'nonce-([^']+)'/;
    return $n;
}

sub banner_of {
    my ($name, $path, $pg, $pos) = @_;
    my ($st, $h, $body) = $t->http(GET => $path);
    my $ins = inserted_at($body, $pg, $pos);
    ok defined $st && $st == 200 && defined $ins && banner_count($ins) == 1,
        "$name: one banner right after the body tag, page bytes preserved"
        or diag "status " . ($st // $h->{_error}) . "\n" . substr($body // '', 0, 600);
    return ($ins // '', $h);
}

# --- a proxied page, the nonce a per-request variable ---------------------
my %seen;
for my $i (1 .. 3) {
    my ($ins, $h) = banner_of("add_header CSP with \$request_id (request $i)",
        '/page', $page, length $head);
    my $want = policy_nonce($h->{'content-security-policy'});
    ok defined $want && $want =~ /\A[0-9a-f]{32}\z/,
        "request $i: the response carries add_header's policy with its nonce"
        or diag 'CSP: ' . ($h->{'content-security-policy'} // '(none)');
    my ($got) = $ins =~ m{<style nonce="([^"]*)">};
    is $got, $want, "request $i: the banner's <style nonce> is the policy's nonce";
    unlike $ins, qr{<link[^>]*banner\.css}, "request $i: no <link> the policy would block";
    is_deeply [markup_problems($ins, link_ok => $LINK_OK)], [],
        "request $i: only the module's markup";
    $seen{ $got // '' } = 1;
}
is scalar(keys %seen), 3, 'each request its own nonce, each matched';

# --- a fixed nonce in style-src-elem, add_header ... always ----------------
{
    my ($ins, $h) = banner_of('add_header CSP, style-src-elem', '/fixed/page',
        $page, length $head);
    like $ins, qr{<style nonce="Zm9vYmFy\+/==">}, "style-src-elem's nonce in the <style>";
}

# --- add_header CSP without a nonce: the same-origin stylesheet ------------
{
    my ($ins, $h) = banner_of('add_header CSP without a nonce', '/noncsp/page',
        $page, length $head);
    is $h->{'content-security-policy'}, "default-src 'self'", 'the policy as set';
    like $ins, qr{<link[^>]*href="/status-edge/banner\.css"}, 'the stylesheet link';
    unlike $ins, qr{<style}i, 'no inline style the policy would block';
}

# --- a page nginx serves itself ---------------------------------------------
{
    my $own = '<html><head></head><body>own</body></html>';
    my ($ins, $h) = banner_of('return 200 with add_header CSP', '/own.html',
        $own, length '<html><head></head><body>');
    my $want = policy_nonce($h->{'content-security-policy'});
    my ($got) = $ins =~ m{<style nonce="([^"]*)">};
    ok defined $want && defined $got && $got eq $want,
        'nginx-served page: the banner\'s nonce is the policy\'s'
        or diag 'CSP: ' . ($h->{'content-security-policy'} // '(none)')
            . ', banner nonce: ' . ($got // '(none)');
}

# --- expires: a page with a banner stays uncacheable --------------------------
{
    my ($ins, $h) = banner_of('expires 1h', '/expires/page', $page, length $head);
    is $h->{'cache-control'}, 'private, no-cache',
        'expires 1h: Cache-Control private, no-cache on the page with a banner';
    ok !exists $h->{expires}, 'expires 1h: no Expires on the page with a banner'
        or diag "Expires: $h->{expires}";
}

$t->stop;
$up->stop;
done_testing;
