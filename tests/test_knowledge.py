"""The structured knowledge: valid, cited, and consistent with the technology catalogue."""

from __future__ import annotations

import pytest

from agent.ingest.sources import load_chunks
from agent.knowledge import load_knowledge


@pytest.fixture(scope="module")
def knowledge():
    return load_knowledge()


def test_every_citation_is_a_real_chunk(knowledge):
    chunk_ids = {chunk.id for chunk in load_chunks()}
    assert knowledge.cited_chunk_ids() - chunk_ids == set()


def test_every_named_technology_is_in_the_catalogue_with_the_same_category(knowledge):
    specs = [c for p in knowledge.patterns.values() for c in p.components]
    specs += [c for group in knowledge.general.trait_components.values() for c in group]
    specs += [*knowledge.general.low_tier_stack, *knowledge.general.tier_stack]
    specs += [*knowledge.general.production_essentials.components, *knowledge.general.security_components]
    for spec in specs:
        tech = knowledge.technology(spec.name)
        assert tech is not None and tech.name == spec.name, spec.name
        assert tech.category == spec.category, spec.name
    for pattern in knowledge.patterns.values():
        for requirement in pattern.required:
            assert all(knowledge.technology(name) for name in requirement.any_of), requirement


def test_service_catalogues_fit_their_bands(knowledge):
    for pattern in knowledge.patterns.values():
        low, high = pattern.band
        assert low <= len(pattern.services) <= high, pattern.id


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("PostgreSQL", "Postgres"),
        ("postgres", "Postgres"),
        ("pg", "Postgres"),
        ("AWS S3", "S3"),
        ("ElasticSearch", "Elasticsearch"),
        ("k8s", "Kubernetes"),
        ("Node.JS", "Node.js"),
        ("kafak", "Kafka"),
        ("Redis cluster (sessions)", "Redis"),
        ("websockets", "WebSocket"),
    ],
)
def test_aliases_and_misspellings(knowledge, written, canonical):
    assert knowledge.canonical(written) == canonical


def test_unknown_names_are_kept(knowledge):
    assert knowledge.technology("FooDB") is None
    assert knowledge.canonical("  FooDB ") == "FooDB"


def test_what_a_regulation_obliges_names_catalogued_parts(knowledge):
    assert {"HIPAA", "GDPR", "PCI DSS", "data residency"} <= set(knowledge.general.regulations)
    for regulation, controls in knowledge.general.regulations.items():
        assert controls, regulation
        for control in controls:
            assert all(knowledge.technology(name) for name in control.add), (regulation, control.add)


def test_every_price_cites_a_real_chunk_and_covers_every_tier():
    from agent.knowledge.loading import price_table

    table = price_table()
    assert table.cited() - {chunk.id for chunk in load_chunks()} == set()
    for category, tiers in table.by_category.items():
        assert set(tiers) == {"low", "medium", "high", "enterprise"}, category
