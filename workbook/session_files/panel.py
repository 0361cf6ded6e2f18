"""The "Keep your work" panel of the start page: a Save my work button and a Restore button (ipywidgets).

Imported only when a person is looking (never under nbgrader). The panel works on the folder the kernel runs in,
which is the notebooks' folder. Stable ``wb-session-*`` CSS classes let tests find its parts.
"""

from __future__ import annotations

import base64
import html
from pathlib import Path

import ipywidgets as widgets

from workbook.core.widgets import html_widget as _html
from workbook.session_files.bundle import BundleError, restore_bundle, save_bundle

# Above this a data: link gets slow in the browser; the learner downloads the file from the file browser instead.
MAX_LINK_BYTES = 25 * 1024 * 1024


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _message(kind: str, title: str, lines: list[str]) -> str:
    """A status box: ``kind`` is ok, warn or error; said in words as well as by its border colour."""
    items = "".join(f"<li>{_esc(line)}</li>" for line in lines)
    role = "alert" if kind == "error" else "status"
    return (
        f'<div class="wb-session-message wb-session-{kind}" role="{role}"><strong>{_esc(title)}</strong>'
        f"<ul>{items}</ul></div>"
    )


STYLE = """<style>
.wb-session { border: 1px solid var(--jp-border-color1); border-radius: 4px; padding: 8px 12px; max-width: 64em;
  color: var(--jp-content-font-color1); background: var(--jp-layout-color0); }
.wb-session .wb-session-message { border-left: 4px solid var(--jp-border-color1); padding: 2px 8px; margin: 6px 0;
  white-space: normal; line-height: 1.5; }
.wb-session .wb-session-ok { border-left-color: var(--jp-success-color1); }
.wb-session .wb-session-warn { border-left-color: var(--jp-warn-color1); }
.wb-session .wb-session-error { border-left-color: var(--jp-error-color1); }
.wb-session .wb-session-message ul { margin: 4px 0; padding-left: 20px; }
.wb-session a.wb-session-download { font-weight: 600; color: var(--jp-content-link-color); }
.wb-session .jupyter-widget-html-content, .wb-session .widget-html-content { white-space: normal; line-height: 1.5; }
</style>"""


