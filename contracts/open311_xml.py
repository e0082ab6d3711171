"""GeoReport v2 XML: one mapping between the JSON shapes and the standard's XML. Pure: no I/O.

The service renders its answers with ``render`` and the chat's client reads an XML-only
council's answers with ``parse``, so both sides agree on the element names by construction.

Element names follow the GeoReport v2 specification and what FixMyStreet's Open311 client
(XML::Simple with ``ForceArray`` on the item tags, ``KeyAttr => {}``) reads:

- ``services.xml``: ``<services><service>…</service></services>``
- ``services/{code}.xml``: ``<service_definition><service_code/><attributes><attribute>…
  <values><value><key/><name/></value></values></attribute></attributes></service_definition>``
- requests, a created request, a token: ``<service_requests><request>…</request></service_requests>``;
  staff reads add ``<extra_attributes><attribute><code/><value/></attribute></extra_attributes>``
  and ``<extra_media_urls><media_url/></extra_media_urls>``
- errors: ``<errors><error><code/><description/></error></errors>``
- the updates extension: ``<service_request_updates><request_update>…</request_update></service_request_updates>``
- discovery: ``<discovery>…<endpoints><endpoint>…<formats><format/></formats></endpoint></endpoints></discovery>``

A ``None`` value is left out (an empty element and a missing one read alike in XML::Simple
with ``SuppressEmpty => undef``). Outside XML is parsed with defusedxml: no entity
expansion, no external entities.
"""

from __future__ import annotations

import json
import re
from typing import Any
from xml.etree import ElementTree as ET  # noqa: S405 - used to build XML only; parsing is defusedxml

from defusedxml import ElementTree as SafeET

CONTENT_TYPE = "text/xml"

# Root element and item element of each kind of answer.
ROOTS = {
    "services": ("services", "service"),
    "service_definition": ("service_definition", None),
    "requests": ("service_requests", "request"),
    "errors": ("errors", "error"),
    "updates": ("service_request_updates", "request_update"),
    "discovery": ("discovery", None),
    # The built-in service's staff extensions.
    "history": ("history", "change"),
    "citizen_updates": ("citizen_updates", "citizen_update"),
}
# A list held in an element of this name is a run of elements of the item name.
ITEMS = {
    "services": "service",
    "attributes": "attribute",
    "values": "value",
    "service_requests": "request",
    "errors": "error",
    "service_request_updates": "request_update",
    "endpoints": "endpoint",
    "formats": "format",
    "history": "change",
    "citizen_updates": "citizen_update",
    # Staff reads of the built-in service: what a client sent beyond the questions and the first photo.
    "extra_attributes": "attribute",
    "extra_media_urls": "media_url",
}
# A request's answers, {code: answer} in JSON: a run of <attribute><code/><value/></attribute>
# in XML (codes need not be valid element names).
ANSWERS = frozenset({"attributes", "extra_attributes"})
# XML is all text; these fields read back as the JSON types the schemas give them.
BOOLEANS = frozenset({"metadata", "variable", "required"})
INTEGERS = frozenset({"order"})
NUMBERS = frozenset({"lat", "long"})


class Open311XmlError(ValueError):
    """The text is not GeoReport v2 XML we can read."""


# Characters XML 1.0 cannot hold at all, even escaped (U+FFFE, U+FFFF, C0 controls but tab and
# newlines, lone surrogates): stored text may have them (they are valid text elsewhere), so
# they become U+FFFD rather than a document no client can parse.
NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return NOT_XML.sub("\ufffd", str(value))


def _fill(element: ET.Element, value: Any) -> None:
    if isinstance(value, dict):
        for key, inner in value.items():
            if inner is None:
                continue
            child = ET.SubElement(element, key)
            if key in ANSWERS and isinstance(inner, dict):
                # A request's answers: {code: answer} in JSON, a run of <attribute> in XML.
                inner = [{"code": code, "value": answer} for code, answer in inner.items()]
            _fill(child, inner)
    elif isinstance(value, list):
        item = ITEMS.get(element.tag, "item")
        for inner in value:
            _fill(ET.SubElement(element, item), inner)
    else:
        element.text = _text(value)


