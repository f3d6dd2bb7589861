/* The order a folder's messages are shown in: by date, thread, sender,
 * subject or size, optionally reversed; shared by --list and the index
 * view of the UI. Threads (JWZ, mime/thread.h) are computed for the
 * thread order, or when the caller asks (--list --json reports each
 * message's thread); otherwise depth and thread are all 0.
 *
 * Convention: cmd_view_build returns 0, or -1 when the folder is larger
 * than threading allows. */
#ifndef TERN_CMD_VIEW_H
#define TERN_CMD_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cache/index.h"

enum cmd_sort {
	CMD_SORT_DATE,
	CMD_SORT_THREAD,
	CMD_SORT_FROM,
	CMD_SORT_SUBJECT,
	CMD_SORT_SIZE,
};

/* "date", "thread", ... Returns 0, or -1 for an unknown name. */
int cmd_sort_parse(const char *name, enum cmd_sort *sort_r);

struct cmd_view {
	size_t n;
	size_t *order;		/* positions in the index, in display order */
	unsigned *depth;	/* per position: thread depth (0 for roots) */
	size_t *thread;		/* per position: thread number */
};

int cmd_view_build(const struct index *idx, enum cmd_sort sort, bool reverse,
    bool threads, struct cmd_view *view_r);
void cmd_view_free(struct cmd_view *view);

/* The date a message is shown and sorted by: its Date: header, else the
 * day the server received it. */
int64_t cmd_view_date(const struct index_msg *m);

#endif
