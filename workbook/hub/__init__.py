"""A course on one JupyterHub: system accounts, nbgrader's exchange, the formgrader service, safe permissions.

``python -m workbook hub start`` sets everything up (idempotently) and runs JupyterHub with
``deploy/hub/jupyterhub_config.py``. Instructor side: students' servers never import this package.
"""
