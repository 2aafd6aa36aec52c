from django.http import HttpRequest

from tawrid.core.navigation import menu_for
from tawrid.core.permissions import actor_for


def navigation(request: HttpRequest) -> dict:
    actor = actor_for(getattr(request, "user", None))
    return {"actor": actor, "menu": menu_for(actor, getattr(request, "user", None))}
