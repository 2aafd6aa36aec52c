"""Writes of matching: product embeddings, match runs cut into chunks that workers take in parallel, the
allocation of volumes within capacities, and buyers' decisions.

A run's life: `match_run_start` records the run and its chunks and enqueues one job per chunk; each chunk job
(`match_chunk_execute`) claims its chunk, matches its lines with the pure engine and replaces the chunk's
results in one transaction; the worker that finishes the last chunk moves the run to `allocating` (a
conditional update, so exactly one does: a run is done only once every chunk is) and the allocation job solves
the LP. A crash leaves chunks `failed`, or `running` in a worker (host:pid) that is gone, detected as interrupted
jobs are: `match_run_resume` re-queues every chunk not done; results replaced as a whole are never doubled.
"""

from __future__ import annotations

import fcntl
import logging
import os
import socket
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import numpy as np
from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from tawrid.catalog.models import Product
from tawrid.core.errors import DomainError, Forbidden
from tawrid.core.jobs import fail_interrupted_jobs, job_enqueue, worker_is_gone
from tawrid.core.models import Job
from tawrid.core.permissions import Actor
from tawrid.demand.coding import demand_refresh_after_engine, engine_codes_apply
from tawrid.demand.models import PlanLine, PlanStatus, PurchasePlan
from tawrid.matching import policies, selectors
from tawrid.matching.engine import dense
from tawrid.matching.engine.allocate import Allocation, allocate, offers_from
from tawrid.matching.engine.classify import CodeClassifier
from tawrid.matching.engine.confidence import ConfidentCode
from tawrid.matching.engine.retrieve import Matcher
from tawrid.matching.engine.types import Candidate, DemandLine, ProductDoc
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
    RunScope,
    RunStatus,
)

logger = logging.getLogger(__name__)

CHUNK_JOB = "matching.match_chunk"
ALLOCATE_JOB = "matching.allocate"
EMBED_JOB = "matching.refresh_embeddings"
CHUNK_LINES = 400
TOP = 10
# A candidate below this calibrated score is shown as a weak lead but never counted as supplying the line: on
# the development data a score of 0.5 is where a proposal is right more often than not.
ALLOCATION_THRESHOLD = selectors.PROPOSAL_THRESHOLD


# Embeddings ------------------------------------------------------------------------------------------------------


def embeddings_refresh(*, product_ids: Sequence[int] | None = None, batch: int = 512) -> int:
    """Embed the products whose texts changed since their vector was computed (or that have none); the others
    are left alone, so editing one product re-embeds that product only. Products with the same texts (a
    family's variants listed as products, the same description reused) are embedded once. Returns how many
    products got a new vector."""
    products = selectors.matchable_products()
    if product_ids is not None:
        products = products.filter(pk__in=list(product_ids))
    stored = dict(ProductEmbedding.objects.filter(model_name=dense.MODEL_NAME).values_list("product_id", "text_hash"))
    stale: dict[str, list[tuple[int, str]]] = {}  # text the model reads → (product, hash of its texts)
    for product in products.order_by("pk"):
        texts = selectors.product_texts(product)
        digest = selectors.text_hash(texts)
        if stored.get(product.pk) != digest:
            stale.setdefault(selectors.embedding_text(texts), []).append((product.pk, digest))
    unique = list(stale)
    for start in range(0, len(unique), batch):
        part = unique[start : start + batch]
        vectors = dense.embed_passages(part)
        rows = [
            ProductEmbedding(
                product_id=pk,
                model_name=dense.MODEL_NAME,
                text_hash=digest,
                vector=np.asarray(vector, dtype=np.float32).tobytes(),
            )
            for text, vector in zip(part, vectors, strict=True)
            for pk, digest in stale[text]
        ]
        # An upsert: two workers starting at once may embed the same products, and the second must not fail.
        ProductEmbedding.objects.bulk_create(
            rows,
            batch_size=1000,
            update_conflicts=True,
            unique_fields=["product"],
            update_fields=["model_name", "text_hash", "vector", "updated_at"],
        )
    return sum(len(owners) for owners in stale.values())


