"""What the PACT store reads from footprints and ListFootprints queries: ids, dates, filters.

Filters on ids, classifications and geographies run in SQL on a lower-cased key table, so they
are case-insensitive as PACT requires.
"""

from __future__ import annotations

import base64
import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, and_, func, or_, select

from footprint.errors import FootprintError
from footprint.exchange.store_access import Access
from footprint.exchange.store_rows import FootprintKeyRow, FootprintRow

#: any SELECT statement (the filters add WHERE clauses whatever the columns selected)
AnySelect = TypeVar("AnySelect", bound=Select)  # type: ignore[type-arg]

STATUSES = ("Active", "Deprecated")
#: The ListFootprints filters of PACT v3, in their canonical spelling.
FILTER_NAMES = (
    "productId",
    "companyId",
    "geography",
    "classification",
    "validOn",
    "validAfter",
    "validBefore",
    "status",
)
KEY_KINDS = {
    "productId": "product",
    "companyId": "company",
    "classification": "class",
    "geography": "geo",
}
UUID_PATTERN = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
)
#: an ISO 3166-1 country code (lower case): it also matches its subdivisions ("us" -> "us-tx")
COUNTRY = re.compile(r"[a-z]{2}")
# A '+' of a UTC offset that arrived URL-unencoded is decoded as a space: "...T00:00:00 01:00".
SPACE_OFFSET = re.compile(r"(T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}(?::?\d{2})?)$")


class StoreError(FootprintError):
    """A footprint, client or event cannot be stored, or the database cannot be opened."""


class InvalidFilter(ValueError):
    """A ListFootprints filter is unknown or its value is syntactically wrong (e.g. not a date)."""


def is_uuid(text: object) -> bool:
    """Whether ``text`` is a UUID string in the canonical 8-4-4-4-12 hex form."""
    return isinstance(text, str) and UUID_PATTERN.fullmatch(text) is not None


def parse_datetime(text: str) -> datetime:
    """Parse an ISO 8601 / RFC 3339 date-time (or date) to naive UTC; naive input counts as UTC.

    Raises:
        ValueError: not a date-time.
    """
    value = text.strip()
    value = SPACE_OFFSET.sub(r"\1+\2", value)
    if value[-1:] in ("Z", "z"):
        value = value[:-1] + "+00:00"
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed


@dataclass
class Criteria:
    keys: dict[str, list[str]] = field(default_factory=dict)
    statuses: list[str] = field(default_factory=list)
    valid_on: list[datetime] = field(default_factory=list)
    valid_after: list[datetime] = field(default_factory=list)
    valid_before: list[datetime] = field(default_factory=list)


def parse_filters(filters: Mapping[str, str | Sequence[str]] | None) -> Criteria:
    """Check ListFootprints filters (name -> values; names case-insensitive; empty values ignored).

    Raises:
        InvalidFilter: an unknown filter name, or a date that is not a date.
    """
    canonical = {name.lower(): name for name in FILTER_NAMES}
    criteria = Criteria()
    for raw_name, raw_values in (filters or {}).items():
        name = canonical.get(raw_name.lower())
        if name is None:
            raise InvalidFilter(f"unknown filter {raw_name!r}; known: {', '.join(FILTER_NAMES)}")
        values = [raw_values] if isinstance(raw_values, str) else list(raw_values)
        values = [v.strip() for v in values if v.strip()]
        if not values:
            continue
        if name in KEY_KINDS:
            criteria.keys.setdefault(KEY_KINDS[name], []).extend(v.lower() for v in values)
        elif name == "status":
            criteria.statuses.extend(v.lower() for v in values)
        else:
            try:
                dates = [parse_datetime(v) for v in values]
            except ValueError:
                raise InvalidFilter(
                    f"{name} must be an ISO 8601 date-time, got {values!r}"
                ) from None
            if name == "validOn":
                criteria.valid_on.extend(dates)
            elif name == "validAfter":
                criteria.valid_after.extend(dates)
            else:
                criteria.valid_before.extend(dates)
    return criteria


def try_datetime(value: object) -> datetime | None:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return parse_datetime(value)
    except ValueError:
        return None


def plus_years(moment: datetime, years: int) -> datetime:
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year + years, day=28)


def validity_period(doc: Mapping[str, Any]) -> tuple[datetime | None, datetime | None]:
    """The validity period (naive UTC): the stated one, else ``referencePeriodEnd`` + 3 years."""
    pcf = doc.get("pcf")
    reference_end = (
        try_datetime(pcf.get("referencePeriodEnd")) if isinstance(pcf, Mapping) else None
    )
    start = try_datetime(doc.get("validityPeriodStart")) or reference_end
    end = try_datetime(doc.get("validityPeriodEnd"))
    if end is None and reference_end is not None:
        end = plus_years(reference_end, 3)
    return start, end


def doc_strings(doc: Mapping[str, Any], name: str) -> list[str]:
    value = doc.get(name)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise StoreError(
            f"{name} must be a list of strings, got {value!r}", where=f"footprint {doc.get('id')}"
        )
    return list(value)


