"""Reads of matching: the engine's inputs built from the database (catalogue, plan lines, nomenclature,
labelled examples) and the results as pages and the API show them, under the matching policies."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import numpy as np
from django.db.models import Count, Exists, F, Max, Min, OuterRef, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from tawrid.catalog.eligibility import eligibility
from tawrid.catalog.models import Product, ProductStatus, Variant, VariantSpecification
from tawrid.catalog.selectors import SUPPLIER_KINDS, facts_for_products
from tawrid.core.jobs import worker_is_gone
from tawrid.core.models import Job, JobStatus
from tawrid.core.permissions import Actor, visible
from tawrid.demand.models import PlanLine, PurchasePlan
from tawrid.matching.engine.types import DemandLine, ProductDoc, VariantDoc, Verdict
from tawrid.matching.models import (
    ChunkStatus,
    DecisionKind,
    LineDecision,
    LineResult,
    MatchCandidate,
    MatchChunk,
    MatchDecision,
    MatchRun,
    ProductEmbedding,
    RunStatus,
)
from tawrid.specs import SpecValue

PROPOSAL_THRESHOLD = 0.5  # calibrated score from which a candidate is proposed (and may be allocated)
SHOWN_THRESHOLD = 0.1  # below this a candidate is noise and is not shown at all
PRODUCT_FLAGS = ("sterile", "single_use", "latex_free", "powder_free", "pvc_free")


# Engine inputs ---------------------------------------------------------------------------------------------------


def product_texts(product: Product) -> tuple[str, ...]:
    """What the manufacturer wrote, in every language it wrote it in (the engine is multilingual)."""
    return tuple(
        text
        for text in (
            product.name_fr,
            product.name_en,
            product.name_ar,
            product.description_fr,
            product.description_en,
            product.description_ar,
        )
        if text
    )


def embedding_text(texts: Sequence[str]) -> str:
    """What the dense model reads of a product: its texts joined, capped (the model sees 512 tokens at most and
    the first sentences carry the product's kind)."""
    return " ".join(texts)[:1000]


def text_hash(texts: Sequence[str]) -> str:
    return hashlib.sha256("\n".join(texts).encode("utf-8")).hexdigest()


def matchable_products() -> QuerySet[Product]:
    """Published products of manufacturers and start-ups: what the matching proposes."""
    return Product.objects.filter(status=ProductStatus.PUBLISHED, manufacturer__kind__in=list(SUPPLIER_KINDS))


def catalogue_fingerprint() -> str:
    """Changes whenever a matchable product, variant, specification or embedding changes (process caches of the
    engine's index are keyed by it)."""
    products = matchable_products()
    parts = [
        products.count(),
        products.aggregate(at=Max("updated_at"))["at"],
        Variant.objects.filter(product__in=products).aggregate(at=Max("updated_at"))["at"],
        VariantSpecification.objects.filter(variant__product__in=products).count(),
        ProductEmbedding.objects.aggregate(at=Max("updated_at"))["at"],
    ]
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]


def classifier_fingerprint() -> tuple[Any, ...]:
    """Changes when the classifier's knowledge changes: the nomenclature, classified products, coded lines,
    confirmations."""
    from tawrid.nomenclature.models import EmdnCode

    return (
        EmdnCode.objects.count(),
        matchable_products().filter(emdn__isnull=False).count(),
        matchable_products().aggregate(at=Max("updated_at"))["at"],
        PlanLine.objects.filter(emdn__isnull=False).exclude(emdn_source="suggested").count(),
        tuple(
            MatchDecision.objects.filter(decision=DecisionKind.CONFIRMED)
            .aggregate(n=Count("pk"), at=Max("updated_at"))
            .values()
        ),
    )


def product_flag_values(product: Product) -> tuple[SpecValue, ...]:
    """The product-level flags (sterile, single use, latex-free…) as specification values."""
    return tuple(SpecValue(flag, True) for flag in PRODUCT_FLAGS if getattr(product, flag, False))