# The engine, built once per process and catalogue state ----------------------------------------------------------


@dataclass(frozen=True)
class Engine:
    matcher: Matcher
    classifier: CodeClassifier
    products: dict[Any, ProductDoc]

    def run(
        self, lines: Sequence[DemandLine], *, top: int = TOP
    ) -> tuple[list[list[Candidate]], list[Any], list[ConfidentCode | None]]:
        """Candidates, code suggestions and the code the engine is sure of (or None) of each line: the lines'
        vectors and code distribution are computed once, and the matcher uses the same suggestions for the lines
        without a code."""
        if not lines:
            return [], [], []
        texts = [line.text for line in lines]
        vectors = dense.embed_queries(texts)
        probabilities = self.classifier.distribution(texts, vectors)
        suggestions = self.classifier.top(probabilities, 5)
        confident = self.classifier.confident(probabilities)
        return self.matcher.match(lines, top=top, vectors=vectors, suggestions=suggestions), suggestions, confident


_engine_lock = threading.Lock()
_engine_cache: dict[tuple[Any, ...], Engine] = {}
_classifier_cache: dict[tuple[Any, ...], CodeClassifier] = {}


def delivery_date(year: int) -> date:
    """Eligibility is judged on the first day deliveries of the year can happen: 1 January of the plan's year,
    or today once that year has begun."""
    today = timezone.localdate()
    return max(date(year, 1, 1), today)


def embedding_cache() -> dense.EmbeddingCache:
    """Vectors of nomenclature terms and labelled examples, on disk: a worker that starts does not embed the
    7,000 EMDN terms again."""
    return dense.EmbeddingCache(settings.BASE_DIR / "var" / "cache" / "embeddings")


def classifier_on_shared_vectors(
    terms: Sequence[tuple[str, str]],
    examples: Sequence[tuple[str, str]] = (),
    *,
    parents: dict[str, str] | None = None,
) -> CodeClassifier:
    """A classifier whose term vectors come from the disk cache, built by one process of the machine at a time:
    the first embeds what is missing (about 2 minutes for EMDN on 2 cores), the others wait and then read its
    vectors. Two processes embedding at once on 2 cores took 10 minutes each (the web server, a worker, the
    command line and test processes all build classifiers)."""
    with _machine_lock("classifier"):
        return CodeClassifier(terms, examples, parents=parents, cache=embedding_cache())


def code_classifier() -> CodeClassifier:
    """The EMDN classifier (nomenclature terms, classified products, buyers' codes and confirmations), cached in
    the process until those change."""
    key = selectors.classifier_fingerprint()
    with _engine_lock:
        if key not in _classifier_cache:
            terms, examples = selectors.emdn_terms(), selectors.labelled_examples()
            classifier = classifier_on_shared_vectors(terms, examples)
            _classifier_cache.clear()
            _classifier_cache[key] = classifier
        return _classifier_cache[key]


@contextmanager
def _machine_lock(name: str) -> Iterator[None]:
    """An exclusive lock shared by the processes of this machine (workers, web server, tests)."""
    directory = settings.BASE_DIR / "var" / "cache"
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / f"{name}.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def engine_for(on: date) -> Engine:
    """The matcher over the catalogue as it is now, with eligibility on `on`; cached in the process while the
    catalogue, its embeddings and the classifier's examples do not change. When the catalogue has changed, the
    products whose texts changed are embedded first (only those) — not at every chunk: reading a whole
    catalogue to find that nothing changed costs seconds at 100,000 products."""
    classifier = code_classifier()
    key = (selectors.catalogue_fingerprint(), on, id(classifier))
    with _engine_lock:
        if key not in _engine_cache:
            if embeddings_refresh():  # new vectors change the fingerprint: key the engine by the state it reads
                key = (selectors.catalogue_fingerprint(), on, id(classifier))
            documents, vectors = selectors.catalogue_documents(on)
            _engine_cache.clear()  # one catalogue state at a time: the old index is garbage
            _engine_cache[key] = Engine(
                Matcher(documents, vectors, classifier=classifier), classifier, {d.id: d for d in documents}
            )
        return _engine_cache[key]


