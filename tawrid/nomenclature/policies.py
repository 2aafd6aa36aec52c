"""Reference nomenclatures are public: anyone reads them, only the loaders (platform staff) change them."""

from tawrid.core import permissions
from tawrid.nomenclature.models import (
    CpvCode,
    EmdnCode,
    FdaProductCode,
    HsCode,
    HsConcordance,
    HsSection,
    ReferenceDataset,
)

for _model in (EmdnCode, CpvCode, HsSection, HsCode, HsConcordance, FdaProductCode, ReferenceDataset):
    permissions.register(_model, permissions.Public())
