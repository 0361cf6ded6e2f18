"""A throwaway PostgreSQL 15 server for the gradebook tests: its own data folder, port and password.

initdb and postgres refuse to run as root; as root the server runs as ``nobody`` (the data folder is handed
to it). It listens on 127.0.0.1 only, on a free port that is not 5432, with password authentication.
"""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

PG_BIN = Path("/usr/lib/postgresql/15/bin")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return port if port != 5432 else _free_port()


def _as_server_user(command: list[str], user: str | None, **kwargs) -> subprocess.CompletedProcess:
    full = ["runuser", "-u", user, "--", *command] if user else command
    return subprocess.run(full, capture_output=True, text=True, timeout=120, check=False, **kwargs)


@pytest.fixture(scope="session")
def postgres_url():
    """``postgresql+psycopg2://grader:<password>@127.0.0.1:<port>/gradebook`` of a fresh server."""
    assert (PG_BIN / "initdb").exists(), f"PostgreSQL 15 is not installed in {PG_BIN} (.ci/run installs it)"
    user = "nobody" if os.geteuid() == 0 else None
    home = Path(tempfile.mkdtemp(prefix="workbook-pg-"))
    password = secrets.token_hex(16)
    port = _free_port()
    (home / "password").write_text(password + "\n")
    if user:
        entry = pwd.getpwnam(user)
        for path in (home, home / "password"):
            os.chown(path, entry.pw_uid, entry.pw_gid)
    home.chmod(0o700)
    data, log = home / "data", home / "server.log"
    init = _as_server_user(
        [
            str(PG_BIN / "initdb"),
            "-D",
            str(data),
            "-U",
            "grader",
            "--auth=scram-sha-256",
            f"--pwfile={home / 'password'}",
            "--no-sync",
        ],
        user,
    )
    assert init.returncode == 0, init.stderr
    options = f"-p {port} -k {home} -c listen_addresses=127.0.0.1 -c fsync=off"
    started = _as_server_user(
        [str(PG_BIN / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(log), "-w", "start"], user
    )
    assert started.returncode == 0, started.stderr + (log.read_text() if log.exists() else "")
    try:
        env = {**os.environ, "PGPASSWORD": password}
        for _ in range(50):
            created = subprocess.run(
                [str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "grader", "gradebook"],
                capture_output=True,
                text=True,
                env=env,
                check=False,
            )
            if created.returncode == 0:
                break
            time.sleep(0.2)
        assert created.returncode == 0, created.stderr
        yield f"postgresql+psycopg2://grader:{password}@127.0.0.1:{port}/gradebook"
    finally:
        _as_server_user([str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"], user)
        shutil.rmtree(home, ignore_errors=True)
