"""Which footprints a client of a PACT host may see: all, those of some company or product ids, or none.

A client's grants are rows of ``pact_client_grants`` (:class:`GrantRow`): ``all``, or a company
or product id (matched case-insensitively, like the ListFootprints filters, against the
footprint's ``companyIds`` / ``productIds``). A client without grants sees nothing. Lists, gets
and answers to requests are restricted in SQL (:meth:`Access.clause`), so pages stay whole.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Connection, and_, false, insert, or_, select, true
from sqlalchemy.orm import Session

from footprint.exchange.store_rows import ClientRow, FootprintKeyRow, FootprintRow, GrantRow

#: what a grant gives: every footprint, or those naming a company id / a product id
GRANT_KINDS = ("all", "company", "product")
Grants = list[tuple[str, str]]


@dataclass(frozen=True)
class Access:
    """What one client may see (ids lower-cased, as the store's key table holds them)."""

    everything: bool = False
    companies: frozenset[str] = frozenset()
    products: frozenset[str] = frozenset()

    @property
    def nothing(self) -> bool:
        """Whether the client may see no footprint at all."""
        return not (self.everything or self.companies or self.products)

    def clause(self) -> ColumnElement[bool]:
        """The footprints (rows of ``pact_footprints``) this access lets the client see."""
        if self.everything:
            return true()
        conditions = [
            and_(FootprintKeyRow.kind == kind, FootprintKeyRow.value.in_(sorted(values)))
            for kind, values in (("company", self.companies), ("product", self.products))
            if values
        ]
        if not conditions:
            return false()
        return FootprintRow.id.in_(select(FootprintKeyRow.footprint_id).where(or_(*conditions)))

    def sees(self, keys: Iterable[tuple[str, str]]) -> bool:
        """Whether a footprint with these ``(kind, lower-cased value)`` keys is visible."""
        if self.everything:
            return True
        return any(
            (kind == "company" and value in self.companies)
            or (kind == "product" and value in self.products)
            for kind, value in keys
        )


#: no restriction (the host itself, and clients granted ``all``)
EVERYTHING = Access(everything=True)


def access_from(grants: Iterable[tuple[str, str]]) -> Access:
    """The access ``(kind, value)`` grants give."""
    listed = list(grants)
    return Access(
        everything=any(kind == "all" for kind, _ in listed),
        companies=frozenset(v.lower() for k, v in listed if k == "company"),
        products=frozenset(v.lower() for k, v in listed if k == "product"),
    )


def client_grants(session: Session, client_id: str) -> Grants:
    """``(kind, value)`` of every grant of ``client_id``, in the order given."""
    rows = session.execute(
        select(GrantRow.kind, GrantRow.value)
        .where(GrantRow.client_id == client_id)
        .order_by(GrantRow.id)
    )
    return [(kind, value) for kind, value in rows]


def describe(grants: Grants) -> str:
    """What the grants let a client see, in words (ids verbatim)."""
    if any(kind == "all" for kind, _ in grants):
        return "all footprints"
    parts = [f"{kind} id {value}" for kind, value in grants]
    return "footprints of " + ", ".join(parts) if parts else "no footprints"


def grant_all_to_existing(connection: Connection) -> int:
    """Give every client ``all`` (run once, when the grants table is first created).

    Clients registered before access control saw every footprint; they keep that. Returns how
    many clients got it.
    """
    ids = list(connection.scalars(select(ClientRow.client_id)))
    if ids:
        connection.execute(
            insert(GrantRow), [{"client_id": cid, "kind": "all", "value": ""} for cid in ids]
        )
    return len(ids)
