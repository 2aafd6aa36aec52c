"""Job kinds of purchase plans: the refresh of national demand aggregates."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from tawrid.core.jobs import JobContext, job_kind
from tawrid.demand.services import REFRESH_JOB, demand_aggregate_refresh


@job_kind(REFRESH_JOB)
def refresh_aggregates(context: JobContext, *, year: int) -> dict[str, Any]:
    """Rebuild the national demand figures of one year from the plans in force."""
    context.set_total(1)
    rows = demand_aggregate_refresh(year=int(year))
    context.advance(step=_("National demand refreshed"))
    context.log(f"year {year}: {rows} aggregate row(s)")
    return {"year": int(year), "rows": rows}
