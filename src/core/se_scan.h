/*
 * A streaming scanner that finds where to insert the banner: just after
 * the '>' that ends the opening <body ...> tag of an HTML byte stream
 * delivered in pieces of any size (SPEC section 3).
 *
 * It follows the HTML tokenizer (WHATWG "13.2.5 Tokenization") closely
 * enough that the answer is the one a browser gives, whatever the split:
 *
 *   - tag names are ASCII case-insensitive, and end at whitespace, '/'
 *     or '>' ("<bodyx>" and "<body<p>" are not a body tag);
 *   - attributes are tokenized as a browser does: a '>' inside a single
 *     or double quoted value does not end the tag, and a "<body" inside
 *     another tag (an attribute name or value) is not a tag;
 *   - "<!-- ... -->" comments (also "<!-->", "<!--->", "--!>"), bogus
 *     comments ("<!DOCTYPE ...>", "<![CDATA[...]>", "<?...>", "</ x>")
 *     are skipped;
 *   - the raw text content of <script> (with its "<!--" escape and
 *     "<script>" double-escape states), <style>, <textarea>, <title>,
 *     <xmp>, <iframe>, <noembed>, <noframes> and <noscript> is skipped up
 *     to the matching close tag ("</script" followed by whitespace, '/'
 *     or '>'; "</scriptx>" does not close);
 *   - it declines when the document cannot have a body tag: after a
 *     <frameset> or <plaintext> start tag or a </body> or </html> end
 *     tag, or when the window is exceeded.
 *
 * Foreign content (<svg>, <math>) and <template> are not modelled.
 *
 * The state is a few bytes (no allocation, no copy of the input), and the
 * scanner never reads outside the pieces it is given.
 */

#ifndef SE_SCAN_H
#define SE_SCAN_H

#include "se_core.h"

#define SE_SCAN_WINDOW    65536


typedef struct {
    size_t    left;       /* bytes of the window not yet scanned */
    uint16_t  mask;       /* names that match the name read so far */
    uint8_t   state;
    uint8_t   n;          /* bytes of the name read so far */
    uint8_t   tag;        /* the name of the current tag */
    uint8_t   raw;        /* the element whose raw text is skipped */
    uint8_t   end;        /* the current tag is an end tag */
} se_scan_t;


/*
 * Starts a scan that gives up when the '>' of the body tag is not within
 * the first window bytes of the stream (0: SE_SCAN_WINDOW).
 */
void se_scan_init(se_scan_t *s, size_t window);

/*
 * Scans the next len bytes of the stream (p may be NULL when len is 0).
 *
 *   SE_OK        *pos is the offset in this piece just after the '>' that
 *                ends the opening body tag: insert there (0 < *pos <= len);
 *   SE_AGAIN     no answer yet, feed the next piece;
 *   SE_DECLINED  there is no body tag to find (window exceeded, or the
 *                document cannot have one): pass everything through.
 *
 * *pos is only written on SE_OK.  After SE_OK or SE_DECLINED the scan is
 * over and every further call returns SE_DECLINED.  At the end of the
 * stream, SE_AGAIN means there was no body tag.
 */
int se_scan_feed(se_scan_t *s, const unsigned char *p, size_t len,
    size_t *pos);


/* ends the scan: every further se_scan_feed() returns SE_DECLINED */
void se_scan_end(se_scan_t *s);

#endif /* SE_SCAN_H */
