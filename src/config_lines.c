/* Line index of a libconfuse configuration file (see config_lines.h). */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <talloc.h>
#include <osmocom/core/utils.h>

#include "src/config_lines.h"

struct line_entry {
	const char *key;
	int line;
};

struct config_lines {
	struct line_entry *e;
	size_t n;
	size_t alloc;
	int *comment_lines;	/* line each comment ends on, ascending; a line comment is listed twice (see below) */
	size_t num_comments;
};

enum tok_type {
	TOK_EOF,
	TOK_WORD,	/* unquoted word or quoted string */
	TOK_LBRACE,
	TOK_RBRACE,
	TOK_EQ,		/* = or += */
	TOK_COMMA,
	TOK_LPAREN,
	TOK_RPAREN,
};

struct lexer {
	struct config_lines *cl;
	const char *p;
	const char *end;
	int line;
	/* current token */
	enum tok_type type;
	const char *tp;
	size_t tlen;
	int tline;
};

static void note_comment(struct lexer *lx)
{
	struct config_lines *cl = lx->cl;

	cl->comment_lines = talloc_realloc(cl, cl->comment_lines, int, cl->num_comments + 1);
	cl->comment_lines[cl->num_comments++] = lx->line;
}

static void skip_space_and_comments(struct lexer *lx)
{
	while (lx->p < lx->end) {
		char c = *lx->p;

		if (c == '\n') {
			lx->line++;
			lx->p++;
		} else if (isspace((unsigned char)c)) {
			lx->p++;
		} else if (c == '#' || (c == '/' && lx->p + 1 < lx->end && lx->p[1] == '/')) {
			while (lx->p < lx->end && *lx->p != '\n')
				lx->p++;
			note_comment(lx);
			note_comment(lx);
		} else if (c == '/' && lx->p + 1 < lx->end && lx->p[1] == '*') {
			lx->p += 2;
			while (lx->p < lx->end && !(*lx->p == '*' && lx->p + 1 < lx->end && lx->p[1] == '/')) {
				if (*lx->p == '\n')
					lx->line++;
				lx->p++;
			}
			lx->p = lx->p + 2 < lx->end ? lx->p + 2 : lx->end;
			note_comment(lx);
		} else {
			return;
		}
	}
}

static void next(struct lexer *lx)
{
	char c;

	skip_space_and_comments(lx);
	lx->tline = lx->line;
	lx->tp = lx->p;
	lx->tlen = 0;
	if (lx->p >= lx->end) {
		lx->type = TOK_EOF;
		return;
	}
	c = *lx->p;
	switch (c) {
	case '{': lx->type = TOK_LBRACE; lx->p++; return;
	case '}': lx->type = TOK_RBRACE; lx->p++; return;
	case '=': lx->type = TOK_EQ; lx->p++; return;
	case ',': lx->type = TOK_COMMA; lx->p++; return;
	case '(': lx->type = TOK_LPAREN; lx->p++; return;
	case ')': lx->type = TOK_RPAREN; lx->p++; return;
	case '+':
		if (lx->p + 1 < lx->end && lx->p[1] == '=') {
			lx->type = TOK_EQ;
			lx->p += 2;
			return;
		}
		break;
	case '"':
	case '\'': {
		char q = c;

		lx->p++;
		lx->tp = lx->p;
		while (lx->p < lx->end && *lx->p != q) {
			if (*lx->p == '\\' && lx->p + 1 < lx->end)
				lx->p++;
			if (*lx->p == '\n')
				lx->line++;
			lx->p++;
		}
		lx->tlen = lx->p - lx->tp;
		if (lx->p < lx->end)
			lx->p++;
		lx->type = TOK_WORD;
		return;
	}
	}
	while (lx->p < lx->end && !isspace((unsigned char)*lx->p) && !strchr("{}=,()\"'#", *lx->p))
		lx->p++;
	if (lx->p == lx->tp)	/* a lone character we do not know: skip it */
		lx->p++;
	lx->tlen = lx->p - lx->tp;
	lx->type = TOK_WORD;
}