def suggest_codes(text: str, *, top: int = 5) -> list[dict[str, Any]]:
    """EMDN codes for a text, best first, with their terms (shown where a code is chosen)."""
    if not text.strip():
        return []
    suggestions = code_classifier().suggest([text], top)[0]
    terms = selectors.code_terms(s.code for s in suggestions)
    return [{"code": s.code, "term": terms.get(s.code, ""), "score": round(s.score, 4)} for s in suggestions]


# Runs ------------------------------------------------------------------------------------------------------------


def _lines_of(*, plan: PurchasePlan | None, year: int) -> list[int]:
    if plan is not None:
        return list(PlanLine.objects.filter(plan=plan).order_by("line_number").values_list("pk", flat=True))
    from tawrid.demand.services import counted_plans

    lines = PlanLine.objects.filter(plan__in=counted_plans().filter(year=year, status=PlanStatus.PUBLISHED))
    # Hospitals write the same designations: chunks of lines sorted by designation let the engine match each
    # distinct designation of a chunk once (a national year repeats them across buyers).
    return list(lines.order_by("designation", "pk").values_list("pk", flat=True))


def match_run_start(
    *, actor: Actor, plan: PurchasePlan | None = None, year: int | None = None, chunk_lines: int = CHUNK_LINES
) -> MatchRun:
    """Record a run of one plan (or of every published plan of `year`) and put its chunks on the queue."""
    if plan is not None:
        if not policies.can_match_plan(actor, plan):
            raise Forbidden(_("You may not match this plan."))
        year = plan.year
    else:
        if not policies.can_run_national(actor):
            raise Forbidden(_("Only the cluster's secretariat runs the national matching."))
        if year is None:
            raise DomainError(_("Choose the year to match."), code="year_required")
    lines = _lines_of(plan=plan, year=year)
    if not lines:
        raise DomainError(_("There are no lines to match."), code="no_lines")
    running = MatchRun.objects.filter(
        status__in=[RunStatus.MATCHING, RunStatus.ALLOCATING], scope=RunScope.PLAN if plan else RunScope.NATIONAL
    )
    running = running.filter(plan=plan) if plan is not None else running.filter(year=year)
    if running.exists():
        raise DomainError(_("A matching of these lines is already under way."), code="run_in_progress")
    with transaction.atomic():
        run = MatchRun.objects.create(
            scope=RunScope.PLAN if plan is not None else RunScope.NATIONAL,
            year=year,
            plan=plan,
            created_by_id=actor.user_id,
            lines_total=len(lines),
            chunks_total=(len(lines) + chunk_lines - 1) // chunk_lines,
            products_total=selectors.matchable_products().count(),
        )
        chunks = MatchChunk.objects.bulk_create(
            MatchChunk(run=run, number=number, line_ids=lines[start : start + chunk_lines])
            for number, start in enumerate(range(0, len(lines), chunk_lines), start=1)
        )
        _enqueue_chunks(run, chunks, actor)
    return run


def _run_name(run: MatchRun) -> str:
    """The run as its jobs' titles name it: a plan by its buyer, year and title; a national run by its year."""
    if not run.plan_id:
        return _("all published plans of %(year)s") % {"year": run.year}
    plan = run.plan
    if plan.title:  # type: ignore[union-attr]
        return _("plan “%(title)s” of %(buyer)s (%(year)s)") % {
            "title": plan.title,  # type: ignore[union-attr]
            "buyer": plan.buyer.name,  # type: ignore[union-attr]
            "year": plan.year,  # type: ignore[union-attr]
        }
    return _("%(year)s plan of %(buyer)s") % {"year": plan.year, "buyer": plan.buyer.name}  # type: ignore[union-attr]


