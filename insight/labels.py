"""Readable names for article ids and service codes, from the knowledge base and the
service catalogue (``article:<id>`` -> title, ``service:<code>`` -> service name).

Only the report's wording depends on this; a missing or unreadable file just means ids
are shown tidied up ("council-tax-pay" -> "Council tax pay")."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def load(root: Path = ROOT) -> dict[str, str]:
    try:
        import yaml
    except ImportError:  # pragma: no cover - PyYAML comes with Rasa
        return {}
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    names: dict[str, str] = {}
    for path in sorted((root / "knowledge_base" / "content").glob("*/*.yml")):
        try:
            # Only the top-level id and title are needed: read up to the first list.
            head = path.read_text(encoding="utf-8").split("\nquestions:", 1)[0]
            data = yaml.load(head, Loader=loader) or {}
        except (OSError, yaml.YAMLError):
            continue
        if isinstance(data, dict) and data.get("id") and data.get("title"):
            names[f"article:{data['id']}"] = str(data["title"])
    try:
        catalogue = yaml.load((root / "service_requests" / "services.yml").read_text(encoding="utf-8"), Loader=loader)
    except (OSError, yaml.YAMLError):
        catalogue = None
    services = catalogue.get("services", []) if isinstance(catalogue, dict) else catalogue or []
    for service in services if isinstance(services, list) else []:
        if isinstance(service, dict) and service.get("service_code") and service.get("service_name"):
            names[f"service:{service['service_code']}"] = str(service["service_name"])
    return names
