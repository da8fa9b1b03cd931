"""Run one untrusted program in a fresh bubblewrap sandbox and report what happened.

Each call starts a new ``bwrap``: new user, PID, network, mount, IPC, UTS and cgroup namespaces; a
read-only root made of the host's /usr and a few /etc entries; a private, size-limited /tmp holding
the caller's files; none of our environment; uid 65534. Inside, ``sandbox-init`` (runner/sandbox_init.c)
is PID 1: it sets the resource limits, runs the program, and reports how it ended and its peak memory.
The parent enforces the wall clock and the output caps and kills the whole sandbox when one is
exceeded: killing bwrap kills the namespace's init, and the kernel then kills every process left in it.

docs/sandbox.md explains each limit, its default and the threats it answers.
"""

from __future__ import annotations

import os
import re
import selectors
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass
from enum import StrEnum

KiB = 1024
MiB = 1024 * KiB

# Built from runner/sandbox_init.c by scripts/ensure-sandbox; under /usr, so every sandbox sees it.
SANDBOX_INIT = "/usr/local/libexec/interviewnode/sandbox-init"

# The sandbox's uid and gid, inside and (when the caller is root) outside. The kernel does not enforce
# RLIMIT_NPROC for processes whose real uid is host root, so a root caller hands bwrap to nobody.
NOBODY = 65534

# Host paths every sandbox sees, read-only. Never the project, its virtualenv or anything under /work.
BASE_RO_PATHS = (
    "/usr",
    "/etc/alternatives",  # Debian reaches BLAS/LAPACK (NumPy) and java through these links
    "/etc/ld.so.cache",
)
# Merged-/usr systems make these symlinks into /usr; elsewhere they are bound read-only.
TOP_LEVEL_LINKS = ("/bin", "/sbin", "/lib", "/lib32", "/lib64")

# The sandbox's private tmpfs (not the host's /tmp): the working directory, HOME, the caller's files.
TMP = "/tmp"  # noqa: S108

BASE_ENV = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": TMP}

_FILE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}")

# What interpreters print when an allocation fails under RLIMIT_AS. The kernel enforces the limit;
# these only let the outcome name it.
_OUT_OF_MEMORY = (
    b"MemoryError",
    b"java.lang.OutOfMemoryError",
    b"Cannot allocate memory",
    b"std::bad_alloc",
    b"out of memory",
    b"Could not reserve enough space",
)

# After the program has exited (or been killed), how long the last bytes may take to leave the pipes.
_DRAIN_SECONDS = 1.0


class Limit(StrEnum):
    TIME = "time"  # CPU time or wall clock
    MEMORY = "memory"
    OUTPUT = "output"
    FILE_SIZE = "file_size"


@dataclass(frozen=True)
class Limits:
    cpu_seconds: int = 5  # RLIMIT_CPU of each process: SIGXCPU, then SIGKILL one second later
    wall_seconds: float = 10.0  # the parent kills the sandbox
    memory_bytes: int = 512 * MiB  # RLIMIT_AS of each process (address space, not resident memory)
    # RLIMIT_NPROC: processes and threads of this sandbox. RLIMIT_AS holds per process, so together
    # they bound the sandbox's memory: 16 x 512 MiB at most with these defaults (docs/sandbox.md).
    processes: int = 16
    output_bytes: int = 64 * KiB  # each of stdout and stderr; more kills the sandbox
    file_bytes: int = 16 * MiB  # RLIMIT_FSIZE: the largest file the program may write
    tmp_bytes: int = 64 * MiB  # size of the private /tmp (a tmpfs: it is memory too)
    open_files: int = 256  # RLIMIT_NOFILE


@dataclass(frozen=True)
class Outcome:
    exit_code: int | None  # None when the program was killed by a signal
    signal: int | None
    stdout: bytes
    stderr: bytes
    stdout_truncated: bool
    stderr_truncated: bool
    wall_ms: int  # from the start of bwrap to its end, sandbox setup included
    cpu_ms: int  # user + system time of all the sandbox's processes
    peak_memory_kb: int | None  # largest resident set of the program (None if the parent killed it)
    limit: Limit | None  # the limit that stopped or broke the run, if one did

    @property
    def ok(self) -> bool:
        return self.exit_code == 0 and self.limit is None


class SandboxError(RuntimeError):
    """The sandbox itself could not start: a fault of this machine, never of the program."""


