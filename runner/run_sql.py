"""Runs inside the sandbox, under Debian's /usr/bin/python3: executes an SQL file on a fresh in-memory
SQLite database and prints the rows of each statement that returns any, like the sqlite3 shell's list
mode (columns joined by '|', NULL as an empty string). Stops at the first error: a message on stderr,
exit code 1.

Usage: python3 run_sql.py FILE.sql
"""

import sqlite3
import sys


def statements(script: str):
    # Cut at each ';' that ends a complete statement (not one inside a string or a trigger body).
    start = 0
    for i, char in enumerate(script):
        if char == ";" and sqlite3.complete_statement(script[start : i + 1]):
            yield script[start : i + 1]
            start = i + 1
    if script[start:].strip():
        yield script[start:]  # the last statement may omit its ';'


def main(path: str) -> int:
    with open(path, encoding="utf-8") as f:
        script = f.read()
    db = sqlite3.connect(":memory:", isolation_level=None)
    for statement in statements(script):
        try:
            rows = db.execute(statement).fetchall()
        except sqlite3.Error as exc:
            print(f"Error: {exc}", file=sys.stderr)
            return 1
        for row in rows:
            print("|".join("" if value is None else str(value) for value in row))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
