"""Charts as self-contained SVG markup, built with pygal, for the insight pages and the PDF reports.

Every builder returns a string of SVG (no XML declaration) that the caller inlines with ``mark_safe``:

* no JavaScript and no external reference: pygal's ``<script>`` elements, its comments (which carry pygal's web
  address) and its JavaScript tooltip layer are removed; links may only be site-relative paths (``/imports/…``);
* no ``<style>`` element and no ``style`` attribute: the site's Content-Security-Policy (``style-src 'self'``) would
  block them in an inlined SVG, so pygal's stylesheet is applied as SVG *presentation attributes* (``fill``,
  ``font-size``…), which CSP does not govern and which WeasyPrint reads too;
* no width or height: the SVG only has a ``viewBox`` and takes the width CSS gives it (``width: 100%`` in reports);
* labels and titles are escaped (they are XML text); native ``<title>`` tooltips show each value without script.

Numbers follow the active language's formats (``django.utils.formats``: ``1 234 567,5`` in French, Western digits in
Arabic). Charts for right-to-left pages keep their geometry left to right (time and values grow to the right, as in
most Arabic dashboards, and the Western digits read left to right anyway); only the text changes: every text that
contains right-to-left letters is wrapped in a right-to-left embedding so that a label mixing Arabic, Latin codes and
numbers reads in Arabic order, while its anchor (and so its alignment against the axes) stays what pygal computed.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Sequence
from typing import Any, Literal
from urllib.parse import urlsplit

import arabic_reshaper
import cssselect2
import pygal
import tinycss2
from bidi.algorithm import get_display
from django.conf import settings
from django.utils import formats, numberformat, translation
from django.utils.translation import gettext, pgettext
from lxml import etree
from pygal.style import Style

ValueFormat = Literal["number", "money", "percent"]
LEGEND_BOX = 36  # pixels of a legend entry besides its text: the colour box and the gaps
LEGEND_CHAR = 7.4  # average width of a character of the legend's 13 px font
Series = Sequence[tuple[str, Sequence[float | None]]]

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"

FONT_FAMILY = "DejaVu Sans, sans-serif"

# Okabe & Ito (2008), "Color Universal Design": distinguishable with the common colour-vision deficiencies.
# Blue first (the site's sober default), black last (and yellow late) so one- and two-series charts stay quiet.
OKABE_ITO = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#D55E00",  # vermillion
    "#56B4E9",  # sky blue
    "#CC79A7",  # reddish purple
    "#F0E442",  # yellow
    "#000000",  # black
)

CHART_STYLE = Style(
    background="transparent",
    plot_background="transparent",
    foreground="#333333",
    foreground_strong="#1a1a1a",
    foreground_subtle="#c8c8c8",
    opacity="1",
    opacity_hover="1",
    stroke_opacity="1",
    stroke_opacity_hover="1",
    transition="0ms",
    colors=OKABE_ITO,
    font_family=FONT_FAMILY,
    title_font_family=FONT_FAMILY,
    label_font_family=FONT_FAMILY,
    major_label_font_family=FONT_FAMILY,
    legend_font_family=FONT_FAMILY,
    value_font_family=FONT_FAMILY,
    value_label_font_family=FONT_FAMILY,
    tooltip_font_family=FONT_FAMILY,
    no_data_font_family=FONT_FAMILY,
    title_font_size=18,
    label_font_size=13,
    major_label_font_size=13,
    legend_font_size=13,
    value_font_size=12,
    value_label_font_size=12,
    tooltip_font_size=13,
    no_data_font_size=16,
    guide_stroke_color="#d0d0d0",
    major_guide_stroke_color="#d0d0d0",
    guide_stroke_dasharray="2,3",
    major_guide_stroke_dasharray="2,3",
)

# Sized for a full-width chart in an A4 report (about 17 cm wide); pages scale it through the viewBox.
WIDTH = 800
HEIGHT = 420

# SVG presentation attributes: the CSS properties that may be written as attributes (SVG 1.1 §M.2).
_PRESENTATION_ATTRIBUTES = frozenset(
    {
        "alignment-baseline",
        "baseline-shift",
        "clip-path",
        "clip-rule",
        "color",
        "direction",
        "display",
        "dominant-baseline",
        "fill",
        "fill-opacity",
        "fill-rule",
        "font-family",
        "font-size",
        "font-style",
        "font-variant",
        "font-weight",
        "letter-spacing",
        "opacity",
        "stroke",
        "stroke-dasharray",
        "stroke-dashoffset",
        "stroke-linecap",
        "stroke-linejoin",
        "stroke-miterlimit",
        "stroke-opacity",
        "stroke-width",
        "text-anchor",
        "text-decoration",
        "visibility",
        "word-spacing",
    }
)

_RTL_LETTERS = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")
_RLE, _PDF = "\u202b", "\u202c"  # right-to-left embedding … pop directional formatting


# --- number formats -------------------------------------------------------------------------------------------------


def _is_french() -> bool:
    return (translation.get_language() or settings.LANGUAGE_CODE).startswith("fr")


def _number(value: float, decimal_pos: int | None = None) -> str:
    """``formats.number_format`` with grouping, also for languages whose format sets none (Arabic: ``54.300.000``)."""
    if formats.get_format("NUMBER_GROUPING"):
        return formats.number_format(value, decimal_pos=decimal_pos, force_grouping=True)
    return numberformat.format(
        value,
        formats.get_format("DECIMAL_SEPARATOR"),
        decimal_pos,
        grouping=3,
        thousand_sep=formats.get_format("THOUSAND_SEPARATOR"),
        force_grouping=True,
    )


def format_value(value: float | None, value_format: ValueFormat = "number") -> str:
    """A value in full, in the active language's format: ``1 234 567 MAD``, ``42,5 %``, ``1 234,5``."""
    if value is None:
        return "–"
    if value_format == "percent":
        number = _number(value * 100, decimal_pos=1 if abs(value) < 0.1 else 0)
        return f"{number}\u00a0%" if _is_french() else f"{number}%"
    if value_format == "money":
        return f"{_number(round(value))}\u00a0{settings.CURRENCY}"
    decimals = 0 if float(value).is_integer() else 1 if abs(value) >= 100 else 2
    return _number(value, decimal_pos=decimals)


