"""``python -m workbook.learnerlab FOLDER``: the private Jupyter settings ``make lab`` starts JupyterLab with.

Self-learners have no instructor and no nbgrader exchange, so, as Binder's ``postBuild`` does, nbgrader's
instructor and student tools (Formgrader, Create Assignment, Assignments, Courses, Validate) are hidden; and
kernels load ``workbook.friendly`` (plain messages for cells run out of order). Everything goes to ``FOLDER``
(``JUPYTER_CONFIG_DIR=FOLDER/jupyter``, ``IPYTHONDIR=FOLDER/ipython``), so the same virtual environment still
gives instructors nbgrader's tools when they run ``jupyter lab`` themselves.

``python -m workbook.learnerlab --sys-prefix`` writes only the kernel part into this environment (Binder).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from workbook.friendly import KERNEL_CONFIG

NBGRADER_LAB_EXTENSION = "@jupyter/nbgrader"
# Learners never rebuild JupyterLab: without this, every page load asks the server whether a build is due, and the
# server starts node twice to answer (about a second of CPU per page where node is installed, as on the hub).
NO_BUILD_CHECK = {"buildCheck": False, "buildAvailable": False}
NBGRADER_SERVER_EXTENSIONS = ("formgrader", "assignment_list", "course_list", "validate_assignment")


def prepare(folder: Path) -> dict[str, str]:
    """Write the settings into ``folder``; return the environment variables that select them."""
    jupyter, ipython = folder / "jupyter", folder / "ipython"
    (jupyter / "labconfig").mkdir(parents=True, exist_ok=True)
    (jupyter / "labconfig" / "page_config.json").write_text(
        json.dumps({"disabledExtensions": {NBGRADER_LAB_EXTENSION: True}, **NO_BUILD_CHECK}, indent=1) + "\n"
    )
    server = {f"nbgrader.server_extensions.{name}": False for name in NBGRADER_SERVER_EXTENSIONS}
    (jupyter / "jupyter_server_config.json").write_text(
        json.dumps({"ServerApp": {"jpserver_extensions": server}}, indent=1) + "\n"
    )
    profile = ipython / "profile_default"
    profile.mkdir(parents=True, exist_ok=True)
    (profile / "ipython_kernel_config.py").write_text(KERNEL_CONFIG)
    return {"JUPYTER_CONFIG_DIR": str(jupyter.resolve()), "IPYTHONDIR": str(ipython.resolve())}


def main(argv: list[str]) -> int:
    if argv == ["--sys-prefix"]:
        target = Path(sys.prefix) / "etc" / "ipython"
        target.mkdir(parents=True, exist_ok=True)
        (target / "ipython_kernel_config.py").write_text(KERNEL_CONFIG)
        return 0
    if len(argv) != 1 or argv[0].startswith("-"):
        print("usage: python -m workbook.learnerlab FOLDER  (or --sys-prefix)", file=sys.stderr)
        return 2
    for name, value in prepare(Path(argv[0])).items():
        print(f"{name}={value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
