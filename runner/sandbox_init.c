/*
 * PID 1 of every sandbox (runner/sandbox.py; scripts/ensure-sandbox compiles and installs it).
 *
 *   sandbox-init STATUS_FD CPU_SECONDS AS_BYTES NPROC FSIZE_BYTES NOFILE PROGRAM [ARG...]
 *
 * Forks the program with its resource limits set, reaps every process of the sandbox until the program
 * has exited, then writes one line to STATUS_FD and exits as the program did (128 + N for signal N):
 *
 *   exit CODE MAXRSS_KB      or      signal NUMBER MAXRSS_KB
 *
 * Why not bwrap's own init: it reports a signal as 128 + N (indistinguishable from exit(128 + N)) and
 * does not reap the program before bwrap exits, so the program's peak memory never reaches the caller.
 * The caller cannot measure that itself: its own wait4() on bwrap counts the caller's size, which the
 * child it forked had until exec. The program cannot forge the line: STATUS_FD is closed in the
 * program, and this process is not dumpable, so /proc/1/fd cannot reopen it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static rlim_t number(const char *text) {
    char *end;
    errno = 0;
    unsigned long long value = strtoull(text, &end, 10);
    if (errno || *end || end == text) {
        fprintf(stderr, "sandbox-init: not a number: %s\n", text);
        exit(127);
    }
    return (rlim_t)value;
}

static void limit(int resource, rlim_t soft, rlim_t hard) {
    struct rlimit rl = {soft, hard};
    if (setrlimit(resource, &rl) != 0) {
        perror("sandbox-init: setrlimit");
        _exit(127);
    }
}

int main(int argc, char **argv) {
    if (argc < 8) {
        fprintf(stderr, "usage: sandbox-init STATUS_FD CPU AS NPROC FSIZE NOFILE PROGRAM [ARG...]\n");
        return 127;
    }
    int status_fd = (int)number(argv[1]);
    rlim_t cpu = number(argv[2]), as = number(argv[3]), nproc = number(argv[4]);
    rlim_t fsize = number(argv[5]), nofile = number(argv[6]);
    prctl(PR_SET_DUMPABLE, 0);

    pid_t program = fork();
    if (program < 0) {
        perror("sandbox-init: fork");
        return 127;
    }
    if (program == 0) {
        close(status_fd);
        limit(RLIMIT_CPU, cpu, cpu + 1); /* SIGXCPU, then SIGKILL a second later */
        limit(RLIMIT_AS, as, as);
        limit(RLIMIT_NPROC, nproc, nproc);
        limit(RLIMIT_FSIZE, fsize, fsize);
        limit(RLIMIT_NOFILE, nofile, nofile);
        limit(RLIMIT_CORE, 0, 0);
        execvp(argv[7], argv + 7);
        fprintf(stderr, "sandbox-init: %s: %s\n", argv[7], strerror(errno));
        _exit(127);
    }

    long maxrss = 0;
    for (;;) {
        int status;
        struct rusage usage;
        pid_t pid = wait4(-1, &status, 0, &usage);
        if (pid < 0) {
            if (errno == EINTR)
                continue;
            perror("sandbox-init: wait4");
            return 127;
        }
        if (usage.ru_maxrss > maxrss)
            maxrss = usage.ru_maxrss;
        if (pid != program)
            continue; /* an orphan of the program, reparented to us */
        char line[96];
        int code;
        if (WIFSIGNALED(status)) {
            snprintf(line, sizeof line, "signal %d %ld\n", WTERMSIG(status), maxrss);
            code = 128 + WTERMSIG(status);
        } else {
            snprintf(line, sizeof line, "exit %d %ld\n", WEXITSTATUS(status), maxrss);
            code = WEXITSTATUS(status);
        }
        if (write(status_fd, line, strlen(line)) < 0)
            perror("sandbox-init: report");
        /* Our exit ends the PID namespace: the kernel kills whatever the program left running. */
        return code;
    }
}