def catalogue_documents(on: date) -> tuple[list[ProductDoc], np.ndarray | None]:
    """Every matchable product as the engine sees it, with its eligibility on `on`, and the stored embeddings
    (row i for product i; None when any product lacks an up-to-date vector — the caller refreshes first)."""
    products = list(
        matchable_products()
        .select_related("manufacturer", "emdn", "cpv")
        .prefetch_related(
            Prefetch(
                "variants",
                queryset=Variant.objects.order_by("position", "pk").prefetch_related("specifications"),
            )
        )
        .order_by("pk")
    )
    facts = facts_for_products((p.pk, p.manufacturer_id) for p in products)
    embeddings = {e.product_id: e for e in ProductEmbedding.objects.filter(product__in=matchable_products())}
    documents: list[ProductDoc] = []
    vectors: list[np.ndarray] = []
    complete = True
    for product in products:
        status = eligibility(facts[product.pk], on)
        texts = product_texts(product)
        variants = tuple(
            VariantDoc(
                id=variant.pk,
                label=variant.label,
                specifications=tuple(spec_values(variant.specifications.all())),
                capacity_per_year=float(variant.capacity_per_year) if variant.capacity_per_year else None,
                unit_price=_price_per_unit(variant.effective_unit_price),
            )
            for variant in product.variants.all()
        )
        documents.append(
            ProductDoc(
                id=product.pk,
                texts=texts,
                manufacturer_id=product.manufacturer_id,
                manufacturer=product.manufacturer.name,
                emdn=product.emdn.code if product.emdn else "",
                cpv=product.cpv.code if product.cpv else "",
                variants=variants,
                specifications=product_flag_values(product),
                eligible=status.eligible,
                missing=tuple(str(reason) for reason in status.reasons),
                unit_price=_price_per_unit(product.unit_price),
                lead_time_days=product.lead_time_days,
                capacity_per_year=float(product.capacity_per_year) if product.capacity_per_year else None,
            )
        )
        stored = embeddings.get(product.pk)
        if stored is None or stored.text_hash != text_hash(texts):
            complete = False
        elif complete:
            vectors.append(np.frombuffer(bytes(stored.vector), dtype=np.float32))
    if not complete or not documents:
        return documents, None
    return documents, np.vstack(vectors)


def _price_per_unit(price: Decimal | None) -> float | None:
    """A catalogue price (a product's, or a variant's `effective_unit_price`) as the engine reads it."""
    return None if price is None else float(price)


def spec_values(specifications: Iterable[VariantSpecification]) -> list[SpecValue]:
    """A variant's stored specifications as the engine compares them."""
    values = []
    for specification in specifications:
        try:
            values.append(specification.as_spec_value())
        except Exception:  # noqa: BLE001, S112 — an attribute retired from tawrid.specs is simply not compared
            continue
    return values


def line_attributes(line: PlanLine) -> tuple[SpecValue, ...]:
    values = []
    for item in line.attributes or []:
        value: Any = item.get("value")
        if "attribute" not in item or not isinstance(value, (float, int, str, bool)):
            continue
        values.append(SpecValue(str(item["attribute"]), value, str(item.get("unit", "")), str(item.get("raw", ""))))
    return tuple(values)


def demand_documents(lines: Iterable[PlanLine]) -> list[DemandLine]:
    return [
        DemandLine(
            id=line.pk,
            text=" ".join(part for part in (line.designation, line.specification) if part),
            attributes=line_attributes(line),
            # An engine-suggested code is not the buyer's word: the matcher reads the line's distribution instead.
            emdn=line.emdn.code if line.emdn_id and line.emdn_source != "suggested" else "",
            cpv=line.cpv.code if line.cpv_id else "",
            quantity=float(line.base_quantity or 0),
            unit_price=base_unit_price(line),
        )
        for line in lines
    ]


def base_unit_price(line: PlanLine) -> float | None:
    if line.estimated_value is None or not line.base_quantity:
        return None
    return float(line.estimated_value) / float(line.base_quantity)


def engine_verdict(value: str) -> Verdict:
    return Verdict(value)


def allocation_products(product_ids: Iterable[int]) -> dict[Any, ProductDoc]:
    """The products of a run's candidates with what the allocation needs: price, lead time, capacities."""
    products = Product.objects.filter(pk__in=list(product_ids)).prefetch_related("variants")
    return {
        product.pk: ProductDoc(
            id=product.pk,
            texts=(),
            manufacturer_id=product.manufacturer_id,
            variants=tuple(
                VariantDoc(
                    id=variant.pk,
                    capacity_per_year=float(variant.capacity_per_year) if variant.capacity_per_year else None,
                    unit_price=_price_per_unit(variant.effective_unit_price),
                )
                for variant in product.variants.all()
            ),
            unit_price=_price_per_unit(product.unit_price),
            lead_time_days=product.lead_time_days,
            capacity_per_year=float(product.capacity_per_year) if product.capacity_per_year else None,
        )
        for product in products
    }