def format_axis_value(value: float | None, value_format: ValueFormat = "number") -> str:
    """A value on an axis, made short: ``12,5 M`` rather than ``12 500 000 MAD``; percentages as ``40 %``."""
    if value is None:
        return ""
    if value_format == "percent":
        number = formats.number_format(value * 100, decimal_pos=0 if float(value * 100).is_integer() else 1)
        return f"{number}\u00a0%" if _is_french() else f"{number}%"
    magnitude = abs(value)
    for threshold, unit in (
        (1e9, pgettext("chart unit: thousand millions", "bn")),
        (1e6, pgettext("chart unit: millions", "M")),
        (1e3, pgettext("chart unit: thousands", "k")),
    ):
        if magnitude >= threshold:
            scaled = value / threshold
            decimals = 0 if float(scaled).is_integer() else 1
            return f"{formats.number_format(scaled, decimal_pos=decimals)}\u00a0{unit}"
    decimals = 0 if float(value).is_integer() else 2
    return _number(value, decimal_pos=decimals)


# --- links ----------------------------------------------------------------------------------------------------------


def checked_link(href: str) -> str:
    """``href`` if it is a path on this site (``/imports/?group=Z12``); ValueError for anything else."""
    if not isinstance(href, str) or not href.startswith("/") or href.startswith("//"):
        raise ValueError(f"chart links must be site-relative paths: {href!r}")
    if "\\" in href or any(unicodedata.category(char)[0] in "CZ" for char in href):
        raise ValueError(f"chart links may not contain spaces, backslashes or control characters: {href!r}")
    parts = urlsplit(href)
    if parts.scheme or parts.netloc:
        raise ValueError(f"chart links must be site-relative paths: {href!r}")
    return href


# --- builders -------------------------------------------------------------------------------------------------------


def bar_chart(
    *,
    title: str,
    labels: Sequence[str],
    series: Series,
    rtl: bool = False,
    links: Sequence[str | None] | None = None,
    value_format: ValueFormat = "number",
    no_data_text: str = "",
    show_values: bool = False,
    stacked: bool = False,
) -> str:
    """Vertical bars, one group per label (e.g. imports per year), one bar per series.

    ``links`` (one per label, or None) make each bar of that label a drill-down link to a site-relative path.
    """
    chart_class = pygal.StackedBar if stacked else pygal.Bar
    return _render(
        chart_class,
        title=title,
        labels=labels,
        series=series,
        rtl=rtl,
        links=links,
        value_format=value_format,
        no_data_text=no_data_text,
        show_values=show_values,
    )