def render(kind: str, data: Any) -> bytes:
    """The XML document for an answer of ``kind`` (a key of ``ROOTS``) holding ``data``.

    Args:
        kind: What the answer is.
        data: The same value the JSON answer holds (a list for lists, a dict otherwise).

    Returns:
        UTF-8 XML with its declaration; text is escaped by ElementTree.
    """
    root_name, item = ROOTS[kind]
    root = ET.Element(root_name)
    if item is None:
        _fill(root, data)
    else:
        for entry in data:
            _fill(ET.SubElement(root, item), entry)
    document: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return document


def _typed(name: str, text: str | None) -> Any:
    if text is None:
        return None
    try:
        if name in BOOLEANS and text.strip().lower() in ("true", "false"):
            return text.strip().lower() == "true"
        if name in INTEGERS and text.strip().lstrip("-").isdigit():
            return int(text)
        if name in NUMBERS:
            return float(text)
    except ValueError:
        pass
    return text


def _read(element: Any, parent: str = "") -> Any:
    children = list(element)
    if element.tag in ITEMS:
        return [_read(child, element.tag) for child in children if child.tag == ITEMS[element.tag]]
    if not children:
        text = element.text if element.text and element.text.strip() else None
        if element.tag == "code" and parent == "error" and text and text.strip().isdigit():
            return int(text)  # an error's code is its HTTP status; an attribute's code is a name
        return _typed(element.tag, text)
    out: dict[str, Any] = {}
    for child in children:
        value = _read(child, element.tag)
        if child.tag in ANSWERS and element.tag == "request" and isinstance(value, list):
            value = {a.get("code"): a.get("value") for a in value if isinstance(a, dict)}
        out[child.tag] = value
    return out


def parse(document: bytes | str) -> Any:
    """Read a GeoReport v2 XML answer into the shape its JSON form has.

    Lists (``services``, ``service_requests``, ``errors``, ``service_request_updates``) come
    back as lists of dicts, a service definition as a dict; booleans, ``order``, ``code``,
    ``lat`` and ``long`` get their JSON types, and empty elements are ``None``.

    Raises:
        Open311XmlError: not well-formed XML, or XML using entities or a DTD.
    """
    try:
        root = SafeET.fromstring(document, forbid_dtd=True)
    except (ET.ParseError, ValueError) as exc:
        raise Open311XmlError(f"not GeoReport v2 XML: {type(exc).__name__}: {exc}") from None
    except Exception as exc:  # noqa: BLE001 - defusedxml's refusals (DTD, entities) have no common base here
        raise Open311XmlError(f"XML refused: {type(exc).__name__}") from None
    return _read(root)


FORMATS = ("json", "xml")


def path_in(path: str, response_format: str) -> str:
    """An endpoint written ``x.json`` in ``response_format``: ``x.xml`` for XML."""
    return path.removesuffix(".json") + "." + response_format


def load(document: bytes | str, response_format: str) -> Any:
    """An answer in either format, as its JSON shape (what every client of ours reads).

    Raises:
        ValueError: not JSON, or (``xml``) not GeoReport v2 XML; defusedxml refuses bombs.
    """
    if response_format == "xml":
        return parse(document)
    return json.loads(document)


def setting(env: Any, name: str = "OPEN311_FORMAT") -> str:
    """``OPEN311_FORMAT`` from an environment mapping: ``json`` (default) or ``xml``.

    Raises:
        ValueError: another value; the message names the variable.
    """
    value = env.get(name, "json")
    if value not in FORMATS:
        raise ValueError(f"{name}: {value!r} must be one of: {', '.join(FORMATS)}")
    return str(value)
