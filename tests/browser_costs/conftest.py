"""Fixtures for the cost panel's browser test: one private JupyterLab per module and a page in chromium."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from tests.browser_costs.labserver import start_lab
from tests.labkit import JupyterServer, stop_server


@pytest.fixture(scope="module")
def costs_lab(tmp_path_factory) -> Iterator[JupyterServer]:
    lab = start_lab(tmp_path_factory.mktemp("costs_lab"))
    yield lab
    stop_server(lab)


@pytest.fixture(scope="module")
def costs_page(chromium: Browser) -> Iterator[Page]:
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    yield page
    context.close()