def _enqueue_chunks(run: MatchRun, chunks: Sequence[MatchChunk], actor: Actor | None) -> None:
    user = _user(actor)
    for chunk in chunks:
        job_enqueue(
            kind=CHUNK_JOB,
            title=_("Matching: %(run)s — part %(number)s of %(total)s")
            % {"run": _run_name(run), "number": chunk.number, "total": run.chunks_total},
            params={"chunk_id": chunk.pk},
            created_by=user,
            organisation=run.plan.buyer if run.plan_id else None,  # type: ignore[union-attr]
        )


_CHUNK_WORKER_LENGTH = MatchChunk._meta.get_field("worker").max_length


def _claim(chunk_id: int, worker: str) -> MatchChunk | None:
    """Take the chunk for this worker, or None when another has it (or it is done)."""
    with transaction.atomic():
        chunk = MatchChunk.objects.select_for_update().select_related("run").filter(pk=chunk_id).first()
        if chunk is None or chunk.status == ChunkStatus.DONE or chunk.run.status == RunStatus.FAILED:
            return None
        # A live worker's (or another host's, which only that host can judge); a dead one's is taken at once.
        if chunk.status == ChunkStatus.RUNNING and not worker_is_gone(chunk.worker):
            return None
        chunk.status = ChunkStatus.RUNNING
        chunk.attempts += 1
        chunk.worker = worker[:_CHUNK_WORKER_LENGTH]
        chunk.started_at = timezone.now()
        chunk.error = ""
        chunk.save(update_fields=["status", "attempts", "worker", "started_at", "error"])
        return chunk


def _user(actor: Actor | None) -> Any:
    from tawrid.accounts.models import User

    if actor is None or actor.user_id is None:
        return None
    return User.objects.filter(pk=actor.user_id).first()


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def match_chunk_execute(*, chunk_id: int, worker: str = "") -> int:
    """Match one chunk's lines and replace its results; returns how many lines it matched (0 when the chunk
    was already done or is being matched by another worker). The last chunk done starts the allocation."""
    chunk = _claim(chunk_id, worker or worker_name())
    if chunk is None:
        done = MatchChunk.objects.filter(pk=chunk_id, status=ChunkStatus.DONE).select_related("run").first()
        if done is not None:  # its worker may have died between storing the chunk and starting the allocation
            _allocate_when_complete(done.run)
        return 0
    run = chunk.run
    try:
        lines = list(
            PlanLine.objects.filter(pk__in=chunk.line_ids)
            .select_related("emdn", "cpv")
            .order_by("plan_id", "line_number")
        )
        documents = selectors.demand_documents(lines)
        results, suggestions, confident = engine_for(delivery_date(run.year)).run(documents)
        with transaction.atomic():
            LineResult.objects.filter(chunk=chunk).delete()
            _store(run, chunk, documents, results, suggestions)
            # The codes the engine is sure of go on the lines without the buyer's (tawrid.demand.coding).
            engine_codes_apply(
                codes={
                    int(d.id): (c.code, c.mass) if c is not None else None
                    for d, c in zip(documents, confident, strict=True)
                }
            )
            chunk.status = ChunkStatus.DONE
            chunk.finished_at = timezone.now()
            chunk.save(update_fields=["status", "finished_at"])
    except Exception as exc:
        MatchChunk.objects.filter(pk=chunk.pk).update(status=ChunkStatus.FAILED, error=f"{type(exc).__name__}: {exc}")
        raise
    _allocate_when_complete(run)
    return len(lines)


