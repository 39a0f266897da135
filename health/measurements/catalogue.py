"""The measurement types: each with its LOINC code, UCUM unit, plausible range and precision.

The catalogue is code, not data: the codes are international standards that do not change with
the town, and every part (entry, charts, CSV, FHIR) reads the same definitions.
``docs/health.md`` shows the table.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

WEIGHT = "weight"
HEIGHT = "height"
BMI = "bmi"
TEMPERATURE = "temperature"
BLOOD_PRESSURE = "blood_pressure"
PULSE = "pulse"
GLUCOSE = "glucose"
STEPS = "steps"
HEAD = "head_circumference"

#: A temperature at or above this is a fever (発熱, 37.5 ℃ in Japanese practice).
FEVER_FROM = Decimal("37.5")
#: Head circumference is offered for children younger than this (in years).
HEAD_UNTIL_AGE = 6


@dataclass(frozen=True)
class MeasurementType:
    key: str
    label: Promise  # what the resident reads: 体温
    loinc: str
    loinc_display: str  # LOINC's own (English) name, for FHIR
    ucum: str  # the UCUM code: Cel, mm[Hg] ...
    unit: str | Promise  # the unit as shown to people: ℃, mmHg ...
    low: Decimal  # plausible range, inclusive
    high: Decimal
    decimals: int  # values are rounded to this many decimals
    category: str = "vital-signs"  # FHIR observation category
    derived: bool = False  # computed (BMI), never typed
    second_label: Promise | None = None  # blood pressure: the diastolic value
    second_loinc: str = ""
    second_loinc_display: str = ""
    first_label: Promise | None = None  # blood pressure: the systolic value
    first_loinc: str = ""
    first_loinc_display: str = ""
    second_low: Decimal | None = None
    second_high: Decimal | None = None
    infants_only: bool = False

    @property
    def has_second(self) -> bool:
        return self.second_label is not None

    @property
    def step(self) -> str:
        """The ``step`` of a number input with this precision ("0.1", "1" ...)."""
        return "1" if self.decimals == 0 else "0." + "0" * (self.decimals - 1) + "1"

    def quantize(self, value: Decimal) -> Decimal:
        return value.quantize(Decimal(1).scaleb(-self.decimals))

    def format(self, value: Decimal | None) -> str:
        """The value at this type's precision, without the unit ("36.8", "120")."""
        if value is None:
            return ""
        return f"{self.quantize(Decimal(value)):f}"


TYPES: dict[str, MeasurementType] = {
    t.key: t
    for t in [
        MeasurementType(
            key=TEMPERATURE,
            label=_("Body temperature"),
            loinc="8310-5",
            loinc_display="Body temperature",
            ucum="Cel",
            unit="℃",
            low=Decimal("34.0"),
            high=Decimal("42.0"),
            decimals=1,
        ),
        MeasurementType(
            key=BLOOD_PRESSURE,
            label=_("Blood pressure"),
            loinc="85354-9",
            loinc_display="Blood pressure panel with all children optional",
            ucum="mm[Hg]",
            unit="mmHg",
            low=Decimal(50),
            high=Decimal(260),
            decimals=0,
            first_label=_("Systolic (upper)"),
            first_loinc="8480-6",
            first_loinc_display="Systolic blood pressure",
            second_label=_("Diastolic (lower)"),
            second_loinc="8462-4",
            second_loinc_display="Diastolic blood pressure",
            second_low=Decimal(30),
            second_high=Decimal(160),
        ),
        MeasurementType(
            key=PULSE,
            label=_("Pulse"),
            loinc="8867-4",
            loinc_display="Heart rate",
            ucum="/min",
            unit=pgettext_lazy("unit", "beats/min"),
            low=Decimal(20),
            high=Decimal(250),
            decimals=0,
        ),
        MeasurementType(
            key=WEIGHT,
            label=_("Body weight"),
            loinc="29463-7",
            loinc_display="Body weight",
            ucum="kg",
            unit="kg",
            low=Decimal("0.30"),
            high=Decimal("400.00"),
            decimals=2,
        ),
        MeasurementType(
            key=HEIGHT,
            label=_("Body height"),
            loinc="8302-2",
            loinc_display="Body height",
            ucum="cm",
            unit="cm",
            low=Decimal("20.0"),
            high=Decimal("250.0"),
            decimals=1,
        ),
        MeasurementType(
            key=BMI,
            label=_("BMI"),
            loinc="39156-5",
            loinc_display="Body mass index (BMI) [Ratio]",
            ucum="kg/m2",
            unit="kg/m²",
            low=Decimal("5.0"),
            high=Decimal("100.0"),
            decimals=1,
            derived=True,
        ),
        MeasurementType(
            key=GLUCOSE,
            label=_("Blood glucose"),
            loinc="2339-0",
            loinc_display="Glucose [Mass/volume] in Blood",
            ucum="mg/dL",
            unit="mg/dL",
            low=Decimal(20),
            high=Decimal(600),
            decimals=0,
            category="laboratory",
        ),
        MeasurementType(
            key=STEPS,
            label=pgettext_lazy("measurement", "Steps"),
            loinc="55423-8",
            loinc_display="Number of steps in unspecified time Pedometer",
            ucum="{steps}",
            unit=pgettext_lazy("unit", "steps"),
            low=Decimal(0),
            high=Decimal(100000),
            decimals=0,
            category="activity",
        ),
        MeasurementType(
            key=HEAD,
            label=_("Head circumference"),
            loinc="9843-4",
            loinc_display="Head Occipital-frontal circumference",
            ucum="cm",
            unit="cm",
            low=Decimal("20.0"),
            high=Decimal("65.0"),
            decimals=1,
            infants_only=True,
        ),
    ]
}


def get(key: str) -> MeasurementType | None:
    return TYPES.get(key)


def choices() -> list[tuple[str, Promise]]:
    return [(t.key, t.label) for t in TYPES.values()]


def enterable(*, infant: bool) -> list[MeasurementType]:
    """The types a resident types in (not BMI); head circumference only for a young child."""
    return [t for t in TYPES.values() if not t.derived and (infant or not t.infants_only)]
