"""Middleware of the project."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers


class PrivateNoStoreMiddleware:
    """`Cache-Control: private, no-store` on every response that is someone's own: to a signed-in person (pages,
    exports, htmx fragments) or to an API call that sends a token (accepted or not). A browser or a shared
    proxy must not keep a copy of a plan, an offer or an export, nor show it to the next user of a hospital's
    shared computer. The log-in and password-reset pages are already `never_cache` (Django's views).

    Anonymous public pages (the directory, nomenclatures, the public API) keep whatever caching their views
    chose — even when they set the CSRF cookie of the language switcher; static files never reach this
    middleware (WhiteNoise answers them before it). `request.user` is read on the way out, as the view left
    it: the API's token authentication sets it there."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated) or "Authorization" in request.headers:
            add_never_cache_headers(response)  # max-age=0, no-cache, no-store, must-revalidate, private
        return response