def _store(
    run: MatchRun,
    chunk: MatchChunk,
    documents: Sequence[DemandLine],
    results: Sequence[Sequence[Candidate]],
    suggestions: Sequence[Sequence[Any]],
) -> None:
    line_results = LineResult.objects.bulk_create(
        LineResult(
            run=run,
            chunk=chunk,
            line_id=document.id,
            code_suggestions=[{"code": s.code, "score": round(s.score, 4)} for s in codes],
            best_score=candidates[0].score if candidates else 0.0,
            candidates_count=len(candidates),
            quantity=Decimal(str(document.quantity)),
        )
        for document, candidates, codes in zip(documents, results, suggestions, strict=True)
    )
    MatchCandidate.objects.bulk_create(
        (
            MatchCandidate(
                result=result,
                rank=rank,
                product_id=candidate.product_id,
                variant_id=candidate.variant_id,
                score=min(1.0, max(0.0, candidate.score)),
                verdict=candidate.verdict.value,
                lexical=candidate.lexical,
                dense=candidate.dense,
                code=candidate.code,
                specification=candidate.specification,
                explanation=explanation_json(candidate),
            )
            for result, candidates in zip(line_results, results, strict=True)
            for rank, candidate in enumerate(candidates, start=1)
        ),
        batch_size=2000,
    )


def explanation_json(candidate: Candidate) -> dict[str, Any]:
    """What the page shows in one glance, stored as the engine said it (already in the run's language-neutral
    form: the fits keep their attribute, verdict and values so pages translate them at display time)."""
    explanation = candidate.explanation
    return {
        "words": list(explanation.matched_words),
        "code": explanation.code_relation,
        "fits": [
            {
                "attribute": fit.attribute,
                "fit": fit.fit.value,
                "asked": fit.asked.display,
                "offered": fit.offered.display if fit.offered is not None else "",
            }
            for fit in explanation.fits
        ],
        "eligible": explanation.eligible,
        "missing": list(explanation.missing),
    }


def _allocate_when_complete(run: MatchRun) -> None:
    if MatchChunk.objects.filter(run=run).exclude(status=ChunkStatus.DONE).exists():
        return
    moved = MatchRun.objects.filter(pk=run.pk, status=RunStatus.MATCHING).update(
        status=RunStatus.ALLOCATING, updated_at=timezone.now()
    )
    if moved:  # exactly one worker gets here
        demand_refresh_after_engine(plan_id=run.plan_id, year=run.year)  # every chunk has applied its codes
        job_enqueue(
            kind=ALLOCATE_JOB,
            title=_("Allocating the volumes: %(run)s") % {"run": _run_name(run)},
            params={"run_id": run.pk},
            organisation=run.plan.buyer if run.plan_id else None,  # type: ignore[union-attr]
        )


