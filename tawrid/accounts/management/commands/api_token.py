"""`tawrid api_token EMAIL [--name NAME] [--days N]`: print a new personal API token for that person."""

from typing import Any

from auditlog.context import set_actor
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tawrid.accounts import services
from tawrid.accounts.models import User
from tawrid.core.errors import DomainError
from tawrid.core.permissions import actor_for


class Command(BaseCommand):
    help = "Create a personal API token for a person and print it (it is shown only once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help="The person's e-mail address.")
        parser.add_argument("--name", default="CLI", help="What the token is for (default: CLI).")
        parser.add_argument(
            "--days", type=int, default=None, help="Lifetime in days (default: API_TOKEN_DEFAULT_DAYS)."
        )

    def handle(self, *args: Any, email: str, name: str, days: int | None, **options: Any) -> None:
        user = User.objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"No person with the e-mail address {email!r}.")
        # The operator creates the token on the person's behalf: the audit trail names that person.
        with set_actor(user):
            try:
                token, secret = services.api_token_create(actor=actor_for(user), user=user, name=name, days=days)
            except DomainError as error:
                raise CommandError(error.message) from None
        expiry = f"expires {token.expires_at:%Y-%m-%d}" if token.expires_at else "never expires"
        self.stderr.write(f"Token {token.name!r} for {user.email} ({expiry}); it is shown only once:")
        self.stdout.write(secret)
