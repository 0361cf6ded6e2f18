"""Messages shown in the notebook itself (not in a log nobody reads), without importing ipywidgets."""

from __future__ import annotations

import html


def moved_store_text(store_name: str, moved_name: str) -> str:
    """Plain-text message for a store that could not be read and was kept aside."""
    return (
        f"Your quiz answer file {store_name} could not be read, so it was kept aside as {moved_name} "
        "(nothing was deleted) and a new answer file was started. Answer the questions below again; "
        "if you think answers are missing, tell your instructor and mention that file."
    )


def display_store_message(store_name: str, moved_name: str) -> None:
    """Display the kept-aside message in the cell's output (text and HTML: every frontend shows it)."""
    from IPython.display import display  # only on this rare path: keeps `import workbook.quiz` light

    text = moved_store_text(store_name, moved_name)
    markup = (
        '<div class="wb-quiz-store-message" role="alert" '
        'style="border-left: 4px solid var(--jp-warn-color1); '
        'padding: 4px 8px; color: var(--jp-content-font-color1); background: var(--jp-layout-color1)">'
        f"<strong>⚠ Quiz answers:</strong> {html.escape(text)}</div>"
    )
    display({"text/plain": "⚠ Quiz answers: " + text, "text/html": markup}, raw=True)


def display_plain(text: str, css_class: str) -> None:
    """Show a plain note in the cell's output instead of a traceback (text and HTML, every frontend shows it)."""
    from IPython.display import display

    markup = (
        f'<div class="wb-note {html.escape(css_class)}" role="note" '
        'style="border-left: 4px solid var(--jp-info-color1, #0288d1); padding: 4px 8px; '
        'color: var(--jp-content-font-color1); background: var(--jp-layout-color1)">'
        f"{html.escape(text)}</div>"
    )
    display({"text/plain": text, "text/html": markup}, raw=True)
