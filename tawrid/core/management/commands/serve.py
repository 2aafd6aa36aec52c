"""`tawrid serve`: the web application on a production-grade WSGI server (waitress), static files included."""

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve the web application (waitress, with static files through WhiteNoise)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)

    def handle(self, *args, host: str, port: int, threads: int, **options) -> None:
        from waitress import serve

        if not settings.DEBUG:
            from django.core.management import call_command

            call_command("collectstatic", interactive=False, verbosity=0)
        # After collectstatic: WhiteNoise lists STATIC_ROOT once, when the application is built, so a first start
        # (an empty STATIC_ROOT, as on a fresh `make demo`) would otherwise serve no stylesheet at all.
        from config.wsgi import application

        self.stdout.write(f"Tawrid serving on http://{host}:{port}/ (DEBUG={settings.DEBUG})")
        serve(application, host=host, port=port, threads=threads, ident="tawrid", **proxy_options())


def proxy_options() -> dict:
    """Waitress drops X-Forwarded-* headers from any peer it does not trust (always, by default): behind a TLS
    proxy it must trust that proxy, or every request looks like plain http and is redirected to https for ever.
    It then sets the scheme (https, so HSTS and https links) and the client's address (REMOTE_ADDR, used by the
    login throttle) from the proxy's headers, and still drops them when they come from anyone else."""
    if not settings.BEHIND_PROXY:
        return {}
    return {
        "trusted_proxy": settings.TRUSTED_PROXY,
        "trusted_proxy_count": 1,
        "trusted_proxy_headers": "x-forwarded-proto x-forwarded-for",
        "clear_untrusted_proxy_headers": True,
    }
