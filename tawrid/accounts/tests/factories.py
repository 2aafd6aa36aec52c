"""Factories for people and organisations, shared by every app's tests."""

from datetime import timedelta

import factory
from django.utils import timezone

from tawrid.accounts.models import (
    ApiToken,
    ClusterMembership,
    Invitation,
    InvitationStatus,
    Membership,
    Organisation,
    OrganisationKind,
    Role,
    User,
)
from tawrid.accounts.tokens import api_token_create, hash_secret, new_secret
from tawrid.core.text import fold

TEST_PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.ma")
    full_name = factory.Sequence(lambda n: f"Personne {n}")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save()


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Organisation {n}")
    slug = factory.Sequence(lambda n: f"org-{n}")
    kind = OrganisationKind.MANUFACTURER
    city = "Casablanca"
    region = "Casablanca-Settat"
    description = ""
    # As the services fill it, so that searches find factory-made organisations.
    search_text = factory.LazyAttribute(lambda o: fold(" ".join(filter(None, [o.name, o.city, o.description]))))


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Role.MEMBER


class ClusterMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClusterMembership

    cluster = factory.SubFactory(OrganisationFactory, kind=OrganisationKind.CLUSTER)
    member = factory.SubFactory(OrganisationFactory)
    # The member agreed (it applied or accepted the cluster's proposal): the secretariat's oversight needs it.
    member_consented_at = factory.LazyFunction(timezone.now)


def person_in(organisation: Organisation, role: str = Role.MEMBER, **user_fields) -> User:
    """A new person who belongs to `organisation` with `role`."""
    user = UserFactory(**user_fields)
    MembershipFactory(user=user, organisation=organisation, role=role)
    return user


class InvitationFactory(factory.django.DjangoModelFactory):
    """An invitation row; its raw token is `invitation.raw_token` (only the hash is stored)."""

    class Meta:
        model = Invitation

    organisation = factory.SubFactory(OrganisationFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.ma")
    role = Role.MEMBER
    status = InvitationStatus.PENDING
    raw_token = factory.LazyFunction(new_secret)
    token_hash = factory.LazyAttribute(lambda o: hash_secret(o.raw_token))
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=14))

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        raw = kwargs.pop("raw_token", None)
        obj = super()._create(model_class, *args, **kwargs)
        obj.raw_token = raw
        return obj


def token_for(user: User, name: str = "tests", days: int | None = None) -> tuple[ApiToken, str]:
    """A personal API token for `user` and its secret."""
    return api_token_create(user=user, name=name, days=days)


class World:
    """A small cluster for permission tests: organisations A and B, their people, a cluster whose
    secretariat oversees A, another cluster, and the platform operator."""

    def __init__(self) -> None:
        self.org_a = OrganisationFactory(name="Alpha Gants", kind=OrganisationKind.MANUFACTURER)
        self.org_b = OrganisationFactory(name="Beta Seringues", kind=OrganisationKind.MANUFACTURER, is_public=False)
        self.cluster = OrganisationFactory(name="Cluster médical", kind=OrganisationKind.CLUSTER)
        self.other_cluster = OrganisationFactory(name="Cluster ferroviaire", kind=OrganisationKind.CLUSTER)
        self.admin_a = person_in(self.org_a, Role.ADMIN, full_name="Amina Admin")
        self.member_a = person_in(self.org_a, Role.MEMBER, full_name="Mehdi Membre")
        self.reader_a = person_in(self.org_a, Role.READ_ONLY, full_name="Rania Lecture")
        self.admin_b = person_in(self.org_b, Role.ADMIN, full_name="Badr Admin")
        self.secretariat = person_in(self.cluster, Role.ADMIN, full_name="Samira Secrétariat")
        self.other_secretariat = person_in(self.other_cluster, Role.ADMIN, full_name="Omar Autre")
        self.superuser = UserFactory(is_superuser=True, is_staff=True, full_name="Opérateur")
        self.cm_a = ClusterMembershipFactory(cluster=self.cluster, member=self.org_a)
        self.cm_b = ClusterMembershipFactory(cluster=self.other_cluster, member=self.org_b)

    @property
    def people(self) -> dict[str, User | None]:
        return {
            "anonymous": None,
            "admin_a": self.admin_a,
            "member_a": self.member_a,
            "reader_a": self.reader_a,
            "admin_b": self.admin_b,
            "secretariat": self.secretariat,
            "other_secretariat": self.other_secretariat,
            "superuser": self.superuser,
        }
