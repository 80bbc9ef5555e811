/* Call detail records (see mgcf_cdr.h). */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <talloc.h>
#include <mgcf/dec.h>

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

/* A CDR line is written per call: built by hand (dates from the day count, fixed-width digits), with
 * strftime()/printf() only for what that does not cover (years outside 1000-9999, a duration that is not
 * exactly a whole number of nanoseconds away from a millisecond tie), so that the text is what
 * "%Y-%m-%dT%H:%M:%S.mmmZ" and "%.3f" print. */
struct out {
	char *p;
	char *end;
	bool full;
};

static void put_mem(struct out *o, const char *s, size_t n)
{
	if (o->full || (size_t)(o->end - o->p) < n) {
		o->full = true;
		return;
	}
	memcpy(o->p, s, n);
	o->p += n;
}

static void put_str(struct out *o, const char *s)
{
	put_mem(o, s, strlen(s));
}

static void put_uint(struct out *o, unsigned long v)
{
	char tmp[20];

	put_mem(o, tmp, mgcf_put_dec(tmp, v) - tmp);
}

/* v in exactly `width` digits, zero-padded (v < 10^width) */
static void put_digits(struct out *o, unsigned long v, unsigned int width)
{
	char tmp[8];
	unsigned int n = width;

	while (n) {
		tmp[--n] = '0' + v % 10;
		v /= 10;
	}
	put_mem(o, tmp, width);
}

/* The proleptic Gregorian date of a day count since 1970-01-01 (days-from-civil inverted, eras of 400 years). */
static void civil_from_days(int64_t days, int64_t *y, unsigned int *m, unsigned int *d)
{
	int64_t z = days + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned int doe = (unsigned int)(z - era * 146097);			/* [0, 146096] */
	unsigned int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;	/* [0, 399] */
	unsigned int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);		/* [0, 365], from March 1st */
	unsigned int mp = (5 * doy + 2) / 153;					/* [0, 11], March = 0 */

	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static void put_time(struct out *o, const struct timespec *ts)
{
	int64_t days = ts->tv_sec / 86400, secs = ts->tv_sec % 86400, y;
	unsigned int m, d;
	char buf[64];
	struct tm tm;
	size_t n;

	if (!ts->tv_sec)
		return;
	if (secs < 0) {
		secs += 86400;
		days--;
	}
	civil_from_days(days, &y, &m, &d);
	if (y >= 1000 && y <= 9999) {
		put_digits(o, y, 4);
		put_mem(o, "-", 1);
		put_digits(o, m, 2);
		put_mem(o, "-", 1);
		put_digits(o, d, 2);
		put_mem(o, "T", 1);
		put_digits(o, secs / 3600, 2);
		put_mem(o, ":", 1);
		put_digits(o, secs / 60 % 60, 2);
		put_mem(o, ":", 1);
		put_digits(o, secs % 60, 2);
	} else {
		gmtime_r(&ts->tv_sec, &tm);
		n = strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
		if (!n)
			o->full = true;
		put_mem(o, buf, n);
	}
	put_mem(o, ".", 1);
	put_digits(o, ts->tv_nsec / 1000000, 3);
	put_mem(o, "Z", 1);
}

/* "%.3f" of the call's duration in seconds, 0 if unanswered or negative */
static void put_duration(struct out *o, const struct mgcf_cdr *c)
{
	int64_t ns = 0;
	char buf[48];
	int n;

	if (c->answer.tv_sec)
		ns = (int64_t)(c->end.tv_sec - c->answer.tv_sec) * 1000000000 + (c->end.tv_nsec - c->answer.tv_nsec);
	if (ns <= 0) {
		put_mem(o, "0.000", 5);
		return;
	}
	if (ns % 1000000 == 500000 || ns >= (int64_t)1000000 * 1000000000) {
		/* a tie, or too long for a double to be within a nanosecond: what printf makes of the double */
		n = snprintf(buf, sizeof(buf), "%.3f", (double)(c->end.tv_sec - c->answer.tv_sec) +
			     (c->end.tv_nsec - c->answer.tv_nsec) / 1e9);
		put_mem(o, buf, n > 0 ? (size_t)n : 0);
		return;
	}
	ns = (ns + 500000) / 1000000;
	put_uint(o, ns / 1000);
	put_mem(o, ".", 1);
	put_digits(o, ns % 1000, 3);
}

static const char *const dir_names[] = { [MGCF_CDR_SIP2ISUP] = "sip2isup", [MGCF_CDR_ISUP2SIP] = "isup2sip" };
static const char *const rel_names[] = {
	[MGCF_CDR_REL_SIP] = "sip", [MGCF_CDR_REL_ISUP] = "isup", [MGCF_CDR_REL_MGCF] = "mgcf",
};

int mgcf_cdr_format(char *buf, size_t len, const struct mgcf_cdr *c)
{
	struct out o = { .p = buf, .end = buf + len };

	if (!len)
		return -EMSGSIZE;
	put_time(&o, &c->start);
	put_mem(&o, ",", 1);
	put_time(&o, &c->answer);
	put_mem(&o, ",", 1);
	put_time(&o, &c->end);
	put_mem(&o, ",", 1);
	put_str(&o, dir_names[c->direction]);
	put_mem(&o, ",", 1);
	put_str(&o, c->trunk ? c->trunk : "");
	put_mem(&o, ",", 1);
	put_uint(&o, c->cic);
	put_mem(&o, ",", 1);
	put_str(&o, c->calling ? c->calling : "");
	put_mem(&o, ",", 1);
	put_str(&o, c->called ? c->called : "");
	put_mem(&o, ",", 1);
	put_uint(&o, c->cause);
	put_mem(&o, ",", 1);
	put_str(&o, rel_names[c->released_by]);
	put_mem(&o, ",", 1);
	put_duration(&o, c);
	/* the terminating NUL must fit too */
	if (o.full || o.p == o.end)
		return -EMSGSIZE;
	*o.p = '\0';
	return o.p - buf;
}

int mgcf_cdr_write(struct mgcf_cdr_writer *w, const struct mgcf_cdr *cdr)
{
	char line[512];
	int n = mgcf_cdr_format(line, sizeof(line), cdr);

	if (n < 0)
		return n;
	line[n] = '\n';
	/* one write per line */
	if (fwrite(line, 1, n + 1, w->f) != (size_t)n + 1 || fflush(w->f))
		return -EIO;
	return 0;
}

void mgcf_cdr_close(struct mgcf_cdr_writer *w)
{
	talloc_free(w);
}
