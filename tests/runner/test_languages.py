"""Each language's toolchain runs in the real sandbox: Debian's python3 with NumPy, SQLite through the
same interpreter, and the JDK's source launcher."""

from __future__ import annotations

from runner.languages import LANGUAGES, run_code
from runner.sandbox import Limit


def test_python_hello_world_with_numpy():
    outcome = run_code("python", "import numpy as np\nprint('hello', int(np.arange(5).sum()))")
    assert outcome.ok, outcome
    assert outcome.stdout == b"hello 10\n"


def test_python_reads_stdin_and_the_callers_files():
    outcome = run_code(
        "python",
        "import sys, helper\nprint(helper.greet(sys.stdin.read()))",
        stdin=b"candidate",
        files={"helper.py": b"def greet(name):\n    return 'hello ' + name\n"},
    )
    assert outcome.ok, outcome
    assert outcome.stdout == b"hello candidate\n"


def test_sql_hello_world_prints_the_rows_of_each_query():
    outcome = run_code(
        "sql",
        """
        CREATE TABLE answers (id INTEGER PRIMARY KEY, text TEXT, score REAL);
        INSERT INTO answers (text, score) VALUES ('a;b', 1.5), (NULL, 2);
        SELECT 'hello';
        SELECT id, text, score FROM answers ORDER BY id  -- the last ';' may be left out
        """,
    )
    assert outcome.ok, outcome
    assert outcome.stdout == b"hello\n1|a;b|1.5\n2||2.0\n"


def test_an_sql_error_stops_the_script_with_a_message():
    outcome = run_code("sql", "SELECT 1; SELECT nope; SELECT 2;")
    assert outcome.exit_code == 1
    assert outcome.stdout == b"1\n"
    assert outcome.stderr == b"Error: no such column: nope\n"


def test_java_hello_world_compiles_and_runs():
    outcome = run_code(
        "java",
        """
        import java.util.Scanner;

        public class Main {
            public static void main(String[] args) {
                System.out.println("hello " + new Scanner(System.in).next() + " " + Helper.twice(21));
            }
        }

        class Helper {
            static int twice(int x) { return 2 * x; }
        }
        """,
        stdin=b"java\n",
    )
    assert outcome.ok, outcome
    assert outcome.stdout == b"hello java 42\n"
    assert outcome.stderr == b""


def test_java_compile_errors_come_back_on_stderr():
    outcome = run_code("java", 'public class Main { public static void main(String[] a) { int x = "s"; } }')
    assert outcome.exit_code == 1 and outcome.limit is None
    assert b"incompatible types" in outcome.stderr and b"compilation failed" in outcome.stderr


def test_java_running_out_of_heap_is_a_memory_limit():
    outcome = run_code(
        "java",
        "public class Main { public static void main(String[] a) { long[] big = new long[1 << 30]; } }",
    )
    assert outcome.limit == Limit.MEMORY
    assert b"java.lang.OutOfMemoryError" in outcome.stderr


def test_every_language_uses_debians_toolchain_not_the_projects():
    for language in LANGUAGES.values():
        assert language.command[0].startswith("/usr/"), language
        assert all(path.startswith(("/usr/", "/etc/")) for path in language.ro_paths), language
