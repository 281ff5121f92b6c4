/* Escape probe: each subcommand attempts one operation and prints "ok ..." or "errno NAME".
 * Compiled by the escape tests at test time (cc), run inside the sandbox and, as a control, outside. */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/keyctl.h>
#include <linux/perf_event.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/shm.h>
#include <sys/un.h>
#include <dirent.h>
#include <time.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

static int report(long rc) {
  if (rc >= 0) { printf("ok %ld\n", rc); return 0; }
  printf("errno %s\n", strerrorname_np(errno) ? strerrorname_np(errno) : "?");
  return 1;
}

static int do_write(const char *path) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return report(-1);
  long n = write(fd, "pwned\n", 6);
  close(fd);
  return report(n);
}

static int do_read(const char *path) {
  char buf[64];
  int fd = open(path, O_RDONLY);
  if (fd < 0) return report(-1);
  long n = read(fd, buf, sizeof buf);
  close(fd);
  return report(n);
}

static int do_net(const char *kind, const char *host, int port) {
  struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
  inet_pton(AF_INET, host, &a.sin_addr);
  if (!strcmp(kind, "raw")) return report(socket(AF_INET, SOCK_RAW, IPPROTO_ICMP));
  int s = socket(AF_INET, !strcmp(kind, "tcp") ? SOCK_STREAM : SOCK_DGRAM, 0);
  if (s < 0) return report(-1);
  if (!strcmp(kind, "tcp")) return report(connect(s, (struct sockaddr *)&a, sizeof a));
  return report(sendto(s, "udp-probe", 9, 0, (struct sockaddr *)&a, sizeof a));
}

static int do_ptrace(void) {
  pid_t c = fork();
  if (c == 0) { pause(); _exit(0); }
  long rc = ptrace(PTRACE_ATTACH, c, 0, 0);
  int e = errno;
  kill(c, SIGKILL);
  waitpid(c, 0, 0);
  errno = e;
  return report(rc);
}

static int do_forks(int want) {
  int made = 0;
  pid_t kids[4096];
  long rc = 0;
  while (made < want && made < 4096) {
    pid_t c = fork();
    if (c < 0) { rc = -1; break; }
    if (c == 0) { pause(); _exit(0); }
    kids[made++] = c;
  }
  int e = errno;
  for (int i = 0; i < made; i++) kill(kids[i], SIGKILL);
  for (int i = 0; i < made; i++) waitpid(kids[i], 0, 0);
  printf("forked %d\n", made);
  errno = e;
  return report(rc < 0 ? -1 : made);
}

static int do_tiocsti(void) {
  /* First the filter itself: on a bad fd the kernel says EBADF, the seccomp filter says EPERM. */
  char c = 'x';
  ioctl(-1, TIOCSTI, &c);
  printf("badfd %s\n", strerrorname_np(errno));
  int m = posix_openpt(O_RDWR | O_NOCTTY);
  if (m < 0 || grantpt(m) || unlockpt(m)) return report(-1);
  int s = open(ptsname(m), O_RDWR | O_NOCTTY);
  if (s < 0) return report(-1);
  return report(ioctl(s, TIOCSTI, &c));
}

static int do_bpf(void) {
  union bpf_attr attr;
  memset(&attr, 0, sizeof attr);
  attr.map_type = BPF_MAP_TYPE_ARRAY;
  attr.key_size = 4;
  attr.value_size = 4;
  attr.max_entries = 1;
  return report(syscall(SYS_bpf, BPF_MAP_CREATE, &attr, sizeof attr));
}

static int do_perf(void) {
  struct perf_event_attr pe;
  memset(&pe, 0, sizeof pe);
  pe.type = PERF_TYPE_SOFTWARE;
  pe.size = sizeof pe;
  pe.config = PERF_COUNT_SW_TASK_CLOCK;
  pe.disabled = 1;
  pe.exclude_kernel = 1;
  pe.exclude_hv = 1;
  return report(syscall(SYS_perf_event_open, &pe, 0, -1, -1, 0));
}

/* Touches every page so the memory is really charged (an unused malloc+memset may be optimised away). */
static int touch(volatile char *m, size_t n) {
  for (size_t i = 0; i < n; i += 4096) m[i] = 1;
  return 0;
}

static int do_alloc(long mb) {
  size_t n = (size_t)mb << 20;
  volatile char *m = malloc(n);
  if (!m) return report(-1);
  touch(m, n);
  return report(mb);
}

