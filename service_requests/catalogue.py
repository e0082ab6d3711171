"""The services residents can report, loaded from services.yml (GeoReport v2 shapes)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml


class CatalogueError(Exception):
    """services.yml is unreadable or inconsistent; the message says where."""


@dataclass(frozen=True)
class Attribute:
    code: str
    description: str
    datatype: str
    required: bool
    values: tuple[tuple[str, str], ...] = ()
    # Not part of GeoReport v2 (never in the JSON): false for an answer that points at a
    # person or a conversation (a vehicle registration, a chat's id). Such answers are left
    # out of what anonymous clients read; staff see them.
    public: bool = True

    def as_open311(self, order: int) -> dict[str, Any]:
        out: dict[str, Any] = {
            "variable": True,
            "code": self.code,
            "datatype": self.datatype,
            "required": self.required,
            "datatype_description": None,
            "order": order,
            "description": self.description,
        }
        if self.values:
            out["values"] = [{"key": k, "name": n} for k, n in self.values]
        return out


@dataclass(frozen=True)
class Service:
    service_code: str
    service_name: str
    description: str
    group: str
    keywords: tuple[str, ...]
    agency: str
    expected_days: int
    service_notice: str
    attributes: tuple[Attribute, ...]
    # Not part of GeoReport v2 (never in the JSON): false for a service that is not about a
    # place, such as a message for the contact centre, so a request needs no location.
    needs_location: bool = True
    # Not part of GeoReport v2 (never in the JSON). A private service's requests are shown
    # only to staff keys. The default is private: a service someone forgot to classify then
    # hides its cases rather than publishing them, and a wrongly hidden pothole costs far
    # less than a published message to the contact centre. services.yml must still say
    # which (load_catalogue refuses a service without `public`), so no council relies on it.
    public: bool = False

    def as_open311(self) -> dict[str, Any]:
        return {
            "service_code": self.service_code,
            "service_name": self.service_name,
            "description": self.description,
            "metadata": bool(self.attributes),
            "type": "realtime",
            "keywords": ",".join(self.keywords),
            "group": self.group,
        }

    def definition(self) -> dict[str, Any]:
        return {
            "service_code": self.service_code,
            "attributes": [a.as_open311(i) for i, a in enumerate(self.attributes, start=1)],
        }


DATATYPES = {"string", "text", "number", "singlevaluelist"}


def load_catalogue(path: Path) -> dict[str, Service]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        services = {}
        for i, raw in enumerate(data["services"]):
            where = f"{path.name}: services[{i}]"
            attributes = []
            for a in raw.get("attributes", []):
                if a["datatype"] not in DATATYPES:
                    raise CatalogueError(f"{where}: attribute {a['code']}: datatype must be one of {sorted(DATATYPES)}")
                for v in a.get("values", []):
                    if set(v) != {"key", "name"} or not all(isinstance(v[k], (str, int)) for k in v):
                        # `{key: x, name: A, B or C}` reads as three keys: quote names with commas.
                        raise CatalogueError(
                            f"{where}: attribute {a['code']}: each value needs just `key` and "
                            f"`name` (quote a name that has a comma): {v!r}"
                        )
                values = tuple((str(v["key"]), str(v["name"])) for v in a.get("values", []))
                if a["datatype"] == "singlevaluelist" and not values:
                    raise CatalogueError(f"{where}: attribute {a['code']}: a singlevaluelist needs values")
                attribute_public = a.get("public", True)
                if not isinstance(attribute_public, bool):
                    raise CatalogueError(
                        f"{where}: attribute {a['code']}: public must be true or false, got {attribute_public!r}"
                    )
                attributes.append(
                    Attribute(a["code"], a["description"], a["datatype"], bool(a["required"]), values, attribute_public)
                )
            needs_location = raw.get("needs_location", True)
            if not isinstance(needs_location, bool):
                raise CatalogueError(f"{where}: needs_location must be true or false, got {needs_location!r}")
            code = raw.get("service_code", "?")
            if "public" not in raw:
                raise CatalogueError(
                    f"{where} ({code}): public is missing: say `public: true` if anyone may read its requests "
                    "(without contact details, descriptions masked), or `public: false` if only staff may"
                )
            if not isinstance(raw["public"], bool):
                raise CatalogueError(f"{where} ({code}): public must be true or false, got {raw['public']!r}")
            service = Service(
                service_code=str(raw["service_code"]),
                service_name=raw["service_name"],
                description=raw["description"],
                group=raw["group"],
                keywords=tuple(raw.get("keywords", [])),
                agency=raw["agency"],
                expected_days=int(raw["expected_days"]),
                service_notice=raw["service_notice"],
                attributes=tuple(attributes),
                needs_location=needs_location,
                public=raw["public"],
            )
            if service.service_code in services:
                raise CatalogueError(f"{where}: service_code {service.service_code!r} is used twice")
            services[service.service_code] = service
        return services
    except (OSError, yaml.YAMLError, KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, CatalogueError):
            raise
        raise CatalogueError(f"{path}: {type(exc).__name__}: {exc}") from exc
