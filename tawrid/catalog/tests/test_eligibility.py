"""The eligibility rule, as a pure function (no database), and its SQL mirror for the directory."""

from dataclasses import replace
from datetime import date

import pytest
from django.utils import translation

from tawrid.catalog import selectors
from tawrid.catalog.eligibility import CertificateFacts, ProductFacts, RegistrationFacts, eligibility
from tawrid.catalog.models import CertificateStatus, RegistrationStatus
from tawrid.catalog.tests.factories import CertificateFactory, ProductFactory, RegistrationFactory

EXPIRY = date(2026, 6, 30)


def cert(**overrides) -> CertificateFacts:
    defaults = CertificateFacts(
        id=1,
        kind="iso13485",
        number="ISO-1",
        holder_id=10,
        product_ids=frozenset(),
        status="active",
        verified=True,
        issued_on=date(2023, 7, 1),
        expires_on=EXPIRY,
    )
    return replace(defaults, **overrides)


def reg(**overrides) -> RegistrationFacts:
    defaults = RegistrationFacts(
        id=1,
        product_id=100,
        status="approved",
        number="DMP-1",
        valid_from=date(2024, 1, 1),
        valid_until=date(2028, 12, 31),
    )
    return replace(defaults, **overrides)


CERT = cert()
REG = reg()


def product(certificates=(CERT,), registrations=(REG,)) -> ProductFacts:
    return ProductFacts(
        id=100, manufacturer_id=10, certificates=tuple(certificates), registrations=tuple(registrations)
    )


CASES = [
    # (description, product, on, eligible, words expected in the reasons)
    ("valid", product(), date(2026, 1, 1), True, []),
    ("on the expiry day", product(), EXPIRY, True, []),
    ("the day after expiry", product(), date(2026, 7, 1), False, ["expired"]),
    ("the day before issue", product(), date(2023, 6, 30), False, ["2023-07-01"]),
    ("suspended", product([cert(status="suspended")]), date(2026, 1, 1), False, ["suspended"]),
    ("withdrawn", product([cert(status="withdrawn")]), date(2026, 1, 1), False, ["withdrawn"]),
    ("not verified", product([cert(verified=False)]), date(2026, 1, 1), False, ["IMANOR"]),
    ("no certificate", product([]), date(2026, 1, 1), False, ["ISO 13485"]),
    ("certificate of another holder", product([cert(holder_id=11)]), date(2026, 1, 1), False, ["ISO 13485"]),
    ("certificate scoped to another product", product([cert(product_ids=frozenset({7}))]), date(2026, 1, 1), False, []),
    ("certificate scoped to this product", product([cert(product_ids=frozenset({100}))]), date(2026, 1, 1), True, []),
    ("CE only", product([cert(kind="ce")]), date(2026, 1, 1), False, ["ISO 13485"]),
    ("registration missing", product(registrations=[]), date(2026, 1, 1), False, ["DMP"]),
    (
        "registration expired",
        product(registrations=[reg(valid_until=date(2025, 12, 31))]),
        date(2026, 1, 1),
        False,
        ["DMP-1", "2025-12-31"],
    ),
    (
        "registration on its last day",
        product(registrations=[reg(valid_until=date(2026, 1, 1))]),
        date(2026, 1, 1),
        True,
        [],
    ),
    (
        "registration under review",
        product(registrations=[reg(status="under_review", valid_from=None, valid_until=None)]),
        date(2026, 1, 1),
        False,
        ["DMP"],
    ),
    ("registration refused", product(registrations=[reg(status="refused")]), date(2026, 1, 1), False, ["DMP"]),
    (
        "an expired and a renewed certificate",
        product([cert(expires_on=date(2025, 1, 1)), cert(id=2, number="ISO-2", issued_on=date(2025, 1, 1))]),
        date(2026, 1, 1),
        True,
        [],
    ),
]


@pytest.mark.parametrize(("description", "facts", "on", "expected", "words"), CASES, ids=[c[0] for c in CASES])
def test_eligibility_table(description, facts, on, expected, words):
    with translation.override("en"):
        result = eligibility(facts, on)
    assert result.eligible is expected, result.reasons
    assert bool(result.reasons) is (not expected)
    text = " ".join(result.reasons)
    for word in words:
        assert word.lower() in text.lower(), text
    if expected:
        assert result.registration is not None
        assert result.valid_certificates


def test_both_problems_are_reported():
    result = eligibility(product([], []), date(2026, 1, 1))
    assert len(result.reasons) == 2


def test_required_certificates_can_be_chosen():
    facts = product([cert(), cert(id=2, kind="ce", number="CE-1")])
    assert eligibility(facts, date(2026, 1, 1), required_certificates=("iso13485", "ce")).eligible
    assert not eligibility(product(), date(2026, 1, 1), required_certificates=("iso13485", "nm")).eligible


@pytest.mark.django_db
def test_the_sql_mirror_agrees_with_the_function(django_assert_max_num_queries):
    on = date(2026, 3, 1)
    good = ProductFactory()
    CertificateFactory(holder=good.manufacturer)
    RegistrationFactory(product=good)
    suspended = ProductFactory()
    CertificateFactory(holder=suspended.manufacturer, status=CertificateStatus.SUSPENDED)
    RegistrationFactory(product=suspended)
    unverified = ProductFactory()
    CertificateFactory(holder=unverified.manufacturer, verified=False)
    RegistrationFactory(product=unverified)
    no_reg = ProductFactory()
    CertificateFactory(holder=no_reg.manufacturer)
    RegistrationFactory(
        product=no_reg, status=RegistrationStatus.UNDER_REVIEW, number="", valid_from=None, valid_until=None
    )
    scoped_elsewhere = ProductFactory()
    other = ProductFactory(manufacturer=scoped_elsewhere.manufacturer)
    CertificateFactory(holder=scoped_elsewhere.manufacturer).products.set([other])
    RegistrationFactory(product=scoped_elsewhere)
    expired = ProductFactory()
    CertificateFactory(holder=expired.manufacturer, expires_on=date(2026, 2, 28))
    RegistrationFactory(product=expired)

    products = [good, suspended, unverified, no_reg, scoped_elsewhere, other, expired]
    with django_assert_max_num_queries(4):
        results = selectors.eligibilities(products, on)
    by_function = {pid for pid, e in results.items() if e.eligible}
    by_sql = set(selectors.eligible_products_on(on).values_list("pk", flat=True))
    assert by_function == by_sql == {good.pk}
