"""The `own_repository` import contract (tools/import_contracts.py) on small hand-made import graphs."""

from __future__ import annotations

import grimp
import pytest
from importlinter.domain.helpers import MissingImport

from tools.import_contracts import OwnRepositoryContract


def graph(*imports: tuple[str, str]) -> grimp.ImportGraph:
    """Service `svc` with domains `orders` and `points`, plus the given imports."""
    built = grimp.ImportGraph()
    for module in (
        "svc",
        "svc.main",
        "svc.flows",
        "svc.orders",
        "svc.orders.router",
        "svc.orders.service",
        "svc.orders.repository",
        "svc.points",
        "svc.points.service",
        "svc.points.repository",
        "other",
        "other.job",
    ):
        built.add_module(module)
    for importer, imported in imports:
        built.add_import(importer=importer, imported=imported, line_number=7, line_contents="import")
    return built


def check(built: grimp.ImportGraph, **options: object) -> list[tuple[str, str]]:
    contract = OwnRepositoryContract(
        "own", session_options={}, contract_options={"services": ["svc"], **options}
    )
    result = contract.check(built, verbose=False)
    links = result.metadata["illegal_imports"]
    assert result.kept == (not links)
    return [(link["importer"], link["imported"]) for link in links]


def test_a_domain_may_import_its_own_repository_and_any_service() -> None:
    built = graph(
        ("svc.orders.service", "svc.orders.repository"),
        ("svc.orders.service", "svc.points.service"),
        ("svc.orders.router", "svc.orders.service"),
    )
    assert check(built) == []


def test_a_domain_importing_another_domains_repository_breaks_it() -> None:
    built = graph(
        ("svc.orders.service", "svc.points.repository"), ("svc.orders.router", "svc.points.repository")
    )
    assert check(built) == [
        ("svc.orders.router", "svc.points.repository"),
        ("svc.orders.service", "svc.points.repository"),
    ]


def test_modules_outside_any_domain_may_import_every_repository() -> None:
    built = graph(
        ("svc.flows", "svc.points.repository"),
        ("svc.main", "svc.orders.repository"),
        ("other.job", "svc.points.repository"),  # another package: the independence contract's business
    )
    assert check(built) == []


def test_a_listed_exception_is_ignored_and_a_stale_one_fails() -> None:
    built = graph(("svc.orders.service", "svc.points.repository"))
    assert check(built, ignore_imports=["svc.orders.service -> svc.points.repository"]) == []
    with pytest.raises(MissingImport):
        check(graph(), ignore_imports=["svc.orders.service -> svc.points.repository"])
