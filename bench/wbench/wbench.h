/*
 * wbench.h: what the benchmark driver's files share: the tools it runs,
 * the one context of a run (options, paths, the tools found, the report's
 * sections, the figures the targets need), the handle of a running tool,
 * and each file's functions.  Nothing here is a global: every function
 * that needs the run's state is handed the context.
 */
#ifndef WBENCH_H
#define WBENCH_H

#define MS		1000000ULL	/* in ns */
#define SEC		1000000000ULL
#define MAXPIDS		4096
#define MAXREPS		1000
#define NITEMS(a)	(sizeof(a) / sizeof((a)[0]))

enum {
	T_WATCHRUN,
	T_WATCHRUN_D50,
	T_WATCHRUN_DEF,
	T_WR_INOTIFY,
	T_WR_FANOTIFY,
	T_WR_POLL,
	T_FLOOR,
	T_FLOOR_G,
	T_FLOOR_READ,
	T_FLOOR_POLL,
	T_INOTIFYWAIT,
	T_FSWATCH,
	T_DIREVENT,
	T_ENTR,
	NTOOLS
};

/*
 * A tool and how to run it.  In argv, "$WATCHRUN", "$FLOOR", "$D",
 * "$STAMP", "$OUT" and "$CONF" are replaced by the run's paths, "$EVENTS"
 * by the event count of scenario cpu-per-event, "$POLL" by
 * "poll=INTERVAL" and "$POLL_MS" by that INTERVAL in milliseconds.
 */
struct tool {
	const char	*name;
	const char	*need;		/* programs needed on PATH */
	const char	*ready;		/* on stderr when ready, or NULL */
	int		 deb_ms;	/* trailing debounce */
	int		 peer;
	const char	*pkg;		/* its Debian package */
	const char	*vers[3];	/* prints the version */
	const char	*argv[12];
	const char	*note;
	int		 backend;	/* needs watchrun's --backend */
};

extern const struct tool tools[NTOOLS];

struct opts {
	const char	*watchrun;
	const char	*bindir;
	const char	*out;		/* "-" for stdout */
	const char	*include;	/* notes copied into the report */
	const char	*only;		/* tools to run, by name */
	const char	*scenarios;	/* by name, comma-separated */
	const char	*poll_every;	/* INTERVAL of --backend poll= */
	int		 smoke;
	int		 verbose;
	int		 peers;
	int		 keep;
	int		 trials;
	int		 warmup;
	int		 reps;
	int		 reps_d;
	int		 reps_g;
	int		 idle_s;
	int		 burst_files;
	int		 events;
	int		 cp_files;
	int		 big[3];
	int		 replay_dirs;
	int		 replay_events;
	long		 bk_dirs[2];	/* backend trees: small, large */
	long		 poll_files[3];
	int		 poll_idle_s;
	uint64_t	 quiet;		/* no-run wait in scenario burst */
	uint64_t	 lat_quiet;	/* and in scenario latency */
};

struct stamp {
	uint64_t	 ns;
	long		 nargs;
	long		 count;		/* WATCHRUN_COUNT, or -1 */
};

/* A running tool: its process, its stderr and its stamp file. */
struct proc {
	const struct tool *t;
	pid_t		 pid;
	int		 errfd;
	int		 ino;		/* inotify on the stamp file */
	int		 outfd;
	char		*err;		/* all its stderr so far */
	size_t		 errlen;
	size_t		 errsize;
	off_t		 off;
	char		 part[256];
	size_t		 npart;
	struct stamp	*st;
	size_t		 nst;
	size_t		 stsize;
	uint64_t	 spawned;
	uint64_t	 ready;
	int		 dead;
	int		 status;
	const char	*probe;
};

/* Where one run of one tool keeps its files. */
struct run {
	char		 dir[PATH_MAX];
	char		 tree[PATH_MAX];
	char		 out[PATH_MAX];
	char		 conf[PATH_MAX];
	char		 probe[PATH_MAX];
};

struct stats {
	size_t		 n;
	double		 med;
	double		 p90;
	double		 min;
	double		 max;
};

