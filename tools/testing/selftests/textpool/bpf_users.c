// SPDX-License-Identifier: GPL-2.0
/*
 * Real BPF users of textpool, loaded through libbpf from the objects of
 * progs/ (skeletons): each case checks what its programs do, that their
 * JIT images and the trampolines or dispatcher they need lie in a textpool
 * chunk of the node of the CPU that made them (debugfs textpool/chunks,
 * read with kptr_restrict=1), and that once everything is detached and
 * unloaded users/bpf/allocations is back where it was.
 *
 *   bpf_users tramp CPU ROUNDS   fentry, fexit, fmod_ret: attached and
 *                                detached one by one, ROUNDS times, on
 *                                both nodes in turn; every attach and
 *                                detach rebuilds and swaps the trampoline
 *   bpf_users struct_ops CPU     a tcp_congestion_ops used by a TCP
 *                                connection over loopback
 *   bpf_users xdp CPU FRAMES     XDP on a veth pair (the XDP dispatcher),
 *                                frames sent through it, re-attached
 *   bpf_users tailcall CPU N     tail calls through a prog array slot
 *                                updated N times while another CPU runs
 *                                the caller (direct-jump pokes)
 *   bpf_users subprogs CPU       BPF-to-BPF calls (one image per function)
 *   bpf_users hold CPU           all of them loaded and attached, until
 *                                SIGTERM (bpf_users.sh inspects them with
 *                                bpftool and /proc/kallsyms)
 *   bpf_users kcore ADDR FILE    FILE holds the bytes at kernel address
 *                                ADDR (/proc/kcore)
 *
 * With TP_OFF=1 in the environment (a boot with textpool=off), no image
 * may lie in a chunk; everything else is checked the same.  Prints "# "
 * lines and a last line "bpf_users CASE: ok ..." with what it counted;
 * exits 0 on success, 1 on failure.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <linux/elf.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/if_packet.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "tp_tramp.skel.h"
#include "tp_tcp_ca.skel.h"
#include "tp_net.skel.h"

#define TP_SYSFS	"/sys/kernel/mm/textpool"
#define TP_CHUNKS	"/sys/kernel/debug/textpool/chunks"
#define MAX_CHUNKS	256
#define MAX_SYMS	1024
#define MAX_FUNCS	16
#define TP_ETH_P	0x88b5
#define VETH0		"tpveth0"
#define VETH1		"tpveth1"
#define CA_NAME		"tp_reno"

struct chunk {
	unsigned long start, end;
	int node;
};

struct sym {
	unsigned long addr;
	char name[256];
};

static bool tp_off;
static int failures;

static void msg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printf("# ");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	fflush(stdout);
}

static void bad(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printf("# FAIL: ");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	fflush(stdout);
	failures++;
}

static long read_num(const char *path)
{
	long v = -1;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	if (fscanf(f, "%ld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

static long bpf_allocs(void)
{
	return read_num(TP_SYSFS "/users/bpf/allocations");
}

/* Wait up to 30 s for users/bpf/allocations to drop to @want. */
static bool allocs_back(long want)
{
	int i;

	for (i = 0; i < 300; i++) {
		if (bpf_allocs() <= want)
			return true;
		usleep(100000);
	}
	return false;
}

static int cpu_node(int cpu)
{
	char path[64];
	int node;

	for (node = 0; node < 64; node++) {
		snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/node%d", cpu, node);
		if (access(path, F_OK) == 0)
			return node;
	}
	return 0;
}

static int cur_cpu = -1;

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set)) {
		bad("sched_setaffinity(CPU %d): %s", cpu, strerror(errno));
		exit(1);
	}
	cur_cpu = cpu;
}

static int read_chunks(struct chunk *c)
{
	FILE *f = fopen(TP_CHUNKS, "r");
	char line[512];
	int n = 0;

	if (!f) {
		bad("cannot open %s: %s", TP_CHUNKS, strerror(errno));
		return -1;
	}
	while (n < MAX_CHUNKS && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "node=%d start=0x%lx end=0x%lx",
			   &c[n].node, &c[n].start, &c[n].end) == 3)
			n++;
	}
	fclose(f);
	return n;
}

/*
 * Check that [addr, addr + size) lies in a chunk of @node (any node if
 * @node < 0), or, with textpool off, in no chunk at all.
 */
static bool check_text(const char *what, unsigned long addr, unsigned long size, int node)
{
	struct chunk chunks[MAX_CHUNKS];
	int i, n = read_chunks(chunks);

	if (n < 0)
		return false;
	if (!addr) {
		bad("%s: no address (kptr_restrict? not root?)", what);
		return false;
	}
	for (i = 0; i < n; i++) {
		if (addr < chunks[i].start || addr >= chunks[i].end)
			continue;
		if (tp_off) {
			bad("%s at 0x%lx is in a chunk with textpool off", what, addr);
			return false;
		}
		if (addr + size > chunks[i].end) {
			bad("%s at 0x%lx+%lu runs past its chunk", what, addr, size);
			return false;
		}
		if (node >= 0 && chunks[i].node != node) {
			bad("%s at 0x%lx is in a chunk of node %d, not %d",
			    what, addr, chunks[i].node, node);
			return false;
		}
		return true;
	}
	if (tp_off)
		return true;
	bad("%s at 0x%lx is in no textpool chunk (%d chunks)", what, addr, n);
	return false;
}

