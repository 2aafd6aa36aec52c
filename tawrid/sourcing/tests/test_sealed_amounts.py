"""The amounts of offers cannot be read before the opening, by any route this app offers: not in the raw
database (every sourcing table and the audit trail, dumped with plain SQL), not in the admin site as a
superuser, not through the selectors, not by unsealing. After the opening the offer lines hold the exact
amounts."""

from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.urls import reverse

from tawrid.core.permissions import actor_for
from tawrid.sourcing import sealing, selectors
from tawrid.sourcing.models import OfferLine
from tawrid.sourcing.tests.factories import SourcingWorld

NEEDLE_PRICES = ["7391.47", "8264.19"]
GLOVE_PRICE = "9517.03"
# What would give the amounts or the sealed JSON away, in any spelling a column could hold.
MARKERS = [
    *(p.encode() for p in [*NEEDLE_PRICES, GLOVE_PRICE]),
    *(p.replace(".", ",").encode() for p in [*NEEDLE_PRICES, GLOVE_PRICE]),
    b"unit_price",
    b"delivery_days",
    b'"lines"',
    b"fiche-prix-confidentielle.pdf",
]


@pytest.fixture
def world(db) -> SourcingWorld:
    return SourcingWorld()


@pytest.fixture
def sealed(world):
    """A published consultation with three sealed offers (two suppliers), not opened."""
    consultation = world.consultation()
    needles, gloves = world.lot(consultation, 1), world.lot(consultation, 2)
    world.submit(consultation, needles, NEEDLE_PRICES, documents=["fiche-prix-confidentielle.pdf"])
    world.submit(consultation, gloves, [GLOVE_PRICE])
    world.submit(consultation, needles, NEEDLE_PRICES, user=world.foreign_manufacturer)
    return consultation


def _dump() -> bytes:
    """Every row of every sourcing table (many-to-many tables included) and the audit trail's entries about them,
    as bytes. (The plans' own entries are left out: a plan line's estimated price is not an offer.)"""
    queries = []
    models = list(apps.get_app_config("sourcing").get_models())
    for model in models:
        queries.append(f"SELECT * FROM {connection.ops.quote_name(model._meta.db_table)}")
        for field in model._meta.local_many_to_many:
            queries.append(f"SELECT * FROM {connection.ops.quote_name(field.remote_field.through._meta.db_table)}")
    content_types = ",".join(str(ContentType.objects.get_for_model(model).pk) for model in models)
    queries.append(f"SELECT * FROM auditlog_logentry WHERE content_type_id IN ({content_types})")
    chunks: list[bytes] = []
    with connection.cursor() as cursor:
        for query in queries:
            cursor.execute(query)
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, bytes | memoryview | bytearray):
                        chunks.append(bytes(value))
                    else:
                        chunks.append(str(value).encode())
    return b"\n".join(chunks)


def test_the_raw_database_holds_no_amount_and_no_sealed_json_before_opening(sealed):
    dump = _dump()
    assert b"Aiguilles et gants 2026" in dump  # the dump reads the tables (a sanity check of the test itself)
    assert b'"version"' in dump  # and the audit trail's entries about the offers
    for marker in MARKERS:
        assert marker not in dump, marker
    assert not OfferLine.objects.exists()


def test_nothing_unseals_before_opening(sealed):
    for offer in sealed.offers.all():
        with pytest.raises(sealing.SealedError):
            sealing.unseal(consultation=sealed, offer=offer)


def test_the_admin_site_shows_a_superuser_no_amount(client, world, sealed):
    client.force_login(world.superuser)
    listing = client.get(reverse("admin:sourcing_offer_changelist"))
    assert listing.status_code == 200
    assert listing.context["cl"].result_count == 3  # the offers are listed (who, when, which version)…
    offer = sealed.offers.filter(supplier=world.maker, lot__number=1).get()
    detail = client.get(reverse("admin:sourcing_offer_change", args=[offer.pk]))
    assert detail.status_code == 200
    lines = client.get(reverse("admin:sourcing_offerline_changelist"))
    assert lines.status_code == 200 and lines.context["cl"].result_count == 0
    consultation = client.get(reverse("admin:sourcing_consultation_change", args=[sealed.pk]))
    assert consultation.status_code == 200
    for page in (listing, detail, lines, consultation):
        content = page.content
        for marker in MARKERS:
            assert marker not in content, marker  # …but not what they offer
        assert b"sealed contents" not in content and b"wrapped sealing key" not in content


def test_selectors_never_load_the_sealed_columns_and_show_no_amount_before_opening(world, sealed):
    everyone = [world.superuser, world.buyer, world.secretariat, world.manufacturer, world.foreign_manufacturer]
    for user in everyone:
        actor = actor_for(user)
        for offer in selectors.offers_of(actor, consultation=sealed):
            assert {"sealed_payload", "nonce"} <= offer.get_deferred_fields()
            assert not selectors.offer_lines_of(actor, offer).exists()
    assert "sealing_key" in selectors.consultation_detail(actor_for(world.buyer), sealed.pk).get_deferred_fields()
    # The buyer's side does not even learn who bid before the opening.
    assert not selectors.offers_of(actor_for(world.buyer), consultation=sealed).exists()
    assert not selectors.offers_of(actor_for(world.secretariat), consultation=sealed).exists()


def test_after_opening_the_offer_lines_hold_the_exact_amounts(world, sealed):
    world.open(sealed)
    ours = sealed.offers.get(supplier=world.maker, lot__number=1)
    buyer = actor_for(world.buyer)
    assert [line.unit_price for line in selectors.offer_lines_of(buyer, ours)] == [
        Decimal("7391.47"),
        Decimal("8264.19"),
    ]
    gloves = sealed.offers.get(lot__number=2)
    assert selectors.offer_lines_of(buyer, gloves).get().unit_price == Decimal(GLOVE_PRICE)
    assert selectors.offers_of(buyer, consultation=sealed).count() == 3
    # A supplier still sees only its own offer's lines.
    foreign = actor_for(world.foreign_manufacturer)
    assert not selectors.offer_lines_of(foreign, ours).exists()
    theirs = sealed.offers.get(supplier=world.foreign_maker)
    assert selectors.offer_lines_of(foreign, theirs).count() == 2
