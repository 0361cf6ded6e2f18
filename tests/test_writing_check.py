"""The structure check on hand-written sample answers: tells good from weak, finds factors however they are
phrased, gives hints a learner can act on, and never crashes on empty, huge or non-English text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from workbook import writing
from workbook.writing import FACTORS
from workbook.writing import text as textlib

SAMPLES_DIR = Path(__file__).parent / "fixtures" / "writing"
SAMPLES = json.loads((SAMPLES_DIR / "samples.json").read_text(encoding="utf-8"))["samples"]


def sample_text(name: str) -> str:
    return (SAMPLES_DIR / "samples" / name).read_text(encoding="utf-8")


def test_there_are_enough_samples_of_every_kind() -> None:
    kinds = [s["quality"] for s in SAMPLES]
    assert len(SAMPLES) >= 12
    assert kinds.count("good") >= 4 and kinds.count("weak") >= 4
    assert {"empty", "non_english"} <= set(kinds)


@pytest.mark.parametrize("sample", SAMPLES, ids=[s["file"] for s in SAMPLES])
def test_factors_found_match_the_human_labels(sample: dict) -> None:
    result = writing.check(sample_text(sample["file"]), project=sample["project"])
    found = {f for f in FACTORS if result.factors[f].found}
    assert set(sample["must"]) <= found, f"missed {set(sample['must']) - found}"
    wrong = found & set(sample["must_not"])
    assert not wrong, f"found factors the text does not address: {wrong}"


@pytest.mark.parametrize("sample", SAMPLES, ids=[s["file"] for s in SAMPLES])
def test_good_answers_are_ready_and_the_rest_are_not(sample: dict) -> None:
    result = writing.check(sample_text(sample["file"]), project=sample["project"])
    if sample["quality"] == "good":
        assert result.ready, result.hints
        assert result.hints == []
        assert sum(1 for f in FACTORS if result.level(f) == "discussed") >= 4
    else:
        assert not result.ready
        assert result.hints, "a learner whose answer is not complete is told what to do"


def test_good_and_weak_are_separated_by_factor_coverage() -> None:
    coverage = {s["quality"]: [] for s in SAMPLES}
    for s in SAMPLES:
        coverage[s["quality"]].append(writing.check(sample_text(s["file"])).factors_found)
    assert min(coverage["good"]) == 5
    assert max(coverage["weak"]) <= 3


@pytest.mark.parametrize(
    ("sentence", "factor"),
    [
        ("Nobody at the school could keep a server running over the holidays.", "infrastructure"),
        ("The lab's engineers can serve and patch the model on their own cluster.", "infrastructure"),
        ("The gene sequences must never leave the building.", "data_sensitivity"),
        ("Her unpublished stories could leak if she pastes them into a chatbot.", "data_sensitivity"),
        ("The kids' questions could end up in the vendor's training data.", "data_sensitivity"),
        ("If the vendor doubles its price or retires the model, the tutor stops working.", "sovereignty"),
        ("Relying on one company means it can switch the model off whenever it likes.", "sovereignty"),
        ("Check that the licence allows commercial use before building on the weights.", "sovereignty"),
        ("At two billion tokens a month the owned GPUs break even with the API within a year.", "cost"),
        ("The monthly bill stays well under five hundred dollars.", "cost"),
        ("Students need patient, correct step-by-step explanations.", "capability"),
        ("A smaller model may not be good enough for the task, which a benchmark would show.", "capability"),
    ],
)
def test_factors_are_found_in_paraphrase(sentence: str, factor: str) -> None:
    result = writing.check(sentence)
    assert result.factors[factor].found, (sentence, factor)


@pytest.mark.parametrize(
    ("sentence", "factor"),
    [
        ("The best thing about this plan is that it is simple.", "capability"),
        ("The students will enjoy it.", "data_sensitivity"),
        ("It is the right thing to do.", "sovereignty"),
        ("Open source is free as in freedom.", "cost"),
    ],
)
def test_everyday_words_do_not_count_as_factors(sentence: str, factor: str) -> None:
    assert not writing.check(sentence).factors[factor].found


def test_missing_factor_hints_are_specific_to_the_project() -> None:
    weak = sample_text("b_weak_one_factor.md")
    generic = writing.check(weak)
    lab = writing.check(weak, project="project_b")
    assert any("project_b preset" in hint for hint in lab.hints), lab.hints
    assert not any("project_b" in hint for hint in generic.hints)
    missing_names = ["Capability needs", "Infrastructure capacity", "Cost at expected scale"]
    for name in missing_names:
        assert any(hint.startswith(f"{name}: not found") for hint in lab.hints), name
    assert not any(hint.startswith("Data sensitivity") for hint in lab.hints)
    assert any("main risk" in hint for hint in lab.hints), "no risk paragraph: the check says so"


def test_structure_hints_name_what_is_missing() -> None:
    one_paragraph = writing.check(sample_text("c_weak_no_risk.md"), project="project_c")
    assert any(hint.startswith("Write two paragraphs") for hint in one_paragraph.hints)
    assert any(hint == "31 words is short: aim for about 100 to 480." for hint in one_paragraph.hints)
    ten_words = writing.check(sample_text("a_weak_short.md"))
    assert any("too short to count as an attempt (10 words)" in hint for hint in ten_words.hints)
    slogan = writing.check(sample_text("a_weak_slogan.md"))
    assert slogan.moral_framing
    assert any("principle" in hint for hint in slogan.hints)
    no_decision = writing.check("Open models and closed models both have pros and cons. " * 10)
    assert any(hint.startswith("Say plainly what you recommend") for hint in no_decision.hints)


def test_keywords_alone_are_only_mentioned() -> None:
    result = writing.check(sample_text("b_weak_keywords.md"))
    assert [result.level(f) for f in ("data_sensitivity", "cost", "sovereignty")] == ["mentioned"] * 3
    assert any("mentioned only in passing" in hint for hint in result.hints)


@pytest.mark.parametrize("empty", ["", "   \n\n  ", None, "YOUR ANSWER HERE", b"", "\n\nYOUR ANSWER HERE\n"])
def test_empty_answers_say_there_is_nothing_yet(empty) -> None:
    result = writing.check(empty)
    assert result.words == 0 and result.factors_found == 0 and not result.is_attempt and not result.ready
    assert len(result.hints) == 1 and result.hints[0].startswith("Nothing to check")


def test_the_untouched_stub_is_recognised_as_such() -> None:
    assert writing.check("YOUR ANSWER HERE").placeholder_only
    assert "YOUR ANSWER HERE" in writing.check("YOUR ANSWER HERE").hints[0]


def test_huge_text_is_checked_whole_and_says_it_was_cut() -> None:
    huge = sample_text("a_good_closed.md") * 200  # 240 kB, past the analysed part; the benchmark times 24 MB
    assert len(huge) > 2 * textlib.ANALYSED_CHARS
    result = writing.check(huge, project="project_a")
    assert result.words == 200 * writing.check(sample_text("a_good_closed.md")).words
    assert result.truncated and any("Only the first" in hint for hint in result.hints)
    assert any("is long" in hint for hint in result.hints)
    assert result.factors_found == 5


@pytest.mark.parametrize("name", ["de_good.md", "zh_answer.md"])
def test_non_english_text_gets_a_clear_note(name: str) -> None:
    result = writing.check(sample_text(name))
    assert not result.english
    assert result.words > 50, "words are counted in any script (Chinese character by character)"
    assert result.paragraphs == 2
    assert result.hints[0].startswith("This does not look like English")


def test_english_answers_are_not_called_foreign() -> None:
    for sample in SAMPLES:
        if sample["quality"] in ("good", "weak"):
            assert writing.check(sample_text(sample["file"])).english, sample["file"]


@pytest.mark.parametrize(
    "odd",
    [
        "\x00\x01\x02" * 1000,
        "💥" * 5000,
        "$$$ ** ## >>> ```",
        "a" * 200_000,
        b"\xff\xfe invalid utf-8 \xc3",
        ["a list of ", "source lines\n"],
        12345,
    ],
)
def test_odd_input_never_crashes(odd) -> None:
    result = writing.check(odd)
    assert isinstance(result.words, int) and isinstance(result.hints, list)
    assert "Structure check" in str(result) and "wb-writing-check" in result._repr_html_()


def test_the_report_escapes_the_learners_text() -> None:
    result = writing.check("<script>alert(1)</script> I recommend an API because cost matters. " * 5)
    assert "<script>" not in result._repr_html_()


def test_unknown_part_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="part must be one of"):
        writing.check("text", part="conclusion")


def test_check_project_reads_the_two_cells_as_one_answer() -> None:
    first, second = sample_text("a_good_closed.md").split("\n\n")
    result = writing.check_project(first, second, project="project_a")
    assert result.paragraphs == 2 and result.ready
    untouched = writing.check_project("YOUR ANSWER HERE", "YOUR ANSWER HERE", project="project_a")
    assert untouched.words == 0 and not untouched.ready