/* A process tree's resources, summed by procfs_measure(). */
struct tmeas {
	size_t		 procs;
	size_t		 threads;
	long long	 rss_kb;
	long long	 pss_kb;
	unsigned long long ticks;	/* utime + stime */
	unsigned long long cticks;	/* with reaped children's */
	unsigned long long sched_ns;
	unsigned long long vol;
	unsigned long long invol;
	long long	 watches;	/* inotify watches, fanotify marks */
};

/* The machine's busy time at a mark, for the load after a scenario. */
struct load {
	unsigned long long busy;
	double		 self;
	uint64_t	 t;
};

struct section {
	char		*buf;
	size_t		 len;
	FILE		*fp;
};

/* What the targets tables need; a flag says whether it was measured. */
struct targets {
	int		 lat;
	double		 lat_wr_med, lat_wr_p90, lat_floor_med, lat_floor_p90;
	double		 lat_floor_max, lat_load;
	int		 deb;
	double		 deb_med, deb_p90, deb_max;
	int		 burst, burst_reps, burst_one, burst_cnt_ok;
	int		 burst_delay_n;
	double		 burst_delay_med, burst_delay_max;
	long		 burst_cnt_min, burst_cnt_max;
	size_t		 burst_runs_min, burst_runs_max;
	int		 cpu, cpu_reps, cpu_over, cpu_tmpfs, cpu_floor;
	double		 cpu_us_med, cpu_us_max, cpu_tmpfs_med, cpu_floor_med;
	double		 cpu_tmpfs_floor;
	int		 cp, cp_reps, cp_over;
	int		 start, start_inw, start_peers;
	double		 start_wr, start_floor, start_inwv, start_rss;
	double		 start_bpd, start_peer_rss;
	const char	*start_peer_name;
	int		 idle;
	unsigned long long idle_wake;
	int		 instr, instr_jit;
	double		 instr_r1, instr_r100, instr_dir;
	int		 gi_cpu[2];		/* per filesystem */
	const char	*gi_fs[2];
	double		 gi_on[2][2];		/* [fs][git] on-CPU µs/event */
	double		 gi_ratio[2];		/* median of pairs' ratios */
	int		 gi_pairs[2];
	double		 gi_rate[2][2];		/* [fs] min, max events/s */
	int		 gi_start;
	double		 gi_ready[2];		/* [git] median ms */
	double		 gi_start_ratio;
	int		 gi_start_pairs;
	long		 gi_dirs;
	int		 gi_ir;			/* the filter's instructions */
	double		 gi_whole[3];		/* none, default, git */
	double		 gi_filter[3];
	int		 bk_asked;		/* a backend scenario ran */
	int		 bk_fan[2];		/* fanotify ready, per tree */
	long		 bk_dirs[2];
	double		 bk_ready[2];		/* median ms */
	double		 bk_rss[2];		/* median MiB */
	int		 bk_lat;		/* both kernels' latency ran */
	double		 bk_lat_ms[2];		/* median: inotify, fanotify */
	int		 pc;			/* poll CPU at 20,000 files */
	double		 pc_pct;
	double		 pc_floor_pct;		/* floor -p on the same tree */
};

/* The context of one run of the benchmark. */
struct bench {
	struct opts	 o;
	struct targets	 tg;
	char		 workdir[PATH_MAX];
	char		 shmdir[PATH_MAX];	/* on /dev/shm, while used */
	char		 mnt[PATH_MAX];		/* a tmpfs mounted, while so */
	char		 stampbin[PATH_MAX];
	char		 floorbin[PATH_MAX];
	char		 replaybin[PATH_MAX];
	char		 gifile[PATH_MAX];	/* gitignore50, for replay -g */
	int		 avail[NTOOLS];
	char		 skipwhy[NTOOLS][128];
	char		 version[NTOOLS][160];
	int		 has_backend;	/* watchrun --help names --backend */
	struct proc	*live;		/* the tool running, if any */
	pid_t		 mainpid;
	long		 clk_tck;
	int		 failures;
	int		 sigfd;		/* SIGINT, SIGTERM, SIGHUP */
	sigset_t	 mask0;		/* the signal mask children get */
	int		 runseq;	/* numbers the runs' directories */
	pid_t		*scan_pid;	/* procfs_descendants()'s tables */
	pid_t		*scan_ppid;
	size_t		 scan_size;
	long long	 limits0[3];	/* the inotify limits we expect */
	long long	 watches_saved;	/* to restore, or -1 */
	FILE		*notes;		/* for the scenario's closing lines */
	char		*notes_buf;
	size_t		 notes_len;
	struct section	 head;
	struct section	 targets;
	struct section	*sect;		/* one per scenario */
	size_t		 nsect;
	char		 src_commit[128];
	char		 src_dirty[1024];
};

