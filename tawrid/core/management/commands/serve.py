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

        from config.wsgi import application

        if not settings.DEBUG:
            from django.core.management import call_command

            call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write(f"Tawrid serving on http://{host}:{port}/ (DEBUG={settings.DEBUG})")
        serve(application, host=host, port=port, threads=threads, ident="tawrid")
