"""Import-linter contract types that the built-in ones cannot express (see `[tool.importlinter]`).

Run by `make lint` as `lint-imports`; import-linter puts the working directory on `sys.path`, which is
how it finds `tools.import_contracts`.
"""

from __future__ import annotations

from typing import Any

import grimp
from importlinter.application import contract_utils, output
from importlinter.domain import fields, helpers
from importlinter.domain.contract import Contract, ContractCheck


class OwnRepositoryContract(Contract):
    """A domain's repository is imported only from inside that domain.

    A domain is a package directly inside one of `services` (``member_svc.tiers``); its repository is
    the module ``<domain>.<repository_module>`` and what lies under it. Modules of the service that
    belong to no domain (``flows.py`` for work that spans domains, ``main.py``) may import any
    repository. Options: ``services`` (packages, wildcards allowed), ``repository_module``
    (default ``repository``), ``ignore_imports`` and ``unmatched_ignore_imports_alerting`` as in the
    built-in contracts.
    """

    type_name = "own_repository"

    services = fields.ListField(subfield=fields.ModuleExpressionField())
    repository_module = fields.StringField(required=False, default="repository")
    ignore_imports = fields.SetField(subfield=fields.ImportExpressionField(), required=False)
    unmatched_ignore_imports_alerting = fields.EnumField(
        contract_utils.AlertLevel, default=contract_utils.AlertLevel.ERROR
    )

    def check(self, graph: grimp.ImportGraph, verbose: bool) -> ContractCheck:  # noqa: ARG002 (the base's signature)
        removal = contract_utils.remove_ignored_imports_and_report(
            graph=graph,
            ignore_imports=self.ignore_imports,  # type: ignore[arg-type]
            unmatched_alerting=self.unmatched_ignore_imports_alerting,  # type: ignore[arg-type]
        )
        services = helpers.module_expressions_to_modules(
            graph=graph,
            expressions=self.services,  # type: ignore[arg-type]
        )
        links: list[dict[str, Any]] = []
        for service in sorted(module.name for module in services):
            domains = {child for child in graph.find_children(service) if graph.find_children(child)}
            for domain in sorted(domains):
                repository = f"{domain}.{self.repository_module}"
                if repository not in graph.modules:
                    continue
                protected = {repository} | graph.find_descendants(repository)
                for imported in sorted(protected):
                    for importer in sorted(graph.find_modules_that_directly_import(imported)):
                        owner = _domain_of(importer, service, domains)
                        if owner is not None and owner != domain:
                            details = graph.get_import_details(importer=importer, imported=imported)
                            lines = sorted({d["line_number"] for d in details})
                            links.append({"importer": importer, "imported": imported, "lines": lines})
        return ContractCheck(
            kept=not links,
            warnings=list(removal.warnings),
            ignored_import_count=removal.ignored_import_count,
            metadata={"illegal_imports": links},
        )

    def render_broken_contract(self, check: ContractCheck) -> None:
        output.print_error("A domain imports another domain's repository (call its service):", bold=False)
        output.new_line()
        for link in check.metadata["illegal_imports"]:
            numbers = ", ".join(map(str, link["lines"]))
            output.print_error(f"- {link['importer']} -> {link['imported']} (l.{numbers})", bold=False)
            output.new_line()


def _domain_of(module: str, service: str, domains: set[str]) -> str | None:
    """The domain package of `service` holding `module`; None outside it or at the service's top."""
    if not module.startswith(f"{service}."):
        return None
    head = f"{service}.{module[len(service) + 1 :].split('.')[0]}"
    return head if head in domains else None
