"""The course hub's settings (``deploy/hub/course-hub.toml``) and the paths derived from them."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path

NAME = re.compile(r"^[a-z_][a-z0-9_-]{0,30}$")  # what useradd accepts everywhere, short enough for groups too


REQUIRED = ("course_id", "assignment", "grader", "student_group", "hub_dir", "home_base")


class HubError(Exception):
    """A problem the instructor can fix; the message says what and how, without a traceback."""


@dataclass(frozen=True)
class HubSettings:
    course_id: str
    assignment: str
    grader: str
    student_group: str
    hub_dir: Path
    home_base: Path
    ip: str = "127.0.0.1"
    port: int = 8000
    max_dir_kb: int = 50000
    max_file_kb: int = 20000

    # --- derived paths -------------------------------------------------------------------------------------------
    @property
    def exchange(self) -> Path:
        """nbgrader's exchange root (world-writable with the sticky bit, as nbgrader documents)."""
        return self.hub_dir / "exchange"

    @property
    def private(self) -> Path:
        """The hub's own database, cookie secret and log (root only)."""
        return self.hub_dir / "private"

    @property
    def student_config(self) -> Path:
        """JUPYTER_CONFIG_PATH of students' servers: exchange, course id, instructor tools off."""
        return self.hub_dir / "student-jupyter"

    @property
    def grader_config(self) -> Path:
        """JUPYTER_CONFIG_PATH of the formgrader service and of the grader's shell."""
        return self.hub_dir / "grader-jupyter"

    @property
    def state_file(self) -> Path:
        """What ``hub start`` hands to ``jupyterhub_config.py`` (settings plus the software's location)."""
        return self.hub_dir / "hub.json"

    def home(self, user: str) -> Path:
        return self.home_base / user

    @property
    def course_root(self) -> Path:
        """The grader's copy of the course: source/, release/, submitted/, gradebook (grader only)."""
        return self.home(self.grader) / self.course_id

    @property
    def formgrade_group(self) -> str:
        return f"formgrade-{self.course_id}"


def load_settings(path: Path, **overrides) -> HubSettings:
    """Read and check the settings file; ``overrides`` (not None) replace values from the file."""
    try:
        raw = tomllib.loads(Path(path).read_text())
    except FileNotFoundError as error:
        raise HubError(f"no hub settings file at {path} (hint: copy deploy/hub/course-hub.toml and edit it)") from error
    except tomllib.TOMLDecodeError as error:
        raise HubError(f"{path} is not valid TOML: {error}") from error
    raw.update({key: value for key, value in overrides.items() if value is not None})
    known = {f.name for f in fields(HubSettings)}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise HubError(f"{path}: unknown setting(s) {', '.join(unknown)} (known: {', '.join(sorted(known))})")
    missing = [name for name in REQUIRED if name not in raw]
    if missing:
        raise HubError(f"{path}: missing setting(s) {', '.join(missing)}")
    raw["hub_dir"] = Path(raw["hub_dir"]).resolve()
    raw["home_base"] = Path(raw["home_base"]).resolve()
    settings = HubSettings(**raw)
    for label in ("grader", "student_group"):
        value = getattr(settings, label)
        if not NAME.match(value):
            raise HubError(f"{label} = {value!r} is not a valid account or group name (lowercase, at most 31 chars)")
    # bool is an int to Python, and `port = true` is a typing slip, not port 1
    if type(settings.port) is not int or not 1 <= settings.port <= 65535:
        raise HubError(
            f"port = {settings.port!r} is not a port number (hint: a whole number from 1 to 65535, like 8000)"
        )
    for label in ("max_dir_kb", "max_file_kb"):
        value = getattr(settings, label)
        if type(value) is not int or value < 1:
            raise HubError(f"{label} = {value!r} is not a size (hint: a whole number of kilobytes, 1 or more)")
    if not isinstance(settings.ip, str) or not settings.ip:
        raise HubError(f"ip = {settings.ip!r} is not an address (hint: 127.0.0.1 behind a TLS proxy, 0.0.0.0 for all)")
    if not re.match(r"^[A-Za-z0-9_.-]+$", settings.course_id):
        raise HubError(f"course_id = {settings.course_id!r}: use letters, digits, '.', '_' and '-' only")
    return settings


def check_student_name(name: str) -> str:
    if not NAME.match(name):
        raise HubError(
            f"{name!r} is not a valid student account name "
            "(hint: start with a lowercase letter; then lowercase letters, digits, '-' or '_'; at most 31 characters)"
        )
    return name
