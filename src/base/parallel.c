/* parallel.c - n jobs in n threads (see parallel.h). */
#include "base/parallel.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

struct job {
	void (*fn)(void *item);
	void *item;
};

static void *job_main(void *arg)
{
	struct job *j = arg;
	j->fn(j->item);
	return NULL;
}

void psc_parallel(void (*fn)(void *item), void *items, size_t size, size_t n)
{
	struct job *jobs = calloc(n ? n : 1, sizeof(*jobs));
	pthread_t *th = calloc(n ? n : 1, sizeof(*th));
	bool *started = calloc(n ? n : 1, sizeof(*started));

	for (size_t i = 0; i < n; i++) {
		void *item = (char *)items + i * size;
		if (!jobs || !th || !started) {   /* no memory: one by one */
			fn(item);
			continue;
		}
		jobs[i] = (struct job){fn, item};
		started[i] = pthread_create(&th[i], NULL, job_main, &jobs[i]) ==
			     0;
		if (!started[i])
			fn(item);
	}
	for (size_t i = 0; jobs && th && started && i < n; i++)
		if (started[i])
			pthread_join(th[i], NULL);
	free(jobs);
	free(th);
	free(started);
}