def match_run_allocate(*, run: MatchRun) -> Allocation:
    """Allocate the run's demand across eligible, conflict-free candidates within yearly capacities (rejected
    proposals left out, confirmed ones preferred), then write each candidate's volume and the coverage. Refused
    while a chunk is not done: a run marked done has every line matched."""
    if MatchChunk.objects.filter(run=run).exclude(status=ChunkStatus.DONE).exists():
        raise DomainError(
            _("Some parts of this matching are not finished: resume it before allocating."), code="run_incomplete"
        )
    # Only what the LP needs: a national run has 500,000 candidates, whose explanations are not read here.
    results = list(
        LineResult.objects.filter(run=run)
        .select_related("line")
        .only("line_id", "quantity", "covered_quantity", "line__base_quantity", "line__estimated_value")
    )
    candidates = list(
        MatchCandidate.objects.filter(result__run=run)
        .select_related("result")
        .only("result__line_id", "product_id", "variant_id", "score", "verdict", "allocated_quantity")
        .order_by("result_id", "rank")
    )
    decisions = {
        (d.line_id, d.product_id): d.decision
        for d in MatchDecision.objects.filter(line__in=[r.line_id for r in results])
    }
    # Lines the buyer said no local product supplies: left out of the allocation, uncovered.
    no_local_source = set(
        LineDecision.objects.filter(line__in=[r.line_id for r in results]).values_list("line_id", flat=True)
    )
    product_ids = {c.product_id for c in candidates}
    products = selectors.allocation_products(product_ids)
    lines = {r.line_id: r for r in results}
    engine_lines = [
        DemandLine(
            id=r.line_id,
            text="",
            quantity=float(r.quantity),
            unit_price=selectors.base_unit_price(r.line),
        )
        for r in results
    ]
    engine_candidates = []
    for c in candidates:
        decision = decisions.get((c.result.line_id, c.product_id))
        if decision == DecisionKind.REJECTED or c.result.line_id in no_local_source:
            continue
        if decision != DecisionKind.CONFIRMED and c.score < ALLOCATION_THRESHOLD:
            continue
        engine_candidates.append(
            Candidate(
                line_id=c.result.line_id,
                product_id=c.product_id,
                variant_id=c.variant_id,
                score=c.score,
                verdict=selectors.engine_verdict(c.verdict),
            )
        )
    confirmed = {key for key, decision in decisions.items() if decision == DecisionKind.CONFIRMED}
    offers, capacities = offers_from(engine_candidates, products, confirmed=confirmed)
    allocation = allocate(engine_lines, offers, capacities)
    with transaction.atomic():
        MatchCandidate.objects.filter(result__run=run).exclude(allocated_quantity=0).update(allocated_quantity=0)
        by_key: dict[Any, MatchCandidate] = {(c.result.line_id, c.product_id, c.variant_id): c for c in candidates}
        changed = []
        for key, quantity in allocation.quantities.items():
            candidate = by_key.get(key)
            if candidate is not None:
                candidate.allocated_quantity = _decimal(quantity)
                changed.append(candidate)
        MatchCandidate.objects.bulk_update(changed, ["allocated_quantity"], batch_size=2000)
        for line_id, result in lines.items():
            result.covered_quantity = min(result.quantity, _decimal(allocation.covered.get(line_id, 0.0)))
        LineResult.objects.bulk_update(list(lines.values()), ["covered_quantity"], batch_size=2000)
        totals = LineResult.objects.filter(run=run).aggregate(asked=Sum("quantity"), covered=Sum("covered_quantity"))
        run.total_quantity = totals["asked"] or 0
        run.covered_quantity = totals["covered"] or 0
        run.total_value = _money(allocation.value)
        run.covered_value = min(run.total_value, _money(allocation.covered_value))
        run.allocation_seconds = allocation.seconds
        run.status = RunStatus.DONE
        run.finished_at = timezone.now()
        run.save()
        # Local coverage in the indicators and dashboards comes from the runs' allocations.
        from tawrid.insights.services import snapshot_refresh_after_change

        snapshot_refresh_after_change()
    return allocation


def _decimal(value: float) -> Decimal:
    return Decimal(str(round(value, 3)))


def _money(value: float) -> Decimal:
    return Decimal(str(round(value, 2)))


def match_run_fail(*, run: MatchRun, error: str) -> None:
    MatchRun.objects.filter(pk=run.pk).update(status=RunStatus.FAILED, error=error[:2000], updated_at=timezone.now())


