/*! \file config_lines.h
 * Where each option of a configuration file stands.
 *
 * libconfuse keeps no line per option (and its section lines drift by the
 * parser's look-ahead), yet an operator needs `FILE:LINE: what is wrong` for
 * errors found after parsing (an unknown trunk, overlapping CICs, …).  So we
 * scan the file once more with a small lexer of the same grammar and record
 * the line of every option and list element under a path key:
 *
 *     trunk-group "pstn" { cics = { "1-15",      key "trunk-group:pstn/cics"    -> line of "cics"
 *                                   "17-31" } }  key "trunk-group:pstn/cics#1"  -> line of "17-31"
 *     media { … }                                key "media"                    -> line of "media"
 */
#pragma once

struct config_lines;

/*! \brief Scan a configuration file; NULL if it cannot be read (libconfuse reports that). */
struct config_lines *config_lines_scan(void *ctx, const char *path);

/*! \brief Line of a key ("sec:title/opt", "sec/opt#2"), or 0 if it is not in the file. */
int config_lines_get(const struct config_lines *cl, const char *key);

/*! \brief The true line of a line number that libconfuse reported (it miscounts comments). */
int config_lines_confuse_line(const struct config_lines *cl, int reported);
