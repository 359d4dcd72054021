#!/usr/bin/perl
# status_edge_banner_template: an operator's own banner markup, read and
# parsed when the configuration is read.  Every placeholder is escaped
# (non-ASCII as numeric references), the dismiss link keeps its
# per-request return path, and a bad template fails "nginx -t" naming
# the placeholder and its line.

use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use File::Temp qw(tempdir);
use StatusEdge::Test qw(free_port);
use StatusEdge::Upstream qw(banner_env);

my $dir = tempdir(CLEANUP => 1);

sub write_file {
    my ($name, $text) = @_;
    open my $fh, '>:raw', "$dir/$name" or die "$dir/$name: $!";
    print $fh $text;
    close $fh;
    return "$dir/$name";
}

# --- a bad template fails nginx -t, naming the placeholder and line -----------
{
    my $t = StatusEdge::Test->new;
    my $rp = free_port();
    my $bad = write_file('bad.tpl', qq{<div>\n  {{name}} {{nmae}}\n</div>\n});
    my ($rc, $out) = $t->nginx_test($t->nginx_conf(
        http => "    status_edge_redis 127.0.0.1:$rp;\n"
              . "    status_edge_banner_template $bad;\n",
        servers => $t->server_conf));
    isnt $rc, 0, 'unknown placeholder: nginx -t fails';
    like $out, qr/bad\.tpl/, '... naming the file';
    like $out, qr/invalid banner template "[^"]*bad\.tpl": /,
        '... as a banner template';
    like $out, qr/nmae/, '... and the placeholder';
    like $out, qr/line 2/, '... and its line';

    ($rc, $out) = $t->nginx_test($t->nginx_conf(
        http => "    status_edge_redis 127.0.0.1:$rp;\n"
              . "    status_edge_banner_template $dir/missing.tpl;\n",
        servers => $t->server_conf));
    isnt $rc, 0, 'missing template file: nginx -t fails';
    like $out, qr/missing\.tpl/, '... naming the file';
}

# --- a template in use --------------------------------------------------------
my $tpl = write_file('banner.tpl',
    qq{<aside class="ops-banner ops-{{level_class}}" lang="{{lang}}">}
  . qq{<b>{{level}}</b> {{name}}: {{status}} - {{body}} }
  . qq{<a href="{{status_url}}">status</a> }
  . qq{<a href="{{dismiss_url}}{{return}}">x</a></aside>});

my ($t, $up) = banner_env(
    http_extra => "    status_edge_banner_template $tpl;\n",
    locations => <<"EOF");
        location / {
            proxy_pass http://UPSTREAM;
            status_edge_banner on;
        }
EOF

my $head = '<html><head><title>t</title></head><body>';
my $page = $head . '<p>content</p></body></html>';
$up->route('/page', headers => ['Content-Type' => 'text/html'],
    body => [$page]);

my ($st, $h, $body) = $t->http(GET => '/page?a=1');
is $st, 200, 'page with the template banner: 200';
ok index($body, $head . '<link rel="stylesheet"') == 0,
    'the banner right after <body>, stylesheet link first';
like $body, qr{<aside class="ops-banner ops-major" lang="en">},
    'the operator markup, with level_class and lang';
like $body, qr{<b>Partial outage</b>}, 'level label';
like $body, qr{/status-edge/dismiss\?id=[^"]*&amp;r=/page%3Fa%3D1"},
    'dismiss link with the per-request return path';
unlike $body, qr/\{\{/, 'no placeholder left';
ok length($body) == ($h->{'content-length'} // length $body),
    'Content-Length, when sent, is exact';

# Korean: non-ASCII from the template's values as numeric references
($st, $h, $body) = $t->http(GET => '/page',
    headers => ['Accept-Language' => 'ko']);
like $body, qr{lang="ko"}, 'Accept-Language ko: Korean variant';
my ($banner) = $body =~ m{(<aside.*?</aside>)}s;
ok defined $banner && $banner !~ /[^\x00-\x7f]/,
    '... the banner is ASCII (numeric character references)';
like $banner // '', qr{&#\d+;}, '... with numeric references';

# hostile admin text stays text: the banner's incident gets a hostile name
my ($id) = $body =~ m{dismiss\?id=([a-z0-9-]+)};
ok defined $id, "the banner's incident id from its dismiss link";
$t->redis('HSET', "status:incident:$id", 'name',
    q{"><script>alert(1)</script><img src=x onerror=alert(2)>});
my $v = $t->redis('INCR', 'status:version');
$t->redis('PUBLISH', 'status:events', $v);
$t->wait_version($v) or diag 'version not served';
($st, $h, $body) = $t->http(GET => '/page');
($banner) = $body =~ m{(<aside.*?</aside>)}s;
ok defined $banner, 'banner still there';
unlike $banner // '', qr{<script|<img}i,
    'hostile name: no markup from admin text';
like $banner // '', qr{&quot;&gt;&lt;script&gt;},
    '... the quote that would break out of an attribute is escaped';
like $banner // '', qr{&lt;script&gt;}, '... it is shown escaped';

$t->stop;
$up->stop;
done_testing;
