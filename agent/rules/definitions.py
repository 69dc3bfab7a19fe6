"""The rules. Each reads a CheckContext and yields Violations; severity and fix live in the decorator."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator

from agent.knowledge import TIERS
from agent.rules import Violation, check
from agent.rules.context import CheckContext
from agent.sizing.estimation import combine

AT_LEAST_MEDIUM = {"medium", "high", "enterprise"}


def _tier_at_least_medium(context: CheckContext) -> bool:
    return context.tier in AT_LEAST_MEDIUM


def _pattern_reports(context: CheckContext) -> set[str]:
    """Categories and names SD020 already reports as missing (other rules then stay quiet about them)."""
    spec = context.knowledge.patterns.get(context.pattern.id)
    reported: set[str] = set()
    for requirement in spec.required if spec else ():
        if not context.has(*requirement.any_of):
            for name in requirement.any_of:
                tech = context.knowledge.technology(name)
                reported |= {name, tech.category} if tech else {name}
    return reported


# ---- Technology Inference Rules ------------------------------------------------------------------------


@check("SD001")
def production_essentials(context: CheckContext) -> Iterator[Violation]:
    if not _tier_at_least_medium(context):
        return
    needs = {
        "load_balancer": ("Nginx", "a load balancer"),
        "cache": ("Redis", "a cache"),
        "queue": ("RabbitMQ", "a message queue"),
        "orchestration": ("Kubernetes", "container orchestration"),
    }
    reported = _pattern_reports(context)
    for category, (default, label) in needs.items():
        if not context.has_category(category) and category not in reported:
            yield Violation(f"a {context.tier}-tier production system needs {label} (e.g. {default})",
                            subject=category, add=(default,))  # fmt: skip


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


@check("SD003")
def search_driven(context: CheckContext) -> Iterator[Violation]:
    if "search_driven" in context.traits and not context.has_category("search"):
        severity = "error" if _tier_at_least_medium(context) else "warning"
        yield Violation("search-driven app without a search engine such as Elasticsearch",
                        subject="search", severity=severity, add=("Elasticsearch",))  # fmt: skip


@check("SD004")
def real_time(context: CheckContext) -> Iterator[Violation]:
    if "real_time" not in context.traits:
        return
    if not context.has("WebSocket", "XMPP") and "WebSocket" not in _pattern_reports(context):
        yield Violation("real-time app without WebSocket servers", subject="WebSocket", add=("WebSocket",))
    if _tier_at_least_medium(context):
        if not context.has("Redis Pub/Sub", "Redis"):
            yield Violation("real-time app without pub/sub (Redis Pub/Sub) to fan out events",
                            subject="Redis Pub/Sub", severity="warning", add=("Redis Pub/Sub",))  # fmt: skip
        if not context.has("Kafka", "RabbitMQ", "AWS SQS") and "Kafka" not in _pattern_reports(context):
            yield Violation("real-time app without event streaming (Kafka)", subject="Kafka", severity="warning",
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
    if "transaction_heavy" in context.traits and not context.has_category("audit") and _tier_at_least_medium(context):
        yield Violation("transactions without an audit log", subject="audit", severity="warning", add=("Audit log",))


# ---- Microservice Count Guidelines ----------------------------------------------------------------------


@check("SD010")
def too_few_services(context: CheckContext) -> Iterator[Violation]:
    low, high = context.band
    if 0 < context.service_count < low or (context.service_count == 0 and context.tier != "low"):
        what = context.pattern.id.replace("_", " ")
        yield Violation(f"{context.service_count} service(s) for a {context.tier}-tier {what} design; "
                        f"the guideline is {low}-{high}")  # fmt: skip


@check("SD011")
def too_many_services(context: CheckContext) -> Iterator[Violation]:
    low, high = context.band
    if context.service_count > high:
        severity = "error" if context.tier == "low" else "warning"
        yield Violation(f"{context.service_count} services for a {context.tier}-tier design; the guideline is "
                        f"{low}-{high} (over-engineering)", severity=severity)  # fmt: skip


# ---- The patterns' required components -------------------------------------------------------------------


@check("SD020")
def pattern_components(context: CheckContext) -> Iterator[Violation]:
    spec = context.knowledge.patterns.get(context.pattern.id)
    if spec is None:
        return
    severity = "error" if context.tier in ("high", "enterprise") else "warning"
    for requirement in spec.required:
        if not context.has(*requirement.any_of):
            names = " or ".join(requirement.any_of)
            yield Violation(f"{spec.name.lower()} without {names}: {requirement.why}", subject=requirement.any_of[0],
                            severity=severity, add=(requirement.any_of[0],))  # fmt: skip


# ---- Common mistakes -------------------------------------------------------------------------------------


@check("SD030")
def wrong_database(context: CheckContext) -> Iterator[Violation]:
    transactional = {"transaction_heavy", "payments"} & set(context.traits)
    if context.has("MongoDB") and transactional and not context.has("Postgres", "MySQL"):
        yield Violation("MongoDB is the only database of an app with financial transactions", subject="MongoDB",
                        add=("Postgres",))  # fmt: skip
    money = re.compile(r"payment|order|ledger|transaction|billing|wallet|invoice")
    for service in context.document.services:
        stores = [context.knowledge.canonical(s) for s in service.data_stores]
        if money.search(service.name.lower()) and stores and set(stores) <= {"MongoDB", "Redis"}:
            yield Violation(f"{service.name!r} keeps transactional data in {', '.join(stores)}", subject=service.name)


@check("SD031")
def single_point_of_failure(context: CheckContext) -> Iterator[Violation]:
    databases = context.categories.get("database", [])
    resilient = re.search(r"replica|replicat|backup|failover|multi-az|multi-region|cluster", context.text)
    if _tier_at_least_medium(context) and len(databases) == 1 and not resilient:
        yield Violation(f"{databases[0]} is a single database with no replication or backups",
                            subject=databases[0])  # fmt: skip


@check("SD032")
def no_authentication(context: CheckContext) -> Iterator[Violation]:
    has_auth_service = any("auth" in s.name.lower() for s in context.document.services)
    if not has_auth_service and not context.has("JWT") and not re.search(r"\bauth|login|sign[- ]?in", context.text):
        yield Violation("nothing authenticates requests (no auth service, JWT or OAuth)", add=("JWT",))


@check("SD033")
def plain_text_passwords(context: CheckContext) -> Iterator[Violation]:
    if re.search(r"plain[- ]?text password|passwords? (stored )?(in )?plain[- ]?text|unhashed password", context.text):
        yield Violation("the design stores passwords in plain text", add=("bcrypt",))


@check("SD034")
def no_https(context: CheckContext) -> Iterator[Violation]:
    if re.search(r"\bno https\b|without (https|tls)|plain http\b|http only", context.text):
        yield Violation("the design serves traffic without HTTPS", severity="error", add=("TLS",))
    elif not context.has("TLS"):
        yield Violation("TLS/HTTPS is not mentioned", add=("TLS",))


@check("SD035")
def no_rate_limiting(context: CheckContext) -> Iterator[Violation]:
    if not _tier_at_least_medium(context):
        return
    gateway = any("gateway" in s.name.lower() for s in context.document.services)
    if not gateway and "rate limit" not in context.text:
        yield Violation("no API gateway or rate limiting in front of the services")


@check("SD036")
def no_monitoring(context: CheckContext) -> Iterator[Violation]:
    if not context.has_category("monitoring"):
        severity = "error" if _tier_at_least_medium(context) else "warning"
        add = ("Prometheus", "Grafana") if _tier_at_least_medium(context) else ("Sentry",)
        yield Violation("nothing tells you when the system is down or slow", severity=severity, add=add)


@check("SD037")
def raw_card_numbers(context: CheckContext) -> Iterator[Violation]:
    pattern = r"(stor|sav|keep|persist)\w*[^.\n]{0,40}(card numbers?|credit cards?|\bpan\b|cvv)"
    for match in re.finditer(pattern, context.text):
        before = context.text[max(0, match.start() - 12) : match.start()]
        if not re.search(r"never|not|no|don't", before) and "token" not in match.group(0):
            yield Violation(f"the design stores raw card data ({match.group(0)!r}): a PCI DSS violation",
                            add=("Stripe",))  # fmt: skip
            return


# ---- Consistency -----------------------------------------------------------------------------------------


@check("SD040")
def estimate_consistency(context: CheckContext) -> Iterator[Violation]:
    plan = context.document.estimate
    if plan is None:
        yield Violation("the document has no complexity estimate", severity="info")
        return
    tier = context.knowledge.estimation.tiers[plan.tier]
    if tuple(plan.base_hours) != tier.hours:
        yield Violation(f"base hours {list(plan.base_hours)} differ from the {plan.tier} tier's {list(tier.hours)}")
    values = [m.value for m in plan.multipliers]
    # the engine's own combination, a plain product, or the factor the document states: any is coherent
    factors = {combine(values), math.prod(values), plan.factor}

    def matches(factor: float) -> bool:
        expected = (plan.base_hours[0] * factor, plan.base_hours[1] * factor)
        return all(abs(h - e) <= max(10.0, 0.02 * e) for h, e in zip(plan.hours, expected, strict=True))

    if not any(matches(f) for f in factors):
        yield Violation(f"hours {list(plan.hours)} are not base hours times the multipliers "
                        f"({combine(values):.2f}x combined)")  # fmt: skip
    if TIERS.index(plan.tier) >= TIERS.index("high") and context.service_count and context.service_count < 4:
        yield Violation(f"a {plan.tier}-tier estimate for {context.service_count} services")


@check("SD041")
def under_engineering(context: CheckContext) -> Iterator[Violation]:
    from agent.sizing.capacity import SECONDS_PER_DAY, gather_inputs

    v = gather_inputs(context.pattern.id, context.document.request or "", {}).values
    peak_writes = v["dau"] * v["requests_per_user"] * v["write_share"] * v["peak_factor"] / SECONDS_PER_DAY
    relational_only = context.has("Postgres", "MySQL") and not context.has("Cassandra", "ClickHouse")
    # a single relational primary takes on the order of 10,000 writes/s (a heuristic, see docs/estimation.md)
    if peak_writes > 10_000 and relational_only and not re.search(r"shard|partition", context.text):
        yield Violation(f"about {peak_writes:,.0f} writes/s at peak on a single relational database",
                        subject="database")  # fmt: skip
    if v["dau"] >= 1_000_000 and not context.has_category("cache"):
        yield Violation(f"{v['dau']:,.0f} daily users and no cache in front of the database", subject="cache",
                        add=("Redis",))  # fmt: skip


# ---- Input hygiene ---------------------------------------------------------------------------------------


@check("SD050")
def unknown_technology(context: CheckContext) -> Iterator[Violation]:
    for name in context.unknown:
        yield Violation(f"{name!r} is not in the technology catalogue; it was kept but not judged", subject=name)


@check("SD051")
def pattern_mismatch(context: CheckContext) -> Iterator[Violation]:
    inferred = context.inferred_pattern
    if context.pattern_declared and inferred.id not in ("other", context.pattern.id) and inferred.confidence >= 0.7:
        yield Violation(f"declared {context.pattern.id!r}, but the request and names read as {inferred.id!r} "
                        f"({inferred.confidence:.2f})")  # fmt: skip
