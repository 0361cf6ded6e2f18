"""JupyterHub configuration for one course on one machine. Started by `sudo python -m workbook hub start`.

It reads the state file that `hub start` writes (WORKBOOK_HUB_STATE): the settings of deploy/hub/course-hub.toml,
the Python that runs everything, and the ports chosen for this run. Nothing here needs editing for a class.

- Login: PAM (the machine's own accounts and passwords); only the grader and the students' Unix group may log in.
- Each student's server runs as that student's own account (LocalProcessSpawner), with the course's exchange and
  nbgrader's instructor tools turned off, and a kernel with plain messages for cells run out of order
  (JUPYTER_CONFIG_PATH and JUPYTER_PATH -> student-jupyter/).
- The formgrader is a hub service named after the course, running as the grader account in the course folder;
  only the grader may open it (role formgrade-<course>). It is served under this hub's own origin
  (/services/<course>/), so JupyterHub's rule against framing other origins does not get in its way.
"""

import json
import os
from pathlib import Path

c = get_config()  # noqa: F821

state = json.loads(Path(os.environ["WORKBOOK_HUB_STATE"]).read_text())
settings = state["settings"]
ports = state["ports"]
python_bin = Path(state["python"]).parent
course_id = settings["course_id"]
grader = settings["grader"]
hub_dir = Path(settings["hub_dir"])
private = hub_dir / "private"

# --- where the hub listens and keeps its own state -------------------------------------------------------------
c.JupyterHub.ip = settings["ip"]
c.JupyterHub.port = int(settings["port"])
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = ports["hub"]
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{ports['proxy_api']}"
c.ConfigurableHTTPProxy.pid_file = str(private / "proxy.pid")
c.JupyterHub.db_url = f"sqlite:///{private / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(private / "cookie_secret")
c.JupyterHub.pid_file = str(private / "hub.pid")
c.JupyterHub.cleanup_servers = True  # stopping the hub stops students' servers; their files stay

# --- who may log in: real accounts, real passwords --------------------------------------------------------------
c.JupyterHub.authenticator_class = "pam"
c.Authenticator.allowed_users = {grader}
c.LocalAuthenticator.allowed_groups = {settings["student_group"]}
c.LocalAuthenticator.create_system_users = False  # accounts come from `python -m workbook hub add-student`
c.Authenticator.admin_users = set()  # nobody needs the hub's admin powers to teach

# --- students' servers: their own account, their own home, the course's Jupyter config -------------------------
c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = [str(python_bin / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.notebook_dir = "~"
c.Spawner.start_timeout = 90
c.Spawner.http_timeout = 90
student_config = settings["hub_dir"] + "/student-jupyter"
c.Spawner.environment = {
    "JUPYTER_CONFIG_PATH": student_config,
    "JUPYTER_PATH": student_config,  # its kernels/python3: the course's kernel, with friendly messages
    "PATH": f"{python_bin}:/usr/local/bin:/usr/bin:/bin",
    "PYTHONWARNINGS": "ignore",
}
# A server's token may do what its owner may. nbgrader's Courses list reads the formgrader service's 'prefix', which
# the hub shows only to those allowed to read the service; with narrower tokens a non-admin grader gets KeyError
# 'prefix' (nbgrader issue 1831). This hub turns the Courses list off in every server (the grader opens
# /services/<course>/formgrader directly); the setting keeps it working where a deployment turns it back on.
c.Spawner.server_token_scopes = ["inherit"]
# Students' servers that idle are not culled here; on a busy machine add jupyterhub-idle-culler as a service.

# --- the formgrader: a hub service for this course, run as the grader -------------------------------------------
c.JupyterHub.services = [
    {
        "name": course_id,
        "url": f"http://127.0.0.1:{ports['formgrader']}",
        "command": [
            str(python_bin / "jupyterhub-singleuser"),
            f"--ServerApp.root_dir={settings['home_base']}/{grader}/{course_id}",
        ],
        "user": grader,
        "cwd": f"{settings['home_base']}/{grader}/{course_id}",
        "environment": {
            "JUPYTERHUB_DEFAULT_URL": "/lab",
            "PATH": f"{python_bin}:/usr/local/bin:/usr/bin:/bin",
            "PYTHONWARNINGS": "ignore",
            **({"WORKBOOK_DB_URL": os.environ["WORKBOOK_DB_URL"]} if os.environ.get("WORKBOOK_DB_URL") else {}),
        },
        "oauth_no_confirm": True,
    }
]
c.JupyterHub.load_roles = [
    {
        "name": f"formgrade-{course_id}",
        "description": "open this course's formgrader",
        "users": [grader],
        "scopes": [f"access:services!service={course_id}", "list:services", f"read:services!service={course_id}"],
    },
]
