"""One world for every app's permission matrix: the sourcing tests' world (a hospital group buying, Maroc
Seringues making eligible needles, Euro Needles bidding against it, the cluster secretariat) given the matrix's
roles, and one object of every model registered with a permission policy, each in a state that tells the roles
apart (a published product and a draft one, a consultation opened, evaluated, awarded, ordered and delivered…).

Roles: organisation A is Maroc Seringues (its administrator, member and read-only person); B is Euro Needles
(its administrator), overseen by another cluster; the secretariat oversees A and the group; IMANOR, the Ministry
of Health / DMP and the Ministry of Industry have one member each; the buyer is a member of the group.
"""

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone

from tawrid.accounts.models import OrganisationKind, Role, User
from tawrid.accounts.tests.factories import ClusterMembershipFactory, OrganisationFactory, person_in, token_for
from tawrid.catalog import models as catalog
from tawrid.catalog.tests.factories import ProductFactory
from tawrid.core.permissions import actor_for
from tawrid.demand.tests.factories import line_data
from tawrid.sourcing import reviews as sourcing_reviews
from tawrid.sourcing import services as sourcing_services
from tawrid.sourcing.tests.factories import AwardWorld, clock, terms

ROLES = [
    "anonymous",
    "admin_a",
    "member_a",
    "reader_a",
    "admin_b",
    "secretariat",
    "other_secretariat",
    "imanor",
    "ministry_health",
    "ministry_industry",
    "buyer",
    "superuser",
]
ALL = frozenset(ROLES)
SIGNED_IN = ALL - {"anonymous"}
A_PEOPLE = frozenset({"admin_a", "member_a", "reader_a"})
A_WRITERS = frozenset({"admin_a", "member_a"})
A_READERS = A_PEOPLE | {"secretariat", "superuser"}  # A's people, the secretariat overseeing A, the operator
SUPPLIERS = A_PEOPLE | {"admin_b"}  # people of manufacturers
BUYER_SIDE = frozenset({"buyer", "secretariat", "superuser"})  # the group's people, its secretariat, the operator
NOBODY: frozenset[str] = frozenset()


