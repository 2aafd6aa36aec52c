"""Job kinds of the nomenclature app (autodiscovered by tawrid.core)."""

from typing import Any

from tawrid.core.jobs import JobContext, job_kind
from tawrid.nomenclature.services import reference_load


@job_kind("nomenclature.load_reference")
def load_reference(context: JobContext, *, which: list[str] | None = None, force: bool = False) -> dict[str, Any]:
    """(Re)load the reference nomenclatures from data/reference/, with progress per nomenclature."""
    results = reference_load(which=which, progress=context, force=force)
    return {result.name: result.as_dict() for result in results}