/* The BPF symbols ("[bpf]") of /proc/kallsyms whose name starts with @prefix. */
static int read_kallsyms(const char *prefix, struct sym *syms, int max)
{
	FILE *f = fopen("/proc/kallsyms", "r");
	size_t len = strlen(prefix);
	char line[512], name[256], type;
	unsigned long addr;
	int n = 0;

	if (!f) {
		bad("cannot open /proc/kallsyms: %s", strerror(errno));
		return 0;
	}
	while (fgets(line, sizeof(line), f)) {
		if (!strstr(line, prefix) || !strstr(line, "[bpf]"))
			continue;
		if (sscanf(line, "%lx %c %255s", &addr, &type, name) != 3 ||
		    strncmp(name, prefix, len))
			continue;
		if (n < max) {
			syms[n].addr = addr;
			snprintf(syms[n].name, sizeof(syms[n].name), "%s", name);
		}
		n++;
	}
	fclose(f);
	return n < max ? n : max;
}

static const char *kallsyms_name_at(unsigned long addr, char *buf, size_t size)
{
	FILE *f = fopen("/proc/kallsyms", "r");
	char line[512], name[256], type;
	unsigned long a;

	buf[0] = '\0';
	if (!f)
		return buf;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx %c %255s", &a, &type, name) == 3 && a == addr &&
		    !strncmp(name, "bpf_prog_", 9)) {
			snprintf(buf, size, "%s", name);
			break;
		}
	}
	fclose(f);
	return buf;
}

/*
 * Check the JIT images of a program: every function (the main program and
 * its subprograms) in a chunk of @node and in /proc/kallsyms as
 * bpf_prog_<tag>_<name> at that address.  Returns the number of images.
 */
static int check_prog(struct bpf_program *prog, int node)
{
	__u64 ksyms[MAX_FUNCS] = {};
	__u32 lens[MAX_FUNCS] = {};
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info), i, n;
	const char *name = bpf_program__name(prog);
	char what[128], sym[256];

	info.nr_jited_ksyms = MAX_FUNCS;
	info.jited_ksyms = (unsigned long)ksyms;
	info.nr_jited_func_lens = MAX_FUNCS;
	info.jited_func_lens = (unsigned long)lens;
	if (bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &len)) {
		bad("%s: BPF_OBJ_GET_INFO_BY_FD: %s", name, strerror(errno));
		return 0;
	}
	n = info.nr_jited_ksyms < MAX_FUNCS ? info.nr_jited_ksyms : MAX_FUNCS;
	if (!n)
		bad("%s: no JIT image", name);
	for (i = 0; i < n; i++) {
		snprintf(what, sizeof(what), "%s image %u (%u bytes)", name, i, lens[i]);
		check_text(what, ksyms[i], lens[i], node);
		kallsyms_name_at(ksyms[i], sym, sizeof(sym));
		if (!sym[0])
			bad("%s at 0x%llx is not in /proc/kallsyms", what, ksyms[i]);
		else if (i == 0 && !strstr(sym, name))
			bad("%s: kallsyms says %s", what, sym);
	}
	return n;
}

static int check_obj_progs(struct bpf_object *obj, int node)
{
	struct bpf_program *prog;
	int n = 0;

	bpf_object__for_each_program(prog, obj) {
		if (bpf_program__fd(prog) >= 0)
			n += check_prog(prog, node);
	}
	return n;
}

/* The addresses of the @prefix symbols of /proc/kallsyms at the last scan. */
struct symset {
	unsigned long addr[MAX_SYMS];
	int n;
};

static bool symset_has(struct symset *s, unsigned long addr)
{
	int i;

	for (i = 0; i < s->n; i++)
		if (s->addr[i] == addr)
			return true;
	return false;
}

/*
 * The images of @prefix symbols that appeared since the last scan (@prev):
 * each must be in a chunk of @node.  Returns how many appeared.  An image
 * freed after the last scan can leave its slot to a new one at the same
 * address: wait_images() first.
 */
static int new_images(const char *prefix, struct symset *prev, int node)
{
	static struct sym syms[MAX_SYMS];
	struct symset cur = {};
	int i, found = 0;

	cur.n = read_kallsyms(prefix, syms, MAX_SYMS);
	for (i = 0; i < cur.n; i++) {
		cur.addr[i] = syms[i].addr;
		if (symset_has(prev, syms[i].addr))
			continue;
		check_text(syms[i].name, syms[i].addr, 1, node);
		found++;
	}
	*prev = cur;
	return found;
}

/*
 * Wait (up to 10 s) until the images an update replaced are gone, one
 * image per symbol name left (a BPF trampoline frees its old image after
 * RCU grace periods), then take that as the last scan.
 */
static void wait_images(const char *prefix, struct symset *prev)
{
	static struct sym syms[MAX_SYMS];
	int i, j, n, names, tries;

	for (tries = 0; tries < 100; tries++) {
		n = read_kallsyms(prefix, syms, MAX_SYMS);
		for (i = 0, names = 0; i < n; i++) {
			for (j = 0; j < i && strcmp(syms[i].name, syms[j].name); j++)
				;
			names += j == i;
		}
		if (n == names)
			break;
		usleep(100000);
	}
	if (tries == 100)
		bad("%s: %d images of %d names still there after 10 s", prefix, n, names);
	prev->n = n;
	for (i = 0; i < n; i++)
		prev->addr[i] = syms[i].addr;
}

static int test_run(int prog_fd, void *data, __u32 size, int repeat, __u32 *retval)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts,
		    .data_in = data,
		    .data_size_in = size,
		    .repeat = repeat,
	);
	int err = bpf_prog_test_run_opts(prog_fd, &opts);

	*retval = opts.retval;
	return err;
}

