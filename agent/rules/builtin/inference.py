"""The knowledge base's Technology Inference Rules (SD001-SD005)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from agent.rules.builtin.common import focused, pattern_reports, tier_at_least_medium
from agent.rules.context import CheckContext
from agent.rules.registry import Violation, check
from agent.schema import Severity

OWN_RULES = {"monitoring"}
"""Production essentials that another rule checks (SD036), so SD001 does not report them twice."""
CATEGORY_LABELS = {"load_balancer": "a load balancer", "cache": "a cache", "queue": "a message queue",
                   "orchestration": "container orchestration"}  # fmt: skip


@check("SD001")
def production_essentials(context: CheckContext) -> Iterator[Violation]:
    if not tier_at_least_medium(context):
        return
    reported = pattern_reports(context)
    needs: dict[str, str] = {}  # category → the first component general.yaml lists for it
    for component in context.knowledge.general.production_essentials.components:
        if component.category not in OWN_RULES:
            needs.setdefault(component.category, component.name)
    if context.blocks and context.pattern.id == "other":  # a block needs a queue or cache only when its design has one
        own = {c.category for block in context.blocks for c in block.components}
        needs = {
            category: name for category, name in needs.items() if category not in ("queue", "cache") or category in own
        }
    for category, default in needs.items():
        if not context.has_category(category) and category not in reported:
            label = CATEGORY_LABELS.get(category, category.replace("_", " "))
            # how containers are scheduled is a deployment choice (a warning); a missing load balancer is not
            # how containers are scheduled, and whether work is queued, are the design's calls (warnings);
            # a missing load balancer or monitoring is not
            severity: Severity | None = "warning" if category in ("orchestration", "queue") else None
            if focused(context):
                severity = "info"  # a crawler or a batch job is no web application: a question, not a finding
            yield Violation(f"a {context.tier}-tier production system needs {label} (e.g. {default})",
                            subject=category, add=(default,), severity=severity)  # fmt: skip


@check("SD002")
def media_heavy(context: CheckContext) -> Iterator[Violation]:
    if "media_heavy" not in context.traits:
        return
    video = context.pattern.id == "video_streaming"
    for category, default in (("storage", "S3"), ("cdn", "CDN"),
                              ("media_processing", "FFmpeg" if video else "Image processing pipeline")):  # fmt: skip
        if not context.has_category(category):
            yield Violation(f"media-heavy app without {category.replace('_', ' ')} (e.g. {default})",
                            subject=category, add=(default,))  # fmt: skip


FULL_TEXT = re.compile(r"full[- ]text|keyword|search (?:bar|box|field|page|results)|autocomplete|type-?ahead|facet|"
                       r"search (?:for|through|across) (?:products|listings|items|posts|messages|documents|videos|"
                       r"articles|jobs|recipes|songs|files)", re.IGNORECASE)  # fmt: skip


def _type_traits(context: CheckContext) -> set[str]:
    spec = context.knowledge.patterns.get(context.pattern.id)
    return set(spec.traits) if spec else set()


@check("SD003")
def search_driven(context: CheckContext) -> Iterator[Violation]:
    if "search_driven" in context.traits and not context.has_category("search"):
        # an error where users plainly search the system's content (its type is search-driven, or the request
        # says full-text, keywords, a search bar, facets); a bare "search" may be a graph walk or a lookup
        explicit = "search_driven" in _type_traits(context) or FULL_TEXT.search(context.document.request or "")
        severity: Severity = "error" if tier_at_least_medium(context) and explicit else "warning"
        yield Violation("search-driven app without a search engine such as Elasticsearch",
                        subject="search", severity=severity, add=("Elasticsearch",))  # fmt: skip


@check("SD004")
def real_time(context: CheckContext) -> Iterator[Violation]:
    if "real_time" not in context.traits:
        return
    if not context.has("WebSocket", "XMPP") and "WebSocket" not in pattern_reports(context):
        yield Violation("real-time app without WebSocket servers", subject="WebSocket", add=("WebSocket",))
    if tier_at_least_medium(context):
        if not context.has("Redis Pub/Sub", "Redis"):
            yield Violation("real-time app without pub/sub (Redis Pub/Sub) to fan out events",
                            subject="Redis Pub/Sub", severity="warning", add=("Redis Pub/Sub",))  # fmt: skip
        if not context.has("Kafka", "RabbitMQ", "AWS SQS") and "Kafka" not in pattern_reports(context):
            # a suggestion: many real-time systems (chat gateways, multiplayer editors) need no event log
            yield Violation("real-time app without event streaming (Kafka)", subject="Kafka", severity="info",
                            add=("Kafka",))  # fmt: skip


@check("SD005")
def transaction_heavy(context: CheckContext) -> Iterator[Violation]:
    if "transaction_heavy" not in context.traits and "payments" not in context.traits:
        return
    if "transaction_heavy" in context.traits and not context.has("Postgres", "MySQL"):
        yield Violation("transaction-heavy app without an ACID database (Postgres)", subject="database",
                        add=("Postgres",))  # fmt: skip
    if "payments" in context.traits and not context.has_category("payments"):
        yield Violation("takes payments without a payment gateway (Stripe)", subject="payments", add=("Stripe",))
    if "transaction_heavy" in context.traits and not context.has_category("audit") and tier_at_least_medium(context):
        yield Violation("transactions without an audit log", subject="audit", severity="warning", add=("Audit log",))
