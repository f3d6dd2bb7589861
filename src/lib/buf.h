/* A growable byte buffer with a mandatory maximum size, so memory is
 * bounded by design (curl's dynbuf is the model).
 *
 * Convention: functions that can fail return 0 on success and -1 when the
 * result would exceed the buffer's maximum; the buffer is then left as it
 * was before the call. The contents are always NUL-terminated (the NUL is
 * not counted in the length), but may also contain NUL bytes: use
 * buf_len(), never strlen(). */
#ifndef TERN_BUF_H
#define TERN_BUF_H

#include <stdarg.h>
#include <stddef.h>

/* Fields are private: use the functions. The struct is public only so that
 * buffers can live on the stack or inside other structs. */
struct buf {
	char *data;
	size_t len;
	size_t cap;
	size_t max;
};

void buf_init(struct buf *b, size_t max);
void buf_free(struct buf *b);
/* Empties the buffer and keeps its memory. */
void buf_reset(struct buf *b);

int buf_add(struct buf *b, const void *data, size_t len);
int buf_addc(struct buf *b, char c);
int buf_addstr(struct buf *b, const char *s);
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int buf_vprintf(struct buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

/* Drops the first n bytes (all of them when n >= length). */
void buf_consume(struct buf *b, size_t n);
/* Shortens the buffer to n bytes; n larger than the length is ignored. */
void buf_truncate(struct buf *b, size_t n);

const char *buf_ptr(const struct buf *b);
size_t buf_len(const struct buf *b);
/* Hands the NUL-terminated contents to the caller (free() them) and
 * leaves the buffer empty. */
char *buf_detach(struct buf *b);

#endif
