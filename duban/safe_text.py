"""User text made safe for the documents it lands in: Word/Excel XML, CSV, Markdown.

Whatever a clerk types (a title pasted from a web page with a vertical tab, a phone number
``+86-771-…``, a cell starting ``=HYPERLINK(…)``) reaches the output only through these:

* :func:`xml_text` — XML 1.0 cannot hold most C0 control characters, lone surrogates or
  U+FFFE/U+FFFF; python-docx and openpyxl raise on them. They are dropped.
* :func:`csv_cell` — OWASP's CSV-injection guidance: a cell starting with ``= + - @``, TAB or
  CR is opened as a formula by Excel/WPS, so it gets a leading ``'`` (shown as text).
  A plain number such as ``-1`` or ``+3.5`` stays as it is.
* :func:`md_text` — Markdown and HTML meta characters escaped, line breaks folded.
"""

from __future__ import annotations

import re
from typing import Any

_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
CSV_LEADS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")


def xml_text(value: Any) -> str:
    """``value`` as text Word and Excel can store: XML-illegal characters dropped."""
    text = value if isinstance(value, str) else str(value)
    return _XML_ILLEGAL.sub("", text)


def csv_cell(text: str) -> str:
    """A CSV cell that Excel/WPS will not run as a formula (OWASP: prefix ``'``)."""
    if text.startswith(CSV_LEADS) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def md_text(value: Any) -> str:
    """Text for a Markdown document: meta characters escaped, HTML shown as text, one line."""
    text = xml_text(value)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return re.sub(r"[\r\n\t]+", " ", text)