def run(
    argv: list[str] | tuple[str, ...],
    *,
    stdin: bytes = b"",
    files: dict[str, bytes] | None = None,
    limits: Limits = Limits(),  # noqa: B008 (frozen: one shared default is safe)
    env: dict[str, str] | None = None,
    ro_paths: tuple[str, ...] = (),
) -> Outcome:
    """Run ``argv`` in a fresh sandbox, with ``files`` in /tmp, its working directory.

    ``env`` is added to a minimal PATH, LANG and HOME; ``ro_paths`` are more host paths bound
    read-only (a toolchain's files outside /usr). Blocks until the program ends or a limit stops it.
    """
    bwrap = shutil.which("bwrap", path="/usr/bin:/bin")
    if bwrap is None or not os.access(SANDBOX_INIT, os.X_OK):
        raise SandboxError("bwrap or sandbox-init is missing: run scripts/ensure-sandbox")
    for name in files or {}:
        if not _FILE_NAME.fullmatch(name):
            raise ValueError(f"file name {name!r}: use letters, digits, '_', '.' and '-' only")
    bwrap_status, bwrap_status_w = os.pipe()
    init_status, init_status_w = os.pipe()
    file_fds: list[int] = []
    try:
        file_fds.extend(_memfd(name, data) for name, data in (files or {}).items())
        command = _command(
            bwrap, argv, dict(zip(files or {}, file_fds, strict=True)), limits, env or {}, ro_paths,
            bwrap_status_w, init_status_w,
        )  # fmt: skip
        # A root caller hands bwrap to nobody (see NOBODY); any other caller runs it as itself.
        identity = {"user": NOBODY, "group": NOBODY, "extra_groups": []} if os.geteuid() == 0 else {}
        started = time.monotonic()
        proc = subprocess.Popen(  # noqa: S603 (a fixed bwrap command line; argv runs inside the sandbox)
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            pass_fds=(bwrap_status_w, init_status_w, *file_fds),
            env={"PATH": "/usr/bin:/bin"},  # only this reaches the sandbox's /proc, through bwrap
            start_new_session=True,
            **identity,
        )
    except BaseException:
        os.close(bwrap_status)
        os.close(init_status)
        raise
    finally:
        for fd in (bwrap_status_w, init_status_w, *file_fds):
            os.close(fd)
    return _supervise(proc, started, stdin, limits, bwrap_status, init_status)


def _memfd(name: str, data: bytes) -> int:
    # bwrap copies each file from a descriptor into the sandbox's /tmp: nothing is written on the host.
    fd = os.memfd_create(name)
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
    os.lseek(fd, 0, os.SEEK_SET)
    return fd


def _command(bwrap, argv, file_fds, limits, env, ro_paths, bwrap_status_fd, init_status_fd) -> list[str]:
    cmd = [
        bwrap,
        "--unshare-all",  # user, PID, network, IPC, UTS, cgroup (and mount) namespaces
        "--unshare-user",  # required, not only attempted: the uid below needs it
        "--disable-userns",  # no nested user namespace, in which the program would hold capabilities
        "--die-with-parent",
        "--new-session",  # no TIOCSTI into a terminal of ours
        "--uid", str(NOBODY), "--gid", str(NOBODY),
        "--hostname", "sandbox",
        "--json-status-fd", str(bwrap_status_fd),
        "--clearenv",
    ]  # fmt: skip
    for key, value in {**BASE_ENV, **env}.items():
        cmd += ["--setenv", key, value]
    for path in BASE_RO_PATHS:
        if os.path.exists(path):
            cmd += ["--ro-bind", path, path]
    for path in TOP_LEVEL_LINKS:
        if os.path.islink(path):
            cmd += ["--symlink", os.readlink(path), path]
        elif os.path.exists(path):
            cmd += ["--ro-bind", path, path]
    for path in ro_paths:
        cmd += ["--ro-bind", path, path]
    cmd += [
        "--proc", "/proc",  # this PID namespace's processes only
        "--dev", "/dev",  # null, zero, full, random, urandom, tty
        "--remount-ro", "/dev",  # else /dev and /dev/shm would be a tmpfs without a size limit
        "--size", str(limits.tmp_bytes), "--tmpfs", TMP,
    ]  # fmt: skip
    for name, fd in file_fds.items():
        cmd += ["--file", str(fd), f"{TMP}/{name}"]
    cmd += [
        "--remount-ro", "/",
        "--chdir", TMP,
        "--as-pid-1",  # our init, not bwrap's: runner/sandbox_init.c says why
        "--",
        SANDBOX_INIT, str(init_status_fd),
        str(limits.cpu_seconds), str(limits.memory_bytes), str(limits.processes),
        str(limits.file_bytes), str(limits.open_files),
        *argv,
    ]  # fmt: skip
    return cmd


