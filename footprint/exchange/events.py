"""Checks of the CloudEvents a PACT v3 host receives at ``/3/events``.

Structure first (:func:`validate_event`: the CloudEvents attributes and each event type's
``data``, footprints in answers against the v3 ProductFootprint schema), then whether this host
can act on it (:func:`reply_destination` for requests, :func:`unexpected_answer` for answers).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from footprint.exchange.published import EVENT_PUBLISHED
from footprint.exchange.replies import (
    EVENT_CREATED,
    EVENT_FULFILLED,
    EVENT_REJECTED,
    LIST_FILTERS,
)
from footprint.exchange.store_query import STATUSES, is_uuid, parse_datetime

#: the error codes of PACT v3 (its OpenAPI ``Error.code`` enum)
ERROR_CODES = (
    "BadRequest",
    "AccessDenied",
    "TokenExpired",
    "NotFound",
    "InternalError",
    "NotImplemented",
)
_URI_CHARS = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+")
_BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*")
_RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})")


def _is_uri_reference(text: str) -> bool:
    """RFC 3986 URI-reference: allowed characters, valid %-escapes, a valid scheme before ':'."""
    if not _URI_CHARS.fullmatch(text) or _BAD_PERCENT.search(text):
        return False
    head = re.split(r"[/?#]", text, maxsplit=1)[0]
    return ":" not in head or _SCHEME.fullmatch(head.split(":", 1)[0]) is not None


def _is_datetime(value: object) -> bool:
    if not isinstance(value, str) or not _RFC3339.fullmatch(value):
        return False
    try:
        parse_datetime(value)
    except ValueError:
        return False
    return True


def _is_strings(value: object, *, non_empty: bool = True) -> bool:
    return (
        isinstance(value, list)
        and (bool(value) or not non_empty)
        and all(isinstance(v, str) and v for v in value)
    )


def _check_request_created(data: dict[str, Any]) -> str | None:
    for name in LIST_FILTERS:
        if name in data and not _is_strings(data[name]):
            return f"data.{name} must be a non-empty array of strings"
    for name in ("validOn", "validAfter", "validBefore"):
        if name in data and not _is_datetime(data[name]):
            return f"data.{name} must be an RFC 3339 date-time"
    if "status" in data:
        status = data["status"]
        values = [status] if isinstance(status, str) else status
        if not _is_strings(values) or any(v.capitalize() not in STATUSES for v in values):
            return "data.status must be Active or Deprecated (or an array of them)"
    if "comment" in data and not isinstance(data["comment"], str):
        return "data.comment must be a string"
    return None


def _check_request_id(data: dict[str, Any]) -> str | None:
    request_id = data.get("requestEventId")
    if not isinstance(request_id, str) or not request_id:
        return "data.requestEventId must be a non-empty string"
    return None


def _check_uuids(
    items: Any, name: str, what: str, uuid_of: Callable[[Any], Any], each: str
) -> str | None:
    """A problem unless ``items`` is a non-empty array whose every item has a UUID."""
    if not isinstance(items, list) or not items:
        return f"data.{name} must be a non-empty array of {what}"
    for i, item in enumerate(items):
        if not is_uuid(uuid_of(item)):
            return f"data.{name}[{i}] must be {each}, got {str(item)[:80]!r}"
    return None


def _check_request_fulfilled(data: dict[str, Any]) -> str | None:
    if problem := _check_request_id(data):
        return problem
    if problem := _check_uuids(
        data.get("pfs"),
        "pfs",
        "ProductFootprints",
        lambda pf: pf.get("id") if isinstance(pf, dict) else None,
        "a ProductFootprint with a UUID id",
    ):
        return problem
    from footprint.pact.schema import schema_errors

    for i, pf in enumerate(data["pfs"]):
        errors = schema_errors(pf, "3.0", limit=1)
        if errors:
            path, message = errors[0]
            return f"data.pfs[{i}] is not a valid v3 ProductFootprint: {path}: {message}"
    return None


def _check_request_rejected(data: dict[str, Any]) -> str | None:
    if problem := _check_request_id(data):
        return problem
    error = data.get("error")
    if not (
        isinstance(error, dict)
        and isinstance(error.get("code"), str)
        and isinstance(error.get("message"), str)
    ):
        return 'data.error must be an error object {"code": ..., "message": ...}'
    if error["code"] not in ERROR_CODES:
        return (
            f"data.error.code must be one of {', '.join(ERROR_CODES)}, got {error['code'][:40]!r}"
        )
    return None


def _check_published(data: dict[str, Any]) -> str | None:
    return _check_uuids(
        data.get("pfIds"), "pfIds", "ProductFootprint ids", lambda pf_id: pf_id, "a UUID"
    )


_EVENT_CHECKS: dict[str, Callable[[dict[str, Any]], str | None]] = {
    EVENT_CREATED: _check_request_created,
    EVENT_FULFILLED: _check_request_fulfilled,
    EVENT_REJECTED: _check_request_rejected,
    EVENT_PUBLISHED: _check_published,
}


def validate_event(event: object) -> str | None:
    """What is wrong with a PACT v3 CloudEvent (structured JSON mode), or None if it is valid."""
    if not isinstance(event, dict):
        return "the body must be a CloudEvent JSON object"
    for name in ("specversion", "id", "source", "type", "time", "data"):
        if name not in event:
            return f"missing required attribute {name!r}"
    if event["specversion"] != "1.0":
        return f"specversion must be '1.0', got {str(event['specversion'])[:20]!r}"
    if not isinstance(event["id"], str) or not event["id"]:
        return "id must be a non-empty string"
    source = event["source"]
    if not isinstance(source, str) or not source or not _is_uri_reference(source):
        return "source must be a non-empty URI-reference"
    check = _EVENT_CHECKS.get(event["type"]) if isinstance(event["type"], str) else None
    if check is None:
        return f"unsupported event type; expected one of {', '.join(_EVENT_CHECKS)}"
    if not _is_datetime(event["time"]):
        return "time must be an RFC 3339 date-time with a UTC offset"
    if not isinstance(event["data"], dict):
        return "data must be a JSON object"
    return check(event["data"])


def is_https_url(text: str) -> bool:
    """Whether ``text`` is an absolute https URL with a host."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(text)
    except ValueError:
        return False
    return parts.scheme.lower() == "https" and bool(parts.hostname)