static void add(struct config_lines *cl, const char *key, int line)
{
	size_t i;

	/* keep the first occurrence: that is where an operator looks */
	for (i = 0; i < cl->n; i++) {
		if (!strcmp(cl->e[i].key, key)) {
			talloc_free((char *)key);
			return;
		}
	}
	if (cl->n == cl->alloc) {
		cl->alloc = cl->alloc ? cl->alloc * 2 : 64;
		cl->e = talloc_realloc(cl, cl->e, struct line_entry, cl->alloc);
	}
	cl->e[cl->n].key = key;
	cl->e[cl->n].line = line;
	cl->n++;
}

static void parse_block(struct config_lines *cl, struct lexer *lx, const char *path, int depth);

/* After "name =": a value or a { list }. */
static void parse_value(struct config_lines *cl, struct lexer *lx, const char *key)
{
	int i = 0;

	next(lx);
	if (lx->type != TOK_LBRACE)
		return;		/* single value: the option's own line is what counts */
	for (next(lx); lx->type != TOK_RBRACE && lx->type != TOK_EOF; next(lx)) {
		if (lx->type == TOK_WORD)
			add(cl, talloc_asprintf(cl, "%s#%d", key, i++), lx->tline);
	}
}

static void parse_block(struct config_lines *cl, struct lexer *lx, const char *path, int depth)
{
	next(lx);
	while (lx->type != TOK_EOF) {
		char *name, *key;
		int line;

		if (lx->type == TOK_RBRACE && depth > 0)
			return;
		if (lx->type != TOK_WORD) {
			next(lx);
			continue;
		}
		name = talloc_strndup(cl, lx->tp, lx->tlen);
		line = lx->tline;
		next(lx);
		if (lx->type == TOK_EQ) {
			key = path[0] ? talloc_asprintf(cl, "%s/%s", path, name) : talloc_strdup(cl, name);
			add(cl, talloc_strdup(cl, key), line);
			parse_value(cl, lx, key);
			talloc_free(key);
			next(lx);
		} else if (lx->type == TOK_LPAREN) {
			while (lx->type != TOK_RPAREN && lx->type != TOK_EOF)
				next(lx);
			next(lx);
		} else if (lx->type == TOK_LBRACE || lx->type == TOK_WORD) {
			char *title = NULL;

			if (lx->type == TOK_WORD) {
				title = talloc_strndup(cl, lx->tp, lx->tlen);
				next(lx);
			}
			key = title ? talloc_asprintf(cl, "%s%s%s:%s", path, path[0] ? "/" : "", name, title)
				    : talloc_asprintf(cl, "%s%s%s", path, path[0] ? "/" : "", name);
			add(cl, talloc_strdup(cl, key), line);
			if (lx->type == TOK_LBRACE && depth < 16)
				parse_block(cl, lx, key, depth + 1);
			talloc_free(key);
			talloc_free(title);
			next(lx);
		}
		talloc_free(name);
	}
}

struct config_lines *config_lines_scan(void *ctx, const char *path)
{
	struct config_lines *cl;
	struct lexer lx = { .line = 1 };
	char *buf;
	long len;
	FILE *f = fopen(path, "r");

	if (!f)
		return NULL;
	cl = talloc_zero(ctx, struct config_lines);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = talloc_size(cl, len > 0 ? len : 1);
	if (len > 0 && fread(buf, 1, len, f) != (size_t)len)
		len = 0;
	fclose(f);
	lx.cl = cl;
	lx.p = buf;
	lx.end = buf + (len > 0 ? len : 0);
	parse_block(cl, &lx, "", 0);
	talloc_free(buf);
	return cl;
}

int config_lines_get(const struct config_lines *cl, const char *key)
{
	size_t i;

	if (!cl)
		return 0;
	for (i = 0; i < cl->n; i++) {
		if (!strcmp(cl->e[i].key, key))
			return cl->e[i].line;
	}
	return 0;
}

int config_lines_confuse_line(const struct config_lines *cl, int reported)
{
	size_t c = 0;
	int t;

	if (!cl)
		return reported;
	/* libconfuse 3.3 counts two lines too many for every # or // comment it skips, and one
	 * for every block comment (measured); undo that */
	for (t = 1; t < reported; t++) {
		while (c < cl->num_comments && cl->comment_lines[c] < t)
			c++;
		if (t + (int)c >= reported)
			return t;
	}
	return reported;
}
