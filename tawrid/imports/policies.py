"""Who may see and change imports: an import belongs to the organisation it was made for. Its people read
it (and the secretariat of a cluster it belongs to); its administrators and members change it."""

from tawrid.core import permissions
from tawrid.imports.models import ColumnMapping, ImportRowError, ImportRun


def register() -> None:
    permissions.register(ImportRun, permissions.OrganisationOwned("organisation"))
    permissions.register(ColumnMapping, permissions.OrganisationOwned("organisation"))
    permissions.register(ImportRowError, permissions.OrganisationOwned("run__organisation"))
