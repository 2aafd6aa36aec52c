"""Types and schemas shared by every app's API (django-ninja): bounded ids, pages and years, the error body.

Why bounds on plain integers: a value that the database cannot hold (an id of 2**63, a negative limit, year 0)
used to reach SQLite or PostgreSQL and fail there with a 500. Declared here once, the bounds are checked by
pydantic before the view runs (a 422 in the error format) and documented in the OpenAPI schema.
"""

import re
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import BeforeValidator

# The largest value of a signed 64-bit integer: the widest id column of SQLite and PostgreSQL (bigint).
MAX_ID = 2**63 - 1
# Far beyond any real list, small enough that offset + limit stays a valid 64-bit integer.
MAX_OFFSET = 1_000_000_000
# Plausible years for plans, trade data and dashboards (dates must also fit Python's date: 1..9999).
MIN_YEAR = 1990
MAX_YEAR = 2100

Id = Annotated[int, Field(ge=1, le=MAX_ID, description="An object's id (1 … 2⁶³−1).")]
Offset = Annotated[int, Field(ge=0, le=MAX_OFFSET, description="How many items to skip.")]
Year = Annotated[int, Field(ge=MIN_YEAR, le=MAX_YEAR, description=f"A year ({MIN_YEAR} … {MAX_YEAR}).")]


def _iso_day(value: Any) -> Any:
    # pydantic reads a bare number as a Unix time (`on=0` was 1970-01-01): a day must be written as one.
    if isinstance(value, str) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError("a day is written YYYY-MM-DD")
    if isinstance(value, int | float):
        raise ValueError("a day is written YYYY-MM-DD")
    return value


# A calendar day in the same plausible range as years (date arithmetic near year 1 or 9999 overflows).
Day = Annotated[
    date,
    BeforeValidator(_iso_day),
    Field(
        ge=date(MIN_YEAR, 1, 1),
        le=date(MAX_YEAR, 12, 31),
        description=f"A day, YYYY-MM-DD, from {MIN_YEAR} to {MAX_YEAR}.",
        # JSON Schema has no bounds for dates: the pattern tells clients (and the API fuzzing) the range of years.
        json_schema_extra={"pattern": r"^(199\d|20\d\d|2100)-\d\d-\d\d$"},
    ),
]


# Text that goes through a Django form: the form refuses NUL characters (a 422), and a required field that is blank
# once stripped. The patterns tell clients (and the API fuzzing); give max_length alongside, as the form's.
TEXT = r"^[^\x00]*$"
FILLED_TEXT = r"^[^\x00]*[^\s\x00][^\x00]*$"
# The largest values of the database's integer columns (PositiveIntegerField, PositiveBigIntegerField).
MAX_INT = 2**31 - 1
MAX_BIGINT = MAX_ID


# A price in MAD as the models keep it (14 digits, 2 decimals, not negative): the decimals are documented as
# `multipleOf` (JSON Schema has no decimal places), checked exactly on the decimal sent.
Amount = Annotated[Decimal, Field(ge=0, lt=10**12, multiple_of=Decimal("0.01"), description="MAD, at most 2 decimals.")]


# Page sizes of 1 … N: values outside are refused with a 422, not silently clamped. Spelled out (not built by a
# function) so that type checkers read them as int.
Limit100 = Annotated[int, Field(ge=1, le=100, description="How many items (1 … 100).")]
Limit200 = Annotated[int, Field(ge=1, le=200, description="How many items (1 … 200).")]
Limit500 = Annotated[int, Field(ge=1, le=500, description="How many items (1 … 500).")]
Limit1000 = Annotated[int, Field(ge=1, le=1000, description="How many items (1 … 1000).")]
Limit5000 = Annotated[int, Field(ge=1, le=5000, description="How many items (1 … 5000).")]
Limit10000 = Annotated[int, Field(ge=1, le=10_000, description="How many items (1 … 10000).")]


class ErrorOut(Schema):
    """The body of every error answer (4xx and 5xx)."""

    message: str = Field(..., description="What went wrong, in the language of Accept-Language.")
    code: str = Field(..., description="For programs: validation_error, not_found, forbidden, unauthenticated…")
    details: dict[str, list[str]] = Field(default_factory=dict, description="field → messages")


def errors(*statuses: int) -> dict[int, type[ErrorOut]]:
    """Document error answers of a route: `response={200: Out, **errors(403, 404)}`."""
    return dict.fromkeys(statuses, ErrorOut)
