"""What the code runner's sandbox costs: one small Python answer run bare and in the sandbox.

    .venv/bin/python bench/sandbox_overhead.py            # 100 runs of each, about 15 s
    .venv/bin/python bench/sandbox_overhead.py --runs 300

The same program (eight small functions called with asserts, the size of a typical answer with its
tests) runs N times each way, the ways taking turns so a slow moment on the machine hits all alike:

- bare: ``/usr/bin/python3 -E -s -B -c PROGRAM`` through subprocess, output captured;
- sandbox: ``runner.languages.run_code("python", PROGRAM)``: memfd, bwrap, namespaces, sandbox-init,
  limits, the same interpreter, output read by the supervising loop;

and, to say where the difference goes:

- spawn: ``/bin/true`` through subprocess (the cost of starting any process from this one);
- sandbox setup: ``runner.sandbox.run(["/bin/true"])``: the sandbox without an interpreter.

Prints min/p50/p95 of each and the sandbox/bare ratio, writes bench/results/sandbox_overhead-<time>.json
and exits 1 when the p50 ratio is over the target (1.5×).
"""

from __future__ import annotations

import argparse
import platform
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _harness import ms, percentile, results_write  # noqa: E402 (after the path to the repository)

from runner import sandbox  # noqa: E402
from runner.languages import LANGUAGES, run_code  # noqa: E402

TARGET_RATIO = 1.5

PROGRAM = """
def two_sum(nums, target):
    seen = {}
    for i, n in enumerate(nums):
        if target - n in seen:
            return [seen[target - n], i]
        seen[n] = i

def is_palindrome(s):
    s = [c.lower() for c in s if c.isalnum()]
    return s == s[::-1]

def fib(n):
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a

def flatten(xs):
    return [y for x in xs for y in (flatten(x) if isinstance(x, list) else [x])]

def word_count(text):
    counts = {}
    for word in text.split():
        counts[word] = counts.get(word, 0) + 1
    return counts

def binary_search(xs, x):
    lo, hi = 0, len(xs)
    while lo < hi:
        mid = (lo + hi) // 2
        if xs[mid] < x:
            lo = mid + 1
        else:
            hi = mid
    return lo

def dot(u, v):
    return sum(a * b for a, b in zip(u, v))

def softmax_argmax(xs):
    return max(range(len(xs)), key=xs.__getitem__)

assert two_sum([2, 7, 11, 15], 9) == [0, 1]
assert is_palindrome("A man, a plan, a canal: Panama")
assert fib(30) == 832040
assert flatten([1, [2, [3, 4]], 5]) == [1, 2, 3, 4, 5]
assert word_count("a b a") == {"a": 2, "b": 1}
assert binary_search([1, 3, 5, 7], 5) == 2
assert dot([1, 2, 3], [4, 5, 6]) == 32
assert softmax_argmax([0.1, 0.7, 0.2]) == 1
print("8 passed")
"""


def bare() -> None:
    done = subprocess.run(  # noqa: S603 (a fixed command)
        [*LANGUAGES["python"].command[:-1], "-c", PROGRAM], capture_output=True, check=True
    )
    assert done.stdout == b"8 passed\n", done


def sandboxed() -> None:
    outcome = run_code("python", PROGRAM)
    assert outcome.ok and outcome.stdout == b"8 passed\n", outcome


def spawn() -> None:
    subprocess.run(["/bin/true"], capture_output=True, check=True)  # noqa: S603


def sandbox_setup() -> None:
    assert sandbox.run(["/bin/true"]).ok


WAYS = {"bare": bare, "sandbox": sandboxed, "spawn": spawn, "sandbox setup": sandbox_setup}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--warmup", type=int, default=5)
    args = parser.parse_args()

    for _ in range(args.warmup):
        for way in WAYS.values():
            way()
    times: dict[str, list[float]] = {name: [] for name in WAYS}
    for _ in range(args.runs):
        for name, way in WAYS.items():
            start = time.perf_counter()
            way()
            times[name].append(time.perf_counter() - start)

    table = {
        name: {
            "min_ms": ms(min(values)),
            "p50_ms": ms(percentile(values, 50)),
            "p95_ms": ms(percentile(values, 95)),
        }
        for name, values in times.items()
    }
    ratio = {p: round(table["sandbox"][p] / table["bare"][p], 2) for p in ("p50_ms", "p95_ms")}
    print(f"{'':14} {'min ms':>8} {'p50 ms':>8} {'p95 ms':>8}")
    for name, row in table.items():
        print(f"{name:14} {row['min_ms']:8.1f} {row['p50_ms']:8.1f} {row['p95_ms']:8.1f}")
    print(f"sandbox/bare: p50 {ratio['p50_ms']}×, p95 {ratio['p95_ms']}× (target p50 ≤ {TARGET_RATIO}×)")
    setup = table["sandbox setup"]["p50_ms"] - table["spawn"]["p50_ms"]
    interpreter = table["sandbox"]["p50_ms"] - table["sandbox setup"]["p50_ms"]
    print(f"p50 of the sandbox: {setup:.1f} ms bwrap, namespaces and init; {interpreter:.1f} ms the program")
    path = results_write(
        "sandbox_overhead",
        {
            "runs": args.runs,
            "machine": platform.platform(),
            "load_average": Path("/proc/loadavg").read_text().split()[:3],
            "ms": table,
            "ratio": ratio,
        },
    )
    print(f"written to {path}")
    return 0 if ratio["p50_ms"] <= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
