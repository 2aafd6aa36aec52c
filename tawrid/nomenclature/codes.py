"""The shape of EMDN codes, as pure functions (no database): a category letter, then two digits per level.
Shared by the nomenclature's pages and API, the national demand roll-up and the matching engine."""


def emdn_parent(code: str) -> str | None:
    """A0101010101 → A01010101; A01 → A; A → None."""
    if len(code) <= 1:
        return None
    return code[0] if len(code) == 3 else code[:-2]


def emdn_ancestors(code: str) -> list[str]:
    """A, A01, A0101… down to the code itself."""
    return [code[:length] for length in range(1, len(code) + 1, 2)]
