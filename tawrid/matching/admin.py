"""Matching in the admin site: for reading, under the same policies as pages and the API. Runs, results and
decisions are written only through the services (a run's chunks, its allocation, the buyer's decisions)."""

from django.contrib import admin

from tawrid.demand.admin import ServicesOnlyAdmin
from tawrid.matching.models import LineResult, MatchCandidate, MatchChunk, MatchDecision, MatchRun


@admin.register(MatchRun)
class MatchRunAdmin(ServicesOnlyAdmin):
    list_display = ["pk", "scope", "year", "plan", "status", "lines_total", "covered_quantity", "total_quantity"]
    list_filter = ["scope", "status", "year"]
    list_select_related = ["plan", "plan__buyer"]
    raw_id_fields = ["plan", "created_by"]


@admin.register(MatchChunk)
class MatchChunkAdmin(ServicesOnlyAdmin):
    list_display = ["run", "number", "status", "attempts", "worker", "started_at", "finished_at"]
    list_filter = ["status"]
    raw_id_fields = ["run"]


@admin.register(LineResult)
class LineResultAdmin(ServicesOnlyAdmin):
    list_display = ["run", "line", "best_score", "candidates_count", "quantity", "covered_quantity"]
    list_select_related = ["run", "line"]
    raw_id_fields = ["run", "chunk", "line"]


@admin.register(MatchCandidate)
class MatchCandidateAdmin(ServicesOnlyAdmin):
    list_display = ["result", "rank", "product", "variant", "score", "verdict", "allocated_quantity"]
    list_filter = ["verdict"]
    list_select_related = ["result", "product", "variant"]
    raw_id_fields = ["result", "product", "variant"]


@admin.register(MatchDecision)
class MatchDecisionAdmin(ServicesOnlyAdmin):
    list_display = ["line", "product", "decision", "decided_by", "created_at"]
    list_filter = ["decision"]
    list_select_related = ["line", "product", "decided_by"]
    raw_id_fields = ["line", "product", "variant", "decided_by"]
