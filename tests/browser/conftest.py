"""Fixtures of the quiz browser tests: a real JupyterLab in a temp folder and a fresh page in Debian's chromium.

The server and page plumbing is shared with the other browser tests (``tests/labkit.py``).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from tests.labkit import JupyterServer, start_server, stop_server


@pytest.fixture(scope="module")
def lab(tmp_path_factory) -> Iterator[JupyterServer]:
    server = start_server(tmp_path_factory.mktemp("lab"), "lab")
    yield server
    stop_server(server)


@pytest.fixture(scope="module")
def page(chromium: Browser) -> Iterator[Page]:
    """One page per module: after the first test, notebooks open inside the JupyterLab already loaded."""
    context = chromium.new_context(viewport={"width": 1280, "height": 1000})
    opened = context.new_page()
    opened.on("dialog", lambda dialog: dialog.accept())  # "leave page?" on reload
    yield opened
    context.close()
