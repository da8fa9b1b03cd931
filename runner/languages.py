"""The languages a candidate can answer in: what runs their code inside the sandbox.

Every toolchain is Debian's, from /usr (scripts/ensure-sandbox installs it), never the project's
virtualenv: /usr/bin/python3 with python3-numpy for Python, the same interpreter's sqlite3 module for
SQL, the default JDK for Java. The candidate's code is written to /tmp/<source_file>, the sandbox's
working directory, next to any files the caller adds (a test harness, input data).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from . import sandbox
from .sandbox import Limits, MiB, Outcome

_PYTHON = ("/usr/bin/python3", "-E", "-s", "-B")  # no PYTHON* variables, no user site, no .pyc writes

# One BLAS thread: NumPy's thread pool would otherwise count against the process limit for nothing.
_SINGLE_THREADED = MappingProxyType({"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"})


def _jdk_home() -> Path:
    # The system JDK that /usr/bin/javac points to, whatever else is on this process's PATH.
    javac = shutil.which("javac", path="/usr/bin:/bin")
    return Path(javac).resolve().parent.parent if javac else Path("/usr/lib/jvm/default-java")


def _outside_usr(*paths: Path) -> tuple[str, ...]:
    # Debian's JDK keeps its configuration in /etc/java-N-openjdk, linked from the JDK's conf/.
    dirs = {str(path.resolve().parent) for path in paths if path.exists()}
    return tuple(sorted(d for d in dirs if not d.startswith("/usr/")))


JDK_HOME = _jdk_home()

# RLIMIT_AS counts address space the JVM only reserves (heap, code cache, class space, thread stacks),
# so Java's real memory limit is the heap (-Xmx) and the reservations are capped to fit under 1 GiB.
JAVA_OPTIONS = (
    "-Xmx256m",
    "-XX:MaxMetaspaceSize=128m",
    "-XX:CompressedClassSpaceSize=64m",
    "-XX:ReservedCodeCacheSize=32m",
    "-XX:+UseSerialGC",  # one GC thread, no parallel workers
    "-XX:ActiveProcessorCount=1",
    "-XX:TieredStopAtLevel=1",  # C1 only: short programs start faster
    "-XX:-UsePerfData",  # no hsperfdata file in /tmp
    "-Xlog:disable",
    "-Xlog:all=warning:stderr",  # the JVM's warnings go to stderr, not into the program's stdout
)


@dataclass(frozen=True)
class Language:
    name: str
    source_file: str  # the candidate's code, in /tmp
    command: tuple[str, ...]  # run from /tmp
    limits: Limits = Limits()
    env: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))
    ro_paths: tuple[str, ...] = ()  # host paths outside /usr the toolchain needs, read-only
    support_files: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))


LANGUAGES = {
    "python": Language(
        name="python",
        source_file="main.py",
        command=(*_PYTHON, "main.py"),
        env=_SINGLE_THREADED,
    ),
    "sql": Language(
        name="sql",
        source_file="main.sql",
        command=(*_PYTHON, "run_sql.py", "main.sql"),
        env=_SINGLE_THREADED,
        support_files=MappingProxyType({"run_sql.py": (Path(__file__).parent / "run_sql.py").read_bytes()}),
    ),
    # The source-file launcher compiles Main.java in memory and runs it in one JVM: one process, no
    # class files. Several top-level classes may share the file; the first must declare main().
    "java": Language(
        name="java",
        source_file="Main.java",
        command=(str(JDK_HOME / "bin" / "java"), *JAVA_OPTIONS, "Main.java"),
        # The JVM alone runs 14 threads, each counted as a process.
        limits=Limits(cpu_seconds=10, wall_seconds=20.0, memory_bytes=1024 * MiB, processes=32),
        ro_paths=_outside_usr(JDK_HOME / "conf" / "logging.properties"),
    ),
}


def run_code(
    language: str,
    source: str | bytes,
    *,
    stdin: bytes = b"",
    files: dict[str, bytes] | None = None,
    limits: Limits | None = None,
) -> Outcome:
    """Run a candidate's ``source`` in ``language`` in a fresh sandbox (the language's limits unless
    ``limits`` is given)."""
    lang = LANGUAGES[language]
    code = source.encode() if isinstance(source, str) else source
    return sandbox.run(
        lang.command,
        stdin=stdin,
        files={**lang.support_files, **(files or {}), lang.source_file: code},
        limits=limits or lang.limits,
        env=dict(lang.env),
        ro_paths=lang.ro_paths,
    )