def doc_keys(doc: Mapping[str, Any]) -> Iterable[tuple[str, str]]:
    for name, kind in (
        ("productIds", "product"),
        ("companyIds", "company"),
        ("productClassifications", "class"),
    ):
        for value in dict.fromkeys(v.lower() for v in doc_strings(doc, name)):
            yield kind, value
    pcf = doc.get("pcf")
    if isinstance(pcf, Mapping):
        geos = (
            pcf.get(n)
            for n in (
                "geographyCountry",
                "geographyRegionOrSubregion",
                "geographyCountrySubdivision",
            )
        )
        for value in dict.fromkeys(g.lower() for g in geos if isinstance(g, str) and g):
            yield "geo", value


def filtered(
    stmt: AnySelect,
    filters: Mapping[str, str | Sequence[str]] | None,
    *,
    snapshot: datetime | None = None,
    access: Access | None = None,
) -> AnySelect:
    """``stmt`` restricted to the footprints matching ``filters`` (see ``FootprintStore.list``).

    With ``snapshot`` (a ``stored_at`` value), as the store was then: footprints stored later
    are left out and a status is the one a footprint had at that moment (a version deprecated
    since still counts as Active). With ``access``, only the footprints a client may see.
    A ``geography`` that is a country code also matches that country's subdivisions
    (``US`` matches ``US-TX``).

    Raises:
        InvalidFilter: an unknown filter name or a malformed date.
    """
    criteria = parse_filters(filters)
    row = FootprintRow
    for kind, values in criteria.keys.items():
        value = FootprintKeyRow.value
        subdivisions = [
            value.like(f"{v}-%")
            for v in dict.fromkeys(values)
            if kind == "geo" and COUNTRY.fullmatch(v)
        ]
        matching = select(FootprintKeyRow.footprint_id).where(
            FootprintKeyRow.kind == kind, or_(value.in_(values), *subdivisions)
        )
        stmt = stmt.where(row.id.in_(matching))
    if access is not None and not access.everything:
        stmt = stmt.where(access.clause())
    if snapshot is not None:
        stmt = stmt.where(row.stored_at <= snapshot)
    if criteria.statuses:
        stmt = stmt.where(or_(*(_status_at(s, snapshot) for s in dict.fromkeys(criteria.statuses))))
    if criteria.valid_on:
        stmt = stmt.where(
            or_(*(and_(row.valid_from <= d, row.valid_until >= d) for d in criteria.valid_on))
        )
    if criteria.valid_after:
        stmt = stmt.where(or_(*(row.valid_from > d for d in criteria.valid_after)))
    if criteria.valid_before:
        stmt = stmt.where(or_(*(row.valid_until < d for d in criteria.valid_before)))
    return stmt


def _status_at(status: str, snapshot: datetime | None) -> ColumnElement[bool]:
    """Footprints whose status (lower case) was ``status`` at ``snapshot`` (now if None)."""
    row = FootprintRow
    now = func.lower(row.status) == status
    if snapshot is None or status not in ("active", "deprecated"):
        return now
    later = and_(row.deprecated_at.is_not(None), row.deprecated_at > snapshot)
    if status == "active":
        return or_(now, later)
    return and_(now, ~later)


@dataclass(frozen=True)
class Cursor:
    """A position in a walk through ListFootprints pages, over the store as at ``snapshot``.

    ``after`` and ``after_id``: the ``stored_at`` and id of the last footprint sent (None on
    the first page). Encoded in the ``Link`` URL as an opaque URL-safe string.
    """

    snapshot: datetime
    after: datetime | None = None
    after_id: uuid.UUID | None = None

    def encode(self) -> str:
        """The cursor as URL-safe text."""
        parts = [
            self.snapshot.isoformat(),
            self.after.isoformat() if self.after else "",
            str(self.after_id) if self.after_id else "",
        ]
        return base64.urlsafe_b64encode("|".join(parts).encode("ascii")).decode("ascii").rstrip("=")

    @classmethod
    def decode(cls, text: str) -> Cursor:
        """The cursor ``encode`` gave.

        Raises:
            InvalidFilter: not such a cursor.
        """
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode("ascii")
            snapshot, after, after_id = raw.split("|")
            return cls(
                datetime.fromisoformat(snapshot),
                datetime.fromisoformat(after) if after else None,
                uuid.UUID(after_id) if after_id else None,
            )
        except (ValueError, UnicodeDecodeError):
            raise InvalidFilter(
                "cursor is not one this host gave; follow the Link header as it is"
            ) from None

    def following(self, stmt: AnySelect) -> AnySelect:
        """``stmt`` restricted to footprints after this cursor, in walking order."""
        row = FootprintRow
        if self.after is not None:
            after_id = self.after_id or uuid.UUID(int=0)
            stmt = stmt.where(
                or_(
                    row.stored_at > self.after, and_(row.stored_at == self.after, row.id > after_id)
                )
            )
        return stmt.order_by(row.stored_at, row.id)