/* fentry, fexit, fmod_ret. */

#define NR_FENTRY	4
#define NR_TRAMP_LINKS	(NR_FENTRY + 1)
/* BPF_PROG_TEST_RUN of an fmod_ret program (net/bpf/test_run.c). */
#define MODRET_PLAIN	((2U << 16) | 33)
#define MODRET_VALUE	1234
#define MODRET_MODIFIED	((1U << 16) | (MODRET_VALUE + 29))

struct tramp {
	struct tp_tramp *skel;
	struct bpf_link *links[NR_TRAMP_LINKS];
	struct bpf_program *progs[NR_TRAMP_LINKS];
	__u64 hits[NR_TRAMP_LINKS];
	struct symset seen;
	int attaches, detaches, images;
};

/* Run bpf_fentry_test1(): exactly the attached programs must count it. */
static void tramp_check(struct tramp *t, const char *when)
{
	struct tp_tramp__bss *bss = t->skel->bss;
	__u32 retval;
	int i;

	if (test_run(bpf_program__fd(t->skel->progs.tp_fentry0), NULL, 0, 1, &retval) ||
	    retval) {
		bad("%s: test run of bpf_fentry_test1(): %s, retval %u", when, strerror(errno),
		    retval);
		return;
	}
	for (i = 0; i < NR_TRAMP_LINKS; i++) {
		__u64 now = i < NR_FENTRY ? bss->fentry_hits[i] : bss->fexit_hits;
		__u64 want = t->hits[i] + !!t->links[i];

		if (now != want)
			bad("%s: %s ran %llu times, expected %llu", when,
			    bpf_program__name(t->progs[i]), now - t->hits[i], want - t->hits[i]);
		t->hits[i] = now;
	}
}

static void tramp_update(struct tramp *t, int i, bool attach)
{
	int node = cpu_node(cur_cpu);
	char when[96];

	snprintf(when, sizeof(when), "%s %s on CPU %d", attach ? "attach" : "detach",
		 bpf_program__name(t->progs[i]), cur_cpu);
	if (attach) {
		t->links[i] = bpf_program__attach(t->progs[i]);
		if (!t->links[i]) {
			bad("%s: %s", when, strerror(errno));
			return;
		}
		t->attaches++;
	} else {
		bpf_link__destroy(t->links[i]);
		t->links[i] = NULL;
		t->detaches++;
	}
	/* A new trampoline image, unless the last program went. */
	if (new_images("bpf_trampoline_", &t->seen, node) > 0)
		t->images++;
	else if (attach)
		bad("%s: no new trampoline image", when);
	tramp_check(t, when);
	wait_images("bpf_trampoline_", &t->seen);
}

/* fmod_ret on bpf_modify_return_test(), with an fexit program after it. */
static void tramp_modret(struct tramp *t)
{
	struct tp_tramp__bss *bss = t->skel->bss;
	int fd = bpf_program__fd(t->skel->progs.tp_fmod_ret);
	int node = cpu_node(cur_cpu);
	struct bpf_link *fmod, *fexit;
	__u32 retval;

	fexit = bpf_program__attach(t->skel->progs.tp_fexit_mod);
	fmod = bpf_program__attach(t->skel->progs.tp_fmod_ret);
	if (!fexit || !fmod) {
		bad("attach fmod_ret/fexit on bpf_modify_return_test: %s", strerror(errno));
		goto out;
	}
	t->attaches += 2;
	t->images += new_images("bpf_trampoline_", &t->seen, node) > 0;
	wait_images("bpf_trampoline_", &t->seen);
	bss->fmod_ret_value = MODRET_VALUE;
	if (test_run(fd, NULL, 0, 1, &retval) || retval != MODRET_MODIFIED ||
	    bss->fexit_mod_ret != MODRET_VALUE)
		bad("fmod_ret %d: test run retval 0x%x (expected 0x%x), fexit saw %d",
		    MODRET_VALUE, retval, MODRET_MODIFIED, bss->fexit_mod_ret);
	bss->fmod_ret_value = 0;
	if (test_run(fd, NULL, 0, 1, &retval) || retval != MODRET_PLAIN ||
	    bss->fexit_mod_ret != 4)
		bad("fmod_ret 0: test run retval 0x%x (expected 0x%x), fexit saw %d",
		    retval, MODRET_PLAIN, bss->fexit_mod_ret);
out:
	bpf_link__destroy(fmod);
	bpf_link__destroy(fexit);
	t->detaches += 2;
	wait_images("bpf_trampoline_", &t->seen);
	bss->fmod_ret_value = MODRET_VALUE;
	if (test_run(fd, NULL, 0, 1, &retval) || retval != MODRET_PLAIN)
		bad("fmod_ret detached: test run retval 0x%x (expected 0x%x)",
		    retval, MODRET_PLAIN);
}

static int tramp_open(struct tramp *t)
{
	memset(t, 0, sizeof(*t));
	t->skel = tp_tramp__open_and_load();
	if (!t->skel) {
		bad("loading tp_tramp.bpf.o: %s", strerror(errno));
		return -1;
	}
	t->progs[0] = t->skel->progs.tp_fentry0;
	t->progs[1] = t->skel->progs.tp_fentry1;
	t->progs[2] = t->skel->progs.tp_fentry2;
	t->progs[3] = t->skel->progs.tp_fentry3;
	t->progs[4] = t->skel->progs.tp_fexit;
	/* Trampolines left by others are not ours. */
	wait_images("bpf_trampoline_", &t->seen);
	return 0;
}

