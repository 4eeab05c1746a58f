/* xmlesc.h — the escaper of XML text content that epub.c installs in
 * libxml2's serializer (xmlSaveSetEscape): the same bytes as libxml2's own
 * default, fewer instructions. No libxml2 types here (xmlChar is unsigned
 * char), so the unit test can check it against libxml2 directly. */
#ifndef COURSEC_XMLESC_H
#define COURSEC_XMLESC_H

/* An xmlCharEncodingOutputFunc: escapes in[0..*inlen) into out[0..*outlen)
 * as libxml2 2.9's xmlEscapeContent does (& < > and CR become &amp; &lt;
 * &gt; &#13;, every other byte is copied, UTF-8 included) and stops, like
 * it, when the next piece does not fit; then *inlen is the number of bytes
 * consumed and *outlen the number written. Returns 0. */
int xmlesc_text(unsigned char *out, int *outlen, const unsigned char *in, int *inlen);

#endif
