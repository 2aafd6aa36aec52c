from django.http import HttpRequest

from tawrid.core.navigation import MenuItem, menu_for
from tawrid.core.permissions import actor_for


def navigation(request: HttpRequest) -> dict:
    actor = actor_for(getattr(request, "user", None))
    menu = menu_for(actor, getattr(request, "user", None))
    return {"actor": actor, "menu": menu, "current_menu_key": current_key(menu, request.path)}


def current_key(menu: list[MenuItem], path: str) -> str:
    """The key of the menu item whose page holds `path`: the longest matching URL prefix ("/" only exactly)."""
    best, best_length = "", 0
    for item in menu:
        url = item.url
        if (path == url or (url != "/" and path.startswith(url))) and len(url) > best_length:
            best, best_length = item.key, len(url)
    return best
