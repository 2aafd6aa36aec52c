"""Arabic as read in Morocco (CLDR ar-MA): day before month, 24-hour clock, digits grouped by three.

Django's own Arabic formats leave the date-time formats to the American defaults ("12/07/2026" for 7 December)
and numbers ungrouped (no NUMBER_GROUPING): these replace them. Separators are those of ar-MA, "." between
thousands and "," before decimals; both are bidi "common separators", so a number stays one left-to-right run
inside right-to-left text, as does "07/12/2026".
"""

DATE_FORMAT = "j F Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j F Y H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
FIRST_DAY_OF_WEEK = 1  # Monday

# Dates read from forms: ISO first, the value browsers' date pickers send and expect back (a form shown again
# writes its dates in the first format), then as people type them, day first (never 07/12 as 12 July).
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y"]
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y",
]

DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "."
NUMBER_GROUPING = 3
