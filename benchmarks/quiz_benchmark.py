"""Quiz figures: click-to-feedback latency in a real JupyterLab (practice mode) and answer-store write time.

Run: .venv/bin/python benchmarks/quiz_benchmark.py   (needs /usr/bin/chromium; takes about 30 s)

Latency is measured inside the page, from the click event to the moment the feedback text changes (a
MutationObserver), so it covers the widget message to the kernel, the save to disk and the redraw.
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # reuse the browser tests' server plumbing

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.browser.quiz_course import FIXTURE  # noqa: E402
from tests.browser.quizpage import run_all  # noqa: E402
from tests.labkit import launch_chromium, open_notebook, start_server, stop_server  # noqa: E402
from workbook.core.answer_store import AnswerStore  # noqa: E402

CLICKS = 20
WRITES = 200

CLICK_TO_FEEDBACK = """async ([clickSelector, watchSelector, expected]) => {
    const watched = document.querySelector(watchSelector);
    return await new Promise((resolve) => {
        let start = 0;
        const observer = new MutationObserver(() => {
            if (watched.innerText.includes(expected)) {
                observer.disconnect();
                resolve(performance.now() - start);
            }
        });
        observer.observe(watched, {subtree: true, childList: true, characterData: true});
        start = performance.now();
        document.querySelector(clickSelector).click();
    });
}"""


def store_write_times(folder: Path) -> list[float]:
    """Milliseconds per save into a store that already holds a realistic number of answers."""
    store = AnswerStore(folder / "bench.answers.json")
    for number in range(30):
        store.save(f"question_{number}", {f"term_{n}": f"definition_{n}" for n in range(4)})
    times = []
    for number in range(WRITES):
        started = time.perf_counter()
        store.save("question_0", "option_a" if number % 2 else "option_b")
        times.append((time.perf_counter() - started) * 1000)
    return times


def browser_latencies(base: Path) -> tuple[list[float], list[float]]:
    server = start_server(base / "lab", "lab")
    try:
        shutil.copy2(FIXTURE, server.root / FIXTURE.name)  # the source: keys visible, so practice mode
        with sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            page = browser.new_page(viewport={"width": 1280, "height": 1000})
            open_notebook(page, server, FIXTURE.name)
            run_all(page, ("hosting_choice", "terms_match"))
            labels = ".wb-quiz-id-hosting_choice .widget-radio-box label"
            status = ".wb-quiz-id-hosting_choice .wb-quiz-status"
            choice_ms = []
            for click in range(CLICKS):
                right = click % 2 == 0  # alternate, so every click changes the feedback
                target = f"{labels}:nth-child({2 if right else 1})"
                expected = "✓ Correct" if right else "✗ Not quite"
                choice_ms.append(page.evaluate(CLICK_TO_FEEDBACK, [target, status, expected]))
            pair_ms = []
            for click in range(CLICKS):
                right = click % 2 == 0
                page.locator(".wb-quiz-term-licence").click()
                page.wait_for_selector(".wb-quiz-term-licence.wb-quiz-selected")
                definition = "terms_of_use" if right else "vendor_call"
                expected = "✓ right" if right else "✗ not this one"
                pair_ms.append(
                    page.evaluate(
                        CLICK_TO_FEEDBACK, [f".wb-quiz-definition-{definition}", ".wb-quiz-pair-licence", expected]
                    )
                )
            browser.close()
    finally:
        stop_server(server)
    return choice_ms, pair_ms


def describe(name: str, values: list[float]) -> str:
    ordered = sorted(values)
    p90 = ordered[int(0.9 * (len(ordered) - 1))]
    return (
        f"{name}: median {statistics.median(values):.1f} ms, p90 {p90:.1f} ms, "
        f"min {ordered[0]:.1f} ms, max {ordered[-1]:.1f} ms (n={len(values)})"
    )


def main() -> None:
    with tempfile.TemporaryDirectory() as temp:
        base = Path(temp)
        (base / "store").mkdir()
        writes = store_write_times(base / "store")
        choice_ms, pair_ms = browser_latencies(base)
    print(describe("multiple choice click -> feedback (practice, JupyterLab, chromium)", choice_ms))
    print(describe("matching definition click -> pair feedback (practice)", pair_ms))
    print(describe("answer store write (re-read, temp file, fsync, os.replace; 30 answers)", writes))


if __name__ == "__main__":
    main()