static int case_tramp(int cpu, int rounds)
{
	long allocs0 = bpf_allocs();
	int r, i, nimg, cpus[2] = { cpu, !cpu };
	struct tramp t;

	pin(cpu);
	if (tramp_open(&t))
		return 1;
	nimg = check_obj_progs(t.skel->obj, cpu_node(cpu));
	msg("tp_tramp.bpf.o: %d JIT images on node %d", nimg, cpu_node(cpu));
	tramp_check(&t, "nothing attached");
	for (r = 0; r < rounds; r++) {
		pin(cpus[r % 2]);
		for (i = 0; i < NR_TRAMP_LINKS; i++)
			tramp_update(&t, i, true);
		tramp_modret(&t);
		/* Detach in another order each round. */
		for (i = 0; i < NR_TRAMP_LINKS; i++)
			tramp_update(&t, (i + r) % NR_TRAMP_LINKS, false);
	}
	pin(cpu);
	tp_tramp__destroy(t.skel);
	if (!allocs_back(allocs0))
		bad("users/bpf/allocations %ld after unload, were %ld", bpf_allocs(), allocs0);
	printf("bpf_users tramp: %s rounds=%d attaches=%d detaches=%d", failures ? "FAIL" : "ok",
	       rounds, t.attaches, t.detaches);
	printf(" trampoline_images=%d prog_images=%d allocations=%ld->%ld\n", t.images, nimg,
	       allocs0, bpf_allocs());
	return !!failures;
}

/* struct_ops: tcp_congestion_ops. */

static bool ca_available(void)
{
	FILE *f = fopen("/proc/sys/net/ipv4/tcp_available_congestion_control", "r");
	char line[512] = "";

	if (!f)
		return false;
	if (!fgets(line, sizeof(line), f))
		line[0] = '\0';
	fclose(f);
	return !!strstr(line, CA_NAME);
}

static int ifup(const char *name)
{
	struct ifreq ifr = {};
	int fd = socket(AF_INET, SOCK_DGRAM, 0), err;

	if (fd < 0)
		return -1;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	err = ioctl(fd, SIOCGIFFLAGS, &ifr);
	if (!err) {
		ifr.ifr_flags |= IFF_UP;
		err = ioctl(fd, SIOCSIFFLAGS, &ifr);
	}
	close(fd);
	return err;
}

static void *drain(void *arg)
{
	int fd = *(int *)arg;
	char buf[65536];
	long total = 0;
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0)
		total += n;
	return (void *)total;
}

/* A TCP connection over loopback with @ca: send @bytes through it. */
static long tcp_transfer(const char *ca, long bytes)
{
	struct sockaddr_in addr = { .sin_family = AF_INET };
	socklen_t alen = sizeof(addr);
	int lfd, cfd = -1, sfd = -1;
	char buf[65536], got[32] = "";
	socklen_t glen = sizeof(got);
	long sent = -1, received = -1;
	pthread_t thread;
	void *ret;

	memset(buf, 'x', sizeof(buf));
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (lfd < 0 || bind(lfd, (void *)&addr, sizeof(addr)) || listen(lfd, 1) ||
	    getsockname(lfd, (void *)&addr, &alen)) {
		bad("TCP listener: %s", strerror(errno));
		goto out;
	}
	cfd = socket(AF_INET, SOCK_STREAM, 0);
	if (cfd < 0 || setsockopt(cfd, IPPROTO_TCP, TCP_CONGESTION, ca, strlen(ca))) {
		bad("TCP_CONGESTION %s: %s", ca, strerror(errno));
		goto out;
	}
	if (connect(cfd, (void *)&addr, sizeof(addr))) {
		bad("TCP connect: %s", strerror(errno));
		goto out;
	}
	sfd = accept(lfd, NULL, NULL);
	if (sfd < 0 || pthread_create(&thread, NULL, drain, &sfd)) {
		bad("TCP accept: %s", strerror(errno));
		goto out;
	}
	if (getsockopt(cfd, IPPROTO_TCP, TCP_CONGESTION, got, &glen) || strcmp(got, ca))
		bad("the connection's congestion control is '%s', not %s", got, ca);
	for (sent = 0; sent < bytes; ) {
		ssize_t n = write(cfd, buf, sizeof(buf));

		if (n <= 0) {
			bad("TCP write: %s", strerror(errno));
			break;
		}
		sent += n;
	}
	shutdown(cfd, SHUT_WR);
	pthread_join(thread, &ret);
	received = (long)ret;
	if (received != sent)
		bad("TCP: sent %ld bytes, received %ld", sent, received);
out:
	if (sfd >= 0)
		close(sfd);
	if (cfd >= 0)
		close(cfd);
	if (lfd >= 0)
		close(lfd);
	return received;
}

