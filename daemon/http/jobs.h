/* Finished jobs, back on the loop thread. */
#pragma once

struct job;

/* The done callback for workers_new(): replies and logs on the loop thread. */
void http_job_done(struct job *j, void *userdata);
