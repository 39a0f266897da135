from __future__ import annotations

from portal.errors import ServiceError


class CatalogueImportError(ServiceError):
    """A bulk upload refused as a whole: ``problems`` lists every problem found, each with its CSV line."""

    default_code = "catalogue_import"

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems), problems=problems)