static int case_struct_ops(int cpu)
{
	long allocs0 = bpf_allocs(), bytes;
	int nimg, ntramp, node;
	struct symset seen = {};
	struct tp_tcp_ca *skel;
	struct bpf_link *link;

	pin(cpu);
	node = cpu_node(cpu);
	if (ca_available())
		bad(CA_NAME " is registered before the test");
	if (ifup("lo"))
		bad("cannot bring lo up: %s", strerror(errno));
	new_images("bpf__tcp_congestion_ops_", &seen, -1);
	skel = tp_tcp_ca__open_and_load();
	if (!skel) {
		bad("loading tp_tcp_ca.bpf.o: %s", strerror(errno));
		return 1;
	}
	nimg = check_obj_progs(skel->obj, node);
	link = bpf_map__attach_struct_ops(skel->maps.tp_reno);
	if (!link) {
		bad("registering " CA_NAME ": %s", strerror(errno));
		tp_tcp_ca__destroy(skel);
		return 1;
	}
	ntramp = new_images("bpf__tcp_congestion_ops_", &seen, node);
	if (ntramp < 4)
		bad("%d bpf__tcp_congestion_ops_* trampolines, expected 4", ntramp);
	if (!ca_available())
		bad(CA_NAME " is not in tcp_available_congestion_control");
	bytes = tcp_transfer(CA_NAME, 4L << 20);
	if (skel->bss->init_calls < 1 || skel->bss->cong_avoid_calls < 1)
		bad(CA_NAME ": init ran %llu times, cong_avoid %llu times", skel->bss->init_calls,
		    skel->bss->cong_avoid_calls);
	msg(CA_NAME ": %ld bytes; calls: init %llu, cong_avoid %llu, ssthresh %llu, undo_cwnd %llu",
	    bytes, skel->bss->init_calls, skel->bss->cong_avoid_calls, skel->bss->ssthresh_calls,
	    skel->bss->undo_calls);
	bpf_link__destroy(link);
	if (ca_available())
		bad(CA_NAME " is still registered after its link went");
	tp_tcp_ca__destroy(skel);
	if (!allocs_back(allocs0))
		bad("users/bpf/allocations %ld after unload, were %ld", bpf_allocs(), allocs0);
	printf("bpf_users struct_ops: %s registers=1 unregisters=1 trampolines=%d",
	       failures ? "FAIL" : "ok", ntramp);
	printf(" prog_images=%d bytes=%ld allocations=%ld->%ld\n", nimg, bytes, allocs0,
	       bpf_allocs());
	return !!failures;
}

/* XDP on a veth pair. */

static int rtnl_request(struct nlmsghdr *nh)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	char buf[4096];
	struct nlmsghdr *ack = (void *)buf;
	int fd, err = -1;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -1;
	nh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	if (sendto(fd, nh, nh->nlmsg_len, 0, (void *)&sa, sizeof(sa)) < 0)
		goto out;
	if (recv(fd, buf, sizeof(buf), 0) < (ssize_t)NLMSG_LENGTH(sizeof(struct nlmsgerr)) ||
	    ack->nlmsg_type != NLMSG_ERROR)
		goto out;
	err = ((struct nlmsgerr *)NLMSG_DATA(ack))->error;
	if (err) {
		errno = -err;
		err = -1;
	}
out:
	close(fd);
	return err;
}

static struct rtattr *rta_add(struct nlmsghdr *nh, int type, const void *data, int len)
{
	struct rtattr *rta = (void *)nh + NLMSG_ALIGN(nh->nlmsg_len);

	rta->rta_type = type;
	rta->rta_len = RTA_LENGTH(len);
	if (len)
		memcpy(RTA_DATA(rta), data, len);
	nh->nlmsg_len = NLMSG_ALIGN(nh->nlmsg_len) + RTA_ALIGN(rta->rta_len);
	return rta;
}

static void rta_end(struct nlmsghdr *nh, struct rtattr *rta)
{
	rta->rta_len = (void *)nh + nh->nlmsg_len - (void *)rta;
}

/* ip link add VETH0 type veth peer name VETH1 */
static int veth_add(void)
{
	char buf[1024] = {};
	struct nlmsghdr *nh = (void *)buf;
	struct rtattr *linkinfo, *data, *peer;
	struct ifinfomsg *ifi, peer_ifi = {};

	nh->nlmsg_len = NLMSG_LENGTH(sizeof(*ifi));
	nh->nlmsg_type = RTM_NEWLINK;
	nh->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	ifi = NLMSG_DATA(nh);
	ifi->ifi_family = AF_UNSPEC;
	rta_add(nh, IFLA_IFNAME, VETH0, sizeof(VETH0));
	linkinfo = rta_add(nh, IFLA_LINKINFO, NULL, 0);
	rta_add(nh, IFLA_INFO_KIND, "veth", 4);
	data = rta_add(nh, IFLA_INFO_DATA, NULL, 0);
	peer = rta_add(nh, VETH_INFO_PEER, &peer_ifi, sizeof(peer_ifi));
	rta_add(nh, IFLA_IFNAME, VETH1, sizeof(VETH1));
	rta_end(nh, peer);
	rta_end(nh, data);
	rta_end(nh, linkinfo);
	return rtnl_request(nh);
}

static int veth_del(void)
{
	char buf[256] = {};
	struct nlmsghdr *nh = (void *)buf;
	struct ifinfomsg *ifi;

	nh->nlmsg_len = NLMSG_LENGTH(sizeof(*ifi));
	nh->nlmsg_type = RTM_DELLINK;
	ifi = NLMSG_DATA(nh);
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = if_nametoindex(VETH0);
	return rtnl_request(nh);
}

/* Send @count frames of TP_ETH_P out of VETH0: they arrive at VETH1. */
static int send_frames(int count)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_ifindex = if_nametoindex(VETH0),
		.sll_halen = ETH_ALEN,
	};
	unsigned char frame[64] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff,	/* broadcast */
		0x02, 0x00, 0x00, 0x00, 0x00, 0x01,	/* a local address */
		TP_ETH_P >> 8, TP_ETH_P & 0xff,
	};
	int fd, i, sent = 0;

	memset(sll.sll_addr, 0xff, ETH_ALEN);
	fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (fd < 0) {
		bad("AF_PACKET socket: %s", strerror(errno));
		return 0;
	}
	for (i = 0; i < count; i++) {
		frame[20] = i;
		if (sendto(fd, frame, sizeof(frame), 0, (void *)&sll, sizeof(sll)) ==
		    sizeof(frame))
			sent++;
	}
	close(fd);
	return sent;
}

