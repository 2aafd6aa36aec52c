"""The local-purchase rate (pure; no database): how much of what buyers bought, and of what they planned, was
bought from manufacturers established in Morocco.

Services feed it order lines (their value in MAD, whether the supplier is local, the buyer, the EMDN code, the
year) and plan values (per buyer, EMDN code, year) from selectors, and store or show the rates.

For any group of order lines and plan values:

* rate of purchases = value bought locally ÷ total value bought;
* rate of plan = value bought locally ÷ plan value;

each rounded to 4 decimals (0.0001 = 0.01 percentage point, ROUND_HALF_UP). A zero denominator gives None
("nothing to measure"), never 0 and never an error: a buyer that bought nothing has no rate, which is not a
rate of zero. Groups: nationally, per year, per buyer, per buyer and year, per EMDN category (the code's first
character: A, B…), per EMDN group (its first three characters: A01, T02…), each of the two per year. A line
without an EMDN code falls in the category and group "" (unclassified).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from tawrid.core.errors import DomainError

Id = int | str

RATE_QUANTUM = Decimal("0.0001")
UNCLASSIFIED = ""


@dataclass(frozen=True, slots=True)
class OrderLineValue:
    """One ordered line: its value in MAD (quantity × unit price, as ordered)."""

    value: Decimal
    local: bool  # the supplier is a manufacturer established in Morocco
    buyer_id: Id
    emdn: str
    year: int

    def __post_init__(self) -> None:
        _check_value(self.value)


@dataclass(frozen=True, slots=True)
class PlanValue:
    """The planned value of plan lines (quantity × estimated unit price), per buyer, EMDN code and year."""

    value: Decimal
    buyer_id: Id
    emdn: str
    year: int

    def __post_init__(self) -> None:
        _check_value(self.value)


@dataclass(frozen=True, slots=True)
class PurchaseRate:
    local_value: Decimal = Decimal(0)
    total_value: Decimal = Decimal(0)
    plan_value: Decimal = Decimal(0)

    @property
    def of_purchases(self) -> Decimal | None:
        """Value bought locally ÷ total value bought; None when nothing was bought."""
        return ratio(self.local_value, self.total_value)

    @property
    def of_plan(self) -> Decimal | None:
        """Value bought locally ÷ plan value; None when nothing was planned (or planned without a price)."""
        return ratio(self.local_value, self.plan_value)

    def __add__(self, other: PurchaseRate) -> PurchaseRate:
        return PurchaseRate(
            self.local_value + other.local_value,
            self.total_value + other.total_value,
            self.plan_value + other.plan_value,
        )


def ratio(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    if denominator == 0:
        return None
    return (numerator / denominator).quantize(RATE_QUANTUM, ROUND_HALF_UP)


def emdn_category(code: str) -> str:
    """The EMDN category: the code's first character (A … Z), "" when the line has no code."""
    return code.strip().upper()[:1]


def emdn_group(code: str) -> str:
    """The EMDN group: the code's first three characters (A01, T02…), "" when the code is shorter."""
    code = code.strip().upper()
    return code[:3] if len(code) >= 3 else UNCLASSIFIED


Keyed = OrderLineValue | PlanValue
KeyFunction = Callable[[Keyed], Hashable]


def by_nation(item: Keyed) -> Hashable:
    return ()  # one group for everything


def by_year(item: Keyed) -> Hashable:
    return item.year


def by_buyer(item: Keyed) -> Hashable:
    return item.buyer_id


def by_buyer_year(item: Keyed) -> Hashable:
    return (item.buyer_id, item.year)


def by_category(item: Keyed) -> Hashable:
    return emdn_category(item.emdn)


def by_category_year(item: Keyed) -> Hashable:
    return (emdn_category(item.emdn), item.year)


def by_group(item: Keyed) -> Hashable:
    return emdn_group(item.emdn)


def by_group_year(item: Keyed) -> Hashable:
    return (emdn_group(item.emdn), item.year)


def rates_by(
    key: KeyFunction, orders: Iterable[OrderLineValue], plans: Iterable[PlanValue] = ()
) -> dict[Any, PurchaseRate]:
    """The rate of every group `key` puts order lines and plan values in; a group holding only plan values (or
    only orders) is present, with the rate its zero denominator allows (None)."""
    sums: dict[Any, list[Decimal]] = {}
    for order in orders:
        total = sums.setdefault(key(order), [Decimal(0), Decimal(0), Decimal(0)])
        total[1] += order.value
        if order.local:
            total[0] += order.value
    for plan in plans:
        total = sums.setdefault(key(plan), [Decimal(0), Decimal(0), Decimal(0)])
        total[2] += plan.value
    return {group: PurchaseRate(*values) for group, values in sums.items()}


@dataclass(frozen=True, slots=True)
class PurchaseRates:
    national: PurchaseRate
    by_year: dict[int, PurchaseRate]
    by_buyer: dict[Id, PurchaseRate]
    by_buyer_year: dict[tuple[Id, int], PurchaseRate]
    by_category: dict[str, PurchaseRate]
    by_category_year: dict[tuple[str, int], PurchaseRate]
    by_group: dict[str, PurchaseRate]
    by_group_year: dict[tuple[str, int], PurchaseRate]


def purchase_rates(orders: Iterable[OrderLineValue], plans: Iterable[PlanValue] = ()) -> PurchaseRates:
    """Every grouping at once (the inputs are read into memory once)."""
    orders, plans = tuple(orders), tuple(plans)
    return PurchaseRates(
        national=rates_by(by_nation, orders, plans).get((), PurchaseRate()),
        by_year=rates_by(by_year, orders, plans),
        by_buyer=rates_by(by_buyer, orders, plans),
        by_buyer_year=rates_by(by_buyer_year, orders, plans),
        by_category=rates_by(by_category, orders, plans),
        by_category_year=rates_by(by_category_year, orders, plans),
        by_group=rates_by(by_group, orders, plans),
        by_group_year=rates_by(by_group_year, orders, plans),
    )


def _check_value(value: Any) -> None:
    if not isinstance(value, Decimal) or not value.is_finite() or value < 0:
        raise DomainError(
            _("A value must be an amount of MAD, zero or more."),
            code="invalid_value",
            details={"value": [_("Enter an amount, zero or more.")]},
        )
