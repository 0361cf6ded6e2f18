"""How long the written-answer structure check takes: a normal answer, and a pasted 25 MB text it must cut.

Run: ``.venv-test/bin/python benchmarks/writing_benchmark.py [--repeat N]``. Target: the 25 MB text in under 15 s
(a learner who pastes a book must get an answer, not a hung kernel); a normal answer in well under 0.1 s.
Moved here from tests/test_writing_check.py, where a timing assertion failed whenever other tests shared the CPU.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "tests" / "fixtures" / "writing" / "samples" / "a_good_closed.md"
HUGE_TARGET_S = 15.0


def timed(text: str, repeat: int) -> list[float]:
    from workbook import writing

    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        writing.check(text, project="project_a")
        samples.append(time.perf_counter() - started)
    return samples


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measurement (default 3)")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(REPO))
    answer = SAMPLE.read_text(encoding="utf-8")
    normal = timed(answer, max(args.repeat, 20))
    huge = timed(answer * 20_000, args.repeat)
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"normal answer ({len(answer)} characters): median {statistics.median(normal) * 1000:.1f} ms")
    verdict = "OK" if statistics.median(huge) < HUGE_TARGET_S else "OVER TARGET"
    print(
        f"pasted text ({len(answer) * 20_000 / 1e6:.0f} MB): median {statistics.median(huge):.2f} s, "
        f"max {max(huge):.2f} s (target < {HUGE_TARGET_S:g} s: {verdict})"
    )
    return 0 if verdict == "OK" else 1


if __name__ == "__main__":
    sys.exit(main())