class SessionPanel:
    """Save my work (a zip beside the notebooks, offered as a download) and Restore (from such a zip)."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.save_button = widgets.Button(
            description="Save my work",
            icon="download",
            tooltip="Put all notebooks and quiz answers of this folder in one zip",
        )
        self.save_button.add_class("wb-session-save")
        self.save_result = _html("wb-session-save-result")
        self.upload = widgets.FileUpload(
            accept=".zip", multiple=False, description="Choose a bundle", layout=widgets.Layout(width="auto")
        )
        self.upload.add_class("wb-session-upload")
        self.restore_button = widgets.Button(
            description="Restore", icon="upload", disabled=True, tooltip="Put back the files of the chosen my-work zip"
        )
        self.restore_button.add_class("wb-session-restore")
        self.restore_result = _html("wb-session-restore-result")
        self.save_button.on_click(lambda _button: self.save())
        self.restore_button.on_click(lambda _button: self.restore())
        self.upload.observe(self._chosen, names="value")
        self.widget = widgets.VBox(
            [
                _html("wb-session-style", STYLE),
                _html(
                    "wb-session-intro",
                    "<strong>Save</strong> puts every notebook and quiz answer file of this "
                    "folder into one zip and offers it as a download. <strong>Restore</strong> puts the files of "
                    "such a zip back; anything it replaces is copied to a backup folder first.",
                ),
                widgets.HBox([self.save_button]),
                self.save_result,
                widgets.HBox([self.upload, self.restore_button]),
                self.restore_result,
            ]
        )
        self.widget.add_class("wb-session")

    # -- save ----------------------------------------------------------------------------------------------

    def save(self) -> None:
        """Write the bundle and show a download link (or say clearly why not)."""
        try:
            saved = save_bundle(self.folder)
        except (OSError, ValueError) as error:
            self.save_result.value = _message(
                "error",
                "Not saved.",
                [
                    f"{type(error).__name__}: {error}",
                    "Your files are untouched. You can still download each notebook with File > Download.",
                ],
            )
            return
        size = saved.size_bytes
        clock = saved.created.strftime("%H:%M:%S")
        lines = [
            f"{len(saved.files)} file(s) at {clock}: {', '.join(saved.files)}.",
            "Only what is saved on disk goes in: save open notebooks first (Ctrl+S); quiz answers are always "
            "saved the moment you click.",
            f"The zip is also in the file browser, in this folder: {saved.path.name}.",
        ]
        link = ""
        if size <= MAX_LINK_BYTES:
            encoded = base64.b64encode(saved.path.read_bytes()).decode("ascii")
            link = (
                f'<p><a class="wb-session-download" download="{_esc(saved.path.name)}" '
                f'href="data:application/zip;base64,{encoded}">⬇ Download {_esc(saved.path.name)} '
                f"({size / 1024:.0f} KB)</a> and keep it somewhere safe.</p>"
            )
        else:
            lines.append(
                "It is too large for a download link: in the file browser, right-click it and choose Download."
            )
        self.save_result.value = _message("ok", "Saved your work into one zip.", lines) + link

    # -- restore -------------------------------------------------------------------------------------------

    def _chosen(self, change: dict) -> None:
        files = change["new"]
        if not files:
            self.restore_button.disabled = True
            return
        chosen = files[0]
        self.restore_button.disabled = False
        self.restore_result.value = _message(
            "warn",
            f"Chosen: {chosen['name']} ({chosen['size'] / 1024:.0f} KB).",
            [
                "Click Restore to put its notebooks and answer files back into this folder.",
                "Files it would replace are copied to a backup folder first.",
            ],
        )

    def restore(self) -> None:
        """Restore the chosen bundle and report what happened, file by file."""
        if not self.upload.value:
            self.restore_result.value = _message("error", "Choose a my-work zip first.", [])
            return
        chosen = self.upload.value[0]
        self.restore_result.value = restore_message(self.folder, chosen["name"], bytes(chosen["content"]))
        self.upload.value = ()
        self.restore_button.disabled = True


def restore_message(folder: Path, name: str, data: bytes) -> str:
    """Restore ``data`` into ``folder`` and return the message for the learner (never raises on a bad zip)."""
    try:
        report = restore_bundle(folder, data)
    except BundleError as error:
        return _message("error", f"{name} was not restored; nothing was changed.", error.problems)
    except OSError as error:
        return _message(
            "error",
            f"{name} could not be fully restored.",
            [
                f"{type(error).__name__}: {error}",
                "Files it had replaced are in the backup-before-restore folder; nothing was deleted.",
            ],
        )
    lines = report.lines()
    if report.added or report.replaced:
        lines.append(
            "If one of these notebooks is open in a tab, use File > Reload Notebook from Disk there "
            "(or close and reopen it), then run its cells again to see your quiz answers."
        )
        return _message("warn" if report.newer_on_disk else "ok", f"Restored {name}.", lines)
    return _message("ok", f"Nothing to do: every file in {name} is already here, unchanged.", lines)


def panel(folder: str | Path | None = None) -> SessionPanel | None:
    """Display the Save my work / Restore panel for ``folder`` (default: the notebook's folder).

    Under nbgrader (autograde, validate) it shows nothing and returns None.
    """
    from IPython.display import display

    view = SessionPanel(Path(folder) if folder is not None else Path.cwd())
    bundle = view.widget._repr_mimebundle_() or {}
    bundle["text/plain"] = "Save my work / Restore: open this notebook in JupyterLab to use these buttons."
    display(bundle, raw=True)
    return view
