"""What a design costs a month, as an estimate from list prices (agent/knowledge/prices.yaml, from
kb/practice/cloud-costs.md): each service's instances at its tier, and each running part by its category. Parts
that are libraries, frameworks or billed per use elsewhere cost nothing here; usage-priced items (egress, SMS,
email) are named beside the total, not guessed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from agent.knowledge.loading import PriceTable, price_table
from agent.requirements.numbers import first_number
from agent.schema import Architecture

ONCE_PER_DESIGN = frozenset({"orchestration", "monitoring"})
"""Categories priced once for the whole design (Kubernetes and Docker, Prometheus and Grafana are one each)."""


@dataclass
class Bill:
    """A design's monthly estimate: the lines it adds up, what was not priced, and the sources."""

    tier: str
    lines: list[tuple[str, float, str]] = field(default_factory=list)  # (what, usd a month, how it was sized)
    unpriced: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)

    @property
    def total(self) -> float:
        return sum(usd for _, usd, _ in self.lines)


def monthly_bill(design: Architecture, table: PriceTable | None = None) -> Bill:
    """The design's running parts at its tier's list prices."""
    table = table or price_table()
    tier = design.estimate.tier if design.estimate else "medium"
    bill = Bill(tier=tier)
    instance = table.app_instance[tier]
    replicas = table.instances_per_service[tier]
    if design.services:
        bill.lines.append((f"{len(design.services)} service(s) x {replicas} instance(s)",
                           len(design.services) * replicas * instance.usd, instance.what))  # fmt: skip
        bill.sources.append(instance.cite)
    seen_once: set[str] = set()
    for component in design.components:
        category = component.category or ""
        prices = table.by_category.get(category)
        if prices is None:
            if category not in table.free_categories:
                bill.unpriced.append(component.name)
            continue
        if category in ONCE_PER_DESIGN:
            if category in seen_once:
                continue
            seen_once.add(category)
        price = prices[tier]
        bill.lines.append((component.name, price.usd, price.what))
        bill.sources.append(price.cite)
    bill.sources = list(dict.fromkeys(bill.sources))
    return bill


def _budget_words(design: Architecture) -> str:
    said = [c.value for c in design.requirements.constraints if c.name == "budget"] if design.requirements else []
    return said[0] if said else ""


def stated_budget(design: Architecture) -> float | None:
    """The monthly budget the requirements state ("3k a month", "$2,000/month"), in the request's currency."""
    said = _budget_words(design)
    return first_number(said) if said else None


def over_budget(design: Architecture, table: PriceTable | None = None) -> bool:
    """Whether the design's monthly estimate is above the budget the requirements state."""
    budget = stated_budget(design)
    return budget is not None and monthly_bill(design, table).total > budget


def against_budget(design: Architecture, table: PriceTable | None = None) -> str | None:
    """One line: the design's estimate beside its stated budget, or None when no budget is stated."""
    budget = stated_budget(design)
    if budget is None:
        return None
    table = table or price_table()
    total = monthly_bill(design, table).total
    verdict = "fits" if total <= budget else f"is over it by about {total - budget:,.0f}; 'keep it simple' is cheaper"
    return (f"This design runs at about ${total:,.0f} a month at {table.provider} list prices ({table.as_of}, an "
            f"estimate in {table.currency}): it {verdict} (the budget said: {_budget_words(design)}). Ask 'what will "
            f"it cost?' for the lines.")  # fmt: skip


def describe(design: Architecture, table: PriceTable | None = None) -> str:
    """The bill in words: each line, the total as an estimate with its date and provider, what was left out, and
    how it compares with a stated budget."""
    table = table or price_table()
    bill = monthly_bill(design, table)
    lines = [f"About ${bill.total:,.0f} a month at {table.provider} list prices ({table.as_of}), {bill.tier} tier: "
             "an estimate of the running parts, before usage-priced traffic."]  # fmt: skip
    for what, usd, how in sorted(bill.lines, key=lambda line: -line[1]):
        lines.append(f"  {what}: ${usd:,.0f} ({how})")
    if bill.unpriced:
        lines.append(f"Not priced (no list price for their kind): {', '.join(bill.unpriced)}.")
    usage = [f"{key.replace('_', ' ')} ${price.usd:g}" for key, price in table.per_use.items()]
    if usage:
        lines.append(f"Plus what traffic costs: {', '.join(usage[:5])}.")
    budget = stated_budget(design)
    if budget is not None:
        said = f" ({_budget_words(design)}; the prices are in {table.currency}, not converted)"
        if bill.total <= budget:
            lines.append(f"That fits the stated budget of {budget:,.0f} a month{said}.")
        else:
            top = sorted(bill.lines, key=lambda line: -line[1])[:3]
            lines.append(f"That is over the stated budget of {budget:,.0f} a month{said} by about "
                         f"{bill.total - budget:,.0f}: the largest items are {', '.join(w for w, _, _ in top)}; "
                         "'keep it simple' gives a smaller tier (fewer services, smaller instances).")  # fmt: skip
    if bill.sources:
        lines.append(f"Sources: {'; '.join(bill.sources[:6])}.")
    return "\n".join(lines)