static bool wait_frames(__u64 *counter, __u64 want)
{
	int i;

	for (i = 0; i < 100 && __atomic_load_n(counter, __ATOMIC_RELAXED) < want; i++)
		usleep(50000);
	return __atomic_load_n(counter, __ATOMIC_RELAXED) == want;
}

static struct tp_net *net_open(const char *only)
{
	struct bpf_program *prog;
	struct tp_net *skel;

	skel = tp_net__open();
	if (!skel) {
		bad("opening tp_net.bpf.o: %s", strerror(errno));
		return NULL;
	}
	if (only) {
		bpf_object__for_each_program(prog, skel->obj)
			bpf_program__set_autoload(prog, !!strstr(bpf_program__name(prog), only));
	}
	if (tp_net__load(skel)) {
		bad("loading tp_net.bpf.o: %s", strerror(errno));
		tp_net__destroy(skel);
		return NULL;
	}
	return skel;
}

#define XDP_REATTACH	8

static int case_xdp(int cpu, int frames)
{
	long allocs0 = bpf_allocs(), allocs_end;
	int nimg, node, ifindex, fd, i, sent, attaches = 0, detaches = 0, disp;
	unsigned char pkt[64] = { [12] = TP_ETH_P >> 8, [13] = TP_ETH_P & 0xff };
	struct symset seen = {};
	struct tp_net *skel;
	__u64 want = 0;
	__u32 retval;

	pin(cpu);
	node = cpu_node(cpu);
	/* The dispatcher's image, once made, stays: is it made here? */
	disp = !new_images("bpf_dispatcher_xdp", &seen, -1);
	if (veth_add() || ifup(VETH0) || ifup(VETH1)) {
		bad("creating the veth pair %s/%s: %s", VETH0, VETH1, strerror(errno));
		veth_del();
		return 1;
	}
	ifindex = if_nametoindex(VETH1);
	skel = net_open("tp_xdp");
	if (!skel) {
		veth_del();
		return 1;
	}
	fd = bpf_program__fd(skel->progs.tp_xdp_count);
	nimg = check_obj_progs(skel->obj, node);
	for (i = 0; i < XDP_REATTACH; i++) {
		if (bpf_xdp_attach(ifindex, fd, XDP_FLAGS_DRV_MODE, NULL)) {
			bad("attaching XDP to %s: %s", VETH1, strerror(errno));
			break;
		}
		attaches++;
		if (i == 0 && new_images("bpf_dispatcher_xdp", &seen, disp ? node : -1) != disp)
			bad("bpf_dispatcher_xdp: %s", disp ? "not made by the first XDP attach" :
			    "a second image");
		sent = send_frames(frames);
		want += sent;
		if (sent != frames || !wait_frames(&skel->bss->xdp_frames, want))
			bad("attach %d: %d of %d frames sent, XDP counted %llu of %llu", i, sent,
			    frames, skel->bss->xdp_frames, want);
		/* The dispatcher runs it for BPF_PROG_TEST_RUN too. */
		if (test_run(fd, pkt, sizeof(pkt), 10, &retval) || retval != XDP_DROP)
			bad("XDP test run: %s, retval %u", strerror(errno), retval);
		want += 10;
		if (bpf_xdp_detach(ifindex, XDP_FLAGS_DRV_MODE, NULL))
			bad("detaching XDP from %s: %s", VETH1, strerror(errno));
		else
			detaches++;
	}
	/* Detached: frames are no longer counted. */
	send_frames(frames);
	usleep(200000);
	if (skel->bss->xdp_frames != want)
		bad("XDP counted %llu frames, expected %llu after detach", skel->bss->xdp_frames,
		    want);
	veth_del();
	tp_net__destroy(skel);
	/* What stays: the dispatcher's image, if this test made it. */
	if (!allocs_back(allocs0 + (tp_off ? 0 : disp)))
		bad("users/bpf/allocations %ld after unload, were %ld", bpf_allocs(), allocs0);
	allocs_end = bpf_allocs();
	printf("bpf_users xdp: %s attaches=%d detaches=%d frames=%llu dispatcher_made=%d",
	       failures ? "FAIL" : "ok", attaches, detaches, want, disp);
	printf(" prog_images=%d allocations=%ld->%ld\n", nimg, allocs0, allocs_end);
	return !!failures;
}

/* Tail calls through a prog array updated while another CPU runs them. */

struct runner {
	int fd, cpu;
	bool stop;
	long runs, bad, seen[3];
};

static void *run_tail(void *arg)
{
	struct runner *r = arg;
	unsigned char pkt[64] = {};
	cpu_set_t set;
	__u32 retval;

	CPU_ZERO(&set);
	CPU_SET(r->cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
	while (!__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE)) {
		if (test_run(r->fd, pkt, sizeof(pkt), 20, &retval)) {
			r->bad++;
			continue;
		}
		r->runs++;
		if (retval == 11)
			r->seen[0]++;
		else if (retval == 22)
			r->seen[1]++;
		else if (retval == 99)
			r->seen[2]++;
		else
			r->bad++;
	}
	return NULL;
}

