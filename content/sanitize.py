"""Sanitising the HTML of policy articles on the way in, with nh3 (the Ammonia sanitiser).

Comms staff paste articles from word processors and websites; the app shows the body in a web
view. What is stored is what the app may render without harm:

- basic formatting: paragraphs, headings, lists, emphasis, quotes, tables, line breaks;
- links with http or https URLs only, opened with rel="noopener";
- images with https URLs only (no http: mixed content; no data: URLs: payloads and tracking
  pixels hide there);
- nothing else: <script>, <style> and their content, every on* handler, style attributes,
  javascript:/data:/vbscript: URLs, relative URLs (the app has no base to resolve them against)
  and comments are removed.

Sanitising on the way in (not on the way out) means every reader, the app, the comms console
and any export, gets the same safe HTML, and the stored version history shows what was kept.
"""

from __future__ import annotations

import html
import re
import unicodedata

import nh3

ALLOWED_TAGS = frozenset(
    {
        "p", "br", "hr", "h2", "h3", "h4", "strong", "b", "em", "i", "u", "s", "sub", "sup",
        "blockquote", "ul", "ol", "li", "a", "img", "figure", "figcaption",
        "table", "thead", "tbody", "tr", "th", "td", "caption",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "th": {"colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
}
# Removed together with their content, not just unwrapped (a script's text is not prose).
REMOVED_WITH_CONTENT = frozenset({"script", "style", "noscript", "template", "iframe", "object"})

_LINK_SCHEMES = ("http://", "https://")
_IMAGE_SCHEMES = ("https://",)
_TAGS = re.compile(r"<[^>]*>")
# An image whose only URL was refused is an empty box: removed with it.
_IMAGE_WITHOUT_SOURCE = re.compile(r"<img(?![^>]*\ssrc=)[^>]*>")
_SPACES = re.compile(r"\s+")


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    """Keep a URL attribute only with an absolute http(s) URL (https for images).

    nh3's `url_schemes` already refuses other schemes; this also refuses relative URLs and
    plain-http images, which the scheme list cannot express per tag.
    """
    if tag == "a" and attribute == "href":
        return value if value.strip().lower().startswith(_LINK_SCHEMES) else None
    if tag == "img" and attribute == "src":
        return value if value.strip().lower().startswith(_IMAGE_SCHEMES) else None
    if attribute in ("width", "height"):
        return value if value.isdigit() and len(value) <= 4 else None
    return value


def clean_html(body: str) -> str:
    """The body with everything outside the allowed formatting removed; NFC-normalised."""
    cleaned = nh3.clean(
        unicodedata.normalize("NFC", body),
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(REMOVED_WITH_CONTENT),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        attribute_filter=_filter_attribute,
        url_schemes={"http", "https"},
        link_rel="noopener",
        strip_comments=True,
    )
    return _IMAGE_WITHOUT_SOURCE.sub("", cleaned).strip()


def plain_text(body_html: str) -> str:
    """The text a reader sees, for search and for telling an empty body from a real one."""
    text = html.unescape(_TAGS.sub(" ", body_html))
    return _SPACES.sub(" ", text).strip()


def has_content(body_html: str) -> bool:
    """Some text or at least one image survived sanitising."""
    return bool(plain_text(body_html)) or "<img" in body_html
