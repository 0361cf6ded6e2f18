"""Fixtures of the new-user (Binder) test: the Binder-like environment, its JupyterLab, and Debian's chromium."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.binder.binder_env import BinderEnv, Lab, binder_env, start_lab, stop_lab

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]


@pytest.fixture(scope="session")
def binder() -> BinderEnv:
    return binder_env()


@pytest.fixture(scope="module")
def lab(binder: BinderEnv, tmp_path_factory) -> Iterator[Lab]:
    server = start_lab(binder, tmp_path_factory.mktemp("binder-lab"))
    yield server
    stop_lab(server)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield launched
        launched.close()