static int case_tailcall(int cpu, int updates)
{
	long allocs0 = bpf_allocs();
	unsigned char pkt[64] = {};
	int nimg, map, fds[2], entry, i, pokes = 0;
	struct runner r = {};
	struct tp_net *skel;
	pthread_t thread;
	__u32 key = 0, retval;

	pin(cpu);
	skel = net_open("tp_tail");
	if (!skel)
		return 1;
	nimg = check_obj_progs(skel->obj, cpu_node(cpu));
	map = bpf_map__fd(skel->maps.tp_jmp_table);
	fds[0] = bpf_program__fd(skel->progs.tp_tail_a);
	fds[1] = bpf_program__fd(skel->progs.tp_tail_b);
	entry = bpf_program__fd(skel->progs.tp_tail_entry);
	if (test_run(entry, pkt, sizeof(pkt), 1, &retval) || retval != 99)
		bad("empty slot: retval %u, expected 99", retval);
	for (i = 0; i < 2; i++) {
		if (bpf_map_update_elem(map, &key, &fds[i], BPF_ANY))
			bad("prog array update: %s", strerror(errno));
		pokes++;
		if (test_run(entry, pkt, sizeof(pkt), 1, &retval) || retval != 11U * (i + 1))
			bad("slot 0 = tp_tail_%c: retval %u, expected %u", 'a' + i, retval,
			    11 * (i + 1));
	}
	r.fd = entry;
	r.cpu = !cpu;
	if (pthread_create(&thread, NULL, run_tail, &r)) {
		bad("pthread_create: %s", strerror(errno));
		goto out;
	}
	for (i = 0; i < updates; i++) {
		int err;

		if (i % 3 == 2)
			err = bpf_map_delete_elem(map, &key);
		else
			err = bpf_map_update_elem(map, &key, &fds[i % 3], BPF_ANY);
		if (err)
			bad("prog array update %d: %s", i, strerror(errno));
		pokes++;
		/* Let the other CPU run the new state a while. */
		usleep(500);
	}
	__atomic_store_n(&r.stop, true, __ATOMIC_RELEASE);
	pthread_join(thread, NULL);
	if (!r.runs || r.bad)
		bad("while updating: %ld test runs, %ld bad results", r.runs, r.bad);
	msg("during %d updates: %ld runs on CPU %d returned 11 %ld, 22 %ld, 99 %ld times",
	    updates, r.runs, r.cpu, r.seen[0], r.seen[1], r.seen[2]);
	if (bpf_map_delete_elem(map, &key) && errno != ENOENT)
		bad("prog array delete: %s", strerror(errno));
	pokes++;
	if (test_run(entry, pkt, sizeof(pkt), 1, &retval) || retval != 99)
		bad("emptied slot: retval %u, expected 99", retval);
out:
	tp_net__destroy(skel);
	if (!allocs_back(allocs0))
		bad("users/bpf/allocations %ld after unload, were %ld", bpf_allocs(), allocs0);
	printf("bpf_users tailcall: %s pokes=%d runs=%ld prog_images=%d allocations=%ld->%ld\n",
	       failures ? "FAIL" : "ok", pokes, r.runs * 20, nimg, allocs0, bpf_allocs());
	return !!failures;
}

/* BPF-to-BPF calls. */

#define SUBPROGS_SUM	145	/* sum of 3 * i + 1 for i < 10 */

static int case_subprogs(int cpu)
{
	long allocs0 = bpf_allocs();
	unsigned char pkt[64] = {};
	struct tp_net *skel;
	__u32 retval;
	int nimg;

	pin(cpu);
	skel = net_open("tp_subprogs");
	if (!skel)
		return 1;
	nimg = check_prog(skel->progs.tp_subprogs, cpu_node(cpu));
	if (nimg < 4)
		bad("tp_subprogs: %d JIT images, expected 4 (the program and 3 subprograms)",
		    nimg);
	if (test_run(bpf_program__fd(skel->progs.tp_subprogs), pkt, sizeof(pkt), 1, &retval) ||
	    retval != SUBPROGS_SUM + sizeof(pkt))
		bad("tp_subprogs returned %u, expected %zu", retval, SUBPROGS_SUM + sizeof(pkt));
	tp_net__destroy(skel);
	if (!allocs_back(allocs0))
		bad("users/bpf/allocations %ld after unload, were %ld", bpf_allocs(), allocs0);
	printf("bpf_users subprogs: %s images=%d retval=%u allocations=%ld->%ld\n",
	       failures ? "FAIL" : "ok", nimg, retval, allocs0, bpf_allocs());
	return !!failures;
}

/* Everything at once, until SIGTERM. */

static void print_progs(struct bpf_object *obj)
{
	struct bpf_program *prog;
	struct bpf_prog_info info;
	__u32 len;

	bpf_object__for_each_program(prog, obj) {
		if (bpf_program__fd(prog) < 0)
			continue;
		memset(&info, 0, sizeof(info));
		len = sizeof(info);
		if (bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &len))
			bad("%s: BPF_OBJ_GET_INFO_BY_FD: %s", bpf_program__name(prog),
			    strerror(errno));
		else
			printf("prog %u %s %u\n", info.id, bpf_program__name(prog),
			       info.nr_jited_ksyms);
	}
}

