"""Input schemas of the catalogue's API for products: ProductForm's bounds (the model's lengths, choices and number
columns) stated in the OpenAPI document, so that what the document allows the form accepts."""

from decimal import Decimal
from typing import Annotated, Literal

from ninja import Field, Schema

from tawrid.catalog.models import RiskClass
from tawrid.core.api_schemas import FILLED_TEXT, MAX_BIGINT, MAX_INT, TEXT, Amount, Id

# The bounds of ProductForm (the model's lengths, choices and number columns), documented. A code that does not
# exist in the nomenclature is refused with a 400 (`unknown_code`): a rule of the data, not of the document.
Reference = Annotated[str, Field(max_length=64, pattern=FILLED_TEXT)]
Name = Annotated[str, Field(max_length=255, pattern=FILLED_TEXT)]
OptionalName = Annotated[str, Field(max_length=255, pattern=TEXT)]
Description = Annotated[str, Field(pattern=TEXT)]
EmdnCode = Annotated[str, Field(max_length=13, pattern=FILLED_TEXT, description="An EMDN code, e.g. T010101.")]
CpvCode = Annotated[str, Field(max_length=10, pattern=TEXT, description="Empty: suggested from the EMDN code.")]
HsCode = Annotated[str, Field(max_length=6, pattern=TEXT, description="Empty: suggested from the EMDN code.")]
RiskClassCode = Literal["", *RiskClass.values]  # type: ignore[valid-type]
PerPack = Annotated[int, Field(ge=1, le=MAX_INT)]
Count = Annotated[int, Field(ge=0, le=MAX_INT)]
BigCount = Annotated[int, Field(ge=0, le=MAX_BIGINT)]
Share = Annotated[Decimal, Field(ge=0, le=100, multiple_of=Decimal("0.01"), description="Percent, 2 decimals.")]


class ProductIn(Schema):
    manufacturer_id: Id | None = Field(None, description="Default: the caller's (only) manufacturer.")
    reference: Reference
    name_fr: Name
    name_ar: OptionalName = ""
    name_en: OptionalName = ""
    description_fr: Description = ""
    description_ar: Description = ""
    description_en: Description = ""
    emdn_code: EmdnCode
    cpv_code: CpvCode = ""
    hs_code: HsCode = ""
    risk_class: RiskClassCode = ""
    sterile: bool = False
    single_use: bool = False
    latex_free: bool = False
    powder_free: bool = False
    pvc_free: bool = False
    implantable: bool = False
    reusable: bool = False
    units_per_box: PerPack | None = None
    boxes_per_carton: PerPack | None = None
    capacity_per_year: BigCount | None = None
    minimum_order: Count | None = None
    lead_time_days: Count | None = None
    unit_price: Amount | None = None
    local_content_share: Share | None = None


class ProductPatch(Schema):
    reference: Reference | None = None
    name_fr: Name | None = None
    name_ar: OptionalName | None = None
    name_en: OptionalName | None = None
    description_fr: Description | None = None
    emdn_code: EmdnCode | None = None
    cpv_code: CpvCode | None = None
    hs_code: HsCode | None = None
    risk_class: RiskClassCode | None = None
    sterile: bool | None = None
    single_use: bool | None = None
    latex_free: bool | None = None
    units_per_box: PerPack | None = None
    boxes_per_carton: PerPack | None = None
    capacity_per_year: BigCount | None = None
    minimum_order: Count | None = None
    lead_time_days: Count | None = None
    unit_price: Amount | None = None
    local_content_share: Share | None = None
