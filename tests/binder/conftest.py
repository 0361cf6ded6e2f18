"""Fixtures of the new-user (Binder) test: the Binder-like environment, its JupyterLab, and Debian's chromium."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.binder.binder_env import BinderEnv, binder_env
from tests.binder.binder_lab import start_lab
from tests.labkit import JupyterServer, stop_server


@pytest.fixture(scope="session")
def binder() -> BinderEnv:
    return binder_env()


@pytest.fixture(scope="module")
def lab(binder: BinderEnv, tmp_path_factory) -> Iterator[JupyterServer]:
    server = start_lab(binder, tmp_path_factory.mktemp("binder-lab"))
    yield server
    stop_server(server)


@pytest.fixture
def browser(chromium):
    return chromium