static int case_hold(int cpu)
{
	struct bpf_link *ca = NULL, *fmod;
	struct tp_tcp_ca *ca_skel;
	struct tp_net *net;
	__u32 key = 0;
	struct tramp t;
	sigset_t set;
	int i, sig, ifindex, fd;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	pin(cpu);
	if (tramp_open(&t))
		return 1;
	for (i = 0; i < NR_TRAMP_LINKS; i++)
		tramp_update(&t, i, true);
	fmod = bpf_program__attach(t.skel->progs.tp_fmod_ret);
	if (!fmod)
		bad("attaching tp_fmod_ret: %s", strerror(errno));
	ca_skel = tp_tcp_ca__open_and_load();
	if (ca_skel)
		ca = bpf_map__attach_struct_ops(ca_skel->maps.tp_reno);
	if (!ca)
		bad("registering " CA_NAME ": %s", strerror(errno));
	net = net_open(NULL);
	if (!net)
		return 1;
	fd = bpf_program__fd(net->progs.tp_tail_a);
	if (bpf_map_update_elem(bpf_map__fd(net->maps.tp_jmp_table), &key, &fd, BPF_ANY))
		bad("prog array update: %s", strerror(errno));
	if (veth_add() || ifup(VETH0) || ifup(VETH1))
		bad("creating the veth pair: %s", strerror(errno));
	ifindex = if_nametoindex(VETH1);
	if (bpf_xdp_attach(ifindex, bpf_program__fd(net->progs.tp_xdp_count),
			   XDP_FLAGS_DRV_MODE, NULL))
		bad("attaching XDP to %s: %s", VETH1, strerror(errno));
	print_progs(t.skel->obj);
	if (ca_skel)
		print_progs(ca_skel->obj);
	print_progs(net->obj);
	printf("%s\n", failures ? "failed" : "ready");
	fflush(stdout);
	sigwait(&set, &sig);
	veth_del();
	tp_net__destroy(net);
	bpf_link__destroy(ca);
	tp_tcp_ca__destroy(ca_skel);
	bpf_link__destroy(fmod);
	for (i = 0; i < NR_TRAMP_LINKS; i++)
		bpf_link__destroy(t.links[i]);
	tp_tramp__destroy(t.skel);
	printf("released\n");
	return !!failures;
}

/* FILE holds the bytes of kernel text at ADDR, as /proc/kcore shows them. */
static int case_kcore(unsigned long addr, const char *file)
{
	unsigned char want[65536], got[65536];
	struct elf64_hdr eh;
	struct elf64_phdr ph;
	ssize_t len;
	int fd, kfd, i;

	fd = open(file, O_RDONLY);
	len = fd < 0 ? -1 : read(fd, want, sizeof(want));
	if (len <= 0) {
		bad("cannot read %s", file);
		return 1;
	}
	close(fd);
	kfd = open("/proc/kcore", O_RDONLY);
	if (kfd < 0 || pread(kfd, &eh, sizeof(eh), 0) != sizeof(eh)) {
		bad("cannot read /proc/kcore: %s", strerror(errno));
		return 1;
	}
	for (i = 0; i < eh.e_phnum; i++) {
		if (pread(kfd, &ph, sizeof(ph), eh.e_phoff + i * eh.e_phentsize) != sizeof(ph))
			break;
		if (ph.p_type != PT_LOAD || addr < ph.p_vaddr ||
		    addr + len > ph.p_vaddr + ph.p_memsz)
			continue;
		if (pread(kfd, got, len, ph.p_offset + addr - ph.p_vaddr) != len) {
			bad("reading %zd bytes at 0x%lx from /proc/kcore: %s", len, addr,
			    strerror(errno));
			break;
		}
		close(kfd);
		if (memcmp(want, got, len)) {
			bad("%s differs from the %zd bytes at 0x%lx", file, len, addr);
			return 1;
		}
		printf("bpf_users kcore: ok %zd bytes at 0x%lx\n", len, addr);
		return 0;
	}
	close(kfd);
	bad("0x%lx is in no segment of /proc/kcore", addr);
	return 1;
}

static void die_usage(void)
{
	fprintf(stderr, "usage: bpf_users tramp CPU ROUNDS | struct_ops CPU | xdp CPU FRAMES |\n"
		"       tailcall CPU UPDATES | subprogs CPU | hold CPU | kcore ADDR FILE\n");
	exit(2);
}

static int print_libbpf(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	printf("# ");
	return vprintf(fmt, ap);
}

int main(int argc, char **argv)
{
	const char *off = getenv("TP_OFF");
	long enabled = read_num(TP_SYSFS "/enabled");
	int cpu;

	if (argc < 3)
		die_usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	libbpf_set_print(print_libbpf);
	if (!strcmp(argv[1], "kcore") && argc == 4)
		return case_kcore(strtoul(argv[2], NULL, 16), argv[3]);
	tp_off = off && !strcmp(off, "1");
	if (enabled != !tp_off) {
		bad("textpool enabled reads %ld, but TP_OFF is %s", enabled, off ? off : "unset");
		return 1;
	}
	cpu = atoi(argv[2]);
	if (!strcmp(argv[1], "tramp") && argc == 4)
		return case_tramp(cpu, atoi(argv[3]));
	if (!strcmp(argv[1], "struct_ops"))
		return case_struct_ops(cpu);
	if (!strcmp(argv[1], "xdp") && argc == 4)
		return case_xdp(cpu, atoi(argv[3]));
	if (!strcmp(argv[1], "tailcall") && argc == 4)
		return case_tailcall(cpu, atoi(argv[3]));
	if (!strcmp(argv[1], "subprogs"))
		return case_subprogs(cpu);
	if (!strcmp(argv[1], "hold"))
		return case_hold(cpu);
	die_usage();
	return 2;
}