class MatrixWorld(AwardWorld):
    def __init__(self) -> None:
        super().__init__()
        self._people()
        self._catalogue()
        self._plans_and_consultation()
        self._imports()
        self._insights()
        self._nomenclature()
        # One API token per person (API checks use them; pages log in).
        self.tokens = {role: token_for(user, name="matrix")[1] for role, user in self.people.items() if user}

    # People ----------------------------------------------------------------------------------------------------

    def _people(self) -> None:
        self.org_a, self.org_b = self.maker, self.foreign_maker
        self.admin_a = person_in(self.maker, Role.ADMIN, full_name="Amina Admin")
        self.member_a, self.reader_a, self.admin_b = self.manufacturer, self.maker_reader, self.foreign_manufacturer
        ClusterMembershipFactory(cluster=self.cluster, member=self.maker)
        self.other_cluster = OrganisationFactory(name="Cluster ferroviaire", kind=OrganisationKind.CLUSTER)
        self.other_secretariat = person_in(self.other_cluster, Role.ADMIN, full_name="Omar Autre")
        ClusterMembershipFactory(cluster=self.other_cluster, member=self.foreign_maker)
        authorities = {}
        for role, kind in (
            ("imanor", OrganisationKind.IMANOR),
            ("ministry_health", OrganisationKind.MINISTRY_HEALTH),
            ("ministry_industry", OrganisationKind.MINISTRY_INDUSTRY),
        ):
            organisation = OrganisationFactory(name=f"Autorité {role}", kind=kind)
            authorities[role] = person_in(organisation, Role.MEMBER, full_name=f"Agent {role}")
        self.authorities = authorities

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
            **self.authorities,
            "buyer": self.buyer,
            "superuser": self.superuser,
        }

    # Catalogue -------------------------------------------------------------------------------------------------

    def _catalogue(self) -> None:
        self.product_a = self.needles  # published, eligible, A's
        self.draft_product = ProductFactory(manufacturer=self.maker, reference="A-DRAFT", status="draft")
        self.variant = self.needles.variants.order_by("position").first()
        self.spec = catalog.VariantSpecification.objects.filter(variant=self.variant).first()
        self.certificate = catalog.Certificate.objects.filter(holder=self.maker).first()
        self.certificate_decision = catalog.CertificateDecision.objects.create(
            certificate=self.certificate, action="verify"
        )
        self.registration = catalog.RegistrationApplication.objects.filter(product=self.needles).first()
        self.registration_decision = catalog.RegistrationDecision.objects.create(
            registration=self.registration, action="approve"
        )
        self.label = catalog.LabelApplication.objects.create(
            product=self.needles, local_content_share=Decimal("60"), status="submitted"
        )
        self.label_decision = catalog.LabelDecision.objects.create(label=self.label, action="refuse")
        self.evidence = self._document("certificate", "Certificat ISO 13485.pdf")
        self.data_sheet = self._document("data_sheet", "Fiche technique.pdf")
        self.site = catalog.ProductionSite.objects.create(organisation=self.maker, name="Usine de Tanger")
        self.reminder = catalog.ExpiryReminder.objects.create(
            object_kind="certificate", object_id=self.certificate.pk, days_before=30, expires_on=date(2029, 1, 1)
        )

    def _document(self, kind: str, title: str) -> catalog.ProductDocument:
        return catalog.ProductDocument.objects.create(
            organisation=self.maker,
            product=self.needles,
            kind=kind,
            title=title,
            file=ContentFile(b"%PDF-1.4\n", name="document.pdf"),
            content_type="application/pdf",
            size=9,
            uploaded_by=self.member_a,
        )

    # Plans, matching and a consultation run to its deliveries ------------------------------------------------------

    def _plans_and_consultation(self) -> None:
        from tawrid.demand import services as demand_services
        from tawrid.matching.models import LineDecision, MatchDecision

        buyer = actor_for(self.buyer)
        self.draft_plan = demand_services.plan_create(actor=buyer, buyer=self.group, year=2027)
        self.draft_line = demand_services.line_create(
            actor=buyer, plan=self.draft_plan, data=line_data("SERINGUE 5 ML", quantity="10", unit="U")
        )
        self.tender = self.consultation_world()
        self.published_plan = self.tender.lots.first().lines.first().plan_line.plan
        self.draft_consultation = sourcing_services.consultation_create_from_lines(
            actor=buyer,
            buyer=self.group,
            lines=list(self.published_plan.lines.order_by("line_number")),
            data=terms("CONS-2026-002"),
            user=self.buyer,
        )
        self.plan_line = self.published_plan.lines.order_by("line_number").first()
        self.run = self.published_plan.match_runs.first()
        self.run.chunks.update(status="done")  # a finished run: decisions may be recorded
        self.chunk = self.run.chunks.first()
        self.line_result = self.run.line_results.filter(line=self.plan_line).first()
        self.candidate = self.line_result.candidates.order_by("rank").first()
        self.match_decision = MatchDecision.objects.create(
            line=self.plan_line,
            product=self.needles,
            variant=self.variant,
            decision="confirmed",
            decided_by=self.buyer,
        )
        self.other_plan_line = self.published_plan.lines.order_by("line_number")[1]
        self.line_decision = LineDecision.objects.create(
            line=self.other_plan_line, decision="no_local_source", decided_by=self.buyer
        )

    def consultation_world(self) -> Any:
        consultation = self.consultation()
        lot = self.lot(consultation, 1)
        self.question = sourcing_services.question_ask(
            actor=actor_for(self.member_a), consultation=consultation, supplier=self.maker, text="Délai ?"
        )
        sourcing_services.question_answer(actor=actor_for(self.buyer), question=self.question, answer="30 jours")
        self.offer_a, self.offer_b = self.needle_offers(consultation, local=("1.12", "1.12"), foreign=("1.00", "1.00"))
        consultation = self.evaluated(consultation)
        lot = self.lot(consultation, 1)
        with clock(consultation.opening_at + timedelta(hours=1)):
            self.award = sourcing_services.award_make(actor=actor_for(self.buyer), lot=lot, offer=self.offer_a)
            self.review = sourcing_reviews.review_request(  # B, not retained, asks for a review
                actor=actor_for(self.admin_b), offer=self.offer_b, text="Préférence mal appliquée ?"
            )
        with clock(self.award.standstill_until + timedelta(minutes=1)):
            lines = [{"lot_line": line.pk, "quantity": line.quantity} for line in lot.lines.order_by("position")]
            self.order = sourcing_services.order_create_from_award(
                actor=actor_for(self.buyer), award=self.award, lines=lines
            )
            self.order_line = self.order.lines.order_by("position").first()
            self.delivery = sourcing_services.delivery_record(
                actor=actor_for(self.buyer), order=self.order, received={self.order_line.pk: Decimal(10)}
            )
        self.lot_1 = lot
        self.lot_line = lot.lines.order_by("position").first()
        self.invitation = consultation.invitations.get(supplier=self.maker)
        self.offer_line = self.offer_a.lines.first()
        self.evaluation = lot.evaluation
        self.evaluated_offer = self.evaluation.offers.get(offer=self.offer_a)
        self.receipt = self.offer_a.receipts.get(version=self.offer_a.version)
        self.delivery_line = self.delivery.lines.first()
        return consultation

    # Imports -----------------------------------------------------------------------------------------------------

    def _imports(self) -> None:
        from tawrid.imports.models import ColumnMapping, ImportRowError, ImportRun

        self.import_run = ImportRun.objects.create(
            organisation=self.maker,
            kind="catalog.products",
            file=ContentFile(b"reference;name\nX;Y\n", name="catalogue.csv"),
            original_filename="catalogue.csv",
            file_format="csv",
            size=20,
            created_by=self.member_a,
        )
        self.column_mapping = ColumnMapping.objects.create(organisation=self.maker, kind="catalog.products")
        self.row_error = ImportRowError.objects.create(run=self.import_run, row_number=2, message="EMDN inconnu")

    # Insights ----------------------------------------------------------------------------------------------------

    def _insights(self) -> None:
        from tawrid.insights import models as insights
        from tawrid.insights import services as insights_services
        from tawrid.insights.tests.factories import flow, hs_reference, ready_dataset

        hs_reference()
        self.hs_link = insights.HsEmdnLink.objects.create(
            hs6="901832", emdn_group=self.needle_code.parent.parent.parent, share_percent=Decimal(100)
        )
        self.exchange_rate = insights.ExchangeRate.objects.create(
            year=2023, currency="USD", mad_per_unit=Decimal(10), source="BAM"
        )
        self.dataset = ready_dataset([flow(2023, "FRA", "MAR", "901832", 1000)], name="Comtrade MAR 2023")
        self.refused_dataset = ready_dataset(
            [flow(2023, "DEU", "MAR", "901832", 9999)], name="Fichier refusé", status="refused"
        )
        self.flow = self.dataset.flows.first()
        self.refused_flow = self.refused_dataset.flows.first()
        self.snapshot = insights_services.snapshot_compute_now(actor=actor_for(self.superuser))
        self.group_figures = self.snapshot.groups.first()
        self.group_year_figures = self.snapshot.group_years.first()
        self.organisation_figures = self.snapshot.organisations.get(organisation=self.maker)
        self.organisation_year_figures = self.snapshot.organisation_years.filter(organisation=self.group).first()
        self.report = insights.Report.objects.create(
            kind="quarterly", language="fr", title="Rapport T1", snapshot=self.snapshot, requested_by=self.superuser
        )

    # Nomenclatures -----------------------------------------------------------------------------------------------

    def _nomenclature(self) -> None:
        from tawrid.nomenclature import models as nomenclature

        self.emdn_code = self.needle_code
        self.cpv_code = nomenclature.CpvCode.objects.create(
            code="33000000-0",
            numeric_code=33000000,
            level=1,
            kind="supplies",
            label_fr="Aiguilles",
            label_en="Needles",
            label_it="Aghi",
        )
        self.hs_code = nomenclature.HsCode.objects.get(code="901832")
        self.hs_section = self.hs_code.section or nomenclature.HsSection.objects.create(
            number=18, roman="XVIII", name="Optical, photographic, medical or surgical instruments"
        )
        self.hs_concordance = nomenclature.HsConcordance.objects.create(
            code_after="901832",
            code_before="901832",
            relationship="1:1",
            adjustment="",
            revision_after="HS2022",
            revision_before="HS2017",
        )
        self.fda_code = nomenclature.FdaProductCode.objects.create(
            product_code="FMI", device_name="Needle, hypodermic", device_class="2"
        )
        self.reference_dataset = nomenclature.ReferenceDataset.objects.create(
            name="emdn", sha256="0" * 64, loaded_at=timezone.now()
        )