def emdn_terms() -> list[tuple[str, str]]:
    """(code, term) for every EMDN code (the classifier reads each term with its ancestors' for context)."""
    from tawrid.nomenclature.models import EmdnCode

    return list(EmdnCode.objects.order_by("code").values_list("code", "term"))


def code_terms(codes: Iterable[str]) -> dict[str, str]:
    from tawrid.nomenclature.models import EmdnCode

    return dict(EmdnCode.objects.filter(code__in=list(codes)).values_list("code", "term"))


def explanation_out(stored: dict[str, Any]) -> dict[str, Any]:
    """A stored explanation with every key present (older rows may lack one)."""
    return {
        "words": list(stored.get("words", [])),
        "code": stored.get("code", ""),
        "fits": list(stored.get("fits", [])),
        "eligible": bool(stored.get("eligible", True)),
        "missing": list(stored.get("missing", [])),
    }


def labelled_examples() -> list[tuple[str, str]]:
    """(text, EMDN code) learned from the platform: classified catalogue products, plan lines whose code the
    buyer set or confirmed, and lines whose match the buyer confirmed (the confirmed product's code)."""
    examples: list[tuple[str, str]] = []
    for product in matchable_products().filter(emdn__isnull=False).select_related("emdn"):
        text = " ".join(product_texts(product)[:2])
        examples.append((text, product.emdn.code))  # type: ignore[union-attr]
    # The engine's own suggestions are not evidence: learning from them would only repeat its mistakes.
    coded_lines = (
        PlanLine.objects.filter(emdn__isnull=False)
        .exclude(emdn_source="suggested")
        .values_list("designation", "emdn__code")
        .distinct()
    )
    examples.extend((designation, code) for designation, code in coded_lines[:20000])
    confirmed = MatchDecision.objects.filter(decision=DecisionKind.CONFIRMED, product__emdn__isnull=False)
    examples.extend(confirmed.values_list("line__designation", "product__emdn__code"))
    return examples


# Pages and API ---------------------------------------------------------------------------------------------------


def runs_of(actor: Actor, *, plan: PurchasePlan | None = None) -> QuerySet[MatchRun]:
    runs = visible(actor, MatchRun.objects.all())
    if plan is not None:
        runs = runs.filter(plan=plan)
    return runs.select_related("plan", "plan__buyer", "created_by")


def latest_run(actor: Actor, *, plan: PurchasePlan | None = None, year: int | None = None) -> MatchRun | None:
    """The latest run with results of a plan (or the latest national run of a year)."""
    runs = runs_of(actor, plan=plan).exclude(status=RunStatus.FAILED)
    if plan is None:
        runs = runs.filter(scope="national")
        if year is not None:
            runs = runs.filter(year=year)
    return runs.first()


@dataclass(frozen=True)
class Progress:
    chunks_total: int
    chunks_done: int
    chunks_failed: int
    chunks_running: int
    lines_done: int
    lines_total: int
    stalled_since: datetime | None

    @property
    def percent(self) -> int:
        return round(100 * self.chunks_done / self.chunks_total) if self.chunks_total else 100


def run_progress(run: MatchRun) -> Progress:
    counts = dict(MatchChunk.objects.filter(run=run).values_list("status").annotate(n=Count("pk")).order_by())
    lines_done = LineResult.objects.filter(run=run).count()
    oldest_running = MatchChunk.objects.filter(run=run, status=ChunkStatus.RUNNING).aggregate(at=Min("started_at"))[
        "at"
    ]
    return Progress(
        chunks_total=run.chunks_total,
        chunks_done=counts.get(ChunkStatus.DONE, 0),
        chunks_failed=counts.get(ChunkStatus.FAILED, 0),
        chunks_running=counts.get(ChunkStatus.RUNNING, 0),
        lines_done=lines_done,
        lines_total=run.lines_total,
        stalled_since=oldest_running,
    )


