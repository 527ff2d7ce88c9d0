/*
 * app.h: one run of watchrun.  Owns the loop context, the single object
 * through which the stages are tied together: inotify (watch) -> ignore
 * filter -> rule match -> scheduler -> runner, or -> print.
 */
#ifndef WATCHRUN_APP_H
#define WATCHRUN_APP_H

#include "report.h"
#include "sched.h"
#include "watch.h"

struct match_re;
struct ruleset;

struct app_opts {
	const struct ruleset *rs;	/* roots, ignores, rules; borrowed */
	/*
	 * Where the rules came from, to read them again when the file
	 * changes (NULL: from the command line): the file, and the roots
	 * (-w), ignores (-x) and debounce (-d) added to it.
	 */
	const char	*rules_file;
	char	       **extra_roots;
	size_t		 nextra_roots;
	char	       **extra_ignores;
	size_t		 nextra_ignores;
	uint64_t	 default_debounce;
	int		 print;		/* print events instead of running */
	int		 json;		/* print them as JSON lines */
	uint32_t	 print_mask;	/* events to print */
	int		 print_dir_reads; /* also OPEN, ACCESS, CLOSE of dirs */
	struct match_re	*print_re;	/* paths to print; NULL for all */
	int		 once;
	int		 quiet;
	int		 partial;
	int		 follow;
	enum sched_busy	 on_busy;
	int		 signal;	/* --on-busy signal sends this */
	int		 stop_signal;	/* restart, timeout and exit send this */
	size_t		 max_paths;	/* per-rule batch cap */
	uint64_t	 stop_us;	/* stop signal to SIGKILL */
	uint64_t	 max_wait;	/* 0: none */
	uint64_t	 run_timeout;	/* 0: none */
	uint64_t	 wait_timeout;	/* --once; 0: none */
	size_t		 jobs;		/* commands at once at most */
	int		 no_loop;	/* every rule is no-loop */
	int		 initial;	/* every rule runs once at the start */
	int		 existing;	/* files there at the start are changes */
	int		 clear;		/* clear the terminal before each run */
	int		 no_default_ignores;
	int		 no_vcs_ignore;	/* git's ignore rules do not apply */
	enum watch_kind	 backend;	/* --backend */
	uint64_t	 poll_interval;	/* --backend poll=INTERVAL; 0: default */
	enum report_color color;	/* --color */
	int		 bell;		/* --bell */
};

/* Runs until a signal, --once or the loss of every root; returns the exit status. */
int	 app_run(const struct app_opts *);

#endif
