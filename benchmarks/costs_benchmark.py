"""How long a cost-panel slider move takes to redraw: in the kernel, and in a real JupyterLab in chromium.

Kernel: a ``CostPanel`` is built in this process and slider values are set one step at a time, as the arrow
keys do; setting a value runs the panel's handler synchronously (new numbers, figure update, PNG render, label
and table). Browser: JupyterLab with the panel notebook, chromium via Playwright; the time from a key press on a
slider handle to the new plot image having loaded in the page.

Run: ``python benchmarks/costs_benchmark.py`` (both), ``--kernel-only`` to skip the browser.
Targets (issue 5): median at most 30 ms in the kernel and 80 ms in the browser.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
KERNEL_TARGET_MS = 30
BROWSER_TARGET_MS = 80


def _summary(name: str, samples: list[float], target: float) -> str:
    ordered = sorted(samples)
    p90 = ordered[int(0.9 * (len(ordered) - 1))]
    median = statistics.median(ordered)
    verdict = "OK" if median <= target else "OVER TARGET"
    return (
        f"{name}: median {median:.1f} ms, p90 {p90:.1f} ms, max {ordered[-1]:.1f} ms over {len(samples)} moves "
        f"(target <= {target} ms median: {verdict})"
    )


def kernel_latencies(moves: int) -> tuple[list[float], int]:
    """Milliseconds per slider move, moving several sliders one step up and back down."""
    from workbook.costs.panel import CostPanel

    panel = CostPanel("project_a")
    steps = [
        ("gpu_usd_per_hour", 0.01),
        ("fixed_usd_per_month", 50),
        ("utilization", 0.01),
        ("api_output_usd_per_mtok", 0.05),
        ("output_share", 0.01),
        ("tokens_per_month", None),  # log slider: one step is x10^0.05
    ]
    samples = []
    redraws_before = panel.figure.full_redraws
    for move in range(moves):
        field, step = steps[move % len(steps)]
        slider = panel.sliders[field]
        direction = 1 if (move // len(steps)) % 2 == 0 else -1
        new = slider.value * 10 ** (0.05 * direction) if step is None else slider.value + direction * step
        started = time.perf_counter()
        slider.value = new  # runs panel.update, as a message from the browser would
        samples.append((time.perf_counter() - started) * 1000)
    return samples, panel.figure.full_redraws - redraws_before


def browser_latencies(moves: int) -> list[float]:
    """Milliseconds from key press to loaded plot image, in JupyterLab."""
    sys.path.insert(0, str(REPO))  # the browser tests' server plumbing
    from playwright.sync_api import sync_playwright

    from tests.browser_costs.labserver import open_panel, start_lab, timed_moves
    from tests.labkit import launch_chromium, stop_server

    with tempfile.TemporaryDirectory(prefix="costs-bench-") as base:
        lab = start_lab(Path(base))
        try:
            with sync_playwright() as playwright:
                browser = launch_chromium(playwright)
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                open_panel(page, lab)
                timed_moves(page, "costs-slider-gpu-usd-per-hour", 3)  # warm-up
                samples = timed_moves(page, "costs-slider-fixed-usd-per-month", moves)
                browser.close()
        finally:
            stop_server(lab)
    return samples


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moves", type=int, default=60, help="slider moves to time (default 60)")
    parser.add_argument("--kernel-only", action="store_true", help="skip the browser measurement")
    args = parser.parse_args()

    kernel_latencies(6)  # warm-up: imports, font cache, first full draw
    samples, redraws = kernel_latencies(args.moves)
    print(_summary("kernel, slider move -> PNG redraw", samples, KERNEL_TARGET_MS))
    print(f"  background redrawn in full on {redraws} of {args.moves} moves (axis limits or order changed)")
    within = statistics.median(samples) <= KERNEL_TARGET_MS
    if not args.kernel_only:
        browser = browser_latencies(max(args.moves // 2, 10))
        print(_summary("browser, key press -> new plot loaded", browser, BROWSER_TARGET_MS))
        within = within and statistics.median(browser) <= BROWSER_TARGET_MS
    return 0 if within else 1


if __name__ == "__main__":
    sys.exit(main())
