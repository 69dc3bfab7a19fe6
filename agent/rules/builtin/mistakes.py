"""The knowledge base's Common Mistakes (SD030-SD037): each check with its fix, sharing its patterns."""

from __future__ import annotations

import re
from collections.abc import Iterator

from agent.rules.builtin.common import on_lowered, tier_at_least_medium
from agent.rules.context import CheckContext
from agent.rules.edits import rewrite_text
from agent.rules.registry import Violation, check, fix
from agent.rules.roles import service_key
from agent.schema import Architecture, Change, Service, Severity

# what the checks look for is what the fixes rewrite
PLAIN_TEXT_PASSWORDS = re.compile(
    r"(plain|clear)[- ]?text passwords?"
    r"|passwords?\s+((are|is)\s+)?((stored|kept|saved)\s+)?(in\s+)?(plain|clear)[- ]?text"
    r"|unhashed passwords?|passwords?\s+((are|is)\s+)?(stored\s+)?unencrypted",
    re.IGNORECASE,
)
NO_HTTPS = re.compile(r"\bno https\b|without (https|tls)|plain http\b|http only", re.IGNORECASE)
# a verb of keeping, then within 40 characters of the same sentence, card data
RAW_CARD_DATA = re.compile(r"(stor|sav|keep|persist)\w*[^.\n]{0,40}(card numbers?|credit cards?|\bpan\b|cvv)",
                           re.IGNORECASE)  # fmt: skip


@check("SD030")
def wrong_database(context: CheckContext) -> Iterator[Violation]:
    transactional = {"transaction_heavy", "payments"} & set(context.traits)
    if context.has("MongoDB") and transactional and not context.has("Postgres", "MySQL"):
        yield Violation("MongoDB is the only database of an app with financial transactions", subject="MongoDB",
                        add=("Postgres",))  # fmt: skip
    money = re.compile(r"payment|order|ledger|transaction|billing|wallet|invoice|checkout")
    for service in context.document.services:
        stores = [context.knowledge.canonical(s) for s in service.data_stores]
        keeps_records = not re.search(r"gateway|proxy|edge", service.name.lower())  # gateways only route and limit
        if money.search(service.name.lower()) and keeps_records and stores and set(stores) <= {"MongoDB", "Redis"}:
            yield Violation(f"{service.name!r} keeps transactional data in {', '.join(stores)}", subject=service.name)


@fix("SD030")
def move_money_to_postgres(doc: Architecture, context: CheckContext, found: list[Violation]) -> list[Change]:
    changes = []
    subjects = {v.subject for v in found if v.subject and v.subject != "MongoDB"}
    for service in doc.services:
        if service.name in subjects:
            canonical = context.knowledge.canonical
            service.data_stores = ["Postgres" if canonical(s) == "MongoDB" else s for s in service.data_stores]
            changes.append(
                Change(rule_id="SD030", action="rename", detail=f"{service.name}: MongoDB -> Postgres (transactions)")
            )
    return changes


@check("SD031")
def single_point_of_failure(context: CheckContext) -> Iterator[Violation]:
    databases = context.categories.get("database", [])
    resilient = re.search(r"replica|replicat|backup|failover|multi-az|multi-region|cluster|shard|master[- ]master|"
                          r"primary[- ]replica|master[- ]slave|standby", context.text)  # fmt: skip
    if tier_at_least_medium(context) and len(databases) == 1 and not resilient:
        yield Violation(f"{databases[0]} is a single database with no replication or backups",
                            subject=databases[0])  # fmt: skip


@fix("SD031")
def replicate_database(doc: Architecture, context: CheckContext, found: list[Violation]) -> list[Change]:
    changes = []
    subjects = {v.subject for v in found if v.subject}
    for component in doc.components:
        if context.knowledge.canonical(component.name) in subjects:
            note = "replicated (primary + read replicas) with automated backups"
            component.purpose = f"{component.purpose}; {note}" if component.purpose else note
            changes.append(Change(rule_id="SD031", action="annotate", detail=f"{component.name}: {note}"))
            subjects.discard(context.knowledge.canonical(component.name))
    return changes


