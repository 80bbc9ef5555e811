/* Fuzz harness for the configuration loader (libconfuse + our checks + the line index). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include <talloc.h>
#include <osmocom/core/logging.h>
#include <osmocom/core/utils.h>

#include <mgcf/log.h>
#include "src/config.h"

static void *root;
static size_t root_blocks;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	root = talloc_named_const(NULL, 0, "fuzz");
	log_init(&mgcf_log_info, root);
	root_blocks = talloc_total_blocks(root);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mgcfd_config *cfg;
	char path[64], *errors;
	int fd;
	fd = memfd_create("cfg", 0);
	if (fd < 0)
		return 0;
	if (size && write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	cfg = mgcfd_config_load(root, path, &errors);
	talloc_free(cfg);
	talloc_free(errors);
	close(fd);
	if (talloc_total_blocks(root) != root_blocks)
		abort();	/* the loader leaked */
	return 0;
}
