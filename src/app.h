/*
 * app.h: one run of watchrun.  Owns the loop context, the single object
 * through which the stages are tied together: inotify (watch) -> ignore
 * filter -> rule match -> debounce -> runner, or -> print.
 */
#ifndef WATCHRUN_APP_H
#define WATCHRUN_APP_H

struct match_re;
struct ruleset;

enum on_busy {
	BUSY_QUEUE,		/* run once more when the command ends */
	BUSY_RESTART,		/* stop the command and start it anew */
	BUSY_IGNORE,		/* drop changes while the command runs */
};

struct app_opts {
	const struct ruleset *rs;	/* roots, ignores, rules; borrowed */
	int		 print;		/* print events instead of running */
	int		 json;		/* print them as JSON lines */
	uint32_t	 print_mask;	/* events to print */
	int		 print_dir_reads; /* also OPEN, ACCESS, CLOSE of dirs */
	struct match_re	*print_re;	/* paths to print; NULL for all */
	int		 once;
	int		 quiet;
	int		 partial;
	int		 follow;
	enum on_busy	 on_busy;
	size_t		 max_paths;	/* per-rule batch cap */
	uint64_t	 stop_us;
};

/* Runs until a signal, --once or the loss of every root; returns the exit status. */
int	 app_run(const struct app_opts *);

#endif