/* k children each hold mb MiB at once; prints how many got there. */
static int do_forkmem(int k, long mb) {
  int fds[2];
  if (pipe(fds)) return report(-1);
  pid_t kids[256];
  int made = 0;
  for (; made < k && made < 256; made++) {
    pid_t c = fork();
    if (c < 0) break;
    if (c == 0) {
      size_t n = (size_t)mb << 20;
      volatile char *m = malloc(n);
      if (m) { touch(m, n); write(fds[1], "x", 1); }
      pause();
      _exit(0);
    }
    kids[made] = c;
  }
  close(fds[1]);
  int held = 0;
  char c;
  struct timespec ts = { 0, 200 * 1000 * 1000 };
  for (int i = 0; i < 30; i++) nanosleep(&ts, 0); /* let them allocate (or be killed) */
  fcntl(fds[0], F_SETFL, O_NONBLOCK);
  while (read(fds[0], &c, 1) == 1) held++;
  int alive = 0;
  for (int i = 0; i < made; i++) if (kill(kids[i], 0) == 0) { int st; if (waitpid(kids[i], &st, WNOHANG) == 0) alive++; }
  for (int i = 0; i < made; i++) kill(kids[i], SIGKILL);
  for (int i = 0; i < made; i++) waitpid(kids[i], 0, 0);
  printf("held %d alive %d total %ld\n", held, alive, (long)alive * mb);
  return 0;
}

static int do_memfd(long mb) {
  int fd = memfd_create("probe", 0);
  if (fd < 0) return report(-1);
  size_t n = (size_t)mb << 20;
  if (ftruncate(fd, n)) return report(-1);
  char *m = mmap(0, n, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (m == MAP_FAILED) return report(-1);
  munmap(m, n);
  touch(m = mmap(0, n, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0), n);
  return report(mb);
}

static int do_shm(long mb) {
  size_t n = (size_t)mb << 20;
  int id = shmget(IPC_PRIVATE, n, IPC_CREAT | 0600);
  if (id < 0) return report(-1);
  char *m = shmat(id, 0, 0);
  if (m == (char *)-1) return report(-1);
  touch(m, n);
  shmctl(id, IPC_RMID, 0);
  return report(mb);
}

/* Lists the open descriptors above 2 (other than the directory being read). */
static int do_fds(void) {
  DIR *d = opendir("/proc/self/fd");
  if (!d) return report(-1);
  int self = dirfd(d), n = 0;
  struct dirent *e;
  while ((e = readdir(d))) {
    int fd = atoi(e->d_name);
    if (e->d_name[0] == '.' || fd <= 2 || fd == self) continue;
    char path[64], target[256];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    ssize_t l = readlink(path, target, sizeof target - 1);
    target[l < 0 ? 0 : l] = 0;
    printf("fd %d %s\n", fd, target);
    n++;
  }
  printf("open %d\n", n);
  return 0;
}

/* Reads through an inherited descriptor (the launcher's leak). */
static int do_readfd(int fd) {
  char buf[64];
  return report(read(fd, buf, sizeof buf));
}

/* Connects to a pathname socket, or an abstract one written as @name (zero-padded to the full
 * address, as Node binds abstract names). */
/* A unix address; "@name" is the abstract name, with the exact length (as Linux tools and Node >= 22 bind it). */
static socklen_t unix_addr(struct sockaddr_un *a, const char *path) {
  if (path[0] == '@') {
    size_t n = strnlen(path + 1, sizeof a->sun_path - 1);
    memcpy(a->sun_path + 1, path + 1, n);
    return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
  }
  strncpy(a->sun_path, path, sizeof a->sun_path - 1);
  return sizeof *a;
}

static int do_connect_unix(const char *path) {
  struct sockaddr_un a = { .sun_family = AF_UNIX };
  socklen_t len = unix_addr(&a, path);
  int s = socket(AF_UNIX, SOCK_STREAM, 0);
  if (s < 0) return report(-1);
  return report(connect(s, (struct sockaddr *)&a, len));
}

/* Listens on a unix address (host side of a control), prints "ready", accepts until killed. */
static int do_listen_unix(const char *path) {
  struct sockaddr_un a = { .sun_family = AF_UNIX };
  socklen_t len = unix_addr(&a, path);
  int s = socket(AF_UNIX, SOCK_STREAM, 0);
  if (s < 0 || bind(s, (struct sockaddr *)&a, len) < 0 || listen(s, 16) < 0) return report(-1);
  printf("ready\n");
  fflush(stdout);
  for (;;) {
    int c = accept(s, NULL, NULL);
    if (c >= 0) close(c);
  }
}

/* Burns CPU until this process has used `secs` CPU-seconds (load on the host only stretches it). */
static void spin(double secs) {
  struct timespec t0, t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
  volatile unsigned long x = 0;
  do { for (int i = 0; i < 1000000; i++) x += i; clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t); }
  while ((t.tv_sec - t0.tv_sec) + (t.tv_nsec - t0.tv_nsec) / 1e9 < secs);
}

