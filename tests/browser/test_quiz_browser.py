"""The quiz widgets in a real JupyterLab and Debian's chromium: answered with the mouse and with the keyboard
alone, answers back after a kernel restart and a page reload, the very folder autograded by nbgrader, and a
readable dark theme."""

from __future__ import annotations

import json
import shutil

import pytest
from playwright.sync_api import Page, expect

from tests.browser.quiz_course import ASSIGNMENT, FIXTURE, STORE, make_course
from tests.browser.quizpage import restart_kernel, run_all, save_notebook
from tests.labkit import change_theme, open_notebook, wait_for_kernel
from workbook.quiz.bank import display_order

NOTEBOOK = f"{ASSIGNMENT}.ipynb"
QUESTIONS = ("hosting_choice", "terms_match")
OPTION_TEXT = {
    "closed_api": "A closed model reached through the vendor's API",
    "open_weights": "An open-weights model run on the team's own hardware",
}
DEFINITION_TEXT = {
    "download": "The parameters can be downloaded and run anywhere",
    "vendor_call": "Requests go to the vendor's servers",
    "terms_of_use": "The terms say what you may do with the model",
    "training_data": "The data the model learned from is published",
}

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    return make_course(tmp_path_factory.mktemp("course"))


def student_folder(lab, course, name: str) -> str:
    """Put a fresh copy of the release notebook in the lab's folder, as a student's download would be."""
    shutil.copytree(course.release_folder, lab.root / name)
    return f"{name}/{NOTEBOOK}"


def stored_answers(folder) -> dict:
    data = json.loads((folder / STORE).read_text())
    return {question: record["value"] for question, record in data["answers"].items()}


def status(page: Page, question_id: str):
    return page.locator(f".wb-quiz-id-{question_id} .wb-quiz-status")


def pair(page: Page, term_id: str):
    return page.locator(f".wb-quiz-pair-{term_id}")


# -- mouse ---------------------------------------------------------------------------------------------------


def mouse_match(page: Page, term_id: str, definition_id: str) -> None:
    page.locator(f".wb-quiz-term-{term_id}").click()
    expect(page.locator(f".wb-quiz-term-{term_id}.wb-quiz-selected")).to_be_visible()
    page.locator(f".wb-quiz-definition-{definition_id}").click()
    expect(pair(page, term_id)).to_contain_text(DEFINITION_TEXT[definition_id])


def test_mouse_answers_survive_restart_and_reload_and_autograde_to_full_points(page, lab, course):
    path = student_folder(lab, course, "mouse")
    open_notebook(page, lab, path)
    run_all(page, QUESTIONS)
    expect(page.locator(".wb-quiz-id-hosting_choice.wb-quiz-graded")).to_be_visible()

    page.locator(".wb-quiz-id-hosting_choice label", has_text=OPTION_TEXT["open_weights"]).click()
    expect(status(page, "hosting_choice")).to_contain_text("Saved at")
    mouse_match(page, "open_weights", "download")
    mouse_match(page, "closed_api", "vendor_call")
    mouse_match(page, "licence", "training_data")
    page.locator(".wb-quiz-undo-licence").click()  # a pair can be taken back
    expect(pair(page, "licence")).to_contain_text("not matched yet")
    mouse_match(page, "licence", "terms_of_use")
    expect(status(page, "terms_match")).to_contain_text("Saved at")
    quiz_text = page.locator(".wb-quiz").all_inner_texts()
    assert not any(word in text for text in quiz_text for word in ("Correct", "✓", "✗"))  # graded: no verdict

    folder = lab.root / "mouse"
    right = {"open_weights": "download", "closed_api": "vendor_call", "licence": "terms_of_use"}
    assert stored_answers(folder) == {"hosting_choice": "open_weights", "terms_match": right}

    save_notebook(page)
    restart_kernel(page)
    page.reload()
    page.wait_for_selector(".jp-Notebook", timeout=60_000)
    wait_for_kernel(page)
    run_all(page, QUESTIONS)
    chosen = page.locator(".wb-quiz-id-hosting_choice label", has_text=OPTION_TEXT["open_weights"]).locator("input")
    expect(chosen).to_be_checked()
    for term_id, definition_id in right.items():
        expect(pair(page, term_id)).to_contain_text(DEFINITION_TEXT[definition_id])
    expect(status(page, "terms_match")).to_contain_text("Saved at")
    save_notebook(page)

    course.submit(folder, "mouse_student")
    assert course.autograde("mouse_student") == pytest.approx({"hosting_choice": 1.0, "terms_match": 3.0, "total": 4.0})


# -- keyboard only ---------------------------------------------------------------------------------------------

FOCUS_DIRECTION = """(selector) => {
    const target = document.querySelector(selector);
    if (!target) return 'missing';
    const here = document.activeElement;
    if (here === target) return 'here';
    return here.compareDocumentPosition(target) & Node.DOCUMENT_POSITION_FOLLOWING ? 'Tab' : 'Shift+Tab';
}"""


def tab_to(page: Page, selector: str, limit: int = 120) -> None:
    """Move the keyboard focus to ``selector`` with Tab / Shift+Tab only, as a keyboard user would."""
    for _ in range(limit):
        direction = page.evaluate(FOCUS_DIRECTION, selector)
        assert direction != "missing", selector
        if direction == "here":
            return
        page.keyboard.press(direction)
    pytest.fail(f"{selector} was not reachable with Tab within {limit} presses")


FOCUS_RING = """() => {
    const style = getComputedStyle(document.activeElement);
    return {style: style.outlineStyle, width: parseFloat(style.outlineWidth)};
}"""


