"""The one helper for the HTML widgets the quiz, writing and session-file panels are built from."""

from __future__ import annotations

from typing import Any


def html_widget(css_class: str, value: str = "") -> Any:
    """An ``ipywidgets.HTML`` showing ``value`` with ``css_class`` (ipywidgets is imported here, on first use)."""
    import ipywidgets as widgets

    widget = widgets.HTML(value=value)
    widget.add_class(css_class)
    return widget
