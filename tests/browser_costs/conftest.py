"""Fixtures for the cost panel's browser test: one private JupyterLab per module and Debian's chromium."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))  # labserver.py, shared with the benchmark

from labserver import CHROMIUM, CHROMIUM_ARGS, Lab, start_lab, stop_lab  # noqa: E402


@pytest.fixture(scope="module")
def costs_lab(tmp_path_factory) -> Iterator[Lab]:
    lab = start_lab(tmp_path_factory.mktemp("costs_lab"))
    yield lab
    stop_lab(lab)


@pytest.fixture(scope="module")
def costs_browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def costs_page(costs_browser: Browser) -> Iterator[Page]:
    context = costs_browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    yield page
    context.close()
