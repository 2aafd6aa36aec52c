"""The whole API fuzzed from its own OpenAPI document with schemathesis, as a manufacturer and as a buyer.

Every operation of /api/v1/openapi.json gets a fixed number of generated requests (valid per the document), sent
in-process to the WSGI application, so every write lands in the test database, and each example is rolled back.
Required: no server error, every answer matching its documented status and body, no valid request refused with
a 422 (see ACCEPTED). Path ids are drawn half of the time from a small world built with the apps' factories, so
that real objects are read and changed, not only 404s.

Bounded: EXAMPLES per operation and role (derandomized: the same requests on every run), and a time box
(TAWRID_API_FUZZ_SECONDS, default 240 s, shared by the groups a process runs); operations not reached in time
are named in the skip reason. Run it alone with `pytest -m fuzz -p no:xdist` (README, Development); `make test`
runs it with the rest, on SQLite and on PostgreSQL.
"""

import os
import time
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.config import PositiveDataAcceptanceConfig
from schemathesis.specs.openapi.checks import (
    positive_data_acceptance,
    response_schema_conformance,
    status_code_conformance,
)

from tawrid.accounts.tests.factories import token_for
from tawrid.catalog.models import Certificate
from tawrid.sourcing.tests.factories import SourcingWorld

pytestmark = [pytest.mark.django_db, pytest.mark.fuzz]

EXAMPLES = int(os.environ.get("TAWRID_API_FUZZ_EXAMPLES", "6"))
TIME_BOX = float(os.environ.get("TAWRID_API_FUZZ_SECONDS", "240"))
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance, positive_data_acceptance]
# A valid request may still be refused by a rule the document cannot state (a plan already published, an opening
# date not reached, a code that does not exist): that is a 400 (DomainError). A 422 says the data does not have
# the documented shape, so a 422 for data generated from the document is a lie of the document.
ACCEPTED = ["2xx", "400", "401", "403", "404", "409", "429"]
# One group per router (the OpenAPI tag): xdist spreads them over the processes, each builds its own world.
GROUPS = [
    "accounts",
    "nomenclature",
    "jobs",
    "catalog",
    "demand",
    "imports",
    "matching",
    "ocds",
    "sourcing",
    "insights",
]
# Operations that cannot be fuzzed meaningfully in-process, with the reason.
SKIPPED = {
    # Embeds the given texts with the EMDN classifier: seconds per example, and tested in tawrid/matching.
    "POST /api/v1/matching/suggest-codes",
}
# Started by the first group this process runs (not at import: xdist imports every module at the session's start).
_clock: dict[str, float] = {}


class FuzzWorld(SourcingWorld):
    """The sourcing world with a published consultation: a manufacturer (Maroc Seringues) and a buyer (the
    group), each with a token, and the ids of their objects for the path parameters."""

    def __init__(self) -> None:
        super().__init__()
        consultation = self.consultation()
        lot = consultation.lots.order_by("number").first()
        certificate = Certificate.objects.filter(holder=self.maker).first()
        self.tokens = {"manufacturer": token_for(self.manufacturer)[1], "buyer": token_for(self.buyer)[1]}
        self.ids: dict[str, list[int]] = {
            "organisation_id": [self.maker.pk, self.group.pk],
            "plan_id": [consultation.lots.first().lines.first().plan_line.plan_id],
            "line_id": list(consultation.lots.first().lines.values_list("plan_line_id", flat=True)[:2]),
            "consultation_id": [consultation.pk],
            "lot_id": [lot.pk],
            "product_id": [self.needles.pk, self.gloves.pk],
            "variant_id": list(self.needles.variants.values_list("pk", flat=True)),
            "certificate_id": [certificate.pk] if certificate else [],
        }


def _strategy(operation: Any, ids: dict[str, list[int]]) -> st.SearchStrategy:
    names = [parameter.name for parameter in operation.path_parameters]
    if names and all(ids.get(name) for name in names):
        known = st.fixed_dictionaries({name: st.sampled_from(ids[name]) for name in names})
        real = known.flatmap(lambda values: operation.as_strategy(path_parameters=values))
        return st.one_of(operation.as_strategy(), real)
    return operation.as_strategy()


def _fuzz(operation: Any, ids: dict[str, list[int]], token: str) -> None:
    @given(case=_strategy(operation, ids))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        with transaction.atomic():
            try:
                case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)
            finally:
                transaction.set_rollback(True)  # each example starts again from the same world

    run()


@pytest.fixture
def wsgi_application():
    """The application as a server runs it, less the closing of database connections after each request (which
    would close the test's transaction): the same thing Django's test client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.mark.parametrize("group", GROUPS)
def test_the_api_keeps_its_documented_promises(group, wsgi_application):
    begun = time.monotonic()
    _clock.setdefault("started", begun)
    world = FuzzWorld()
    print(f"world built in {time.monotonic() - begun:.1f} s")
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", wsgi_application)
    schema.config.checks.positive_data_acceptance = PositiveDataAcceptanceConfig(expected_statuses=ACCEPTED)
    operations = [
        result.ok() for result in schema.get_all_operations() if group in (result.ok().definition.raw.get("tags") or [])
    ]
    assert operations, f"no operation tagged {group}"
    failures: list[str] = []
    not_reached: list[str] = []
    for operation in operations:
        if operation.label in SKIPPED:
            continue
        if time.monotonic() - _clock["started"] > TIME_BOX:
            not_reached.append(operation.label)
            continue
        begun = time.monotonic()
        for role, token in world.tokens.items():
            try:
                _fuzz(operation, world.ids, token)
            except (Exception, BaseExceptionGroup) as error:  # every failing operation is reported, not the first only
                failures.append(f"{operation.label} as {role}: {error}")
        print(f"{operation.label}: {time.monotonic() - begun:.1f} s")  # shown with -s or on failure: the slow ones
    if failures and os.environ.get("TAWRID_API_FUZZ_REPORT"):
        with open(os.environ["TAWRID_API_FUZZ_REPORT"], "a", encoding="utf-8") as report:
            report.write("\n\n".join(failures) + "\n\n")
    assert not failures, "\n\n".join(failures)
    if not_reached:
        pytest.skip(f"time box of {TIME_BOX:.0f} s reached before: {', '.join(not_reached)}")