def horizontal_bar_chart(
    *,
    title: str,
    labels: Sequence[str],
    series: Series,
    rtl: bool = False,
    links: Sequence[str | None] | None = None,
    value_format: ValueFormat = "number",
    no_data_text: str = "",
    show_values: bool = True,
) -> str:
    """Horizontal bars, the first label at the top (e.g. the top EMDN groups by import value), values printed."""
    height = max(HEIGHT, 110 + 34 * len(labels) * max(1, len(series)))
    numbers = [value for _name, values in series for value in values if value is not None]
    extra: dict[str, Any] = {}
    if show_values and numbers and max(numbers) > 0:
        # Room on the right of the longest bar for its printed value (see _clean).
        extra["range"] = (min(0.0, min(numbers)), max(numbers) * 1.25)
    # pygal draws the first label at the bottom: reverse so a ranking reads from the top.
    return _render(
        pygal.HorizontalBar,
        title=title,
        labels=list(reversed(labels)),
        series=[(name, list(reversed(values))) for name, values in series],
        rtl=rtl,
        links=list(reversed(links)) if links is not None else None,
        value_format=value_format,
        no_data_text=no_data_text,
        show_values=show_values,
        height=height,
        truncate_label=48,
        **extra,
    )


def line_chart(
    *,
    title: str,
    labels: Sequence[str],
    series: Series,
    rtl: bool = False,
    links: Sequence[str | None] | None = None,
    value_format: ValueFormat = "number",
    no_data_text: str = "",
    show_values: bool = False,
) -> str:
    """Lines with dots over ordered labels (e.g. a dependency ratio per year); missing values leave a gap."""
    return _render(
        pygal.Line,
        title=title,
        labels=labels,
        series=series,
        rtl=rtl,
        links=links,
        value_format=value_format,
        no_data_text=no_data_text,
        show_values=show_values,
        dots_size=4,
        stroke_style={"width": 3},
    )


def donut_chart(
    *,
    title: str,
    slices: Sequence[tuple[str, float]],
    rtl: bool = False,
    links: Sequence[str | None] | None = None,
    value_format: ValueFormat = "number",
    no_data_text: str = "",
) -> str:
    """Shares of a whole (e.g. origin countries of an import), one slice per (label, value); the legend names them.

    Keep it to a handful of slices (group the rest under "Other"): the palette has eight colours.
    """
    if not [value for _label, value in slices if value]:
        return _no_data(title, no_data_text, rtl)
    chart = pygal.Pie(
        **_config(title, rtl, value_format, no_data_text, show_values=False),
        inner_radius=0.55,
        legend_at_bottom=False,
        show_legend=True,
        truncate_legend=40,
        legend_box_size=14,
    )
    total = sum(value for _label, value in slices if value)
    for index, (label, value) in enumerate(slices):
        href = links[index] if links is not None and index < len(links) else None
        point: dict[str, Any] = {"value": value, "label": _tooltip(label, value, value_format, total)}
        if href:
            point["xlink"] = {"href": checked_link(href), "target": "_self"}
        chart.add(f"{label} ({format_value(value / total, 'percent')})" if value else label, [point])
    return _clean(chart.render(is_unicode=True), rtl)


# --- machinery ------------------------------------------------------------------------------------------------------


def _config(title: str, rtl: bool, value_format: ValueFormat, no_data_text: str, *, show_values: bool) -> dict:
    full: Callable[[float | None], str] = lambda value: format_value(value, value_format)  # noqa: E731
    axis: Callable[[float | None], str] = lambda value: format_axis_value(value, value_format)  # noqa: E731
    return {
        "title": title or None,
        "style": CHART_STYLE,
        "width": WIDTH,
        "height": HEIGHT,
        "js": [],
        "disable_xml_declaration": True,
        "explicit_size": False,
        "tooltip_fancy_mode": False,
        "formatter": full,
        "value_formatter": axis,
        "print_values": show_values,
        "no_data_text": no_data_text or gettext("No data"),
        "margin": 12,
        "spacing": 12,
    }


