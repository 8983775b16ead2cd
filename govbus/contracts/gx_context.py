"""The project's GX file context under ``.govbus/gx``, with its Data Docs beside the steward report.

The context is run-time state (git-ignored), rebuilt from the contracts whenever it is missing.
Data Docs go to ``.govbus/reports/data_docs`` so the agreement report can link to them relatively.
"""

from __future__ import annotations

import os

import great_expectations as gx
from great_expectations.data_context.types.base import ProgressBarsConfig

from govbus.project import Project
from govbus.reports.paths import data_docs_dir

SITE = "govbus_data_docs"


def open_context(project: Project):
    """The file context at ``<project>/.govbus/gx``, configured once on first use."""
    project.state_dir.mkdir(parents=True, exist_ok=True)
    context = gx.get_context(mode="file", project_root_dir=project.state_dir)
    if SITE not in (context.variables.data_docs_sites or {}):
        _configure(context, project)
    return context


def build_data_docs(project: Project) -> None:
    """Rebuild the Data Docs site from the validation results GX keeps."""
    open_context(project).build_data_docs(site_names=[SITE])


def _relative_docs(project: Project) -> str:
    return os.path.relpath(data_docs_dir(project), project.state_dir / "gx") + "/"


def _configure(context, project: Project) -> None:
    # Progress bars per metric would drown the CLI's own progress and logs.
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    context.variables.save()
    for name in list(context.variables.data_docs_sites or {}):
        context.delete_data_docs_site(name)
    context.add_data_docs_site(
        SITE,
        {
            "class_name": "SiteBuilder",
            "show_how_to_buttons": False,
            # Relative to the context root (.govbus/gx), so the project folder can move.
            "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": _relative_docs(project)},
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        },
    )
