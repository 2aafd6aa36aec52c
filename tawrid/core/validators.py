"""Bounds on the dates people enter, shared by forms (pages, API payloads bound to forms, spreadsheet rows) and
services (which check again, whatever the entry point).

A date typed by a person is a certificate's issue or expiry, a registration's or a label's validity, a
consultation's deadline, a membership's start: none lies before 1950 or more than 50 years ahead. Without
bounds, 0001-01-01 or 9999-12-31 is stored, then breaks every computation on dates (expiry reminders, validity
on a date, time zones: year 1 shifted to UTC does not exist). Deadlines have a tighter rule: when set, they are
to come, and within a year.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from tawrid.core.errors import DomainError

EARLIEST_DATE = date(1950, 1, 1)
HORIZON_YEARS = 50
# A consultation's deadlines are weeks or months ahead; a year leaves room for a long one while catching a
# mistyped year (2062 for 2026).
DEADLINE_HORIZON = timedelta(days=365)


def _day(value: date | datetime) -> date:
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def _shown(value: date | datetime) -> str:
    if isinstance(value, datetime):
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    return formats.date_format(value, "SHORT_DATE_FORMAT")


def latest_date(today: date | None = None) -> date:
    """The last plausible date: today plus HORIZON_YEARS (28 February for a 29 February)."""
    today = today or timezone.localdate()
    try:
        return today.replace(year=today.year + HORIZON_YEARS)
    except ValueError:
        return today.replace(year=today.year + HORIZON_YEARS, day=28)


def date_problem(value: date | datetime, *, not_future: bool = False) -> str | None:
    """Why a date a person entered is not plausible, in the active language; None when it is. With
    `not_future`, a date after today is refused too (an issue date: what was issued cannot be later)."""
    day = _day(value)
    today = timezone.localdate()
    if not EARLIEST_DATE <= day <= latest_date(today):
        return _("This date is not plausible: enter a date between %(earliest)s and %(latest)s.") % {
            "earliest": _shown(EARLIEST_DATE),
            "latest": _shown(latest_date(today)),
        }
    if not_future and day > today:
        return _("This date cannot be after today.")
    return None


def deadline_problem(value: datetime, *, now: datetime | None = None) -> str | None:
    """Why a deadline being set is not plausible: it has passed, or lies beyond DEADLINE_HORIZON."""
    now = now or timezone.now()
    if value <= now:
        return _("This date has passed: choose a later one.")
    if value > now + DEADLINE_HORIZON:
        return _("This date is too far ahead: choose a date before %(date)s.") % {
            "date": _shown(now + DEADLINE_HORIZON)
        }
    return None


def validate_plausible_date(value: date | datetime | None) -> None:
    """A form field's validator: `forms.DateField(validators=[validate_plausible_date])`."""
    if value is not None and (message := date_problem(value)):
        raise ValidationError(message, code="implausible_date")


def validate_past_or_today(value: date | datetime | None) -> None:
    """A form field's validator for a date that cannot be in the future (an issue date)."""
    if value is not None and (message := date_problem(value, not_future=True)):
        raise ValidationError(message, code="implausible_date")


def date_errors(
    values: Mapping[str, date | datetime | None], *, not_future: tuple[str, ...] = ()
) -> dict[str, list[str]]:
    """The problems of several dates, by field name (empty when every given date is plausible)."""
    errors: dict[str, list[str]] = {}
    for name, value in values.items():
        if value is not None and (message := date_problem(value, not_future=name in not_future)):
            errors[name] = [message]
    return errors


def require_plausible_dates(values: Mapping[str, date | datetime | None], *, not_future: tuple[str, ...] = ()) -> None:
    """Raise a DomainError (code `implausible_date`, the problems under their fields) unless every date given is
    plausible; services call it whatever the entry point."""
    errors = date_errors(values, not_future=not_future)
    if errors:
        raise DomainError(_("Some dates are not plausible."), code="implausible_date", details=errors)


class PlausibleDateField(forms.DateField):
    """A date people type: the browser's date picker, within the plausible bounds (validate_plausible_date)."""

    widget = forms.DateInput(attrs={"type": "date"})
    default_validators = [validate_plausible_date]
