from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import translation

from tawrid.accounts.models import Organisation, User
from tawrid.demo import data


def _run(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_seed_demo_says_what_it_created_then_that_it_is_already_present():
    with translation.override("en"):
        first = _run()
        second = _run()
    people = User.objects.count()
    assert f"created {len(data.ORGANISATIONS)} organisations, {people} people" in first
    assert "already present" in second and "organisations" not in second
    assert Organisation.objects.count() == len(data.ORGANISATIONS)


@pytest.mark.django_db
def test_seed_demo_speaks_french_by_default():
    with translation.override("fr"):
        first = _run("--seed", "11")
        second = _run("--seed", "11")
    assert f"{len(data.ORGANISATIONS)} organisations" in first and "créé" in first
    assert "déjà présentes" in second


@pytest.mark.django_db
def test_seed_demo_lists_what_it_created_when_verbose():
    out = StringIO()
    call_command("seed_demo", verbosity=2, stdout=out)
    assert "+ Injecta Maroc (démo)" in out.getvalue()
    assert "+ fabricant@demo.tawrid.ma" in out.getvalue()


@pytest.mark.django_db
def test_logins_prints_the_table_and_writes_nothing():
    with translation.override("en"):
        table = _run("--logins")
    assert Organisation.objects.count() == 0 and User.objects.count() == 0
    assert "tawrid-demo" in table
    lines = table.splitlines()
    assert lines[1].split() == ["E-mail", "Organisation", "Kind", "Role"]
    for login in data.NAMED_LOGINS:
        assert any(line.startswith(login.email + " ") for line in lines), login.email
    fabricant = next(line for line in lines if line.startswith("fabricant@"))
    assert "Injecta Maroc (démo)" in fabricant and "Manufacturer" in fabricant and "Administrator" in fabricant
    lecture = next(line for line in lines if line.startswith("fabricant.lecture@"))
    assert "Read-only" in lecture
    assert "admin.<slug>@demo.tawrid.ma" in table