/* util.c: time, messages, allocation, paths, signals. */
uint64_t	 now_ns(void);
void		 nap(struct bench *, uint64_t);
void		 signals_init(struct bench *);
void		 signals_child(const struct bench *);
void		 check_interrupted(struct bench *);
void		 progress(const struct bench *, const char *, ...)
		    __attribute__((__format__(__printf__, 2, 3)));
void		 fail(struct bench *, const char *, ...)
		    __attribute__((__format__(__printf__, 2, 3)));
void		*xcalloc(size_t, size_t);
void		*xrealloc(void *, size_t, size_t);
char		*xstrdup(const char *);
void		 pathf(char *, const char *, ...)
		    __attribute__((__format__(__printf__, 2, 3)));
void		 first_line(char *);
int		 in_path(const char *);
const char	*fs_name(const char *);
int		 duration_ns(const char *, uint64_t *);
uint64_t	 poll_every_ns(const struct bench *);

/* stats.c */
struct stats	 stats_of(const double *, size_t);
double		 pair_ratio(const double *, const double *, int);

/* trees.c: files, directories and the trees the scenarios watch. */
extern const char gitignore50[];
void		 make_dir(const char *);
void		 write_file(const char *, const char *);
void		 rm_tree(const char *);
void		 move(const char *, const char *);
void		 make_flat(const char *, int, const char *, int, char *);
long		 make_big(const char *, const int *, char *);
void		 touch_new(const char *);
void		 rewrite(const char *);
void		 write_files(const char *, long);
void		 make_gitignored(struct bench *, const char *, int);
void		 make_wide(const char *, long, char (*)[PATH_MAX], int);
long		 make_filled(const char *, long, int);
int		 tmpfs_mount(struct bench *, const char *, char *, size_t);
void		 tmpfs_umount(struct bench *);

/* procfs.c: processes and the machine, from /proc. */
long long	 read_key(const char *, const char *);
size_t		 procfs_descendants(struct bench *, pid_t, pid_t *, size_t);
void		 procfs_measure(struct bench *, pid_t, struct tmeas *, int);
void		 own_cpu(pid_t, unsigned long long *, unsigned long long *);
void		 load_mark(struct load *);
void		 limits_read(long long *);
int		 limits_check(struct bench *, const char *, const char *);
int		 limits_room(struct bench *, long, char *, size_t);
void		 limits_restore(struct bench *);

/* A running watchrun's own CPU and read(2) calls at one moment. */
struct own {
	size_t		 nst;		/* its runs so far */
	size_t		 exited;	/* " exited " lines so far */
	unsigned long long ticks;	/* utime + stime */
	unsigned long long ns;		/* on-CPU */
	long long	 syscr;		/* read(2) calls, or -1 */
};

/* spawn.c: starting, watching and stopping the tools. */
int		 capture(const struct bench *, char *const[], char *, size_t,
		    const char *);
void		 kill_all(struct bench *, struct proc *);
void		 run_new_in(struct bench *, struct run *, const char *,
		    const char *, const char *);
void		 run_new(struct bench *, struct run *, const char *,
		    const char *);
void		 run_done(struct run *);
void		 proc_start(struct bench *, struct proc *, int,
		    const struct run *);
void		 proc_stop(struct bench *, struct proc *);
void		 proc_free(struct proc *);
void		 pump(struct bench *, struct proc *, uint64_t);
void		 read_err(struct proc *);
void		 read_stamps(struct proc *);
const char	*last_err(struct proc *, char *, size_t);
size_t		 count_text(const struct proc *, const char *);
int		 wait_stamps(struct bench *, struct proc *, size_t, uint64_t);
int		 wait_text(struct bench *, struct proc *, const char *, size_t,
		    uint64_t);
