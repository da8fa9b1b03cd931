"""The sandbox against what a hostile or broken answer would do: every test runs the real bwrap.

The probes are Python programs run by Debian's /usr/bin/python3 in the sandbox; they print what they
observed and the tests assert on that and on the Outcome the caller gets.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
import uuid
from pathlib import Path

import pytest

from runner import sandbox
from runner.sandbox import KiB, Limit, Limits, MiB

ROOT = Path(__file__).resolve().parents[2]
PYTHON = "/usr/bin/python3"
FAST = Limits(cpu_seconds=2, wall_seconds=5)


def run_python(code: str, *args: str, limits: Limits = FAST, **kwargs) -> sandbox.Outcome:
    return sandbox.run([PYTHON, "-c", textwrap.dedent(code), *args], limits=limits, **kwargs)


def host_command_lines() -> dict[int, bytes]:
    lines = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            with contextlib.suppress(OSError):  # the process ended meanwhile
                lines[int(entry.name)] = Path(entry.path, "cmdline").read_bytes()
    return lines


def host_processes_with(marker: str) -> list[int]:
    """Host pids whose command line contains ``marker``."""
    return [pid for pid, line in host_command_lines().items() if marker.encode() in line]


def wait_until_gone(marker: str, seconds: float = 2.0) -> list[int]:
    deadline = time.monotonic() + seconds
    while (left := host_processes_with(marker)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


def assert_a_run_still_works():
    outcome = run_python("print('still here')")
    assert outcome.ok and outcome.stdout == b"still here\n"


def test_a_program_gets_its_stdin_files_and_a_plain_environment():
    outcome = run_python(
        """
        import os, sys
        print(sys.stdin.read().upper(), open("data.txt").read(), os.getcwd(), os.getuid(), os.getgid())
        print(sorted(os.environ))
        """,
        stdin=b"question",
        files={"data.txt": b"from the caller"},
    )
    assert outcome.ok, outcome
    assert outcome.stdout == (b"QUESTION from the caller /tmp 65534 65534\n['HOME', 'LANG', 'PATH', 'PWD']\n")
    assert outcome.cpu_ms > 0 and outcome.peak_memory_kb > 1000


def test_a_large_stdin_and_output_just_under_the_limit_pass_whole():
    data = os.urandom(48 * KiB).hex().encode()[: 60 * KiB]
    outcome = run_python("import sys; sys.stdout.buffer.write(sys.stdin.buffer.read())", stdin=data)
    assert outcome.ok and outcome.stdout == data and not outcome.stdout_truncated


@pytest.mark.parametrize(
    ("code", "exit_code", "signal_number"),
    [
        ("import sys; sys.exit(3)", 3, None),
        ("import os; os._exit(0)", 0, None),
        ("raise ValueError('wrong answer')", 1, None),
        ("import os, signal; os.kill(os.getpid(), signal.SIGKILL)", None, signal.SIGKILL),
        ("import os, signal; os.kill(os.getpid(), signal.SIGSEGV)", None, signal.SIGSEGV),
    ],
)
def test_the_exit_is_reported_faithfully(code, exit_code, signal_number):
    outcome = run_python(code)
    assert (outcome.exit_code, outcome.signal, outcome.limit) == (exit_code, signal_number, None)


def test_an_infinite_loop_stops_at_the_cpu_limit_and_the_next_run_works():
    outcome = run_python("while True: pass", limits=Limits(cpu_seconds=1, wall_seconds=10))
    assert outcome.limit == Limit.TIME
    assert outcome.signal in (signal.SIGXCPU, signal.SIGKILL)
    # The kernel checks the limit on its tick-based clock; the rusage it reports is the precise one.
    assert 500 <= outcome.cpu_ms < 2500
    assert_a_run_still_works()


def test_a_sleeping_program_is_killed_at_the_wall_clock_with_its_background_processes():
    marker = f"{1000 + uuid.uuid4().int % 10**6 / 10**7:.7f}"  # a sleep no one else runs
    outcome = run_python(
        f"""
        import subprocess, time
        subprocess.Popen(["sleep", "{marker}"], start_new_session=True)
        time.sleep(100)
        """,
        limits=Limits(cpu_seconds=2, wall_seconds=1),
    )
    assert outcome.limit == Limit.TIME and outcome.signal == signal.SIGKILL
    assert 1000 <= outcome.wall_ms < 3000
    assert wait_until_gone(f"sleep\0{marker}") == []


def test_a_background_process_does_not_outlive_a_program_that_exits():
    marker = f"{1000 + uuid.uuid4().int % 10**6 / 10**7:.7f}"
    outcome = sandbox.run(["/bin/sh", "-c", f"sleep {marker} & exit 0"], limits=FAST)
    assert outcome.ok
    # A daemon that left the session and the process group is gone too: the PID namespace died.
    daemon = run_python(
        f"""
        import os
        if os.fork() == 0:
            os.setsid()
            if os.fork() == 0:
                os.execv("/bin/sleep", ["sleep", "{marker}"])
        """
    )
    assert daemon.ok
    assert wait_until_gone(f"sleep\0{marker}") == []


def test_a_fork_bomb_is_contained():
    marker = f"bomb-{uuid.uuid4().hex}"
    limits = Limits(cpu_seconds=2, wall_seconds=2, processes=32)
    peak = 0
    done = threading.Event()

    def count():
        nonlocal peak
        while not done.is_set():
            # The bomb's processes (bwrap and the sandbox's init have the marker among their arguments).
            lines = host_command_lines().values()
            bomb = [line for line in lines if line.startswith(PYTHON.encode()) and marker.encode() in line]
            peak = max(peak, len(bomb))
            time.sleep(0.02)

    counter = threading.Thread(target=count)
    counter.start()
    try:
        outcome = run_python(
            """
            import os
            refused = False
            while True:
                try:
                    os.fork()
                except OSError:
                    if not refused:
                        os.write(1, b"refused\\n")
                    refused = True
            """,
            marker,
            limits=limits,
        )
    finally:
        done.set()
        counter.join()
    assert outcome.limit == Limit.TIME and outcome.wall_ms < 4000
    assert b"refused" in outcome.stdout  # the kernel said no at the process limit
    assert 0 < peak <= limits.processes
    assert wait_until_gone(marker) == []
    assert_a_run_still_works()


def test_the_process_limit_counts_each_run_on_its_own():
    # Two runs at the same time each get their own 16 processes, whatever the other one holds.
    code = """
        import os, time
        children = []
        for _ in range(12):
            pid = os.fork()
            if pid == 0:
                time.sleep(2)
                os._exit(0)
            children.append(pid)
        print(len(children))
        for pid in children:
            os.waitpid(pid, 0)
        """
    limits = Limits(cpu_seconds=2, wall_seconds=8, processes=16)
    results = []
    threads = [threading.Thread(target=lambda: results.append(run_python(code, limits=limits))) for _ in "ab"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [o.stdout for o in results] == [b"12\n", b"12\n"], results


def test_allocating_4_gb_hits_the_memory_limit():
    outcome = run_python("buffer = bytearray(4 * 1024**3)")
    assert outcome.limit == Limit.MEMORY and outcome.exit_code == 1
    assert b"MemoryError" in outcome.stderr
    numpy = run_python("import numpy; numpy.ones(2**29)")  # 4 GiB of float64
    assert numpy.limit == Limit.MEMORY
    assert outcome.peak_memory_kb < FAST.memory_bytes // KiB
    assert_a_run_still_works()


def test_memory_is_counted_per_run():
    outcome = run_python("block = bytearray(200 * 1024**2); block[::4096] = b'x' * len(block[::4096])")
    assert outcome.ok, outcome
    assert 200 * 1024 <= outcome.peak_memory_kb < 300 * 1024


@pytest.mark.parametrize("stream", ["stdout", "stderr"])
def test_printing_1_gb_is_cut_at_the_output_limit_and_killed_fast(stream):
    outcome = run_python(
        f"""
        import sys
        chunk = "x" * 1024**2
        for _ in range(1024):
            sys.{stream}.write(chunk)
        """,
        limits=Limits(cpu_seconds=10, wall_seconds=10),
    )
    assert outcome.limit == Limit.OUTPUT and outcome.signal == signal.SIGKILL
    assert getattr(outcome, f"{stream}_truncated") is True
    assert getattr(outcome, stream) == b"x" * (64 * KiB)
    assert outcome.wall_ms < 2000
    assert_a_run_still_works()


def test_there_is_no_network_not_even_to_the_hosts_loopback():
    host = socket.create_server(("127.0.0.1", 0))  # listening on the host while the probe runs
    try:
        port = host.getsockname()[1]
        outcome = run_python(
            f"""
            import socket
            names = sorted(name for _, name in socket.if_nameindex())
            print(names)
            targets = [("127.0.0.1", {port}), ("127.0.0.1", 5432)]
            if names == ["lo"]:  # never send a packet out if this namespace were not empty
                targets.append(("1.1.1.1", 443))
            for target in targets:
                try:
                    socket.create_connection(target, timeout=2).close()
                    print(target, "connected")
                except OSError as error:
                    print(target, type(error).__name__, error.errno)
            """
        )
    finally:
        host.close()
    assert outcome.ok, outcome
    assert outcome.stdout.decode().splitlines() == [
        "['lo']",
        f"('127.0.0.1', {port}) ConnectionRefusedError 111",
        "('127.0.0.1', 5432) ConnectionRefusedError 111",
        "('1.1.1.1', 443) OSError 101",  # ENETUNREACH: no route at all
    ]


def test_secrets_and_the_project_are_out_of_reach(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://leak:sandbox-db-password@127.0.0.1/x")
    monkeypatch.setenv("SECRET_KEY", "sandbox-secret-key-value")
    paths = [
        ROOT / "interviewnode" / "settings" / "__init__.py",
        ROOT,
        Path(sys.prefix),  # the project's virtualenv
        Path("/root"),
        Path("/work"),
        Path("/etc/shadow"),
        Path("/etc/passwd"),
    ]
    outcome = run_python(
        """
        import os, sys
        print(os.environ.get("DATABASE_URL"), os.environ.get("SECRET_KEY"))
        for path in sys.argv[1:]:
            try:
                os.stat(path)
                print(path, "visible")
            except OSError as error:
                print(path, type(error).__name__)
        for pid in sorted(int(pid) for pid in os.listdir("/proc") if pid.isdigit()):
            try:
                print(pid, open(f"/proc/{pid}/environ", "rb").read())
            except OSError as error:
                print(pid, type(error).__name__)
        print(dict(os.environ))
        """,
        *map(str, paths),
    )
    assert outcome.ok, outcome
    lines = outcome.stdout.decode().splitlines()
    assert lines[0] == "None None"
    assert lines[1 : len(paths) + 1] == [f"{path} FileNotFoundError" for path in paths]
    # The PID namespace holds only the sandbox's init (not readable) and the program itself.
    assert lines[len(paths) + 1] == "1 PermissionError"
    assert lines[len(paths) + 2].startswith("2 b'PATH=/usr/bin:/bin")
    assert len(lines) == len(paths) + 4
    assert b"sandbox-secret-key-value" not in outcome.stdout
    assert b"sandbox-db-password" not in outcome.stdout


def test_nothing_outside_tmp_is_writable():
    outcome = run_python(
        """
        import os
        paths = ["/x", "/usr/x", "/etc/x", "/dev/x", "/dev/shm/x", "/proc/x", "/proc/sys/kernel/hostname"]
        for path in paths:
            try:
                with open(path, "w") as f:
                    f.write("x")
                print(path, "written")
            except OSError as error:
                print(path, type(error).__name__)
        open("/tmp/mine", "w").write("ok")
        print(open("/tmp/mine").read())
        """
    )
    assert outcome.ok, outcome
    lines = outcome.stdout.decode().splitlines()
    assert lines[-1] == "ok"
    assert not [line for line in lines[:-1] if line.endswith("written")], lines


def test_tmp_is_private_to_each_run():
    run_python("open('/tmp/left-behind', 'w').write('x')")
    outcome = run_python("import os; print(os.listdir('/tmp'))")
    assert outcome.stdout == b"[]\n"


def test_tmp_is_size_limited():
    outcome = run_python(
        """
        import errno
        written = 0
        try:
            for i in range(100):
                with open(f"/tmp/part{i}", "wb") as f:
                    f.write(b"x" * 1024**2)
                written += 1
        except OSError as error:
            print(written, errno.errorcode[error.errno])
        """,
        limits=Limits(cpu_seconds=2, wall_seconds=5, tmp_bytes=8 * MiB),
    )
    assert outcome.ok, outcome
    written, error = outcome.stdout.split()
    assert int(written) <= 8 and error == b"ENOSPC"


def test_a_file_larger_than_the_file_size_limit_cannot_be_written():
    limits = Limits(cpu_seconds=2, wall_seconds=5, file_bytes=1 * MiB)
    # dd keeps the default action for SIGXFSZ: it is killed, and the limit is named.
    dd = sandbox.run(["dd", "if=/dev/zero", "of=/tmp/big", "bs=1M", "count=2"], limits=limits)
    assert dd.limit == Limit.FILE_SIZE and dd.signal == signal.SIGXFSZ
    # Python ignores SIGXFSZ: the write fails instead.
    python = run_python("open('/tmp/big', 'wb').write(b'x' * 2 * 1024**2)", limits=limits)
    assert python.exit_code == 1 and b"File too large" in python.stderr


def test_the_program_cannot_gain_privileges():
    outcome = run_python(
        """
        import os, subprocess
        print([line for line in open("/proc/self/status") if line.startswith("CapEff")])
        nested = subprocess.run(["unshare", "--user", "--map-root-user", "true"], capture_output=True)
        print(nested.returncode)
        try:
            os.setuid(0)
        except OSError as error:
            print(type(error).__name__)
        """
    )
    assert outcome.ok, outcome
    assert outcome.stdout.decode().splitlines() == [
        "['CapEff:\\t0000000000000000\\n']",
        "1",  # no nested user namespace
        "OSError",  # EINVAL: there is no root in this user namespace to become
    ]


def test_the_sandbox_dies_with_its_caller():
    """A worker killed mid-run (a Celery hard time limit) takes its sandbox with it."""
    marker = f"{1000 + uuid.uuid4().int % 10**6 / 10**7:.7f}"
    caller = subprocess.Popen(  # noqa: S603 (this interpreter, a fixed script)
        [sys.executable, "-c", f"from runner import sandbox; sandbox.run(['sleep', '{marker}'])"],
        cwd=ROOT,
    )
    try:
        deadline = time.monotonic() + 5
        while not host_processes_with(f"sleep\0{marker}") and time.monotonic() < deadline:
            time.sleep(0.05)
        assert host_processes_with(f"sleep\0{marker}"), "the sandboxed sleep never started"
    finally:
        caller.send_signal(signal.SIGKILL)
        caller.wait()
    assert wait_until_gone(f"sleep\0{marker}") == []


def test_a_bad_file_name_is_refused():
    with pytest.raises(ValueError, match="file name"):
        sandbox.run(["true"], files={"../escape": b""})