/* Parent exits at once; a grandchild, reparented, burns `secs` CPU-seconds, then creates `marker`. */
static int do_orphan_spin(double secs, const char *marker) {
  pid_t c = fork();
  if (c == 0) {
    if (fork() == 0) { spin(secs); close(open(marker, O_WRONLY | O_CREAT, 0644)); _exit(0); }
    _exit(0);
  }
  waitpid(c, 0, 0);
  return report(0);
}

int main(int argc, char **argv) {
  if (argc < 2) return 2;
  const char *op = argv[1];
  setvbuf(stdout, NULL, _IONBF, 0);
  if (!strcmp(op, "write")) return do_write(argv[2]);
  if (!strcmp(op, "read")) return do_read(argv[2]);
  if (!strcmp(op, "tcp") || !strcmp(op, "udp") || !strcmp(op, "raw")) return do_net(op, argc > 2 ? argv[2] : "127.0.0.1", argc > 3 ? atoi(argv[3]) : 0);
  if (!strcmp(op, "mount")) return report(mount("none", argv[2], "tmpfs", 0, ""));
  if (!strcmp(op, "unshare-user")) return report(unshare(CLONE_NEWUSER));
  if (!strcmp(op, "clone-newuser")) {
    long c = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);
    if (c == 0) _exit(0);
    if (c > 0) waitpid(c, 0, 0);
    return report(c);
  }
  if (!strcmp(op, "setns-user")) {
    int fd = open(argv[2], O_RDONLY);
    if (fd < 0) return report(-1);
    return report(setns(fd, CLONE_NEWUSER));
  }
  if (!strcmp(op, "ptrace")) return do_ptrace();
  if (!strcmp(op, "kill")) return report(kill(atoi(argv[2]), SIGTERM));
  if (!strcmp(op, "module")) return report(syscall(SYS_finit_module, -1, "", 0));
  if (!strcmp(op, "chroot")) return report(chroot(argv[2]));
  if (!strcmp(op, "keyctl")) return report(syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 1));
  if (!strcmp(op, "bpf")) return do_bpf();
  if (!strcmp(op, "perf")) return do_perf();
  if (!strcmp(op, "tiocsti")) return do_tiocsti();
  if (!strcmp(op, "alloc")) return do_alloc(atol(argv[2]));
  if (!strcmp(op, "forkmem")) return do_forkmem(atoi(argv[2]), atol(argv[3]));
  if (!strcmp(op, "memfd")) return do_memfd(atol(argv[2]));
  if (!strcmp(op, "shm")) return do_shm(atol(argv[2]));
  if (!strcmp(op, "fds")) return do_fds();
  if (!strcmp(op, "openmany")) {
    int n = 0, want = atoi(argv[2]);
    while (n < want && open("/dev/null", O_RDONLY) >= 0) n++;
    printf("opened %d\n", n);
    return report(n == want ? n : -1);
  }
  if (!strcmp(op, "readfd")) return do_readfd(atoi(argv[2]));
  if (!strcmp(op, "connect-unix")) return do_connect_unix(argv[2]);
  if (!strcmp(op, "listen-unix")) return do_listen_unix(argv[2]);
  if (!strcmp(op, "spin")) { spin(atof(argv[2])); return report(0); }
  if (!strcmp(op, "orphan-spin")) return do_orphan_spin(atof(argv[2]), argv[3]);
  if (!strcmp(op, "personality")) {
    long r = personality(strtoul(argv[2], 0, 0));
    if (r == -1) return report(-1);
    personality(r); /* put it back (the query value returns the current one) */
    return report(0);
  }
  if (!strcmp(op, "nosys")) return report(syscall(atol(argv[2]), 0, 0, 0));
  if (!strcmp(op, "forks")) return do_forks(atoi(argv[2]));
#if defined(__x86_64__)
  if (!strcmp(op, "int80")) {
    long r;
    __asm__ volatile("int $0x80" : "=a"(r) : "a"(20) : "memory"); /* i386 getpid */
    if (r < 0 && r > -4096) { errno = -r; return report(-1); }
    return report(r);
  }
#endif
  fprintf(stderr, "unknown op %s\n", op);
  return 2;
}
