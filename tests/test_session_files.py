"""Save my work / Restore: a learner's notebooks and quiz answers survive a temporary session, and a bad or
unexpected zip never costs them anything."""

from __future__ import annotations

import base64
import io
import json
import os
import re
import subprocess
import sys
import zipfile
from datetime import datetime, timedelta
from pathlib import Path

import nbformat
import pytest

from workbook.core.answer_store import AnswerStore
from workbook.session_files import bundle as bundle_module
from workbook.session_files import restore_bundle, save_bundle
from workbook.session_files.bundle import BundleError, read_bundle


def notebook_bytes(text: str) -> bytes:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(text)])
    return nbformat.writes(nb).encode()


@pytest.fixture
def work(tmp_path: Path) -> Path:
    """A learner's notebooks folder after some work: two notebooks, one answer store, and clutter."""
    folder = tmp_path / "notebooks"
    folder.mkdir()
    (folder / "01_what_open_means.ipynb").write_bytes(notebook_bytes("my notes on lesson 1"))
    (folder / "02_case_for_open.ipynb").write_bytes(notebook_bytes("lesson 2, untouched"))
    store = AnswerStore(folder / "01_what_open_means.answers.json")
    store.save("four_questions_check", "licence")
    store.save("terms_match", {"weights": "download"})
    (folder / ".ipynb_checkpoints").mkdir()
    (folder / ".ipynb_checkpoints" / "01_what_open_means-checkpoint.ipynb").write_bytes(notebook_bytes("old"))
    (folder / "scratch.py").write_text("print('not course work')\n")
    return folder


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` with its content, to prove that nothing changed."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def zip_of(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


# -- saving --------------------------------------------------------------------------------------------------


def test_save_bundles_notebooks_and_answer_stores_beside_them(work: Path) -> None:
    saved = save_bundle(work, created=datetime(2025, 3, 14, 15, 9, 26))
    assert saved.path.parent == work
    assert re.fullmatch(r"my-work-2025-03-14-150926\.zip", saved.path.name)
    with zipfile.ZipFile(saved.path) as archive:
        names = set(archive.namelist())
        assert names == {
            "01_what_open_means.ipynb",
            "02_case_for_open.ipynb",
            "01_what_open_means.answers.json",
            "my-work.json",
        }
        for name in names - {"my-work.json"}:
            assert archive.read(name) == (work / name).read_bytes()
        manifest = json.loads(archive.read("my-work.json"))
    assert manifest["format"] == "workbook-my-work"
    assert set(manifest["files"]) == names - {"my-work.json"}
    assert os.stat(saved.path).st_mode & 0o044 == 0o044, "the zip must be readable, like the notebooks"


def test_saving_twice_in_one_second_keeps_both_zips(work: Path) -> None:
    moment = datetime(2025, 3, 14, 15, 9, 26)
    first, second = save_bundle(work, created=moment), save_bundle(work, created=moment)
    assert first.path != second.path and first.path.exists() and second.path.exists()
    with zipfile.ZipFile(second.path) as archive:
        assert not any(name.endswith(".zip") for name in archive.namelist()), "a bundle must not hold bundles"


def test_saving_an_empty_folder_says_there_is_nothing_to_save(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no notebooks or answer files"):
        save_bundle(tmp_path)
    assert list(tmp_path.iterdir()) == []


# -- restoring -----------------------------------------------------------------------------------------------


def test_a_new_session_gets_notebooks_and_quiz_answers_back(work: Path, tmp_path: Path) -> None:
    data = save_bundle(work).path.read_bytes()
    fresh = tmp_path / "next_week"
    fresh.mkdir()
    report = restore_bundle(fresh, data)
    assert sorted(report.added) == [
        "01_what_open_means.answers.json",
        "01_what_open_means.ipynb",
        "02_case_for_open.ipynb",
    ]
    assert report.replaced == [] and report.backup_folder is None
    assert (fresh / "01_what_open_means.ipynb").read_bytes() == (work / "01_what_open_means.ipynb").read_bytes()
    answers = AnswerStore(fresh / "01_what_open_means.answers.json").load()
    assert answers == {"four_questions_check": "licence", "terms_match": {"weights": "download"}}


def test_restore_over_a_fresh_copy_backs_up_what_it_replaces(work: Path, tmp_path: Path) -> None:
    data = save_bundle(work).path.read_bytes()
    binder = tmp_path / "binder"
    binder.mkdir()
    pristine = notebook_bytes("the course's own, unanswered copy")
    (binder / "01_what_open_means.ipynb").write_bytes(pristine)
    (binder / "02_case_for_open.ipynb").write_bytes((work / "02_case_for_open.ipynb").read_bytes())
    report = restore_bundle(binder, data, now=datetime(2025, 3, 21, 9, 0, 0))
    assert report.replaced == ["01_what_open_means.ipynb"]
    assert report.unchanged == ["02_case_for_open.ipynb"]
    assert report.added == ["01_what_open_means.answers.json"]
    assert report.backup_folder == binder / "backup-before-restore-2025-03-21-090000"
    assert (report.backup_folder / "01_what_open_means.ipynb").read_bytes() == pristine
    assert sorted(p.name for p in report.backup_folder.iterdir()) == ["01_what_open_means.ipynb"]
    assert "my notes on lesson 1" in (binder / "01_what_open_means.ipynb").read_text()
    text = " ".join(report.lines())
    assert "backup-before-restore-2025-03-21-090000/" in text and "nothing was deleted" in text


def test_work_newer_than_the_bundle_is_kept_and_pointed_out(work: Path) -> None:
    data = save_bundle(work).path.read_bytes()
    later = notebook_bytes("I kept working after saving the zip")
    target = work / "01_what_open_means.ipynb"
    target.write_bytes(later)
    in_an_hour = (datetime.now() + timedelta(hours=1)).timestamp()
    os.utime(target, (in_an_hour, in_an_hour))
    report = restore_bundle(work, data)
    assert report.newer_on_disk == ["01_what_open_means.ipynb"]
    assert (report.backup_folder / "01_what_open_means.ipynb").read_bytes() == later
    assert any("changed after the bundle was made" in line for line in report.lines())


def test_restoring_an_identical_bundle_changes_nothing(work: Path) -> None:
    data = save_bundle(work).path.read_bytes()
    before = snapshot(work)
    report = restore_bundle(work, data)
    assert report.added == report.replaced == []
    assert len(report.unchanged) == 3
    assert snapshot(work) == before, "no backup folder, no rewrite"


def test_a_zip_made_by_hand_of_the_notebooks_folder_is_accepted(work: Path, tmp_path: Path) -> None:
    data = zip_of({f"notebooks/{p.name}": p.read_bytes() for p in work.glob("*.ipynb")})
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    report = restore_bundle(fresh, data)
    assert sorted(report.added) == ["01_what_open_means.ipynb", "02_case_for_open.ipynb"]


GOOD_NB = notebook_bytes("fine")
BAD_ZIPS = {
    "not a zip": (b"PK\x03\x04 this is not really a zip", "not a zip file"),
    "a photo": (b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "not a zip file"),
    "path outside the folder": (zip_of({"../01_what_open_means.ipynb": GOOD_NB}), "not notebooks or answer files"),
    "absolute path": (zip_of({"/etc/01_x.ipynb": GOOD_NB}), "not notebooks or answer files"),
    "other files": (zip_of({"01_x.ipynb": GOOD_NB, "run_me.py": b"import os"}), "run_me.py"),
    "broken notebook": (zip_of({"01_x.ipynb": b"{not json"}), "01_x.ipynb is not a readable notebook"),
    "json that is no notebook": (zip_of({"01_x.ipynb": b'{"hello": 1}'}), "01_x.ipynb is not a Jupyter notebook"),
    "foreign answer file": (
        zip_of({"01_x.answers.json": b'{"schema_version": 99, "answers": {}}'}),
        "01_x.answers.json is not an answer file this workbook can read",
    ),
    "empty zip": (zip_of({}), "no notebooks and no answer files"),
    "only a manifest": (zip_of({"my-work.json": b"{}"}), "no notebooks and no answer files"),
}


@pytest.mark.parametrize("case", BAD_ZIPS, ids=list(BAD_ZIPS))
def test_a_bad_zip_is_refused_with_a_reason_and_nothing_changes(work: Path, case: str) -> None:
    data, reason = BAD_ZIPS[case]
    before = snapshot(work)
    with pytest.raises(BundleError) as refused:
        restore_bundle(work, data)
    assert reason in str(refused.value)
    assert "nothing was changed" in str(refused.value)
    assert snapshot(work) == before


def test_one_bad_file_refuses_the_whole_bundle(work: Path) -> None:
    good = save_bundle(work).path.read_bytes()
    with zipfile.ZipFile(io.BytesIO(good)) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    members["02_case_for_open.ipynb"] = b"\x00\x01 garbage"
    (work / "01_what_open_means.ipynb").write_bytes(notebook_bytes("changed since"))
    before = snapshot(work)
    with pytest.raises(BundleError, match="02_case_for_open.ipynb is not a readable notebook"):
        restore_bundle(work, zip_of(members))
    assert snapshot(work) == before, "the good files of a bad bundle must not be restored either"


def test_a_truncated_download_is_refused(work: Path) -> None:
    data = save_bundle(work).path.read_bytes()
    before = snapshot(work)
    with pytest.raises(BundleError):
        restore_bundle(work, data[: len(data) // 2])
    assert snapshot(work) == before


def test_a_zip_bomb_is_refused_before_unpacking(work: Path, monkeypatch) -> None:
    monkeypatch.setattr(bundle_module, "MAX_TOTAL_BYTES", 10_000)
    data = zip_of({"01_x.ipynb": b" " * 50_000})
    with pytest.raises(BundleError, match="MB"):
        read_bundle(data)


def test_a_disk_error_midway_loses_nothing(work: Path, tmp_path: Path, monkeypatch) -> None:
    data = save_bundle(work).path.read_bytes()
    target = tmp_path / "target"
    target.mkdir()
    originals = {
        name: notebook_bytes(f"current {name}") for name in ("01_what_open_means.ipynb", "02_case_for_open.ipynb")
    }
    for name, content in originals.items():
        (target / name).write_bytes(content)
    real_write, calls = bundle_module.write_atomically, []

    def disk_full_on_second_write(path: Path, content: bytes) -> None:
        calls.append(path.name)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        real_write(path, content)

    monkeypatch.setattr(bundle_module, "write_atomically", disk_full_on_second_write)
    with pytest.raises(OSError, match="No space left"):
        restore_bundle(target, data)
    backups = list(target.glob("backup-before-restore-*"))
    assert len(backups) == 1
    for name, content in originals.items():
        kept = [(target / name).read_bytes(), (backups[0] / name).read_bytes()]
        assert content in kept, f"the learner's {name} was lost"


# -- the panel on the start page -------------------------------------------------------------------------------


def test_save_button_offers_the_zip_as_a_download(work: Path) -> None:
    from workbook.session_files.panel import SessionPanel

    view = SessionPanel(work)
    view.save_button.click()
    shown = view.save_result.value
    assert "Saved your work into one zip" in shown
    link = re.search(
        r'<a class="wb-session-download" download="(my-work-[\d-]+\.zip)" '
        r'href="data:application/zip;base64,([A-Za-z0-9+/=]+)"',
        shown,
    )
    assert link, shown
    downloaded = base64.b64decode(link.group(2))
    assert downloaded == (work / link.group(1)).read_bytes()
    with zipfile.ZipFile(io.BytesIO(downloaded)) as archive:
        assert "01_what_open_means.answers.json" in archive.namelist()


def test_save_button_explains_a_failure(tmp_path: Path) -> None:
    from workbook.session_files.panel import SessionPanel

    view = SessionPanel(tmp_path)
    view.save_button.click()
    assert "Not saved." in view.save_result.value
    assert "no notebooks or answer files" in view.save_result.value


def upload(view, name: str, data: bytes) -> None:
    """Choose a file in the FileUpload widget, as the browser reports it to the kernel."""
    view.upload.value = (
        {
            "name": name,
            "type": "application/zip",
            "size": len(data),
            "content": memoryview(data),
            "last_modified": datetime(2025, 3, 14, 15, 9),
        },
    )


def test_restore_needs_a_chosen_file_then_reports_file_by_file(work: Path, tmp_path: Path) -> None:
    from workbook.session_files.panel import SessionPanel

    data = save_bundle(work).path.read_bytes()
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    (fresh / "01_what_open_means.ipynb").write_bytes(notebook_bytes("pristine"))
    view = SessionPanel(fresh)
    assert view.restore_button.disabled, "Restore must wait until a zip is chosen"
    upload(view, "my-work-2025.zip", data)
    assert not view.restore_button.disabled
    assert "Click Restore" in view.restore_result.value
    view.restore_button.click()
    shown = view.restore_result.value
    assert "Restored my-work-2025.zip" in shown
    assert "Replaced 1 file(s): 01_what_open_means.ipynb" in shown
    assert "backup-before-restore-" in shown
    assert "Reload Notebook from Disk" in shown
    assert view.restore_button.disabled and view.upload.value == ()
    assert AnswerStore(fresh / "01_what_open_means.answers.json").get("four_questions_check") == "licence"


def test_restore_of_a_wrong_file_says_so_in_the_notebook(work: Path) -> None:
    from workbook.session_files.panel import SessionPanel

    before = snapshot(work)
    view = SessionPanel(work)
    upload(view, "holiday.zip", zip_of({"beach.jpg": b"\xff\xd8"}))
    view.restore_button.click()
    shown = view.restore_result.value
    assert "holiday.zip was not restored; nothing was changed." in shown
    assert "beach.jpg" in shown and 'role="alert"' in shown
    assert snapshot(work) == before


def test_under_nbgrader_the_panel_shows_nothing_and_stays_light(tmp_path: Path) -> None:
    code = "import sys\nfrom workbook import session_files\nsession_files.show()\nprint('ipywidgets' in sys.modules)"
    env = {**os.environ, "NBGRADER_EXECUTION": "autograde"}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"
    assert result.stderr == ""