def key_match(page: Page, term_id: str, definition_id: str) -> None:
    tab_to(page, f".wb-quiz-term-{term_id}")
    page.keyboard.press("Enter")
    expect(page.locator(f".wb-quiz-term-{term_id}.wb-quiz-selected")).to_be_visible()
    tab_to(page, f".wb-quiz-definition-{definition_id}")
    ring = page.evaluate(FOCUS_RING)
    assert ring["style"] != "none" and ring["width"] >= 2, ring  # keyboard focus is plainly visible
    page.keyboard.press("Space")
    expect(pair(page, term_id)).to_contain_text(DEFINITION_TEXT[definition_id])


def test_keyboard_only_answers_autograde_to_exact_partial_points(page, lab, course):
    path = student_folder(lab, course, "keyboard")
    open_notebook(page, lab, path)
    run_all(page, QUESTIONS)

    # Options are shown in the question's fixed shuffled order: find where the open-weights option sits.
    shown = display_order("hosting_choice", ["closed_api", "open_weights", "either"])
    tab_to(page, f'.wb-quiz-id-hosting_choice input[type="radio"][value="{shown.index("open_weights")}"]')
    page.keyboard.press("Space")
    expect(status(page, "hosting_choice")).to_contain_text("Saved at")

    key_match(page, "open_weights", "download")
    key_match(page, "closed_api", "terms_of_use")  # wrong on purpose
    key_match(page, "licence", "training_data")
    tab_to(page, ".wb-quiz-undo-licence")
    page.keyboard.press("Enter")
    expect(pair(page, "licence")).to_contain_text("not matched yet")
    key_match(page, "licence", "vendor_call")  # wrong on purpose
    expect(status(page, "terms_match")).to_contain_text("Saved at")

    folder = lab.root / "keyboard"
    assert stored_answers(folder) == {
        "hosting_choice": "open_weights",
        "terms_match": {"open_weights": "download", "closed_api": "terms_of_use", "licence": "vendor_call"},
    }
    save_notebook(page)
    course.submit(folder, "keyboard_student")
    # one pair of three right: 3 points * 1/3
    assert course.autograde("keyboard_student") == pytest.approx(
        {"hosting_choice": 1.0, "terms_match": 1.0, "total": 2.0}
    )


# -- dark theme ------------------------------------------------------------------------------------------------

CONTRAST = """(selector) => {
    const parse = (text) => (text.match(/[\\d.]+/g) || []).map(Number);
    const luminance = ([r, g, b]) => {
        const channel = (value) => {
            const v = value / 255;
            return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
        };
        return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
    };
    const background = (element) => {
        for (let node = element; node; node = node.parentElement) {
            const color = parse(getComputedStyle(node).backgroundColor);
            if (color.length === 3 || (color.length === 4 && color[3] > 0.5)) return color.slice(0, 3);
        }
        return [255, 255, 255];
    };
    return [...document.querySelectorAll(selector)].filter((element) => element.innerText.trim()).map((element) => {
        const fg = luminance(parse(getComputedStyle(element).color).slice(0, 3));
        const bg = luminance(background(element));
        return {
            text: element.innerText.trim().slice(0, 40),
            ratio: (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05),
            bgLuminance: bg,
        };
    });
}"""

READABLE_PARTS = ", ".join(
    [
        ".wb-quiz-prompt-text",
        ".wb-quiz .widget-radio-box label",
        ".wb-quiz-verdict",
        ".wb-quiz-mark",
        ".wb-quiz-option-text",
        ".wb-quiz-explanation",
        ".wb-quiz-saved",
        ".wb-quiz-term",
        ".wb-quiz-definition",
        ".wb-quiz-pair",
    ]
)


def test_dark_theme_practice_widgets_are_readable(page, lab, tmp_path):
    (lab.root / "dark").mkdir()
    shutil.copy2(FIXTURE, lab.root / "dark" / NOTEBOOK)  # the source: keys visible, so practice feedback shows
    try:
        open_notebook(page, lab, f"dark/{NOTEBOOK}")
        change_theme(page, "JupyterLab Dark")
        expect(page.locator("body")).to_have_attribute("data-jp-theme-light", "false")
        run_all(page, QUESTIONS)
        expect(page.locator(".wb-quiz-id-hosting_choice.wb-quiz-practice")).to_be_visible()
        page.locator(".wb-quiz-id-hosting_choice label", has_text=OPTION_TEXT["closed_api"]).click()
        expect(status(page, "hosting_choice")).to_contain_text("✗ Not quite")
        expect(page.locator(".wb-quiz-id-hosting_choice .wb-quiz-feedback")).to_contain_text(
            "Right: the weights run on hardware the team controls."
        )
        mouse_match(page, "open_weights", "download")
        expect(pair(page, "open_weights")).to_contain_text("✓ right")

        measured = page.evaluate(CONTRAST, READABLE_PARTS)
        assert len(measured) >= 12, measured
        for part in measured:
            assert part["ratio"] >= 4.5, part  # WCAG AA for body text
        quiz_box = page.locator(".wb-quiz-id-hosting_choice")
        box_background = page.evaluate("(el) => getComputedStyle(el).backgroundColor", quiz_box.element_handle())
        dark = [int(value) for value in box_background.strip("rgba()").split(",")[:3]]
        assert sum(dark) / 3 < 80, box_background  # the quiz follows the dark theme, no white box

        shot = tmp_path / "quiz-dark.png"
        quiz_box.screenshot(path=shot)
        matching_shot = tmp_path / "matching-dark.png"
        page.locator(".wb-quiz-id-terms_match").screenshot(path=matching_shot)
        assert shot.stat().st_size > 5_000 and matching_shot.stat().st_size > 5_000
    finally:
        change_theme(page, "JupyterLab Light")