def _render(
    chart_class: type,
    *,
    title: str,
    labels: Sequence[str],
    series: Series,
    rtl: bool,
    links: Sequence[str | None] | None,
    value_format: ValueFormat,
    no_data_text: str,
    show_values: bool,
    **options: Any,
) -> str:
    if not labels or not any(value is not None for _name, values in series for value in values):
        return _no_data(title, no_data_text, rtl)
    if links is not None and len(links) != len(labels):
        raise ValueError("links must have one entry (or None) per label")
    checked = [checked_link(href) if href else None for href in (links or [None] * len(labels))]
    config = _config(title, rtl, value_format, no_data_text, show_values=show_values)
    # As many legend entries on a row as their longest name lets fit, each name whole when it can be.
    longest = max((len(name) for name, _values in series), default=0)
    columns = max(1, min(len(series), 4, int(WIDTH // (LEGEND_BOX + LEGEND_CHAR * longest))))
    config.update(
        show_legend=len(series) > 1,
        legend_at_bottom=True,
        legend_at_bottom_columns=columns,
        truncate_legend=int((WIDTH / columns - LEGEND_BOX) / LEGEND_CHAR),
        x_label_rotation=30 if len(labels) > 12 and chart_class is not pygal.HorizontalBar else 0,
        print_values_position="top",
        include_x_axis=True,
        min_scale=4,
        max_scale=8,
    )
    config.update(options)
    chart = chart_class(**config)
    chart.x_labels = [str(label) for label in labels]
    for name, values in series:
        if len(values) != len(labels):
            raise ValueError(f"series {name!r} has {len(values)} values for {len(labels)} labels")
        points: list[Any] = []
        for label, value, href in zip(labels, values, checked, strict=True):
            if value is None or (isinstance(value, float) and not math.isfinite(value)):
                points.append(None)
                continue
            point: dict[str, Any] = {
                "value": value,
                "label": _tooltip(label, value, value_format, series_name=name if len(series) > 1 else ""),
            }
            if href:
                point["xlink"] = {"href": href, "target": "_self"}
            points.append(point)
        chart.add(name, points)
    return _clean(chart.render(is_unicode=True), rtl)


def _tooltip(
    label: str, value: float, value_format: ValueFormat, total: float | None = None, series_name: str = ""
) -> str:
    text = f"{series_name} · {label}" if series_name else str(label)
    if total:
        return f"{text} ({format_value(value / total, 'percent')})"
    return text


def _no_data(title: str, no_data_text: str, rtl: bool) -> str:
    """A small SVG (same width as a chart, 120 high) carrying the title and the caller's "no data" message."""
    if not no_data_text and not title:
        return ""
    svg = etree.Element(f"{{{SVG_NS}}}svg", nsmap={None: SVG_NS})
    svg.set("viewBox", f"0 0 {WIDTH} 120")
    svg.set("class", "pygal-chart chart-no-data")
    svg.set("role", "img")
    svg.set("font-family", FONT_FAMILY)
    svg.set("fill", CHART_STYLE.foreground)
    lines = [(title, 26, 18, "bold"), (no_data_text or gettext("No data"), 80, 15, "normal")]
    for text, y, size, weight in lines:
        if not text:
            continue
        node = etree.SubElement(svg, f"{{{SVG_NS}}}text")
        node.set("x", str(WIDTH // 2))
        node.set("y", str(y))
        node.set("text-anchor", "middle")
        node.set("font-size", str(size))
        node.set("font-weight", weight)
        node.text = _directed(text, rtl)
    label = etree.Element(f"{{{SVG_NS}}}title")
    label.text = " — ".join(text for text, *_rest in lines if text)
    svg.insert(0, label)
    return etree.tostring(svg, encoding="unicode")


def _directed(text: str, rtl: bool) -> str:
    if rtl and _RTL_LETTERS.search(text) and not text.startswith(_RLE):
        return f"{_RLE}{text}{_PDF}"
    return text


def _clean(markup: str, rtl: bool) -> str:
    """pygal's SVG made self-contained: styles inlined as attributes, no script, no comments, no tooltip layer."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True, huge_tree=False)
    root = etree.fromstring(markup.encode(), parser)
    _inline_styles(root)
    _add_value_titles(root)
    horizontal = bool(root.xpath("//*[local-name()='g'][contains(@class, 'horizontal')]"))
    for node in list(root.iter()):
        if not isinstance(node.tag, str):
            continue
        tag = etree.QName(node).localname
        classes = (node.get("class") or "").split()
        if tag in {"script", "style", "desc", "foreignObject", "image", "use"} or "tooltip-overlay" in classes:
            _remove(node)
            continue
        for attribute in list(node.attrib):
            name = etree.QName(attribute).localname
            if name == "style" or name.startswith("on") or (name == "href" and tag != "a"):
                del node.attrib[attribute]
        if tag == "a":
            href = node.get(f"{{{XLINK_NS}}}href") or ""
            checked_link(href)  # pygal only writes what we gave it; this is the last guard.
            node.set("href", href)  # SVG 2 browsers and WeasyPrint read the plain attribute too.
        if tag in {"text", "tspan", "title"} and node.text:
            node.text = _directed(node.text, rtl)
        if "title" in classes and tag == "text":
            node.set("font-weight", "bold")
        if horizontal and "value" in classes and tag == "text":
            # Printed values start just after the end of their bar instead of straddling it.
            node.set("text-anchor", "start")
            node.set("x", str(float(node.get("x", "0")) + 6))
            node.set("fill", CHART_STYLE.foreground_strong)
    if "id" in root.attrib:
        del root.attrib["id"]
    root.set("role", "img")
    # The geometry is left to right on every page: without this, an inline SVG inherits `direction: rtl` from an
    # Arabic page and every "start" anchor flips (legend texts run back over their colour boxes).
    root.set("direction", "ltr")
    etree.cleanup_namespaces(root)
    return etree.tostring(root, encoding="unicode")


def printable(markup: str) -> str:
    """The chart for a PDF report: its right-to-left texts shaped and put in display order.

    WeasyPrint draws SVG text one code point at a time, left to right, in logical order and without joining letters
    (Kozea/WeasyPrint#2909), which scrambles Arabic words; HTML text is unaffected. So each visible text that holds
    right-to-left letters is shaped into Arabic presentation forms (arabic-reshaper) and reordered for display with
    a right-to-left base direction and mirrored brackets (python-bidi), as the RLE embedding asks of a browser:
    drawn left to right, letter by letter, it then shows as written. Tooltips (``<title>``) are not drawn in a PDF and
    stay as they are. Charts without such text come back unchanged."""
    if not _RTL_LETTERS.search(markup):
        return markup
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    root = etree.fromstring(markup.encode(), parser)
    for node in root.iter(f"{{{SVG_NS}}}text", f"{{{SVG_NS}}}tspan"):
        if node.text and _RTL_LETTERS.search(node.text):
            logical = node.text.replace(_RLE, "").replace(_PDF, "")
            node.text = get_display(arabic_reshaper.reshape(logical), base_dir="R")
    return etree.tostring(root, encoding="unicode")


def _add_value_titles(root: Any) -> None:
    """A native tooltip (``<title>``) on each bar, dot or slice: "label: value", shown by browsers without script."""
    for group in root.iter(f"{{{SVG_NS}}}g"):
        descriptions = {
            (child.get("class") or "").split()[0]: "".join(child.itertext())
            for child in group
            if etree.QName(child).localname == "desc" and child.get("class")
        }
        if "value" not in descriptions:
            continue
        label = descriptions.get("label") or descriptions.get("x_label") or ""
        title = etree.Element(f"{{{SVG_NS}}}title")
        separator = "\u00a0: " if _is_french() else ": "  # French puts a no-break space before the colon
        title.text = f"{label}{separator}{descriptions['value']}" if label else descriptions["value"]
        group.insert(0, title)


def _remove(node: Any) -> None:
    parent = node.getparent()
    if parent is None:
        return
    if node.tail:  # keep the text that followed the removed element
        previous = node.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + node.tail
        else:
            parent.text = (parent.text or "") + node.tail
    parent.remove(node)


def _inline_styles(root: Any) -> None:
    """Apply the SVG's ``<style>`` rules as presentation attributes, in cascade order (specificity, then source)."""
    css = "".join("".join(node.itertext()) for node in root.iter(f"{{{SVG_NS}}}style"))
    matcher = cssselect2.Matcher()
    rules = tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)
    for order, rule in enumerate(rules):
        if rule.type != "qualified-rule":
            continue
        declarations = [
            (declaration.lower_name, tinycss2.serialize(declaration.value).strip())
            for declaration in tinycss2.parse_declaration_list(rule.content, skip_comments=True, skip_whitespace=True)
            if declaration.type == "declaration" and declaration.lower_name in _PRESENTATION_ATTRIBUTES
        ]
        if not declarations:
            continue
        try:
            selectors = cssselect2.compile_selector_list(rule.prelude)
        except cssselect2.SelectorError:
            continue
        for selector in selectors:
            if selector.pseudo_element is None and not selector.never_matches:
                matcher.add_selector(selector, (order, declarations))
    wrapper = cssselect2.ElementWrapper.from_xml_root(root)
    for element in wrapper.iter_subtree():
        matches = matcher.match(element)
        if not matches:
            continue
        values: dict[str, str] = {}
        for _specificity, _order, _pseudo, (_rule_order, declarations) in sorted(
            matches, key=lambda match: (match[0], match[3][0])
        ):
            values.update(declarations)
        for name, value in values.items():
            if value:
                element.etree_element.set(name, value)