void		 wait_quiet(struct bench *, struct proc *, uint64_t,
		    uint64_t);
int		 start_ready(struct bench *, struct proc *, int,
		    const struct run *, uint64_t, FILE *);
void		 own_mark(struct proc *, struct own *);
void		 own_after_run(struct bench *, struct proc *,
		    const struct own *, uint64_t, struct own *);

/* tools.c: the tool table, which tools are there and chosen. */
char		*tool_subst(const struct bench *, const char *,
		    const struct run *);
void		 tools_find(struct bench *);
int		 selected(const struct bench *, int);
int		 use_tool(struct bench *, int, FILE *);
void		 tool_cmdline(const struct bench *, FILE *, int);
int		 fanotify_usable(const char *, char *, size_t);

/* report.c: the report's sections, notes and targets. */
void		 report_open(struct bench *);
double		 load_report(struct bench *, FILE *, const struct load *);
void		 source_state(struct bench *);
void		 write_head(struct bench *, int, char *[], uint64_t, time_t);
void		 write_targets(struct bench *);
int		 write_report(struct bench *);

/* The scenarios, one a file or a pair that share their method. */
struct lat {
	double		*v;
	size_t		 n;
	size_t		 noruns;
	size_t		 runs;
	double		 ready_ms[8];
	size_t		 nready;
};

struct cpu {
	double		 us[MAXREPS];	/* utime+stime per event */
	double		 on[MAXREPS];	/* on-CPU (schedstat) per event */
	double		 rate[MAXREPS];	/* events (files) written per second */
	int		 n;
	int		 over;
};

struct start {
	double		 ready[MAXREPS];
	double		 rss[MAXREPS];
	double		 empty[MAXREPS];
	double		 pss[MAXREPS];
	double		 cpu[MAXREPS];
	long long	 watches;
	size_t		 procs;
	int		 n;
	int		 slow;
	int		 failed;
};

/* How latency_trials() goes about it. */
struct trials {
	const char	*scen;		/* for failure messages */
	char		(*files)[PATH_MAX];	/* rewritten in turn */
	size_t		 nfiles;
	int		 n;		/* trials measured, after o.warmup */
	uint64_t	 norun;		/* no run by then: 'no run' */
	uint64_t	 timeout;	/* to get ready */
};

/* latency.c: one save, time to the command's start; debounce. */
int		 latency_trials(struct bench *, int, const struct run *,
		    const struct trials *, struct lat *, FILE *);
void		 lat_row(FILE *, int, const struct lat *, const struct stats *,
		    double);
void		 scen_latency(struct bench *, FILE *);
void		 scen_debounce(struct bench *, FILE *);

/* burst.c */
void		 scen_burst(struct bench *, FILE *);

/* cpu.c: watchrun's own CPU per event; cp -r into the tree. */
int		 cpu_rep(struct bench *, const char *, const char *, int, int,
		    struct cpu *, FILE *);
void		 cpu_summary(FILE *, const char *, const char *,
		    const struct cpu *);
const char	*shm_base(struct bench *);
void		 shm_done(struct bench *);
void		 scen_cpu(struct bench *, FILE *);
void		 scen_copy(struct bench *, FILE *);

/* startup.c */
int		 start_one(struct bench *, int, const char *, const char *,
		    struct tmeas *, double *, FILE *);
void		 scen_startup(struct bench *, FILE *);

/* idle.c */
void		 scen_idle(struct bench *, FILE *);

/* gitignore.c */
void		 scen_gitignore(struct bench *, FILE *);

/* instructions.c */
void		 scen_instructions(struct bench *, FILE *);

/* backend.c: start-up and latency with each of watchrun's backends. */
int		 backend_skip(struct bench *, FILE *);
void		 scen_backend_startup(struct bench *, FILE *);
void		 scen_backend_latency(struct bench *, FILE *);

/* pollcpu.c */
void		 scen_poll_cpu(struct bench *, FILE *);

/* outside.c */
void		 scen_fanotify_outside(struct bench *, FILE *);

#endif
