"""``python -m workbook hub setup|start|add-student``: the course on a JupyterHub (run as root)."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import sys
from pathlib import Path

from workbook.hub.settings import HubError, HubSettings, load_settings
from workbook.hub.setup import add_students, require_root, setup, students

HUB_CONFIG = Path("deploy") / "hub" / "jupyterhub_config.py"
SETTINGS = Path("deploy") / "hub" / "course-hub.toml"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _port_taken(ip: str, port: int) -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((ip, port))
        except OSError:
            return True
    return False


def _checkout(root: Path | None) -> Path:
    from workbook.core.layout import find_course_root

    try:
        return find_course_root(root)
    except FileNotFoundError as error:
        raise HubError(f"{error} (hint: run from the course repository, or pass --root)") from error


def start(settings: HubSettings, checkout: Path) -> int:
    require_root()
    proxy = shutil.which("configurable-http-proxy")
    if not proxy:
        raise HubError(
            "configurable-http-proxy is not installed (hint: npm install -g configurable-http-proxy@5.3.0, "
            "or sudo apt-get install nodejs npm first)"
        )
    if _port_taken(settings.ip, settings.port):
        raise HubError(f"port {settings.port} on {settings.ip} is in use (hint: stop what runs there or pass --port)")
    setup(settings, checkout)
    if not students(settings):
        print(
            "note: no students yet; add them with python -m workbook hub add-student NAME "
            f"(they join the group {settings.student_group})"
        )
    state = json.loads(settings.state_file.read_text())
    state["ports"] = {"hub": _free_port(), "proxy_api": _free_port(), "formgrader": _free_port()}
    settings.state_file.write_text(json.dumps(state, indent=2))
    url = f"http://{settings.ip}:{settings.port}"
    print(f"course hub for {settings.course_id} at {url}/ (log in with a system account and password)")
    print(f"formgrader for {settings.grader}: {url}/services/{settings.course_id}/formgrader")
    sys.stdout.flush()
    env = dict(os.environ, WORKBOOK_HUB_STATE=str(settings.state_file))
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    config = checkout / HUB_CONFIG
    if not config.is_file():
        raise HubError(f"{config} is missing (hint: run from a full checkout of the course repository)")
    os.chdir(settings.private)
    os.execve(sys.executable, [sys.executable, "-m", "jupyterhub", "-f", str(config)], env)
    return 0  # not reached


def add_hub_parser(commands) -> None:
    """``python -m workbook hub ...`` on the main command line."""
    hub = commands.add_parser("hub", help="the course on a JupyterHub, one machine (run as root)", description=__doc__)
    config_help = f"hub settings (default: {SETTINGS})"
    hub.add_argument("--config", type=Path, default=None, help=config_help)
    actions = hub.add_subparsers(dest="action", required=True, metavar="ACTION")

    def action(name: str, help: str) -> argparse.ArgumentParser:
        parser = actions.add_parser(name, help=help)
        # also accepted after the action, where people type it: hub start --config FILE
        parser.add_argument("--config", type=Path, default=argparse.SUPPRESS, help=config_help)
        return parser

    start_parser = action("start", "set up what is missing, then run JupyterHub (foreground)")
    start_parser.add_argument("--port", type=int, default=None, help="port people connect to (default: settings)")
    start_parser.add_argument("--ip", default=None, help="address to listen on (default: settings)")
    setup_parser = action("setup", "accounts, exchange, course folder, config; no hub")
    setup_parser.add_argument(
        "--new-exchange", action="store_true", help="create an empty exchange even though the hub was set up before"
    )
    add = action("add-student", "create student accounts that may log in (one or a whole class)")
    add.add_argument("names", nargs="+", metavar="NAME")
    add.add_argument(
        "--password-stdin", action="store_true", help="read the passwords from stdin, one line per NAME, in order"
    )
    hub.set_defaults(run=_main)  # HubError becomes error + hint + verdict in workbook.cli.run_command


def _main(args: argparse.Namespace) -> int:
    overrides = {"port": getattr(args, "port", None), "ip": getattr(args, "ip", None)}
    if args.action == "start":
        require_root()
    checkout = _checkout(args.root)
    settings = load_settings(args.config or checkout / SETTINGS, **overrides)
    if args.action == "start":
        return start(settings, checkout)
    if args.action == "setup":
        setup(settings, checkout, new_exchange=args.new_exchange)
        print(f"course set up; start it with: sudo {sys.executable} -m workbook hub start")
        return 0
    if len(set(args.names)) != len(args.names):
        raise HubError("a name is given twice (hint: each student once)")
    passwords = dict.fromkeys(args.names) if not args.password_stdin else _passwords(args.names, sys.stdin)
    add_students(settings, passwords)
    if not args.password_stdin:
        print(
            f"set passwords with: sudo passwd NAME, for {', '.join(args.names)}  "
            "(or let a central login, e.g. LDAP or LTI, do it)"
        )
    return 0


def _passwords(names: list[str], lines) -> dict[str, str]:
    """One password per line of ``lines`` for each of ``names``, in order; all must be there and none empty."""
    given = [line.rstrip("\n") for line in lines]
    while given and not given[-1]:
        given.pop()
    if len(given) != len(names) or "" in given:
        raise HubError(
            f"{len(names)} student(s) but {len(given)} password line(s) on stdin, or an empty one "
            "(hint: one non-empty line per name, in the same order)"
        )
    return dict(zip(names, given, strict=True))


def run(args: argparse.Namespace) -> int:
    """Problems become one clear line and exit status 2, not a traceback."""
    try:
        return _main(args)
    except HubError as error:
        print(f"hub: {error}", file=sys.stderr)
        return 2
