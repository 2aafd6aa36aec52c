"""The permission matrix's machinery: each app contributes a `Table` (its models, one object of each, and for
each object kind the roles allowed per operation); one parametrised test per table checks every (role, kind,
operation).

Operations:
- "read" / "change": through the policy registry, as every door uses it (`visible` finds the object, and
  `can_change` says yes) — the only door of models without pages or API of their own;
- "read_api", "read_page", "change_api", "change_page", or any other name: a check function of the table that
  goes through that door, returns whether the operation was allowed, and checks denials strictly (a login
  redirect or 401 for anonymous visitors, 404 for what one may not read, 403/404 and nothing changed for
  refused changes).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.db.models import Model
from django.test import Client
from django.urls import reverse

from tawrid.accounts.models import User
from tawrid.core import permissions
from tawrid.core.permissions import ANONYMOUS, Actor, actor_for
from tests.permission_matrix.world import ROLES, MatrixWorld

ERROR_KEYS = {"message", "code", "details"}


@dataclass
class Scene:
    world: MatrixWorld
    role: str
    client: Client
    _logged_in: bool = False

    @property
    def w(self) -> MatrixWorld:
        return self.world

    @property
    def anonymous(self) -> bool:
        return self.role == "anonymous"

    @cached_property
    def actor(self) -> Actor:
        user = self.world.people[self.role]
        return ANONYMOUS if user is None else actor_for(User.objects.get(pk=user.pk))

    def api(self, method: str, url: str, data: Any = None) -> Any:
        kwargs: dict[str, Any] = {}
        if not self.anonymous:
            kwargs["headers"] = {"Authorization": f"Bearer {self.world.tokens[self.role]}"}
        if data is not None:
            kwargs.update(data=data, content_type="application/json")
        return getattr(self.client, method)(f"/api/v1{url}", **kwargs)

    def page(self, method: str, url: str, data: Any = None) -> Any:
        if not self.anonymous and not self._logged_in:
            self.client.force_login(self.world.people[self.role])
            self._logged_in = True
        return getattr(self.client, method)(url, data or {})

    # Strict denials -------------------------------------------------------------------------------------------

    def denied_api(self, response: Any, *, reading: bool) -> None:
        if self.anonymous and response.status_code == 401:
            assert response.json()["code"] == "unauthenticated"
            return
        # Private objects answer 404 to readers who may not see them (and to anonymous visitors of public APIs).
        allowed = (404,) if reading else (403, 404)
        assert response.status_code in allowed, (self.role, response.status_code, response.content[:300])
        assert set(response.json()) == ERROR_KEYS

    def denied_page(self, response: Any) -> None:
        if self.anonymous and response.status_code == 302:
            assert reverse("accounts:login") in response["Location"], response["Location"]
            return
        assert response.status_code in (403, 404), (self.role, response.status_code)


# Doors -----------------------------------------------------------------------------------------------------------


def policy_read(s: Scene, obj: Model) -> bool:
    return permissions.visible(s.actor, type(obj)._default_manager.filter(pk=obj.pk)).exists()


def policy_change(s: Scene, obj: Model) -> bool:
    return permissions.can_change(s.actor, type(obj)._default_manager.get(pk=obj.pk))


def api_read(s: Scene, url: str, found: Callable[[Any], bool] | None = None) -> bool:
    """GET `url`: allowed when it answers 200 (and `found` holds of the body), denied by 401/404."""
    response = s.api("get", url)
    if response.status_code == 200:
        assert found is None or found(response.json()), (s.role, url, response.json())
        return True
    s.denied_api(response, reading=True)
    return False


def api_change(
    s: Scene, method: str, url: str, data: Any, changed: Callable[[], bool], ok: tuple[int, ...] = (200, 201, 202, 204)
) -> bool:
    """A change through the API: allowed when it succeeds with its effect; refused ones must change nothing."""
    response = s.api(method, url, data)
    if response.status_code in ok:
        assert changed(), (s.role, url, "answered", response.status_code, "without effect")
        return True
    assert not changed(), (s.role, url, "refused", response.status_code, "but changed")
    s.denied_api(response, reading=False)
    return False


def page_read(s: Scene, url: str, marker: str) -> bool:
    response = s.page("get", url)
    if response.status_code == 200:
        assert marker in response.text, (s.role, url, marker)
        return True
    s.denied_page(response)
    return False


def page_change(s: Scene, url: str, data: Any, changed: Callable[[], bool]) -> bool:
    """A change through a page: allowed when it has its effect. A refusal changes nothing and answers a login
    redirect (anonymous), 403 or 404 — or, on pages that report a refused decision as a message, a redirect."""
    response = s.page("post", url, data)
    if changed():
        assert response.status_code in (200, 302), (s.role, url, response.status_code)
        return True
    if response.status_code == 302 and not s.anonymous:
        assert reverse("accounts:login") not in response["Location"]
        return False
    s.denied_page(response)
    return False


# Tables ----------------------------------------------------------------------------------------------------------


@dataclass
class Table:
    """An app's matrix. `models`: every model the table covers → its kind; `objects`: object kind → the world's
    object of that kind (for the policy operations); `matrix`: kind → operation → roles allowed;
    `checks`: (kind, operation) → a door function, for operations other than "read" and "change"."""

    models: dict[type[Model], str]
    objects: dict[str, Callable[[MatrixWorld], Model]]
    matrix: dict[str, dict[str, frozenset[str]]]
    checks: dict[tuple[str, str], Callable[[Scene], bool]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        assert set(self.models.values()) <= set(self.matrix), "a model's kind is not in the matrix"
        for kind, ops in self.matrix.items():
            assert kind in self.objects, f"{kind} has no object"
            for op, roles in ops.items():
                assert roles <= set(ROLES), f"{kind} {op}: unknown roles {roles - set(ROLES)}"
                assert op in ("read", "change") or (kind, op) in self.checks, f"missing check {kind} {op}"

    def cases(self) -> list[tuple[str, str, str]]:
        return [(role, kind, op) for kind, ops in self.matrix.items() for op in ops for role in ROLES]

    def ids(self) -> list[str]:
        return [f"{kind}-{op}-{role}" for role, kind, op in self.cases()]

    def check(self, scene: Scene, kind: str, op: str) -> None:
        if op in ("read", "change"):
            obj = self.objects[kind](scene.world)
            allowed = (policy_read if op == "read" else policy_change)(scene, obj)
        else:
            allowed = self.checks[(kind, op)](scene)
        expected = scene.role in self.matrix[kind][op]
        assert allowed is expected, f"{scene.role} {'should' if expected else 'should not'} be able to {op} {kind}"
