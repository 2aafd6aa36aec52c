"""The chart builders: self-contained, escaped SVG with the labels, formatted values and site-relative links only."""

import re
import unicodedata
import xml.etree.ElementTree as ET

import pytest
from django.utils import translation

from tawrid.insights import charts

SVG = "{http://www.w3.org/2000/svg}"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
NAMESPACE_URIS = {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    return root


def texts(root: ET.Element) -> list[str]:
    return ["".join(node.itertext()) for node in root.iter(f"{SVG}text")]


def assert_self_contained(svg: str) -> None:
    """No script, no style element or attribute (the site's CSP), no URL but the two namespace names."""
    assert "<script" not in svg.lower()
    assert "<style" not in svg.lower() and " style=" not in svg.lower()
    assert "<!--" not in svg
    assert "javascript:" not in svg.lower()
    urls = set(re.findall(r"(?:https?|ftp)://[^\s\"'<>)]*", svg, flags=re.IGNORECASE))
    assert urls <= NAMESPACE_URIS, urls
    root = parse(svg)
    for node in root.iter():
        for name, value in node.attrib.items():
            assert not name.startswith("on"), name
            if name in {"href", XLINK_HREF}:
                assert value.startswith("/") and not value.startswith("//"), value


def imports_by_year(**kwargs) -> str:
    return charts.bar_chart(
        title="Importations par année",
        labels=["2021", "2022", "2023"],
        series=[("Valeur", [1234567.5, 2_500_000, None])],
        value_format="money",
        **kwargs,
    )


def test_bar_chart_is_self_contained_svg_with_labels_and_french_numbers():
    with translation.override("fr"):
        svg = imports_by_year()
    assert_self_contained(svg)
    root = parse(svg)
    assert "width" not in root.attrib and "height" not in root.attrib and root.get("viewBox") == "0 0 800 420"
    shown = texts(root)
    assert "Importations par année" in shown
    assert {"2021", "2022", "2023"} <= set(shown)
    assert "2\u00a0M" in shown  # a y-axis tick, short
    titles = ["".join(node.itertext()) for node in root.iter(f"{SVG}title")]
    assert "2022\u00a0: 2\u00a0500\u00a0000\u00a0MAD" in titles  # the native tooltip, French number format
    assert "2021\u00a0: 1\u00a0234\u00a0568\u00a0MAD" in titles
    assert len(root.findall(f".//{SVG}rect[@class='rect reactive tooltip-trigger']")) == 2  # None leaves no bar
    assert 'font-family="DejaVu Sans,sans-serif"' in svg
    assert charts.OKABE_ITO[0] in svg


def test_numbers_follow_the_active_language():
    with translation.override("en"):
        assert charts.format_value(1234567.5, "money") == "1,234,568\u00a0MAD"
        assert charts.format_value(0.425, "percent") == "42%"
        assert charts.format_axis_value(12_500_000, "money") == "12.5\u00a0M"
    with translation.override("fr"):
        assert charts.format_value(1234.5) == "1\u00a0234,5"
        assert charts.format_value(0.425, "percent") == "42\u00a0%"
        assert charts.format_value(0.031, "percent") == "3,1\u00a0%"
        assert charts.format_axis_value(12_500_000, "money") == "12,5\u00a0M"
    with translation.override("ar"):  # Western digits, grouped although Django's Arabic format does not group
        assert charts.format_value(54_300_000, "money") == "54.300.000\u00a0MAD"
        assert charts.format_value(1234.5) == "1.234,5"


def test_titles_and_labels_are_escaped():
    svg = charts.horizontal_bar_chart(
        title="<script>alert(1)</script>",
        labels=['<img src=x onerror="alert(1)">', "B & C"],
        series=[("<b>série</b>", [3, 4])],
    )
    assert_self_contained(svg)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in svg
    assert "B &amp; C" in svg
    assert "<img" not in svg and "<b>" not in svg
    shown = texts(parse(svg))
    assert "<script>alert(1)</script>" in shown  # the text itself survives, as text


def test_horizontal_bars_rank_from_the_top_with_drill_down_links():
    svg = charts.horizontal_bar_chart(
        title="Principaux groupes EMDN",
        labels=["Z12 – Diagnostic in vitro", "J – Implantables actifs", "P – Prothèses"],
        series=[("Valeur", [54_300_000, 32_100_000, 21_450_000])],
        links=["/imports/?group=Z12&year=2023", "/imports/?group=J", None],
        value_format="money",
    )
    assert_self_contained(svg)
    root = parse(svg)
    links = [node.get(XLINK_HREF) for node in root.iter(f"{SVG}a")]
    assert sorted(links) == ["/imports/?group=J", "/imports/?group=Z12&year=2023"]
    assert "/imports/?group=Z12&amp;year=2023" in svg
    assert all(node.get("target") == "_self" for node in root.iter(f"{SVG}a"))
    labels = [text for text in texts(root) if text[:2] in {"Z1", "J ", "P "}]
    # pygal draws the first x label at the bottom; the builder reverses them so the first ranks at the top.
    positions = {
        "".join(node.itertext()): float(node.get("y"))
        for node in root.iter(f"{SVG}text")
        if "".join(node.itertext()) in labels
    }
    assert positions["Z12 – Diagnostic in vitro"] < positions["J – Implantables actifs"] < positions["P – Prothèses"]
    values = {"".join(node.itertext()) for node in root.iter(f"{SVG}text") if node.get("class") == "value"}
    assert values == {"54\u00a0300\u00a0000\u00a0MAD", "32\u00a0100\u00a0000\u00a0MAD", "21\u00a0450\u00a0000\u00a0MAD"}


@pytest.mark.parametrize(
    "href",
    [
        "https://evil.example/x",
        "//evil.example/x",
        "javascript:alert(1)",
        "data:text/html,hi",
        "imports/relative",
        "/\\evil.example",
        "/a b",
        "/a\nb",
        " /imports/",
    ],
)
def test_links_must_be_site_relative_paths(href):
    with pytest.raises(ValueError):
        charts.bar_chart(title="t", labels=["a"], series=[("s", [1])], links=[href])
    with pytest.raises(ValueError):
        charts.donut_chart(title="t", slices=[("a", 1)], links=[href])


def test_links_need_one_entry_per_label():
    with pytest.raises(ValueError):
        charts.bar_chart(title="t", labels=["a", "b"], series=[("s", [1, 2])], links=["/a"])


def test_line_and_donut_charts():
    line = charts.line_chart(
        title="Taux de dépendance",
        labels=["2021", "2022", "2023"],
        series=[("Maroc", [0.8, None, 0.72]), ("Région", [0.6, 0.62, 0.61])],
        value_format="percent",
    )
    assert_self_contained(line)
    assert {"Maroc", "Région"} <= set(texts(parse(line)))  # two series: a legend
    donut = charts.donut_chart(
        title="Pays d'origine", slices=[("Chine", 45), ("France", 30), ("Autres", 25)], links=["/c/CN", None, None]
    )
    assert_self_contained(donut)
    shown = texts(parse(donut))
    with translation.override("fr"):
        assert "Chine (45\u00a0%)" in shown


def test_empty_data_gives_the_callers_message_or_nothing():
    for svg in (
        charts.bar_chart(title="Importations", labels=[], series=[], no_data_text="Aucune donnée"),
        charts.horizontal_bar_chart(
            title="Importations", labels=["a"], series=[("s", [None])], no_data_text="Aucune donnée"
        ),
        charts.line_chart(title="Importations", labels=["a"], series=[], no_data_text="Aucune donnée"),
        charts.donut_chart(title="Importations", slices=[("a", 0)], no_data_text="Aucune donnée"),
    ):
        assert_self_contained(svg)
        assert {"Importations", "Aucune donnée"} <= set(texts(parse(svg)))
    assert charts.bar_chart(title="", labels=[], series=[]) == ""
    assert "&lt;b&gt;" in charts.bar_chart(title="t", labels=[], series=[], no_data_text="<b>")


def test_rtl_charts_keep_their_geometry_and_embed_arabic_text():
    """Arabic text is wrapped in RLE…PDF so mixed labels read in Arabic order; anchors and numbers are untouched."""
    with translation.override("ar"):
        ltr = charts.horizontal_bar_chart(
            title="أهم مجموعات EMDN", labels=["Z12 – معدات التشخيص", "J"], series=[("القيمة", [5, 3])]
        )
        rtl = charts.horizontal_bar_chart(
            title="أهم مجموعات EMDN", labels=["Z12 – معدات التشخيص", "J"], series=[("القيمة", [5, 3])], rtl=True
        )
    assert_self_contained(rtl)
    shown = texts(parse(rtl))
    assert "\u202bأهم مجموعات EMDN\u202c" in shown
    assert "\u202bZ12 – معدات التشخيص\u202c" in shown
    assert "J" in shown and "5" in shown  # no Arabic letter: left alone
    strip = str.maketrans("", "", "\u202b\u202c")
    assert rtl.translate(strip) == ltr.translate(strip)  # same drawing otherwise (anchors, positions)
    anchors = [node.get("text-anchor") for node in parse(rtl).iter(f"{SVG}text")]
    assert "end" in anchors  # the y labels still end against the axis


def test_chart_styles_are_presentation_attributes():
    """No <style> (blocked by style-src 'self' when inlined): pygal's rules become attributes."""
    root = parse(imports_by_year())
    bars = root.findall(f".//{SVG}g[@class='series serie-0 color-0']")
    assert bars and bars[0].get("fill") == charts.OKABE_ITO[0]
    title = next(node for node in root.iter(f"{SVG}text") if "title" in (node.get("class") or ""))
    assert title.get("font-size") == "18px" and title.get("text-anchor") == "middle"


def test_arabic_chart_text_is_shaped_and_reordered_for_print():
    with translation.override("ar"):
        svg = charts.bar_chart(
            title="الواردات (بالدولار)",
            labels=["2023", "2024"],
            series=[("مؤهَّلة", [1.0, 2.0]), ("Z12 – معدات", [2.0, 1.0])],
            rtl=True,
        )
    assert ET.fromstring(svg).get("direction") == "ltr"  # an Arabic page's direction must not flip the anchors
    assert "\u202bالواردات (بالدولار)\u202c" in svg  # the page keeps logical text: browsers lay it out
    printed = charts.printable(svg)
    shown = texts(parse(printed))
    assert all("\u202b" not in t for t in shown)  # the tooltips (<title>), never drawn in a PDF, keep theirs
    # "الواردات (بالدولار)" in display order: the last word first, letters reversed and joined (presentation forms),
    # brackets mirrored; the shadda is dropped (WeasyPrint drew it on a dotted circle).
    title = next(t for t in shown if "(" in t)
    assert title.startswith("(") and any("\ufe70" <= char <= "\ufeff" for char in title)
    assert unicodedata.normalize("NFKC", title).endswith("تادراولا")  # the first word, last, letters reversed
    assert all("\u0651" not in t for t in shown)
    assert any(t.endswith("Z12") for t in shown)  # a right-to-left label: its Latin code comes last
    assert charts.printable(charts.bar_chart(title="Imports", labels=["a"], series=[("x", [1.0])])) == (
        charts.bar_chart(title="Imports", labels=["a"], series=[("x", [1.0])])
    )  # nothing to do without right-to-left text


def test_legend_columns_follow_the_longest_name():
    short = charts.bar_chart(title="t", labels=["a"], series=[(f"S{i}", [1.0]) for i in range(4)])
    long = charts.bar_chart(
        title="t", labels=["a"], series=[(f"A rather long series name number {i}", [1.0]) for i in range(4)]
    )
    assert "A rather long series name number 3" in long  # whole, not truncated with an ellipsis

    def legend_columns(svg):  # the distinct x of the legend boxes
        return len(set(re.findall(r'<rect x="([\d.]+)" y="[\d.]+" width="12" height="12" class="color-', svg)))

    assert legend_columns(short) == 4
    assert legend_columns(long) == 2
