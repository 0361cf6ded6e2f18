"""The licence table (workbook/data/licences.csv) and its loader, as lesson 1's learners meet them."""

from __future__ import annotations

import csv
import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from workbook.data import LICENCES_CSV, load_licences

EXPECTED_COLUMNS = [
    "model",
    "family",
    "developer",
    "licence",
    "licence_type",
    "weights_downloadable",
    "run_on_own_hardware",
    "modify_and_redistribute",
    "commercial_use",
    "mau_limit",
    "use_policy",
    "data_published",
    "restrictions",
    "source",
    "as_of",
]


@pytest.fixture(scope="module")
def licences():
    return load_licences()


def _rows() -> list[dict[str, str]]:
    with LICENCES_CSV.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _write(path: Path, rows: list[dict[str, str]], columns: list[str] | None = None) -> Path:
    columns = columns or list(rows[0])
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def _row_of(licences, model: str):
    matches = licences[licences["model"] == model]
    assert len(matches) == 1, f"expected exactly one row for {model!r}, found {len(matches)}"
    return matches.iloc[0]


# --- the shipped table ---


def test_table_has_the_documented_columns_and_types(licences):
    assert list(licences.columns) == EXPECTED_COLUMNS
    assert str(licences["mau_limit"].dtype) == "Int64"
    assert all(licences[column].dtype == "str" for column in EXPECTED_COLUMNS if column != "mau_limit")


def test_table_covers_at_least_twelve_families(licences):
    assert licences["family"].nunique() >= 12
    assert licences["model"].is_unique


def test_every_row_has_a_source_and_an_iso_as_of_date(licences):
    formats = {4: "%Y", 7: "%Y-%m", 10: "%Y-%m-%d"}
    for _, row in licences.iterrows():
        assert row["source"].strip(), f"{row['model']} has no source"
        as_of = row["as_of"]
        assert len(as_of) in formats, f"{row['model']}: as_of {as_of!r} is not YYYY, YYYY-MM or YYYY-MM-DD"
        parsed = dt.datetime.strptime(as_of, formats[len(as_of)])
        assert dt.datetime(2022, 1, 1) <= parsed <= dt.datetime(2026, 12, 31), f"{row['model']}: {as_of}"


def test_llama_rows_carry_the_700m_mau_clause(licences):
    for model in ["Llama 2", "Llama 3", "Llama 3.1", "Llama 3.2", "Llama 4"]:
        row = _row_of(licences, model)
        assert row["mau_limit"] == 700_000_000, model
        assert row["licence_type"] == "custom", model
        assert row["use_policy"] == "yes", model
    assert _row_of(licences, "Llama 3.1")["as_of"] == "2024-07-23"
    assert "EU" in _row_of(licences, "Llama 3.2")["restrictions"]


def test_qwen_scale_limit_and_licence_changes(licences):
    assert _row_of(licences, "Qwen2.5-72B")["mau_limit"] == 100_000_000
    assert _row_of(licences, "Qwen2.5-3B")["commercial_use"] == "no"
    qwen3 = _row_of(licences, "Qwen3")
    assert qwen3["licence"] == "Apache 2.0" and qwen3["as_of"] == "2025-04-29"


def test_olmo_is_apache_with_its_data_published_and_the_only_one(licences):
    olmo = _row_of(licences, "OLMo")
    assert olmo["licence"] == "Apache 2.0"
    assert olmo["data_published"] == "yes"
    assert licences.loc[licences["data_published"] == "yes", "model"].tolist() == ["OLMo"]


def test_non_commercial_and_non_production_licences(licences):
    assert _row_of(licences, "Codestral 22B")["licence_type"] == "non_production"
    for model in ["Codestral 22B", "Mistral Large 2407", "Command R", "Command R+", "Qwen2.5-3B"]:
        assert _row_of(licences, model)["commercial_use"] == "no", model
    small3 = _row_of(licences, "Mistral Small 3")
    assert (small3["licence"], small3["as_of"]) == ("Apache 2.0", "2025-01-30")


def test_permissive_rows_answer_every_sovereignty_question_without_conditions(licences):
    permissive = licences[licences["licence_type"] == "permissive"]
    assert set(permissive["licence"]) == {"Apache 2.0", "MIT"}
    questions = ["weights_downloadable", "run_on_own_hardware", "modify_and_redistribute", "commercial_use"]
    for column in questions:
        assert (permissive[column] == "yes").all(), column
    assert permissive["mau_limit"].isna().all()


def test_importing_workbook_data_does_not_import_pandas():
    probe = "import sys, workbook.data; sys.exit(1 if 'pandas' in sys.modules else 0)"
    assert subprocess.run([sys.executable, "-c", probe], check=False).returncode == 0


# --- the loader's checks ---


def test_missing_source_names_the_row(tmp_path):
    rows = _rows()
    rows[2]["source"] = "  "
    path = _write(tmp_path / "licences.csv", rows)
    with pytest.raises(ValueError, match=r"line 4 \(model 'Llama 3\.1'\): source is empty"):
        load_licences(path)


def test_missing_as_of_and_bad_dates_name_their_rows(tmp_path):
    rows = _rows()
    rows[0]["as_of"] = ""
    rows[5]["as_of"] = "2024-13-01"
    rows[6]["as_of"] = "last spring"
    path = _write(tmp_path / "licences.csv", rows)
    with pytest.raises(ValueError) as error:
        load_licences(path)
    message = str(error.value)
    assert "3 problem(s)" in message
    assert "line 2 (model 'Llama 2'): as_of is empty" in message
    assert f"line 7 (model {rows[5]['model']!r}): as_of '2024-13-01' is not a real calendar date" in message
    assert f"line 8 (model {rows[6]['model']!r}): as_of 'last spring' is not an ISO date" in message


def test_value_outside_the_vocabulary_is_refused_with_the_allowed_values(tmp_path):
    rows = _rows()
    rows[1]["commercial_use"] = "maybe"
    path = _write(tmp_path / "licences.csv", rows)
    expected = r"line 3 \(model 'Llama 3'\): commercial_use is 'maybe', expected one of"
    with pytest.raises(ValueError, match=expected):
        load_licences(path)


def test_mau_limit_must_be_a_whole_number(tmp_path):
    rows = _rows()
    rows[0]["mau_limit"] = "700M"
    path = _write(tmp_path / "licences.csv", rows)
    with pytest.raises(ValueError, match=r"line 2 \(model 'Llama 2'\): mau_limit is '700M'"):
        load_licences(path)


def test_missing_column_is_named(tmp_path):
    rows = _rows()
    columns = [column for column in rows[0] if column != "as_of"]
    path = _write(tmp_path / "licences.csv", rows, columns)
    with pytest.raises(ValueError, match=r"missing \['as_of'\]"):
        load_licences(path)


def test_repeated_model_is_refused(tmp_path):
    rows = _rows()
    rows.append(dict(rows[0]))
    path = _write(tmp_path / "licences.csv", rows)
    expected = rf"line {len(rows) + 1} \(model 'Llama 2'\): .*already appears on line 2"
    with pytest.raises(ValueError, match=expected):
        load_licences(path)


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="licence table not found"):
        load_licences(tmp_path / "nowhere.csv")


def test_loading_a_copy_gives_the_same_table(tmp_path, licences):
    path = _write(tmp_path / "licences.csv", _rows())
    copy = load_licences(path)
    assert copy.equals(licences)
