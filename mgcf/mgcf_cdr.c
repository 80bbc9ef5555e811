/* Call detail records (see mgcf_cdr.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <talloc.h>

#include "mgcf/mgcf_cdr.h"

#define CDR_HEADER "# start,answer,end,direction,trunk,cic,calling,called,cause,released_by,duration_s\n"

struct mgcf_cdr_writer {
	char *path;
	FILE *f;
};

static FILE *open_file(const char *path)
{
	FILE *f = fopen(path, "a");
	struct stat st;

	if (!f)
		return NULL;
	if (fstat(fileno(f), &st) == 0 && st.st_size == 0)
		fputs(CDR_HEADER, f);
	return f;
}

static int writer_destructor(struct mgcf_cdr_writer *w)
{
	if (w->f)
		fclose(w->f);
	return 0;
}

struct mgcf_cdr_writer *mgcf_cdr_open(void *ctx, const char *path)
{
	struct mgcf_cdr_writer *w;
	FILE *f = open_file(path);

	if (!f)
		return NULL;
	w = talloc_zero(ctx, struct mgcf_cdr_writer);
	w->path = talloc_strdup(w, path);
	w->f = f;
	talloc_set_destructor(w, writer_destructor);
	return w;
}

int mgcf_cdr_reopen(struct mgcf_cdr_writer *w)
{
	FILE *f = open_file(w->path);

	if (!f)
		return -errno;
	fclose(w->f);
	w->f = f;
	return 0;
}

static int fmt_time(char *buf, size_t len, const struct timespec *ts)
{
	struct tm tm;
	size_t n;

	if (!ts->tv_sec) {
		if (len < 1)
			return -EMSGSIZE;
		buf[0] = '\0';
		return 0;
	}
	gmtime_r(&ts->tv_sec, &tm);
	n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!n || snprintf(buf + n, len - n, ".%03ldZ", ts->tv_nsec / 1000000) >= (int)(len - n))
		return -EMSGSIZE;
	return 0;
}

static const char *const dir_names[] = { [MGCF_CDR_SIP2ISUP] = "sip2isup", [MGCF_CDR_ISUP2SIP] = "isup2sip" };
static const char *const rel_names[] = {
	[MGCF_CDR_REL_SIP] = "sip", [MGCF_CDR_REL_ISUP] = "isup", [MGCF_CDR_REL_MGCF] = "mgcf",
};

int mgcf_cdr_format(char *buf, size_t len, const struct mgcf_cdr *c)
{
	char start[40], answer[40], end[40];
	double dur = 0;
	int n;

	if (fmt_time(start, sizeof(start), &c->start) || fmt_time(answer, sizeof(answer), &c->answer) ||
	    fmt_time(end, sizeof(end), &c->end))
		return -EMSGSIZE;
	if (c->answer.tv_sec)
		dur = (c->end.tv_sec - c->answer.tv_sec) + (c->end.tv_nsec - c->answer.tv_nsec) / 1e9;
	n = snprintf(buf, len, "%s,%s,%s,%s,%s,%u,%s,%s,%u,%s,%.3f", start, answer, end, dir_names[c->direction],
		     c->trunk ? c->trunk : "", c->cic, c->calling ? c->calling : "", c->called ? c->called : "",
		     c->cause, rel_names[c->released_by], dur < 0 ? 0 : dur);
	if (n < 0 || (size_t)n >= len)
		return -EMSGSIZE;
	return n;
}

int mgcf_cdr_write(struct mgcf_cdr_writer *w, const struct mgcf_cdr *cdr)
{
	char line[512];
	int n = mgcf_cdr_format(line, sizeof(line), cdr);

	if (n < 0)
		return n;
	if (fprintf(w->f, "%s\n", line) < 0 || fflush(w->f))
		return -EIO;
	return 0;
}

void mgcf_cdr_close(struct mgcf_cdr_writer *w)
{
	talloc_free(w);
}