def with_a_live_job(kind: str, key: str, ids: Sequence[int]) -> set[int]:
    """Which of `ids` (values of the jobs' parameter `key`) have a job of `kind` queued or running (a resume
    first fails the running jobs of this host's dead workers, so these are about to be done or being done)."""
    if not ids:
        return set()
    jobs = Job.objects.filter(
        kind=kind, status__in=[JobStatus.QUEUED, JobStatus.RUNNING], **{f"params__{key}__in": ids}
    )
    return {int(value) for value in jobs.values_list(f"params__{key}", flat=True)}


STALLED_AFTER = timedelta(minutes=10)


def is_stalled(run: MatchRun, progress: Progress) -> bool:
    """A run someone should resume: a part failed, a part's worker (of this host) is gone, a part has been
    running for long (its worker, of another host, may have died), or the run has waited long without moving."""
    if run.status in (RunStatus.DONE, RunStatus.FAILED):
        return run.status == RunStatus.FAILED
    if progress.chunks_failed:
        return True
    running = MatchChunk.objects.filter(run=run, status=ChunkStatus.RUNNING).values_list("worker", flat=True)
    if any(worker_is_gone(worker) for worker in running):  # a worker of this host died in the middle of a part
        return True
    quiet_since = timezone.now() - STALLED_AFTER
    if progress.stalled_since is not None and progress.stalled_since < quiet_since:
        return True
    return run.updated_at < quiet_since and progress.chunks_running == 0


def coverage(run: MatchRun) -> dict[str, Any]:
    """Shares of quantity and value covered by local products once volumes are allocated, and how far the
    buyer's review has gone: the quantity allocated to proposals it confirmed, the lines it decided on (a
    proposal confirmed or rejected, or the line marked as having no local source). Every decision re-allocates
    the plan's run, so these figures move with each one."""
    asked, covered = float(run.total_quantity or 0), float(run.covered_quantity or 0)
    value, covered_value = float(run.total_value or 0), float(run.covered_value or 0)
    review: dict[str, Any] = {
        "confirmed_quantity": None,
        "confirmed_share": 0.0,
        "lines_decided": None,
        "lines_no_local_source": None,
    }
    if run.plan_id is not None:  # a plan's review; a national run's 50,000 lines are the buyers' to review
        lines = PlanLine.objects.filter(plan_id=run.plan_id)
        confirmed = MatchDecision.objects.filter(
            line=OuterRef("result__line_id"), product=OuterRef("product_id"), decision=DecisionKind.CONFIRMED
        )
        confirmed_quantity = MatchCandidate.objects.filter(
            Exists(confirmed), result__run=run, allocated_quantity__gt=0
        ).aggregate(total=Sum("allocated_quantity"))["total"] or Decimal(0)
        confirmed_quantity = Decimal(confirmed_quantity).quantize(Decimal("0.001"))  # as stored, on any database
        review = {
            "confirmed_quantity": confirmed_quantity,
            "confirmed_share": float(confirmed_quantity) / asked if asked else 0.0,
            "lines_decided": lines.filter(Q(match_decisions__isnull=False) | Q(match_line_decision__isnull=False))
            .distinct()
            .count(),
            "lines_no_local_source": LineDecision.objects.filter(line__plan_id=run.plan_id).count(),
        }
    return {
        "quantity": run.total_quantity,
        "covered_quantity": run.covered_quantity,
        "quantity_share": covered / asked if asked else 0.0,
        "value": run.total_value,
        "covered_value": run.covered_value,
        "value_share": covered_value / value if value else 0.0,
        "lines_with_candidates": LineResult.objects.filter(run=run, best_score__gte=PROPOSAL_THRESHOLD).count(),
        "lines_covered": LineResult.objects.filter(run=run, covered_quantity__gt=0).count(),
        **review,
    }


def national_years() -> list[int]:
    years = set(PurchasePlan.objects.filter(status="published").values_list("year", flat=True).distinct())
    years |= set(MatchRun.objects.filter(scope="national").values_list("year", flat=True).distinct())
    return sorted(years, reverse=True)


def line_results(actor: Actor, run: MatchRun, *, show: str = "", q: str = "") -> QuerySet[LineResult]:
    results = visible(actor, LineResult.objects.filter(run=run)).select_related(
        "line", "line__emdn", "line__plan", "line__plan__buyer"
    )
    if show == "gaps":
        results = results.filter(covered_quantity__lt=F("quantity"))
    elif show == "covered":
        results = results.filter(covered_quantity__gt=0)
    elif show == "conflicts":
        results = results.filter(candidates__rank=1, candidates__verdict="conflict")
    for word in q.split():
        results = results.filter(line__designation__icontains=word)
    return results.order_by("line__line_number", "line_id").distinct()


