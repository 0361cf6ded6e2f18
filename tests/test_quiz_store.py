"""The answer store: format, atomic writes, nothing lost between kernels, corrupt files kept aside, and a
writer killed with SIGKILL never leaves a broken file."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import textwrap
import time
from datetime import datetime
from pathlib import Path

import pytest

from workbook.core.answer_store import AnswerStore, CorruptStoreError


def test_round_trip_and_file_format(tmp_path):
    store = AnswerStore(tmp_path / "01_intro.answers.json")
    store.save("single_q", "open_weights")
    store.save("several_q", ["zeta", "alpha"])
    store.save("matching_q", {"term_a": "def_b"})

    assert store.load() == {
        "single_q": "open_weights",
        "several_q": ["alpha", "zeta"],
        "matching_q": {"term_a": "def_b"},
    }
    data = json.loads((tmp_path / "01_intro.answers.json").read_text())
    assert data["schema_version"] == 1
    assert data["notebook"] == "01_intro"
    saved_at = datetime.fromisoformat(data["answers"]["single_q"]["saved_at"])
    assert saved_at.tzinfo is not None
    assert abs((datetime.now().astimezone() - saved_at).total_seconds()) < 60
    assert store.get("missing_q") is None


def test_file_is_readable_by_others(tmp_path):
    store = AnswerStore(tmp_path / "nb.answers.json")
    store.save("q", "a")
    assert stat.S_IMODE(os.stat(store.path).st_mode) == 0o644


def test_missing_file_means_nothing_answered(tmp_path):
    store = AnswerStore(tmp_path / "nb.answers.json")
    assert store.load() == {}
    assert store.get("q") is None
    assert store.recover() is None
    assert not store.path.exists()


@pytest.mark.parametrize("bad", [None, 3, "Has Spaces", ["a", "a"], {"term": 5}, [["nested"]]])
def test_bad_values_are_refused_and_the_file_is_untouched(tmp_path, bad):
    store = AnswerStore(tmp_path / "nb.answers.json")
    store.save("q", "a")
    before = store.path.read_bytes()
    with pytest.raises(ValueError):
        store.save("q", bad)
    assert store.path.read_bytes() == before


def test_two_kernels_on_one_notebook_lose_nothing(tmp_path):
    first = AnswerStore(tmp_path / "nb.answers.json")
    second = AnswerStore(tmp_path / "nb.answers.json")
    first.save("q1", "a")
    second.save("q2", "b")  # re-reads before writing: q1 stays
    first.save("q3", "c")
    assert AnswerStore(tmp_path / "nb.answers.json").load() == {"q1": "a", "q2": "b", "q3": "c"}


def test_two_notebooks_in_one_folder_keep_separate_files(tmp_path):
    AnswerStore(tmp_path / "01_a.answers.json").save("q", "x")
    AnswerStore(tmp_path / "02_b.answers.json").save("q", "y")
    assert AnswerStore(tmp_path / "01_a.answers.json").get("q") == "x"
    assert AnswerStore(tmp_path / "02_b.answers.json").get("q") == "y"


@pytest.mark.parametrize(
    "content",
    [
        b"{not json",
        b"\xff\xfe\x00garbage",
        b"[1, 2]",
        b'{"answers": {}}',
        b'{"schema_version": 99, "answers": {}}',
        b'{"schema_version": 1, "answers": []}',
        b"",
    ],
)
def test_corrupt_store_is_reported_then_kept_aside_byte_for_byte(tmp_path, content):
    path = tmp_path / "nb.answers.json"
    path.write_bytes(content)
    store = AnswerStore(path)
    with pytest.raises(CorruptStoreError, match="nb.answers.json is not a readable answer store"):
        store.load()

    result = store.save("q", "a")

    assert result.moved_aside is not None
    assert result.moved_aside.name.startswith("nb.answers.corrupt-")
    assert result.moved_aside.read_bytes() == content
    assert store.load() == {"q": "a"}


def test_a_second_corruption_never_overwrites_the_first_kept_file(tmp_path):
    path = tmp_path / "nb.answers.json"
    path.write_text("first broken")
    first = AnswerStore(path).recover()
    path.write_text("second broken")
    second = AnswerStore(path).recover()
    assert first != second
    assert first.read_text() == "first broken"
    assert second.read_text() == "second broken"


def test_tampered_record_is_skipped_but_kept_in_the_file(tmp_path):
    path = tmp_path / "nb.answers.json"
    path.write_text(json.dumps({"schema_version": 1, "answers": {"odd": {"value": 42}, "ok": {"value": "a"}}}))
    store = AnswerStore(path)
    assert store.load() == {"ok": "a"}
    store.save("new", "b")
    assert json.loads(path.read_text())["answers"]["odd"] == {"value": 42}


def test_failed_write_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    store = AnswerStore(tmp_path / "nb.answers.json")
    store.save("q", "first")
    before = store.path.read_bytes()

    def crash(*args, **kwargs):
        raise OSError("disk vanished")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="disk vanished"):
        store.save("q", "second")
    monkeypatch.undo()
    assert store.path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["nb.answers.json"]


def test_stale_temporaries_of_killed_writers_are_cleaned_up(tmp_path):
    stale = tmp_path / ".nb.answers.json.tmp-abc123"
    stale.write_text("half")
    old = time.time() - 3600
    os.utime(stale, (old, old))
    fresh = tmp_path / ".nb.answers.json.tmp-live"
    fresh.write_text("being written")
    AnswerStore(tmp_path / "nb.answers.json").save("q", "a")
    assert not stale.exists()
    assert fresh.exists()  # may belong to a live writer


WRITER = textwrap.dedent(
    """
    import sys
    from workbook.core.answer_store import AnswerStore

    store = AnswerStore(sys.argv[1])
    question = sys.argv[2]
    big = {f"term_{n}": f"definition_{n}" for n in range(200)}  # a larger file makes a torn write likelier
    store.save("bulk", big)
    for count in range(1, 10**9):
        store.save(question, f"v{count}")
        print(count, flush=True)
    """
)


def _start_writer(path: Path, question: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", WRITER, str(path), question], stdout=subprocess.PIPE, text=True)


@pytest.mark.parametrize("delay", [0.15, 0.3, 0.6])
def test_store_survives_sigkill_during_writes(tmp_path, delay):
    path = tmp_path / "nb.answers.json"
    writer = _start_writer(path, "q")
    last_reported = 0
    deadline = time.monotonic() + 30
    while last_reported < 20 and time.monotonic() < deadline:  # wait until it is writing in a loop
        last_reported = int(writer.stdout.readline())
    time.sleep(delay)
    writer.send_signal(signal.SIGKILL)
    writer.wait(timeout=10)
    for line in writer.stdout.read().split():
        last_reported = int(line)
    writer.stdout.close()
    assert writer.returncode == -signal.SIGKILL

    answers = AnswerStore(path).load()  # parses: no torn file
    written = int(answers["q"].removeprefix("v"))
    # the last reported write is on disk; at most one more finished between its print and the kill
    assert last_reported <= written <= last_reported + 1
    assert len(answers["bulk"]) == 200


def test_two_processes_writing_at_once_lose_no_answer(tmp_path):
    path = tmp_path / "nb.answers.json"
    writers = [_start_writer(path, question) for question in ("left", "right")]
    counts = {}
    deadline = time.monotonic() + 30
    for question, writer in zip(("left", "right"), writers, strict=True):
        count = 0
        while count < 150 and time.monotonic() < deadline:
            count = int(writer.stdout.readline())
        counts[question] = count
    for writer in writers:
        writer.send_signal(signal.SIGSTOP)  # freeze both, then read what they reported
    for question, writer in zip(("left", "right"), writers, strict=True):
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=10)
        for line in writer.stdout.read().split():
            counts[question] = int(line)
        writer.stdout.close()
    answers = AnswerStore(path).load()
    for question in ("left", "right"):
        written = int(answers[question].removeprefix("v"))
        assert counts[question] <= written <= counts[question] + 1
