"""Every model registered with a permission policy is in some app's permission matrix (a new model with a policy
must get its row: add it to its app's table here, or to tests/test_permission_matrix.py for accounts and jobs)."""

from tawrid.core.permissions import registered_models
from tests import test_permission_matrix as accounts_matrix
from tests.permission_matrix import (
    test_accounts,
    test_catalog,
    test_demand,
    test_imports,
    test_insights,
    test_matching,
    test_nomenclature,
    test_sourcing,
)

TABLES = [test_accounts, test_catalog, test_demand, test_imports, test_insights, test_matching]
TABLES += [test_nomenclature, test_sourcing]


def covered_models() -> set[type]:
    covered = {model for model, kind in accounts_matrix.MODELS.items() if kind in accounts_matrix.MATRIX}
    for module in TABLES:
        covered |= set(module.TABLE.models)
    return covered


def test_every_model_with_a_policy_is_in_a_permission_matrix() -> None:
    missing = sorted(model._meta.label for model in registered_models() if model not in covered_models())
    assert not missing, f"models with a policy but in no permission matrix: {missing}"


def test_the_matrices_cover_only_models_with_a_policy() -> None:
    registered = set(registered_models())
    assert covered_models() <= registered, sorted(m._meta.label for m in covered_models() - registered)