PERSONAL = re.compile(
    r"\b(accounts?|profiles?|private|personal|my own|their own|medical|patients?|bank|"
    r"balances?|wallets?|payments?|log ?in|sign[- ]?(in|up))\b",
    re.IGNORECASE,
)
ANONYMOUS = re.compile(r"\banonymous(ly)?\b|\bno (user )?accounts?\b|\bwithout (an )?accounts?\b", re.IGNORECASE)


@check("SD032")
def no_authentication(context: CheckContext) -> Iterator[Violation]:
    if context.blocks and context.pattern.id == "other" and not any(b.end_users for b in context.blocks):
        return  # infrastructure (a cache, a broker, a limiter) is called by services, not signed in to by people
    if on_lowered(ANONYMOUS).search(context.text):
        return  # anonymous by requirement
    has_auth_service = any("auth" in s.name.lower() for s in context.document.services)
    if not has_auth_service and not context.has("JWT") and not re.search(r"\bauth|login|sign[- ]?in", context.text):
        # an error where people act on their own accounts, money or records; otherwise a gap to look at
        personal = PERSONAL.search(context.document.request or "") or {"payments", "compliance"} & set(context.traits)
        yield Violation("nothing authenticates requests (no auth service, JWT or OAuth)",
                        severity="error" if personal else "warning", add=("JWT",))  # fmt: skip


@check("SD033")
def plain_text_passwords(context: CheckContext) -> Iterator[Violation]:
    if on_lowered(PLAIN_TEXT_PASSWORDS).search(context.text):
        yield Violation("the design stores passwords in plain text", add=("bcrypt",))


@fix("SD033")
def hash_passwords(doc: Architecture, context: CheckContext, found: list[Violation]) -> list[Change]:
    return rewrite_text(doc, "SD033", PLAIN_TEXT_PASSWORDS, "passwords hashed with bcrypt")


@check("SD034")
def no_https(context: CheckContext) -> Iterator[Violation]:
    if on_lowered(NO_HTTPS).search(context.text):
        yield Violation("the design serves traffic without HTTPS", severity="error", add=("TLS",))
    elif not context.has("TLS"):
        yield Violation("TLS/HTTPS is not mentioned", add=("TLS",))


@fix("SD034")
def serve_https(doc: Architecture, context: CheckContext, found: list[Violation]) -> list[Change]:
    return rewrite_text(doc, "SD034", NO_HTTPS, "HTTPS (TLS)")


@check("SD035")
def no_rate_limiting(context: CheckContext) -> Iterator[Violation]:
    if not tier_at_least_medium(context):
        return
    # "API", "Edge" or "BFF" is the entry point under another name
    gateway = any(service_key(s.name, context.knowledge) == "apigateway" for s in context.document.services)
    if not gateway and "rate limit" not in context.text:
        yield Violation("no API gateway or rate limiting in front of the services")


@fix("SD035")
def add_gateway(doc: Architecture, context: CheckContext, found: list[Violation]) -> list[Change]:
    gateway = Service(name="API Gateway", responsibility="single entry point, authentication, rate limiting")
    doc.services.insert(0, gateway)
    return [Change(rule_id="SD035", action="add_service", detail="added API Gateway (rate limiting)")]


@check("SD036")
def no_monitoring(context: CheckContext) -> Iterator[Violation]:
    if not context.has_category("monitoring"):
        severity: Severity = "error" if tier_at_least_medium(context) else "warning"
        add = ("Prometheus", "Grafana") if tier_at_least_medium(context) else ("Sentry",)
        yield Violation("nothing tells you when the system is down or slow", severity=severity, add=add)


@check("SD037")
def raw_card_numbers(context: CheckContext) -> Iterator[Violation]:
    for match in on_lowered(RAW_CARD_DATA).finditer(context.text):
        before = context.text[max(0, match.start() - 12) : match.start()]
        if not re.search(r"never|not|no|don't", before) and "token" not in match.group(0):
            yield Violation(f"the design stores raw card data ({match.group(0)!r}): a PCI DSS violation",
                            add=("Stripe",))  # fmt: skip
            return


@fix("SD037")
def tokenise_cards(doc: Architecture, context: CheckContext, found: list[Violation]) -> list[Change]:
    return rewrite_text(doc, "SD037", RAW_CARD_DATA, "keep only card tokens from the payment gateway")
