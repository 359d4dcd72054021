/*
 * UTF-8 validation and the other field validators.
 */

#include "tap.h"
#include "se_valid.h"
#include "se_utf8.h"

#define S(lit)  lit, sizeof(lit) - 1


static void
utf8(const char *s, size_t len, int want, const char *name)
{
    tap_ok((se_utf8_valid(s, len) == SE_OK) == want, "utf8 %s: %s",
           want ? "valid" : "invalid", name);
}


int
main(void)
{
    uint64_t  u;
    int       on;

    utf8(S(""), 1, "empty");
    utf8(S("hello"), 1, "ascii");
    utf8(S("\xed\x95\x9c\xea\xb5\xad\xec\x96\xb4"), 1, "korean");
    utf8(S("\xc2\x80"), 1, "U+0080");
    utf8(S("\xdf\xbf"), 1, "U+07FF");
    utf8(S("\xe0\xa0\x80"), 1, "U+0800");
    utf8(S("\xef\xbf\xbf"), 1, "U+FFFF");
    utf8(S("\xf0\x90\x80\x80"), 1, "U+10000");
    utf8(S("\xf4\x8f\xbf\xbf"), 1, "U+10FFFF");
    utf8(S("\xf0\x9f\x98\x80"), 1, "emoji");
    utf8(S("a\0b"), 1, "NUL is valid UTF-8");

    utf8(S("\x80"), 0, "lone continuation");
    utf8(S("\xbf"), 0, "lone continuation bf");
    utf8(S("\xc0\xaf"), 0, "overlong / (c0)");
    utf8(S("\xc1\xbf"), 0, "overlong c1");
    utf8(S("\xe0\x80\xaf"), 0, "overlong 3-byte");
    utf8(S("\xf0\x80\x80\xaf"), 0, "overlong 4-byte");
    utf8(S("\xed\xa0\x80"), 0, "surrogate D800");
    utf8(S("\xed\xbf\xbf"), 0, "surrogate DFFF");
    utf8(S("\xf4\x90\x80\x80"), 0, "U+110000");
    utf8(S("\xf5\x80\x80\x80"), 0, "f5");
    utf8(S("\xff"), 0, "ff");
    utf8(S("\xfe"), 0, "fe");
    utf8(S("\xc3"), 0, "truncated 2-byte");
    utf8(S("\xe2\x82"), 0, "truncated 3-byte");
    utf8(S("\xf0\x9f\x98"), 0, "truncated 4-byte");
    utf8(S("\xc3\x28"), 0, "bad continuation");
    utf8(S("abc\xe2\x28\xa1"), 0, "bad 2nd of 3");
    utf8("\xc3\xa9", 1, 0, "length cuts a sequence");

    tap_ok(se_valid_text(S("plain"), 10, 0) == SE_OK, "text ok");
    tap_ok(se_valid_text(S("tab\there"), 10, 0) == SE_OK, "tab ok");
    tap_ok(se_valid_text(S("a\nb"), 10, 0) == SE_ERROR,
           "newline refused single-line");
    tap_ok(se_valid_text(S("a\r\nb"), 10, 1) == SE_OK,
           "CRLF ok multi-line");
    tap_ok(se_valid_text(S("a\0b"), 10, 1) == SE_ERROR, "NUL refused");
    tap_ok(se_valid_text(S("a\x1b[31m"), 10, 1) == SE_ERROR,
           "ESC refused");
    tap_ok(se_valid_text(S("a\x7f"), 10, 1) == SE_ERROR, "DEL refused");
    tap_ok(se_valid_text(S("a\xc2\x85"), 10, 1) == SE_ERROR,
           "C1 NEL refused");
    tap_ok(se_valid_text(S("\xed\x95\x9c"), 3, 0) == SE_OK,
           "3 bytes fit max 3");
    tap_ok(se_valid_text(S("\xed\x95\x9c"), 2, 0) == SE_ERROR,
           "max is in bytes");
    tap_ok(se_valid_text(S("\xc3\x28"), 10, 0) == SE_ERROR,
           "invalid UTF-8 refused");

    tap_ok(se_valid_id(S("inc-2026_11")) == SE_OK, "id ok");
    tap_ok(se_valid_id(S("API")) == SE_OK, "upper case id accepted");
    tap_ok(se_valid_id(S("")) == SE_ERROR, "empty id");
    tap_ok(se_valid_id(S("a b")) == SE_ERROR, "space in id");
    tap_ok(se_valid_id(S("a:b")) == SE_ERROR, "colon in id");
    tap_ok(se_valid_id(S("a.b")) == SE_ERROR, "dot in id");
    tap_ok(se_valid_id(S("a/b")) == SE_ERROR, "slash in id");
    tap_ok(se_valid_id(S("\xed\x95\x9c")) == SE_ERROR, "non-ASCII id");
    tap_ok(se_valid_id(S("0123456789012345678901234567890123456789"
                         "012345678901234567890123")) == SE_OK,
           "64-byte id");
    tap_ok(se_valid_id(S("0123456789012345678901234567890123456789"
                         "0123456789012345678901234")) == SE_ERROR,
           "65-byte id");

    tap_ok(se_valid_url(S("https://status.example.com/x?a=1#f"))
           == SE_OK, "https url");
    tap_ok(se_valid_url(S("http://example.com")) == SE_OK, "http url");
    tap_ok(se_valid_url(S("javascript:alert(1)")) == SE_ERROR,
           "javascript: refused");
    tap_ok(se_valid_url(S("//example.com")) == SE_ERROR,
           "scheme-relative refused");
    tap_ok(se_valid_url(S("https://")) == SE_ERROR, "no host");
    tap_ok(se_valid_url(S("https:///path")) == SE_ERROR, "empty host");
    tap_ok(se_valid_url(S("https://a.com/\"onmouseover=")) == SE_ERROR,
           "quote refused");
    tap_ok(se_valid_url(S("https://a.com/<x>")) == SE_ERROR,
           "angle bracket refused");
    tap_ok(se_valid_url(S("https://a.com/ x")) == SE_ERROR,
           "space refused");
    tap_ok(se_valid_url(S("HTTPS://A.COM")) == SE_ERROR,
           "scheme is lower case");

    tap_ok(se_valid_lang(S("ko")) == SE_OK, "lang ko");
    tap_ok(se_valid_lang(S("pt-BR")) == SE_OK, "lang pt-BR");
    tap_ok(se_valid_lang(S("zh-Hant-TW")) == SE_OK, "lang zh-Hant-TW");
    tap_ok(se_valid_lang(S("k")) == SE_ERROR, "lang too short");
    tap_ok(se_valid_lang(S("ko-")) == SE_ERROR, "lang trailing dash");
    tap_ok(se_valid_lang(S("ko.kr")) == SE_ERROR, "lang with dot");
    tap_ok(se_valid_lang(S("12")) == SE_ERROR, "lang digits");

    tap_ok(se_valid_time_zone(S("Asia/Seoul")) == SE_OK, "tz Asia/Seoul");
    tap_ok(se_valid_time_zone(S("America/Argentina/Buenos_Aires"))
           == SE_OK, "tz with 3 parts");
    tap_ok(se_valid_time_zone(S("Etc/GMT+9")) == SE_OK, "tz Etc/GMT+9");
    tap_ok(se_valid_time_zone(S("UTC")) == SE_OK, "tz UTC");
    tap_ok(se_valid_time_zone(S("../etc/passwd")) == SE_ERROR,
           "tz with ..");
    tap_ok(se_valid_time_zone(S("/Asia")) == SE_ERROR, "tz leading /");
    tap_ok(se_valid_time_zone(S("Asia/")) == SE_ERROR, "tz trailing /");
    tap_ok(se_valid_time_zone(S("Asia Seoul")) == SE_ERROR, "tz space");

    tap_ok(se_parse_uint(S("0"), 10, &u) == SE_OK && u == 0, "uint 0");
    tap_ok(se_parse_uint(S("18446744073709551615"), UINT64_MAX, &u)
           == SE_OK && u == UINT64_MAX, "uint max");
    tap_ok(se_parse_uint(S("18446744073709551616"), UINT64_MAX, &u)
           == SE_ERROR, "uint overflow");
    tap_ok(se_parse_uint(S("11"), 10, &u) == SE_ERROR, "uint above max");
    tap_ok(se_parse_uint(S("10"), 10, &u) == SE_OK && u == 10,
           "uint at max");
    tap_ok(se_parse_uint(S("5"), 3, &u) == SE_ERROR, "digit above max");
    tap_ok(se_parse_uint(S("-1"), 10, &u) == SE_ERROR, "uint sign");
    tap_ok(se_parse_uint(S("+1"), 10, &u) == SE_ERROR, "uint plus");
    tap_ok(se_parse_uint(S(" 1"), 10, &u) == SE_ERROR, "uint space");
    tap_ok(se_parse_uint(S(""), 10, &u) == SE_ERROR, "uint empty");

    tap_ok(se_parse_onoff(S("on"), &on) == SE_OK && on == 1, "on");
    tap_ok(se_parse_onoff(S("off"), &on) == SE_OK && on == 0, "off");
    tap_ok(se_parse_onoff(S("On"), &on) == SE_ERROR, "On refused");
    tap_ok(se_parse_onoff(S("1"), &on) == SE_ERROR, "1 is not on/off");
    tap_ok(se_parse_bool(S("1"), &on) == SE_OK && on == 1, "bool 1");
    tap_ok(se_parse_bool(S("false"), &on) == SE_OK && on == 0,
           "bool false");
    tap_ok(se_parse_bool(S("yes"), &on) == SE_ERROR, "bool yes refused");

    return tap_done();
}
