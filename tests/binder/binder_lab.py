"""JupyterLab of the Binder-like environment, started and opened the way Binder does it."""

from __future__ import annotations

from pathlib import Path

from tests.binder.binder_env import BinderEnv, clean_env, launch_paths
from tests.labkit import JupyterServer, start_server


def launch_url(lab: JupyterServer, path: str | None = None) -> str:
    """The URL the README's Binder launch link opens (``urlpath=lab/tree/<path>``), with this server's token."""
    return f"{lab.url}/lab/tree/{path or launch_paths()[0]}?token={lab.token}"


def start_lab(env: BinderEnv, base: Path) -> JupyterServer:
    """``jupyter lab`` of the Binder venv in the repository copy, as Binder starts it (loopback, not 0.0.0.0).

    No quiet settings here: postBuild must be what keeps JupyterLab's news popup away.
    """
    return start_server(base, "lab", root=env.repo, jupyter=[str(env.bin / "jupyter")], env=clean_env(base, env.venv))
