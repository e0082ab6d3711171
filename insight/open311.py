"""Current status of cases from the council's Open311 service (stdlib only).

``GET {url}requests.json?service_request_id=a,b,c`` in batches of 50; each answer is a list
of service requests with ``service_request_id`` and ``extended_status`` (or ``status``).
With a staff key (``api_key``) private cases, such as messages left for the contact centre,
are answered too; without one the service leaves them out as if unknown.
A reference the service does not return, or a batch that fails, stays "status unknown";
failures are reported as notes for the report rather than stopping it.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable

BATCH = 50


def lookup_statuses(
    url: str,
    references: Iterable[str],
    timeout: float = 10.0,
    opener: Callable = urllib.request.urlopen,
    api_key: str = "",
) -> tuple[dict[str, str], list[str]]:
    """Look up the current status of cases.

    Args:
        url: the Open311 base URL (``.../open311/v2/``).
        references: case references; blanks and repeats are ignored.
        timeout: seconds per batch.
        opener: ``urllib.request.urlopen`` or a stand-in with its signature.
        api_key: a staff key (``Settings.open311_staff_key``), so private cases are counted.

    Returns:
        (reference -> extended status, notes about what could not be looked up).
    """
    base = url if url.endswith("/") else url + "/"
    wanted = sorted({r for r in references if r})
    statuses: dict[str, str] = {}
    failed = 0
    problems: list[str] = []
    for i in range(0, len(wanted), BATCH):
        batch = wanted[i : i + BATCH]
        params = {"service_request_id": ",".join(batch)}
        if api_key:
            params["api_key"] = api_key
        query = urllib.parse.urlencode(params)
        request = urllib.request.Request(f"{base}requests.json?{query}", headers={"Accept": "application/json"})
        try:
            with opener(request, timeout=timeout) as response:
                body = json.loads(response.read().decode("utf-8"))
            if not isinstance(body, list):
                raise ValueError("the answer is not a list of service requests")
        except (urllib.error.URLError, OSError, ValueError) as exc:
            failed += len(batch)
            reason = getattr(exc, "reason", None) or exc
            if str(reason) not in problems:
                problems.append(str(reason))
            continue
        for item in body:
            if isinstance(item, dict) and item.get("service_request_id") in batch:
                status = item.get("extended_status") or str(item.get("status") or "").upper()
                if status:
                    statuses[item["service_request_id"]] = str(status)
    notes = []
    if failed:
        notes.append(
            f"The current status of {failed} of {len(wanted)} cases could not be looked up at {base} "
            f"({'; '.join(problems)[:300]}); they are shown as status unknown."
        )
    missing = len(wanted) - len(statuses) - failed
    if missing > 0:
        notes.append(
            f"{missing} case references were not found by the case service; they are shown as status unknown."
            + ("" if api_key else " Private cases are only found with a staff key (OPEN311_STAFF_KEY).")
        )
    return statuses, notes