def candidates_by_result(
    results: Sequence[LineResult], *, per_line: int | None = None, min_score: float = SHOWN_THRESHOLD
) -> dict[int, list[MatchCandidate]]:
    """Each line's candidates worth showing, best first (all of them unless `per_line`): every candidate the
    allocation may give volume to is among them (it needs a score of PROPOSAL_THRESHOLD ≥ SHOWN_THRESHOLD)."""
    found: dict[int, list[MatchCandidate]] = defaultdict(list)
    candidates = MatchCandidate.objects.filter(result__in=[r.pk for r in results], score__gte=min_score)
    if per_line is not None:
        candidates = candidates.filter(rank__lte=per_line)
    candidates = candidates.select_related("product", "product__manufacturer", "variant", "product__emdn").order_by(
        "result_id", "rank"
    )
    for candidate in candidates:
        found[candidate.result_id].append(candidate)
    return found


def decisions_for(lines: Iterable[int]) -> dict[tuple[int, int], MatchDecision]:
    return {(d.line_id, d.product_id): d for d in MatchDecision.objects.filter(line_id__in=list(lines))}


def line_decisions_for(lines: Iterable[int]) -> dict[int, LineDecision]:
    return {d.line_id: d for d in LineDecision.objects.filter(line_id__in=list(lines))}


def share_of(allocated: Decimal | float, quantity: Decimal | float) -> float:
    """The part of a line's quantity allocated to one candidate (0 for a line without quantity)."""
    return float(allocated) / float(quantity) if quantity else 0.0


def gaps(actor: Actor, run: MatchRun, *, limit: int = 200) -> list[dict[str, Any]]:
    """What nobody local makes (or not enough of): uncovered quantity per EMDN code, largest first."""
    rows = (
        visible(actor, LineResult.objects.filter(run=run))
        .filter(covered_quantity__lt=F("quantity"))
        .values("line__emdn__code", "line__emdn__term")
        .annotate(lines=Count("pk"), asked=Sum("quantity"), covered=Sum("covered_quantity"))
        .order_by()
    )
    gaps_list = [
        {
            "code": row["line__emdn__code"] or "",
            "term": row["line__emdn__term"] or "",
            "lines": row["lines"],
            "uncovered": row["asked"] - row["covered"],
        }
        for row in rows
    ]
    gaps_list.sort(key=lambda gap: (-gap["uncovered"], gap["code"]))
    return gaps_list[:limit]


def coverage_by_buyer(run: MatchRun) -> list[dict[str, Any]]:
    rows = (
        LineResult.objects.filter(run=run)
        .values("line__plan__buyer_id", "line__plan__buyer__name")
        .annotate(asked=Sum("quantity"), covered=Sum("covered_quantity"))
        .order_by("line__plan__buyer__name")
    )
    return [
        {
            "buyer_id": row["line__plan__buyer_id"],
            "buyer": row["line__plan__buyer__name"],
            "asked": row["asked"] or 0,
            "covered": row["covered"] or 0,
            "share": float(row["covered"] or 0) / float(row["asked"]) if row["asked"] else 0.0,
        }
        for row in rows
    ]


def supplier_matches(actor: Actor, *, q: str = "") -> QuerySet[MatchCandidate]:
    """The plan lines the actor's own products match, on published plans, from each plan's latest run."""
    organisations = actor.org_ids_of_kind(*SUPPLIER_KINDS)
    latest_runs = (
        MatchRun.objects.filter(status=RunStatus.DONE, scope="plan", plan__status="published")
        .values("plan_id")
        .annotate(latest=Max("pk"))
        .values_list("latest", flat=True)
    )
    candidates = MatchCandidate.objects.filter(
        product__manufacturer__in=organisations, result__run__in=list(latest_runs), score__gte=PROPOSAL_THRESHOLD
    ).select_related("product", "variant", "result__line", "result__line__plan", "result__line__plan__buyer")
    for word in q.split():
        candidates = candidates.filter(
            Q(result__line__designation__icontains=word) | Q(product__name_fr__icontains=word)
        )
    return candidates.order_by("-score", "pk")
