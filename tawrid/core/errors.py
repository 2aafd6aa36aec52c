"""The one error type that carries a message meant for the user.

Services raise `DomainError` when a request is refused for a reason the user can act on; pages show
`message` (already translated into the user's language), the API returns it in its error format
with `details` (field name → list of messages) and `code` for programs.
"""

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404


class DomainError(Exception):
    status = 400

    def __init__(
        self,
        message: Any,
        *,
        code: str = "invalid",
        details: Mapping[str, Sequence[Any]] | None = None,
    ) -> None:
        super().__init__(str(message))
        self.message = str(message)
        self.code = code
        self.details = {key: [str(m) for m in msgs] for key, msgs in (details or {}).items()}


class NotFound(DomainError, Http404):
    """Also raised for objects the user may not see, so that ids cannot be probed. Pages answer 404."""

    status = 404

    def __init__(self, message: Any = None, **kwargs: Any) -> None:
        from django.utils.translation import gettext

        super().__init__(message or gettext("Not found."), code="not_found", **kwargs)


class Forbidden(DomainError, PermissionDenied):
    """Pages answer 403."""

    status = 403

    def __init__(self, message: Any = None, **kwargs: Any) -> None:
        from django.utils.translation import gettext

        super().__init__(message or gettext("You do not have permission to do this."), code="forbidden", **kwargs)


def details_from_validation_error(error: Any) -> dict[str, list[str]]:
    """Turn a Django ValidationError (or a form's errors) into `details` for a DomainError."""
    if hasattr(error, "message_dict"):
        return {key: [str(m) for m in msgs] for key, msgs in error.message_dict.items()}
    if hasattr(error, "get_json_data"):
        return {key: [e["message"] for e in msgs] for key, msgs in error.get_json_data().items()}
    return {"__all__": [str(m) for m in getattr(error, "messages", [error])]}
