"""The Zero to JupyterHub values are valid for the chart and agree with the course and the other manifests."""

from __future__ import annotations

import copy
import functools
import re
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft7Validator

from tests.conftest import FIXTURES, REPO

Z2JH = REPO / "deploy" / "z2jh"
COURSE_ID = re.search(r'course_id = "([^"]+)"', (REPO / "nbgrader_config.py").read_text()).group(1)


@pytest.fixture(scope="module")
def validator() -> Draft7Validator:
    schema = load_yaml(FIXTURES / "z2jh" / "values.schema.yaml")
    Draft7Validator.check_schema(schema)
    return Draft7Validator(schema)


@pytest.fixture
def values() -> dict:
    return yaml.safe_load((Z2JH / "values.yaml").read_text())


def merged(defaults: dict, override: dict) -> dict:
    """What helm validates: the chart's defaults with ours on top (maps merge, null removes, the rest replaces)."""
    result = copy.deepcopy(defaults)
    for key, value in override.items():
        if value is None:
            result.pop(key, None)
        elif isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = merged(result[key], value)
        else:
            result[key] = copy.deepcopy(value)
    return result


@functools.cache
def load_yaml(path: Path) -> dict:
    return yaml.load(path.read_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def problems(validator: Draft7Validator, values: dict) -> list[str]:
    defaults = load_yaml(FIXTURES / "z2jh" / "chart-values.yaml")
    full = merged(defaults, values)
    return [f"{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(full)]


def test_the_charts_own_defaults_pass_its_schema(validator):
    assert problems(validator, {}) == []


def test_values_match_the_charts_published_schema(validator, values):
    assert problems(validator, values) == []


@pytest.mark.parametrize(
    "spoil",
    [
        lambda v: v["singleuser"]["memory"].update(limt="1G"),  # a typo in a key
        lambda v: v["singleuser"].update(memory="1G"),  # the wrong shape
        lambda v: v.update(hubb={}),  # an unknown section
        lambda v: v["singleuser"]["extraFiles"]["nbgrader-config"].pop("mountPath"),
    ],
)
def test_the_schema_check_catches_mistakes(validator, values, spoil):
    spoiled = copy.deepcopy(values)
    spoil(spoiled)
    assert problems(validator, spoiled)


def test_every_student_has_resource_limits_and_culling(values):
    user = values["singleuser"]
    assert user["memory"]["limit"] and user["memory"]["guarantee"]
    assert user["cpu"]["limit"] and user["cpu"]["guarantee"]
    assert user["storage"]["capacity"]
    assert values["cull"]["enabled"] and values["cull"]["timeout"] > 0


def test_exchange_and_formgrader_services_agree_with_their_manifests(values):
    services = values["hub"]["services"]
    assert set(services) == {"ngshare", COURSE_ID}
    ngshare = yaml.safe_load((Z2JH / "ngshare-values.yaml").read_text())
    assert ngshare["ngshare"]["hub_api_token"] == services["ngshare"]["api_token"]
    manifests = {doc["kind"]: doc for doc in yaml.safe_load_all((Z2JH / "formgrader.yaml").read_text())}
    service = manifests["Service"]
    assert services[COURSE_ID]["url"] == f"http://{service['metadata']['name']}:{service['spec']['ports'][0]['port']}"
    env = {e["name"]: e for e in manifests["Deployment"]["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert env["JUPYTERHUB_SERVICE_NAME"]["value"] == COURSE_ID
    assert env["JUPYTERHUB_SERVICE_PREFIX"]["value"] == f"/services/{COURSE_ID}/"
    roles = values["hub"]["loadRoles"]
    assert f"access:services!service={COURSE_ID}" in roles[f"formgrade-{COURSE_ID}"]["scopes"]
    assert "access:services!service=ngshare" in values["hub"]["config"]["Spawner"]["server_token_scopes"]


def test_students_and_grader_use_the_same_course_and_exchange(values):
    student_config = values["singleuser"]["extraFiles"]["nbgrader-config"]["stringData"]
    grader_config = next(
        doc for doc in yaml.safe_load_all((Z2JH / "formgrader.yaml").read_text()) if doc["kind"] == "ConfigMap"
    )["data"]["nbgrader_config.py"]
    for config in (student_config, grader_config):
        assert f'course_id = "{COURSE_ID}"' in config
        assert 'configureExchange(c, "http://ngshare:8080/services/ngshare")' in config
        compile(config, "nbgrader_config.py", "exec")  # valid Python
    disabled = values["singleuser"]["extraFiles"]["student-tools-only"]["data"]["disabledExtensions"]
    assert disabled["@jupyter/nbgrader:formgrader"] is True


def test_the_image_gets_the_student_requirements_and_never_the_keys():
    dockerfile = (Z2JH / "Dockerfile").read_text()
    copied = " ".join(line for line in dockerfile.splitlines() if line.startswith("COPY"))
    assert "requirements.txt" in copied and "workbook" in copied
    for secret in ("source", "questions", "gradebook"):
        assert secret not in copied
    assert Path(REPO / "requirements.txt").exists()
    assert "RUN python -m workbook.learnerlab --sys-prefix" in dockerfile, "kernels without the friendly messages"
