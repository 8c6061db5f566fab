"""Profile selectors: CSS or XPath, yielding an attribute or text — never serialized HTML.

A selector string is XPath when it starts with ``/``, ``./``, ``(`` or ``@``, CSS
otherwise. It yields an attribute with ``::attr(name)`` (CSS) or a final ``/@name``
(XPath), text nodes with ``::text`` / ``text()``, and otherwise the *text of each matched
element*: text nodes joined with line breaks at block-level elements, cells of a table
row separated by tabs, so a dump pasted as an HTML table stays one record per line.
The mapping form ``{css: "a.x", attr: href}`` / ``{xpath: "//a", attr: href}`` says
the same explicitly.
"""

from __future__ import annotations

import re
from typing import Any

from parsel import Selector, SelectorList

BLOCK = frozenset({
    "address", "article", "aside", "blockquote", "body", "caption", "dd", "details", "dialog",
    "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3",
    "h4", "h5", "h6", "header", "hr", "html", "li", "main", "nav", "ol", "p", "pre", "section",
    "summary", "table", "tbody", "tfoot", "thead", "tr", "ul"})
CELLS = frozenset({"td", "th"})
SKIP = frozenset({"script", "style", "template", "noscript", "head", "title", "select",
                  "textarea", "button"})
_SPACE = re.compile(r"[ \t\r\n\f\v\u00a0]+")
_XPATH_ATTR = re.compile(r"(?:^|/)@[\w:.-]+$")


def is_xpath(selector: str) -> bool:
    return selector.startswith(("/", "./", "(", "@"))


def yields_strings(selector: str) -> bool:
    """True when the selector picks attributes or text nodes rather than elements."""
    s = selector.strip()
    if is_xpath(s):
        return bool(_XPATH_ATTR.search(s)) or s.endswith(("text()", "string()"))
    return "::attr(" in s or s.endswith("::text")


def kind(selector: str) -> str:
    """"attribute", "text nodes" or "text" — what a selector yields, for people."""
    s = selector.strip()
    if ("::attr(" in s) or (is_xpath(s) and _XPATH_ATTR.search(s)):
        return "attribute"
    return "text nodes" if yields_strings(s) else "text"


def from_mapping(spec: dict) -> str:
    """``{css: ..., attr: ...}`` or ``{xpath: ..., attr: ...}`` -> the one-string form."""
    extra = set(spec) - {"css", "xpath", "attr"}
    if extra or ("css" in spec) == ("xpath" in spec):
        raise ValueError("a selector mapping has css or xpath, and optionally attr")
    attr = spec.get("attr")
    if "css" in spec:
        return f"{spec['css']}::attr({attr})" if attr else str(spec["css"])
    return f"{spec['xpath']}/@{attr}" if attr else str(spec["xpath"])


def check_selector(selector: str) -> None:
    try:
        select(Selector(text="<html><body></body></html>"), selector)
    except Exception as exc:  # parsel raises cssselect/lxml errors of several kinds
        lang = "XPath" if is_xpath(selector) else "CSS"
        raise ValueError(f"not a valid {lang} selector: {exc}") from None


def select(node: Any, selector: str) -> SelectorList:
    if is_xpath(selector):
        return node.xpath(selector if not selector.startswith("@") else "./" + selector)
    return node.css(selector)


def values(node: Any, selector: str | None) -> list[str]:
    """One string per match: the attribute / text node, or the element's text."""
    if not selector:
        return []
    out = []
    for sel in select(node, selector):
        root = sel.root
        text = _SPACE.sub(" ", str(root)).strip() if isinstance(root, str) else element_text(
            root)
        if text:
            out.append(text)
    return out


def first(node: Any, selector: str | None) -> str | None:
    """The first non-empty value; for text nodes, all of the first match's nodes joined."""
    if not selector:
        return None
    found = values(node, selector)
    if not found:
        return None
    text_nodes = kind(selector) == "text nodes"
    return " ".join(found) if text_nodes else found[0]


def element_text(el: Any) -> str:
    """The visible text of an lxml element, laid out in lines like a browser would."""
    parts: list[str] = []
    _walk(el, parts, pre=False)
    lines = []
    for raw in "".join(parts).split("\n"):
        cells = [_SPACE.sub(" ", c).strip() for c in raw.split("\t")]
        line = "\t".join(c for c in cells if c)
        if line:
            lines.append(line)
    return "\n".join(lines)


def _walk(el: Any, parts: list[str], pre: bool) -> None:
    tag = el.tag.lower() if isinstance(el.tag, str) else ""
    if not tag or tag in SKIP:  # comments, processing instructions, scripts
        return
    pre = pre or tag in ("pre", "textarea", "plaintext", "xmp")
    if tag == "br":
        parts.append("\n")
        return
    if tag in BLOCK:
        parts.append("\n")
    elif tag in CELLS:
        parts.append("\t")
    if el.text:
        parts.append(_text(el.text, pre))
    for child in el:
        _walk(child, parts, pre)
        if child.tail:
            parts.append(_text(child.tail, pre))
    if tag in BLOCK:
        parts.append("\n")


def _text(t: str, pre: bool) -> str:
    if pre:
        return t.replace("\t", " ")
    return _SPACE.sub(" ", t)


def links(node: Any, selector: str | None) -> list[str]:
    """Link targets: the selected attributes, or the ``href`` of each selected element."""
    if not selector:
        return []
    if yields_strings(selector):
        return values(node, selector)
    return [h.strip() for sel in select(node, selector)
            if (h := sel.attrib.get("href") if hasattr(sel, "attrib") else None)]
