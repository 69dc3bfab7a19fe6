"""The roles parts play, read from how they are named: "SQL Write Master-Slave" is a relational database,
"Memory Cache" a cache, "Quadtree servers" a geospatial index. Rules ask for a role; any name that fills it
counts, so a generic name is never reported as missing a brand."""

from __future__ import annotations

import re
from functools import lru_cache

from agent.knowledge import Knowledge, normalise_name
from agent.knowledge.models import NAMES_REMEMBERED
from agent.schema import Architecture


@lru_cache(maxsize=64)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


_SEEN: dict[tuple[int, str, bool], frozenset[str]] = {}


def roles_in_text(text: str, knowledge: Knowledge, services: bool = False) -> frozenset[str]:
    """The roles a name (or a name and its purpose) speaks of; from a service's words, only those a service
    can fill itself (media processing inside a Media Service). Memoised: the same names recur in every check."""
    key = (id(knowledge), text, services)
    found = _SEEN.get(key)
    if found is None:
        lowered = text.lower()
        wanted = [(role, spec) for role, spec in knowledge.general.roles.items() if spec.from_services or not services]
        found = frozenset(role for role, spec in wanted if _compiled(spec.pattern).search(lowered))
        if len(_SEEN) > NAMES_REMEMBERED:
            _SEEN.clear()
        _SEEN[key] = found
    return found


_NAMED: dict[tuple[int, str], frozenset[str]] = {}


def roles_of_name(name: str, knowledge: Knowledge) -> frozenset[str]:
    """The roles a technology plays: a catalogued one by its category (a relational or other database by its
    names), anything else by its words. Memoised like roles_in_text."""
    key = (id(knowledge), name)
    found = _NAMED.get(key)
    if found is None:
        found = _roles_of_name(name, knowledge)
        if len(_NAMED) > NAMES_REMEMBERED:
            _NAMED.clear()
        _NAMED[key] = found
    return found


def _roles_of_name(name: str, knowledge: Knowledge) -> frozenset[str]:
    tech = knowledge.technology(name)
    if tech is None:
        return roles_in_text(name, knowledge)
    same = frozenset(role for role, spec in knowledge.general.roles.items() if spec.category == tech.category)
    if len(same) > 1:  # databases: which kind, by the names it goes by
        words = " ".join((tech.name, *tech.aliases))
        same = same & roles_in_text(words, knowledge) or same
    return same


STORES = {"database", "storage", "search", "cdn", "storage_engine"}


def category_of_role(role: str, knowledge: Knowledge) -> str:
    return knowledge.general.roles[role].category


def roles_present(document: Architecture, knowledge: Knowledge) -> set[str]:
    """Every role the document's parts fill: components by name (and, when the name is not catalogued, by their
    category and purpose), services by what they do."""
    found: set[str] = set()
    for component in document.components:
        found |= roles_of_name(component.name, knowledge)
        tech = knowledge.technology(component.name)
        # a part also by what it is said to do ("Elixir gateways: WebSocket servers", Redis as a job queue), except
        # a database's or store's purpose, which names the parts around it ("Postgres, behind the cache")
        if tech is None or tech.category not in STORES:
            found |= roles_in_text(f"{component.category or ''} {component.purpose or ''}", knowledge)
    for service in document.services:
        found |= roles_in_text(f"{service.name} {service.responsibility or ''}", knowledge, services=True)
    return found


def service_key(name: str, knowledge: Knowledge | None = None) -> str:
    """What a service is, whatever its author called it: "Tweets" and "Post Service" are one service, "API" and
    "API Gateway" another (general.yaml `service_synonyms`)."""
    key = normalise_name(name).removesuffix("service").removesuffix("s") or normalise_name(name)
    if knowledge is not None:
        for canonical, names in knowledge.general.service_synonyms.items():
            if key == canonical or key in names:
                return canonical
    return key
