"""Job pages: a queued job's place in the queue, and a job's result with translated labels."""

from typing import Any

from django import template

from tawrid.core.job_results import result_items
from tawrid.core.queue import queue_position

register = template.Library()


@register.simple_tag
def job_queue(job: Any) -> Any:
    """Where a queued job stands (`QueuePosition`), or None when it is not queued."""
    return queue_position(job) if job is not None else None


@register.filter
def job_result(job: Any) -> list:
    return result_items(job)