def match_run_resume(*, actor: Actor, run: MatchRun) -> int:
    """Re-queue every chunk not done that no live worker has and no job awaits (failed, pending, or `running` in
    a worker of this host that is gone); the allocation instead once all are done. Returns the chunks re-queued."""
    if not policies.can_manage_run(actor, run):
        raise Forbidden(_("You may not resume this matching."))
    fail_interrupted_jobs()  # what a worker starting here would do: dead workers' jobs failed, their chunks freed
    with transaction.atomic():
        # Two resumes at once: the second waits here, then sees the chunks the first put back on the queue.
        locked = MatchRun.objects.select_for_update().get(pk=run.pk)
        unfinished = list(MatchChunk.objects.filter(run=locked).exclude(status=ChunkStatus.DONE).order_by("number"))
        if locked.status == RunStatus.DONE and not unfinished:
            raise DomainError(_("This matching is finished."), code="run_done")
        queued = selectors.with_a_live_job(CHUNK_JOB, "chunk_id", [c.pk for c in unfinished])
        taken = {c.pk for c in unfinished if c.status == ChunkStatus.RUNNING and not worker_is_gone(c.worker)}
        chunks = [c for c in unfinished if c.pk not in queued | taken]  # the others are being matched
        MatchRun.objects.filter(pk=locked.pk).update(
            status=RunStatus.MATCHING if unfinished else RunStatus.ALLOCATING, error="", updated_at=timezone.now()
        )
        MatchChunk.objects.filter(pk__in=[c.pk for c in chunks]).update(status=ChunkStatus.PENDING, started_at=None)
        _enqueue_chunks(locked, chunks, actor)
        if not unfinished and not selectors.with_a_live_job(ALLOCATE_JOB, "run_id", [locked.pk]):
            job_enqueue(
                kind=ALLOCATE_JOB,
                title=_("Allocating the volumes: %(run)s") % {"run": _run_name(locked)},
                params={"run_id": locked.pk},
                created_by=_user(actor),
                organisation=locked.plan.buyer if locked.plan_id else None,  # type: ignore[union-attr]
            )
    return len(chunks)


def match_chunk_interrupted(job: Job) -> None:
    """A chunk's job was interrupted (its worker died): the chunk becomes `failed`, for a resume or a retry."""
    MatchChunk.objects.filter(
        pk=job.params.get("chunk_id"), status=ChunkStatus.RUNNING, worker=job.worker[:_CHUNK_WORKER_LENGTH]
    ).update(
        status=ChunkStatus.FAILED,
        error=_("Interrupted: its worker %(worker)s stopped before it finished.") % {"worker": job.worker},
    )


# Decisions -------------------------------------------------------------------------------------------------------


def decision_record(
    *, actor: Actor, line: PlanLine, product: Product, decision: str, reason: str = "", variant_id: int | None = None
) -> MatchDecision:
    """The buyer confirms or rejects a proposed product for a line (a second click changes its mind). The
    plan's latest finished run is re-allocated at once so the coverage follows the decision."""
    if not policies.can_decide(actor, line):
        raise Forbidden(_("Only the buyer decides on its plan's proposals."))
    if decision not in DecisionKind.values:
        raise DomainError(_("Unknown decision."), code="bad_decision")
    proposed = MatchCandidate.objects.filter(result__line=line, product=product).exists()
    if not proposed:
        raise DomainError(_("This product was not proposed for this line."), code="not_proposed")
    with transaction.atomic():
        record, _created = MatchDecision.objects.update_or_create(
            line=line,
            product=product,
            defaults={
                "decision": decision,
                "reason": reason[:300],
                "variant_id": variant_id,
                "decided_by_id": actor.user_id,
            },
        )
        if decision == DecisionKind.CONFIRMED:  # a line with a proposal confirmed has a local source after all
            LineDecision.objects.filter(line=line).delete()
        run = MatchRun.objects.filter(plan=line.plan, status=RunStatus.DONE).order_by("-created_at", "-pk").first()
        if run is not None:
            match_run_allocate(run=run)
    return record


def decision_withdraw(*, actor: Actor, line: PlanLine, product: Product) -> None:
    if not policies.can_decide(actor, line):
        raise Forbidden(_("Only the buyer decides on its plan's proposals."))
    with transaction.atomic():
        MatchDecision.objects.filter(line=line, product=product).delete()
        run = MatchRun.objects.filter(plan=line.plan, status=RunStatus.DONE).order_by("-created_at", "-pk").first()
        if run is not None:
            match_run_allocate(run=run)