def is_loopback_host(host: str) -> bool:
    """Whether ``host`` (a URL's host name) is this machine's loopback: 127.0.0.0/8, ::1 or
    ``localhost`` (RFC 8252 §7.3 accepts plain http to these for redirect URIs)."""
    import ipaddress

    name = host.strip("[]").rstrip(".").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def is_answer_url(text: str) -> bool:
    """Whether answers may be sent to ``text``: an absolute https URL with a host, or an http URL
    of a loopback host (127.0.0.0/8, ::1, ``localhost``: nothing leaves the machine)."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(text)
        host = parts.hostname
    except ValueError:
        return False
    if not host:
        return False
    scheme = parts.scheme.lower()
    return scheme == "https" or (scheme == "http" and is_loopback_host(host))


def reply_destination(reply_host: str | None, source: str) -> str | None:
    """Where the answer to a request goes: the client's reply host, else the event's ``source``
    when it is an absolute https URL, or an http URL of a loopback host (127.0.0.0/8, ::1,
    ``localhost``: nothing leaves the machine); None when there is nowhere to answer.

    An answer to a ``source`` goes out once credentials for that host are registered
    (``footprint clients reply``); until then it waits in the outbox.
    """
    if reply_host:
        return reply_host
    return source.rstrip("/") if is_answer_url(source) else None


def no_destination_message(source: str) -> str:
    """Why a request with ``source`` and no reply host for its client cannot be answered."""
    from urllib.parse import urlsplit

    try:
        plain_http = urlsplit(source).scheme.lower() == "http"
    except ValueError:
        plain_http = False
    why = (
        f"the event's source {source[:200]!r} is plain http to a host that is not this "
        "machine's loopback (http is accepted only for 127.0.0.0/8, ::1 and localhost)"
        if plain_http
        else f"the event's source {source[:200]!r} is not an https URL of your host"
    )
    return (
        f"This host cannot answer the request: no reply host is configured for your client and "
        f"{why}. Send source as your host's https URL, or ask the data owner to configure your "
        "reply host (footprint clients reply)."
    )
