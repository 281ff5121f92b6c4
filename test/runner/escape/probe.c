/* Escape probe: each subcommand attempts one operation and prints "ok ..." or "errno NAME".
 * Compiled by the escape tests at test time (cc), run inside the sandbox and, as a control, outside. */
#define _GNU_SOURCE
#include <errno.h>
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
  if (!strcmp(op, "alloc")) {
    size_t n = (size_t)atol(argv[2]) * 1024 * 1024;
    char *m = malloc(n);
    if (!m) return report(-1);
    memset(m, 1, n);
    return report((long)(n >> 20));
  }
  if (!strcmp(op, "forks")) return do_forks(atoi(argv[2]));
#if defined(__x86_64__)
  if (!strcmp(op, "int80")) {
    long r;
    __asm__ volatile("int $0x80" : "=a"(r) : "a"(20) : "memory"); /* i386 getpid */
    return report(r);
  }
#endif
  fprintf(stderr, "unknown op %s\n", op);
  return 2;
}