def _supervise(proc, started, stdin, limits, bwrap_status, init_status) -> Outcome:
    deadline = started + limits.wall_seconds
    out = {proc.stdout: bytearray(), proc.stderr: bytearray()}
    truncated = {proc.stdout: False, proc.stderr: False}
    killed_for: Limit | None = None
    exited = False
    drain_until: float | None = None
    pidfd = os.pidfd_open(proc.pid)
    pending = memoryview(stdin)
    sel = selectors.DefaultSelector()

    def kill(reason: Limit) -> None:
        nonlocal killed_for, drain_until
        if killed_for is None and not exited:
            killed_for = reason
            # The group is bwrap's; its death kills the sandbox's init, and the kernel the rest.
            os.killpg(proc.pid, signal.SIGKILL)
        if drain_until is None:
            drain_until = time.monotonic() + _DRAIN_SECONDS

    try:
        for stream in out:
            os.set_blocking(stream.fileno(), False)
            sel.register(stream, selectors.EVENT_READ)
        sel.register(pidfd, selectors.EVENT_READ)
        if pending:
            os.set_blocking(proc.stdin.fileno(), False)
            sel.register(proc.stdin, selectors.EVENT_WRITE)
        else:
            proc.stdin.close()
        open_streams = set(out)
        while open_streams or not exited:
            now = time.monotonic()
            if drain_until is not None and now >= drain_until:
                break
            if now >= deadline:
                kill(Limit.TIME)
            until = drain_until if drain_until is not None else deadline
            for key, _ in sel.select(timeout=max(0.0, until - time.monotonic())):
                target = key.fileobj
                if target == pidfd:
                    exited = True
                    sel.unregister(pidfd)
                    drain_until = drain_until or time.monotonic() + _DRAIN_SECONDS
                elif target is proc.stdin:
                    try:
                        pending = pending[os.write(proc.stdin.fileno(), pending[: 64 * KiB]) :]
                    except BrokenPipeError:
                        pending = pending[:0]
                    if not pending:
                        sel.unregister(proc.stdin)
                        proc.stdin.close()
                else:
                    chunk = os.read(target.fileno(), 64 * KiB)
                    if not chunk:
                        sel.unregister(target)
                        open_streams.discard(target)
                        continue
                    room = limits.output_bytes - len(out[target])
                    out[target] += chunk[:room]
                    if len(chunk) > room:
                        truncated[target] = True
                        kill(Limit.OUTPUT)
    finally:
        sel.close()
        os.close(pidfd)
        if not exited:  # an error, or pipes still open after the drain: never leave a sandbox behind
            os.killpg(proc.pid, signal.SIGKILL)
        for stream in (proc.stdin, proc.stdout, proc.stderr):
            stream.close()
        _, wait_status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(wait_status)
        started_ok = b"child-pid" in _read_all(bwrap_status)
        report = _read_all(init_status).split()
    wall_ms = round((time.monotonic() - started) * 1000)

    stderr = bytes(out[proc.stderr])
    if not started_ok and killed_for is None:
        raise SandboxError(f"bwrap could not start the sandbox: {stderr.decode(errors='replace')}")
    if len(report) == 3 and report[0] in (b"exit", b"signal"):
        number, peak_memory_kb = int(report[1]), int(report[2])
        exit_code, sig = (number, None) if report[0] == b"exit" else (None, number)
    else:  # killed before the init could report: by us at a limit, or the init failed to start
        peak_memory_kb = None
        if os.WIFSIGNALED(wait_status):
            exit_code, sig = None, os.WTERMSIG(wait_status)
        else:
            exit_code, sig = os.WEXITSTATUS(wait_status), None
    # The caller's own share of this (its forked copy before bwrap started) is negligible CPU.
    cpu_ms = round((usage.ru_utime + usage.ru_stime) * 1000)

    limit = killed_for
    if limit is None:
        if sig == signal.SIGXCPU or (sig == signal.SIGKILL and cpu_ms >= limits.cpu_seconds * 1000):
            limit = Limit.TIME
        elif sig == signal.SIGXFSZ:
            limit = Limit.FILE_SIZE
        elif exit_code != 0 and any(marker in stderr for marker in _OUT_OF_MEMORY):
            limit = Limit.MEMORY
    return Outcome(
        exit_code=exit_code,
        signal=sig,
        stdout=bytes(out[proc.stdout]),
        stderr=stderr,
        stdout_truncated=truncated[proc.stdout],
        stderr_truncated=truncated[proc.stderr],
        wall_ms=wall_ms,
        cpu_ms=cpu_ms,
        peak_memory_kb=peak_memory_kb,
        limit=limit,
    )


def _read_all(fd: int) -> bytes:
    # The writers are gone once bwrap is reaped: this reads what they wrote, then closes.
    os.set_blocking(fd, False)
    data = bytearray()
    try:
        while len(data) < 4096 and (chunk := os.read(fd, 4096)):
            data += chunk
    except BlockingIOError:
        pass
    finally:
        os.close(fd)
    return bytes(data)
