/* xml_escape.h: any text (a check's name, a compiler's words, what a
 * student's program printed) as XML 1.0 that every parser accepts. */
#ifndef RACELAB_XML_ESCAPE_H
#define RACELAB_XML_ESCAPE_H

#include <stddef.h>
#include <stdio.h>

/*
 * Writes s (NULL: nothing) to out as character data, or as an attribute
 * value between double quotes when attribute is 1.  First made safe for
 * a terminal as every report is (escape.h: control bytes, bytes that
 * are not UTF-8 and direction overrides become visible escapes, none of
 * which XML 1.0 allows raw); then &, <, >, " and ' become entities, the
 * noncharacters U+FFFE and U+FFFF "\ufffe" and "\uffff", and in an
 * attribute newlines and tabs character references, which a parser
 * would otherwise turn into spaces.
 */
void rl_xml_write(FILE *out, const char *s, int attribute);
/* The same, s first cut to at most cap - 1 bytes (rl_escape_text's cap):
 * for text nobody has cut to size, such as a program's output in a page. */
void rl_xml_write_capped(FILE *out, const char *s, int attribute, size_t cap);

#endif
