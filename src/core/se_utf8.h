/*
 * UTF-8: decoding, validation, and what markup may hold.
 */

#ifndef SE_UTF8_H
#define SE_UTF8_H

#include "se_core.h"

/* what se_utf8_decode() gives an invalid sequence: no code point */
#define SE_UTF8_BAD      0x110000

/*
 * Decodes one character at p (left > 0 bytes): its length, and the code
 * point in *cp, or SE_UTF8_BAD for the maximal subpart of an invalid
 * sequence (at least one byte), as the WHATWG UTF-8 decoder splits it.
 */
size_t se_utf8_decode(const unsigned char *p, size_t left, uint32_t *cp);

/*
 * Whether a code point may be written into markup (HTML or XML), raw or
 * as a character reference.  It may not when it is NUL, a C0 control
 * other than TAB, LF and CR, DEL, a C1 control, a surrogate or a
 * noncharacter (U+FDD0-U+FDEF and the last two code points of every
 * plane, U+FFFE and U+FFFF among them); nor SE_UTF8_BAD.  XML 1.0 makes
 * a document with the C0 controls, surrogates, U+FFFE or U+FFFF not
 * well-formed, and HTML makes every one of them a parse error: every
 * escaper of the HTML and XML outputs drops them (and writes an invalid
 * sequence as U+FFFD).
 */
int se_utf8_markup_ok(uint32_t cp);

/* well-formed UTF-8 (RFC 3629: no overlongs, surrogates, > U+10FFFF) */
int se_utf8_valid(const char *s, size_t len);

/*
 * Text of at most max bytes: UTF-8 without NUL, C0 controls, DEL or C1
 * controls; with multiline, TAB, LF and CR are allowed.  Single-line
 * text also allows TAB.  Empty text is valid here; callers decide.
 */
int se_valid_text(const char *s, size_t len, size_t max, int multiline);

#endif /* SE_UTF8_H */
