"""The auditor's dashboard (issue 8 item 1): server-rendered pages under ``/dashboard``.

Integrity, threshold gauges, the exit-criteria board, the DMCT Status List, the TTM, the heatmap,
Work Off Plan due dates, matters and findings, each as of any ledger position or date. Jinja2
templates (``templates/``) and one stylesheet (``static/``), no front-end build and no script:
everything reads, filters and moves in time through links and GET forms. Sign-in takes a
principal's API token (``session``). ``api.http`` registers it::

    app.include_router(dashboard.router)
    app.mount(dashboard.STATIC_PATH, dashboard.static_files(), name="dashboard-static")
"""

from __future__ import annotations

from starlette.staticfiles import StaticFiles

from api.dashboard.routes import HERE, router

STATIC_PATH = "/dashboard/static"


def static_files() -> StaticFiles:
    """The stylesheet, served as it is in the package."""
    return StaticFiles(directory=HERE / "static")


__all__ = ["STATIC_PATH", "router", "static_files"]
