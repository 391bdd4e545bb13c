"""Framework catalogs and crosswalks shipped as YAML data files, and a pure-Python loader for them.

The files live next to this module, in ``catalogs/`` (one file per framework and version) and
``catalogs/crosswalks/`` (one file per pair of catalogs). Nothing here touches Django: the compliance
models import this module to seed and refresh their tables, and the tests read the files directly.

An organization's own frameworks are ordinary catalog files in a directory named by the
``AIMS_CATALOG_PATH`` environment variable (several directories separated by ``os.pathsep``), or are
passed as paths to :func:`load_catalog_file`. See ``docs/compliance-catalogs.md`` for the format.

Every problem found in a file is reported at once in a :class:`CatalogError` whose message names the
file and the requirement (or mapping) at fault.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

CATALOG_DIR = Path(__file__).resolve().parent / "catalogs"
CROSSWALK_DIR = CATALOG_DIR / "crosswalks"
CATALOG_PATH_ENV = "AIMS_CATALOG_PATH"

CATALOG_SCHEMA = "aims-catalog/1"
CROSSWALK_SCHEMA = "aims-crosswalk/1"

#: What a catalog is. ``custom`` is for an organization's own frameworks and internal policies.
CATALOG_KINDS = frozenset({"standard", "regulation", "framework", "guideline", "custom"})

#: Kinds of requirement node understood everywhere. A catalog may add its own in ``requirement_kinds``.
REQUIREMENT_KINDS = frozenset(
    {
        "clause",
        "subclause",
        "annex",
        "control_objective",
        "control_group",
        "control",
        "theme",
        "chapter",
        "section",
        "article",
        "paragraph",
        "point",
        "prohibited_practice",
        "annex_area",
        "annex_point",
        "condition",
        "function",
        "category",
        "subcategory",
        "group",
        "requirement",
    }
)

#: How a source requirement relates to a target requirement in a crosswalk (set semantics, as in
#: NIST IR 8477 / OLIR): ``subset`` means the source asks for less than (part of) the target.
RELATION_KINDS = frozenset({"equal", "subset", "superset", "intersects"})

#: Amendment statuses, from least to most settled.
AMENDMENT_STATUSES = ("proposed", "agreed", "adopted", "published", "in_force", "withdrawn")
#: Amendments with these statuses change application dates unless the caller says otherwise.
APPLIED_AMENDMENT_STATUSES = frozenset({"published", "in_force"})

_CATALOG_KEYS = {
    "schema",
    "slug",
    "name",
    "full_title",
    "version",
    "publisher",
    "kind",
    "jurisdiction",
    "url",
    "status",
    "published",
    "description",
    "licence",
    "sources",
    "notes",
    "assessable_kinds",
    "requirement_kinds",
    "relations",
    "roles",
    "risk_tiers",
    "application_dates",
    "amendments",
    "annex_c",
    "requirements",
}
_REQUIRED_CATALOG_KEYS = (
    "slug",
    "name",
    "version",
    "publisher",
    "kind",
    "description",
    "licence",
    "requirements",
)
_REQUIREMENT_KEYS = {
    "ref_id",
    "parent",
    "title",
    "kind",
    "description",
    "guidance",
    "order",
    "assessable",
    "objective",
    "documented_information",
    "annex_c_objectives",
    "annex_c_risk_sources",
    "roles",
    "risk_tiers",
    "applies_from",
    "added_by",
    "amended_by",
    "deadline_days",
    "note",
}
_CROSSWALK_KEYS = {
    "schema",
    "slug",
    "name",
    "source",
    "target",
    "indicative",
    "description",
    "provenance",
    "licence",
    "notes",
    "default_relation",
    "mappings",
    "gaps",
}
_MAPPING_KEYS = {"source", "target", "targets", "relation", "note"}
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*[a-z0-9]$")
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_NUMBER = re.compile(r"^(?:Art\.\s*|Article\s+|§\s*)?(\d+(?:\.\d+)*)$")


# ----------------------------------------------------------------------------------------------------
# Errors


@dataclass(frozen=True)
class Problem:
    """One thing wrong in one file; ``ref`` names the requirement, mapping or section at fault."""

    file: str
    ref: str | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}: {self.ref}" if self.ref else self.file
        return f"{where}: {self.message}"


class CatalogError(ValueError):
    """A catalog or crosswalk file is invalid. ``problems`` lists every fault found."""

    def __init__(self, problems: Iterable[Problem] | str, *, file: str = "", ref: str | None = None):
        if isinstance(problems, str):
            problems = [Problem(file, ref, problems)]
        self.problems: list[Problem] = list(problems)
        lines = [str(p) for p in self.problems]
        head = lines[0] if len(lines) == 1 else f"{len(lines)} problems:\n  " + "\n  ".join(lines)
        super().__init__(head)


class _Collector:
    def __init__(self, file: str):
        self.file = file
        self.problems: list[Problem] = []

    def add(self, ref: str | None, message: str) -> None:
        self.problems.append(Problem(self.file, ref, message))

    def raise_if_any(self) -> None:
        if self.problems:
            raise CatalogError(self.problems)


# ----------------------------------------------------------------------------------------------------
# Data classes


@dataclass(frozen=True)
class DocumentedInformation:
    """A piece of documented information an auditor expects to see for a requirement.

    ``mandatory`` is true when the standard's own wording requires it (for Annex A controls: once the
    control is included in the Statement of Applicability); otherwise it is a record auditors usually
    ask for.
    """

    item: str
    mandatory: bool = False
    note: str = ""


@dataclass(frozen=True)
class Requirement:
    ref_id: str
    title: str
    kind: str
    parent: str | None = None
    order: int = 0
    depth: int = 0
    description: str = ""
    guidance: str = ""
    assessable: bool = False
    objective: str = ""
    documented_information: tuple[DocumentedInformation, ...] = ()
    annex_c_objectives: tuple[str, ...] = ()
    annex_c_risk_sources: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    risk_tiers: tuple[str, ...] = ()
    applies_from: str | None = None
    added_by: str | None = None
    amended_by: tuple[str, ...] = ()
    deadline_days: int | None = None
    note: str = ""

    @property
    def mandatory_documented_information(self) -> tuple[DocumentedInformation, ...]:
        return tuple(d for d in self.documented_information if d.mandatory)

    @property
    def number(self) -> str | None:
        """The bare article or section number of a legal reference ("Art. 27" -> "27",
        "§ 7150" -> "7150"), or the ref_id itself when it is already a plain number such as "6.1.3";
        None for anything else ("Art. 5(1)(a)", "Annex III", "GOVERN 1.1")."""
        m = _NUMBER.match(self.ref_id)
        return m.group(1) if m else None


@dataclass(frozen=True)
class AnnexCItem:
    """ISO/IEC 42001 Annex C: a potential AI-related organizational objective or risk source."""

    ref_id: str
    title: str
    kind: str  # "objective" or "risk_source"
    description: str = ""


@dataclass(frozen=True)
class Amendment:
    id: str
    title: str
    status: str
    reference: str = ""
    status_note: str = ""
    sources: tuple[str, ...] = ()
    changes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ApplicationDate:
    """A date from which some requirements apply. Amendment dates name the date they ``supersede``;
    ``refs`` limits a superseding date to some requirements, ``condition`` says when it applies."""

    id: str
    date: dt.date
    label: str
    basis: str = ""
    amendment: str | None = None
    supersedes: str | None = None
    refs: tuple[str, ...] = ()
    condition: str = ""


@dataclass(frozen=True)
class Relation:
    """How this catalog relates to another one (for example ISO/IEC 27701:2019 extends 27001)."""

    kind: str
    catalog: str
    note: str = ""


@dataclass
class Catalog:
    slug: str
    name: str
    version: str
    publisher: str
    kind: str
    description: str
    licence: str
    requirements: tuple[Requirement, ...]
    full_title: str = ""
    jurisdiction: str = ""
    url: str = ""
    status: str = ""
    published: str = ""
    sources: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    risk_tiers: tuple[str, ...] = ()
    relations: tuple[Relation, ...] = ()
    application_dates: tuple[ApplicationDate, ...] = ()
    amendments: tuple[Amendment, ...] = ()
    annex_c: tuple[AnnexCItem, ...] = ()
    path: Path | None = None
    _by_ref: dict[str, Requirement] = field(default_factory=dict, repr=False)
    _children: dict[str | None, list[Requirement]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._by_ref = {r.ref_id: r for r in self.requirements}
        children: dict[str | None, list[Requirement]] = {}
        for r in self.requirements:
            children.setdefault(r.parent, []).append(r)
        for siblings in children.values():
            siblings.sort(key=lambda r: r.order)
        self._children = children

    # -- lookup ------------------------------------------------------------------------------------

    def __contains__(self, ref_id: object) -> bool:
        return ref_id in self._by_ref

    def __len__(self) -> int:
        return len(self.requirements)

    def get(self, ref_id: str) -> Requirement:
        try:
            return self._by_ref[ref_id]
        except KeyError:
            raise KeyError(f"{self.slug} has no requirement {ref_id!r}") from None

    @property
    def ref_ids(self) -> list[str]:
        return [r.ref_id for r in self.requirements]

    def roots(self) -> list[Requirement]:
        return list(self._children.get(None, ()))

    def children(self, ref_id: str | None) -> list[Requirement]:
        return list(self._children.get(ref_id, ()))

    def ancestors(self, ref_id: str) -> list[Requirement]:
        """Parent first, root last."""
        out = []
        node = self.get(ref_id)
        while node.parent is not None:
            node = self._by_ref[node.parent]
            out.append(node)
        return out

    def walk(self, ref_id: str | None = None) -> Iterator[Requirement]:
        """Depth-first, in document order, below ``ref_id`` (the whole tree when None)."""
        for child in self._children.get(ref_id, ()):
            yield child
            yield from self.walk(child.ref_id)

    def tree(self, ref_id: str | None = None) -> list[dict[str, Any]]:
        """Nested dictionaries, as the API serves them."""
        return [
            {**requirement_to_dict(child), "children": self.tree(child.ref_id)}
            for child in self._children.get(ref_id, ())
        ]

    def of_kind(self, *kinds: str) -> list[Requirement]:
        return [r for r in self.requirements if r.kind in kinds]

    def assessable(self) -> list[Requirement]:
        return [r for r in self.requirements if r.assessable]

    # -- Annex C (ISO/IEC 42001) -------------------------------------------------------------------

    def annex_c_item(self, ref_id: str) -> AnnexCItem:
        for item in self.annex_c:
            if item.ref_id == ref_id:
                return item
        raise KeyError(f"{self.slug} has no Annex C item {ref_id!r}")

    # -- obligations and dates (regulations) -------------------------------------------------------

    def inherited(self, ref_id: str, attribute: str) -> Any:
        """The value of ``attribute`` on the requirement or, when empty there, its nearest ancestor."""
        for node in [self.get(ref_id), *self.ancestors(ref_id)]:
            value = getattr(node, attribute)
            if value:
                return value
        return getattr(self.get(ref_id), attribute)

    def obligations(self, role: str | None = None, tier: str | None = None) -> list[Requirement]:
        """Requirements that oblige ``role`` for a system of risk ``tier`` (roles and tiers are
        inherited from the parent when a paragraph does not name its own)."""
        out = []
        for r in self.requirements:
            roles = self.inherited(r.ref_id, "roles")
            if not roles:
                continue
            if role is not None and role not in roles:
                continue
            if tier is not None and tier not in self.inherited(r.ref_id, "risk_tiers"):
                continue
            out.append(r)
        return out

    def amendment(self, amendment_id: str) -> Amendment:
        for a in self.amendments:
            if a.id == amendment_id:
                return a
        raise KeyError(f"{self.slug} has no amendment {amendment_id!r}")

    def application_date(self, date_id: str) -> ApplicationDate:
        for d in self.application_dates:
            if d.id == date_id:
                return d
        raise KeyError(f"{self.slug} has no application date {date_id!r}")

    def effective_date(
        self, date_id: str, *, ref_id: str | None = None, amendments: Iterable[str] | None = None
    ) -> ApplicationDate:
        """The application date that holds for ``date_id`` once amendments are taken into account.

        ``amendments`` names the amendments to apply; None applies those whose status is published or
        in force. Unconditional superseding dates are followed; a date limited to ``refs`` is followed
        only for those requirements (and their descendants) and only when ``ref_id`` is given.
        Conditional dates (``condition``) are never followed here: list them with :meth:`dates_for`.
        """
        applied = self._applied_amendments(amendments)
        scope = set()
        if ref_id is not None:
            scope = {ref_id, *(a.ref_id for a in self.ancestors(ref_id))}
        current = self.application_date(date_id)
        seen = {current.id}
        while True:
            nxt = None
            for d in self.application_dates:
                if d.supersedes != current.id or d.amendment not in applied or d.condition:
                    continue
                if d.refs and not scope.intersection(d.refs):
                    continue
                nxt = d
                break
            if nxt is None or nxt.id in seen:
                return current
            seen.add(nxt.id)
            current = nxt

    def requirement_date(
        self, ref_id: str, *, amendments: Iterable[str] | None = None
    ) -> ApplicationDate | None:
        """When ``ref_id`` applies (its own ``applies_from`` or its nearest ancestor's)."""
        date_id = self.inherited(ref_id, "applies_from")
        if not date_id:
            return None
        return self.effective_date(date_id, ref_id=ref_id, amendments=amendments)

    def dates_for(self, ref_id: str) -> list[ApplicationDate]:
        """Every date entry that may govern ``ref_id``: its own, and all amendment dates that
        supersede it (conditional ones included), so that a planner can show the alternatives."""
        date_id = self.inherited(ref_id, "applies_from")
        if not date_id:
            return []
        scope = {ref_id, *(a.ref_id for a in self.ancestors(ref_id))}
        out = [self.application_date(date_id)]
        frontier = [date_id]
        while frontier:
            current = frontier.pop()
            for d in self.application_dates:
                if d.supersedes == current and (not d.refs or scope.intersection(d.refs)) and d not in out:
                    out.append(d)
                    frontier.append(d.id)
        return out

    def _applied_amendments(self, amendments: Iterable[str] | None) -> set[str | None]:
        if amendments is None:
            return {a.id for a in self.amendments if a.status in APPLIED_AMENDMENT_STATUSES}
        wanted = set(amendments)
        unknown = wanted - {a.id for a in self.amendments}
        if unknown:
            raise KeyError(f"{self.slug} has no amendment {sorted(unknown)[0]!r}")
        return set(wanted)

    def to_dict(self) -> dict[str, Any]:
        return {
            "slug": self.slug,
            "name": self.name,
            "full_title": self.full_title,
            "version": self.version,
            "publisher": self.publisher,
            "kind": self.kind,
            "jurisdiction": self.jurisdiction,
            "url": self.url,
            "status": self.status,
            "published": self.published,
            "description": self.description,
            "licence": self.licence,
            "requirement_count": len(self.requirements),
        }


@dataclass(frozen=True)
class CrosswalkMapping:
    source: str
    target: str
    relation: str
    note: str = ""


@dataclass(frozen=True)
class CrosswalkGap:
    """A requirement on one side that the other catalog does not cover at all."""

    side: str  # "source" or "target"
    ref: str
    note: str = ""


@dataclass
class Crosswalk:
    slug: str
    name: str
    source: str
    target: str
    indicative: bool
    description: str
    provenance: str
    licence: str
    mappings: tuple[CrosswalkMapping, ...]
    gaps: tuple[CrosswalkGap, ...] = ()
    notes: tuple[str, ...] = ()
    path: Path | None = None

    def targets_for(self, source_ref: str) -> list[CrosswalkMapping]:
        return [m for m in self.mappings if m.source == source_ref]

    def sources_for(self, target_ref: str) -> list[CrosswalkMapping]:
        return [m for m in self.mappings if m.target == target_ref]

    @property
    def pairs(self) -> set[tuple[str, str]]:
        return {(m.source, m.target) for m in self.mappings}


def requirement_to_dict(r: Requirement) -> dict[str, Any]:
    return {
        "ref_id": r.ref_id,
        "number": r.number,
        "parent": r.parent,
        "title": r.title,
        "kind": r.kind,
        "order": r.order,
        "depth": r.depth,
        "description": r.description,
        "guidance": r.guidance,
        "assessable": r.assessable,
        "objective": r.objective,
        "documented_information": [
            {"item": d.item, "mandatory": d.mandatory, "note": d.note} for d in r.documented_information
        ],
        "annex_c_objectives": list(r.annex_c_objectives),
        "annex_c_risk_sources": list(r.annex_c_risk_sources),
        "roles": list(r.roles),
        "risk_tiers": list(r.risk_tiers),
        "applies_from": r.applies_from,
        "added_by": r.added_by,
        "amended_by": list(r.amended_by),
        "deadline_days": r.deadline_days,
        "note": r.note,
    }


# ----------------------------------------------------------------------------------------------------
# Files


def catalog_dirs() -> list[Path]:
    """The shipped catalog directory, then any directories named in ``AIMS_CATALOG_PATH``."""
    dirs = [CATALOG_DIR]
    for part in os.environ.get(CATALOG_PATH_ENV, "").split(os.pathsep):
        if part.strip():
            dirs.append(Path(part.strip()).expanduser().resolve())
    return dirs


def _yaml_files(directory: Path) -> list[Path]:
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.iterdir() if p.is_file() and p.suffix in {".yaml", ".yml"})


def list_catalog_files() -> list[Path]:
    """Catalog files: the shipped ones, then an organization's own (``AIMS_CATALOG_PATH``)."""
    return [p for d in catalog_dirs() for p in _yaml_files(d)]


def list_crosswalk_files() -> list[Path]:
    return [p for d in catalog_dirs() for p in _yaml_files(d / "crosswalks")]


def _read_yaml(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.safe_load(fh)
    except yaml.YAMLError as exc:
        raise CatalogError(f"not valid YAML: {exc}", file=str(path)) from exc


def _slug_index(files: Iterable[Path], kind: str) -> dict[str, Path]:
    index: dict[str, Path] = {}
    for path in files:
        data = _read_yaml(path)
        slug = data.get("slug") if isinstance(data, dict) else None
        if not isinstance(slug, str):
            raise CatalogError(f"{kind} file has no slug", file=str(path))
        if slug in index:
            raise CatalogError(f"{kind} slug {slug!r} is also defined in {index[slug]}", file=str(path))
        index[slug] = path
    return index


def catalog_index() -> dict[str, Path]:
    """Slug → file for every catalog file; a slug defined twice is an error."""
    return _slug_index(list_catalog_files(), "catalog")


def crosswalk_index() -> dict[str, Path]:
    return _slug_index(list_crosswalk_files(), "crosswalk")


def list_catalogs() -> list[str]:
    return list(catalog_index())


def list_crosswalks() -> list[str]:
    return list(crosswalk_index())


def load_catalog(slug: str) -> Catalog:
    """The catalog with this slug, validated. Cached; call :func:`clear_cache` after editing files."""
    return _load_catalog_cached(slug, os.environ.get(CATALOG_PATH_ENV, ""))


@lru_cache(maxsize=64)
def _load_catalog_cached(slug: str, _path_env: str) -> Catalog:
    index = catalog_index()
    if slug not in index:
        raise KeyError(f"no catalog {slug!r}; known: {', '.join(sorted(index))}")
    return load_catalog_file(index[slug])


def load_catalog_file(path: str | Path) -> Catalog:
    path = Path(path)
    catalog = validate_catalog(_read_yaml(path), source=str(path))
    catalog.path = path
    return catalog


def load_all_catalogs() -> dict[str, Catalog]:
    return {slug: load_catalog(slug) for slug in catalog_index()}


def load_crosswalk(slug: str) -> Crosswalk:
    """The crosswalk with this slug, validated against both of its catalogs."""
    return _load_crosswalk_cached(slug, os.environ.get(CATALOG_PATH_ENV, ""))


@lru_cache(maxsize=64)
def _load_crosswalk_cached(slug: str, _path_env: str) -> Crosswalk:
    index = crosswalk_index()
    if slug not in index:
        raise KeyError(f"no crosswalk {slug!r}; known: {', '.join(sorted(index))}")
    return load_crosswalk_file(index[slug])


def load_crosswalk_file(path: str | Path, catalogs: Mapping[str, Catalog] | None = None) -> Crosswalk:
    path = Path(path)
    crosswalk = validate_crosswalk(_read_yaml(path), source=str(path), catalogs=catalogs)
    crosswalk.path = path
    return crosswalk


def clear_cache() -> None:
    _load_catalog_cached.cache_clear()
    _load_crosswalk_cached.cache_clear()


# ----------------------------------------------------------------------------------------------------
# Validation


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _str_list(c: _Collector, ref: str | None, key: str, value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        c.add(ref, f"{key} must be a list of non-empty strings")
        return ()
    return tuple(v.strip() for v in value)


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def validate_catalog(data: Any, *, source: str = "<catalog>") -> Catalog:
    """Check a catalog document (as loaded from YAML) and return it as a :class:`Catalog`.

    Raises :class:`CatalogError` listing every problem: missing or unknown keys, duplicate ref ids,
    unknown parents, parent cycles, missing titles, unknown kinds, roles, tiers, dates or amendments,
    and Annex C references that do not exist.
    """
    c = _Collector(source)
    if not isinstance(data, dict):
        raise CatalogError("a catalog file must hold a mapping at the top level", file=source)
    if data.get("schema", CATALOG_SCHEMA) != CATALOG_SCHEMA:
        c.add(None, f"schema must be {CATALOG_SCHEMA!r}, not {data.get('schema')!r}")
    for key in sorted(set(data) - _CATALOG_KEYS):
        c.add(None, f"unknown top-level key {key!r}")
    for key in _REQUIRED_CATALOG_KEYS:
        if key == "requirements":
            continue
        if not isinstance(data.get(key), str) or not data[key].strip():
            c.add(None, f"missing or empty {key!r} (a string; quote version numbers)")
    slug = _text(data.get("slug"))
    if slug and not _SLUG.match(slug):
        c.add(None, f"slug {slug!r} must be lower-case letters, digits and hyphens")
    kind = _text(data.get("kind"))
    if kind and kind not in CATALOG_KINDS:
        c.add(None, f"unknown catalog kind {kind!r}; use one of {sorted(CATALOG_KINDS)}")

    kinds = set(REQUIREMENT_KINDS) | set(
        _str_list(c, None, "requirement_kinds", data.get("requirement_kinds"))
    )
    assessable_kinds = set(_str_list(c, None, "assessable_kinds", data.get("assessable_kinds")))
    for k in sorted(assessable_kinds - kinds):
        c.add(None, f"assessable_kinds names unknown kind {k!r}")
    roles = _str_list(c, None, "roles", data.get("roles"))
    tiers = _str_list(c, None, "risk_tiers", data.get("risk_tiers"))

    amendments = _parse_amendments(c, data.get("amendments"))
    amendment_ids = {a.id for a in amendments}
    annex_c = _parse_annex_c(c, data.get("annex_c"))
    annex_c_ids = {i.ref_id: i.kind for i in annex_c}
    relations = _parse_relations(c, data.get("relations"))

    raw = data.get("requirements")
    if not isinstance(raw, list) or not raw:
        c.add(None, "requirements must be a non-empty list")
        raw = []

    requirements: list[Requirement] = []
    seen: dict[str, int] = {}
    for index, entry in enumerate(raw, start=1):
        req = _parse_requirement(
            c, entry, index, kinds, assessable_kinds, roles, tiers, amendment_ids, annex_c_ids
        )
        if req is None:
            continue
        if req.ref_id in seen:
            c.add(req.ref_id, f"duplicate ref_id (entries {seen[req.ref_id]} and {index})")
            continue
        seen[req.ref_id] = index
        requirements.append(req)

    by_ref = {r.ref_id: r for r in requirements}
    for r in requirements:
        if r.parent is not None and r.parent not in by_ref:
            c.add(r.ref_id, f"unknown parent {r.parent!r}")
    depths: dict[str, int] = {}
    for r in requirements:
        chain, node = [r.ref_id], r
        while node.parent is not None and node.parent in by_ref:
            if node.parent in chain:
                c.add(r.ref_id, f"parent cycle: {' -> '.join([*chain, node.parent])}")
                break
            chain.append(node.parent)
            node = by_ref[node.parent]
        depths[r.ref_id] = len(chain) - 1

    dates = _parse_dates(c, data.get("application_dates"), amendment_ids, set(by_ref))
    sources = _str_list(c, None, "sources", data.get("sources"))
    notes = _str_list(c, None, "notes", data.get("notes"))
    date_ids = {d.id for d in dates}
    for r in requirements:
        if r.applies_from is not None and r.applies_from not in date_ids:
            c.add(r.ref_id, f"applies_from names unknown application date {r.applies_from!r}")

    c.raise_if_any()
    requirements = [replace(r, depth=depths[r.ref_id]) for r in requirements]
    return Catalog(
        slug=slug,
        name=_text(data["name"]),
        version=_text(data["version"]),
        publisher=_text(data["publisher"]),
        kind=kind,
        description=_text(data["description"]),
        licence=_text(data["licence"]),
        requirements=tuple(requirements),
        full_title=_text(data.get("full_title")),
        jurisdiction=_text(data.get("jurisdiction")),
        url=_text(data.get("url")),
        status=_text(data.get("status")),
        published=str(data.get("published") or ""),
        sources=sources,
        notes=notes,
        roles=roles,
        risk_tiers=tiers,
        relations=relations,
        application_dates=tuple(dates),
        amendments=tuple(amendments),
        annex_c=tuple(annex_c),
    )


def _parse_requirement(
    c: _Collector,
    entry: Any,
    index: int,
    kinds: set[str],
    assessable_kinds: set[str],
    roles: tuple[str, ...],
    tiers: tuple[str, ...],
    amendment_ids: set[str],
    annex_c_ids: dict[str, str],
) -> Requirement | None:
    if not isinstance(entry, dict):
        c.add(f"requirement #{index}", "each requirement must be a mapping")
        return None
    ref_id = entry.get("ref_id")
    if isinstance(ref_id, (int, float)) and not isinstance(ref_id, bool):
        c.add(
            f"requirement #{index}", f"ref_id {ref_id!r} must be a quoted string (YAML read it as a number)"
        )
        return None
    if not isinstance(ref_id, str) or not ref_id.strip():
        c.add(f"requirement #{index}", "missing ref_id")
        return None
    if ref_id != ref_id.strip():
        c.add(ref_id, "ref_id has leading or trailing spaces")
    ref = ref_id.strip()
    for key in sorted(set(entry) - _REQUIREMENT_KEYS):
        c.add(ref, f"unknown key {key!r}")
    title = entry.get("title")
    if not isinstance(title, str) or not title.strip():
        c.add(ref, "missing title")
        title = ""
    kind = entry.get("kind")
    if not isinstance(kind, str) or kind not in kinds:
        c.add(ref, f"unknown kind {kind!r}; use one of {sorted(kinds)} or declare it in requirement_kinds")
        kind = ""
    parent = entry.get("parent")
    if isinstance(parent, (int, float)) and not isinstance(parent, bool):
        c.add(ref, f"parent {parent!r} must be a quoted string (YAML read it as a number)")
        parent = None
    elif parent is not None and (not isinstance(parent, str) or not parent.strip()):
        c.add(ref, "parent must be a ref_id string")
        parent = None
    if parent is not None and parent.strip() == ref:
        c.add(ref, "a requirement cannot be its own parent")
        parent = None
    order = entry.get("order", index)
    if not isinstance(order, int) or isinstance(order, bool):
        c.add(ref, "order must be an integer")
        order = index
    assessable = entry.get("assessable", kind in assessable_kinds)
    if not isinstance(assessable, bool):
        c.add(ref, "assessable must be true or false")
        assessable = False
    for key in ("description", "guidance", "objective", "note"):
        if entry.get(key) is not None and not isinstance(entry.get(key), str):
            c.add(ref, f"{key} must be text")

    di: list[DocumentedInformation] = []
    raw_di = entry.get("documented_information") or []
    if not isinstance(raw_di, list):
        c.add(ref, "documented_information must be a list")
        raw_di = []
    for item in raw_di:
        if isinstance(item, str) and item.strip():
            di.append(DocumentedInformation(item.strip()))
        elif isinstance(item, dict) and isinstance(item.get("item"), str) and item["item"].strip():
            extra = set(item) - {"item", "mandatory", "note"}
            if extra:
                c.add(ref, f"documented_information entry has unknown keys {sorted(extra)}")
            if not isinstance(item.get("mandatory", False), bool):
                c.add(ref, f"documented_information {item['item']!r}: mandatory must be true or false")
            di.append(
                DocumentedInformation(
                    item["item"].strip(), bool(item.get("mandatory", False)), _text(item.get("note"))
                )
            )
        else:
            c.add(ref, "each documented_information entry needs an item")

    objectives = _str_list(c, ref, "annex_c_objectives", entry.get("annex_c_objectives"))
    sources = _str_list(c, ref, "annex_c_risk_sources", entry.get("annex_c_risk_sources"))
    for value, want in [(v, "objective") for v in objectives] + [(v, "risk_source") for v in sources]:
        if annex_c_ids.get(value) != want:
            c.add(ref, f"unknown Annex C {want.replace('_', ' ')} {value!r}")

    req_roles = _str_list(c, ref, "roles", entry.get("roles"))
    for r in req_roles:
        if r not in roles:
            c.add(ref, f"unknown role {r!r}; the catalog declares {list(roles)}")
    req_tiers = _str_list(c, ref, "risk_tiers", entry.get("risk_tiers"))
    for t in req_tiers:
        if t not in tiers:
            c.add(ref, f"unknown risk tier {t!r}; the catalog declares {list(tiers)}")
    added_by = entry.get("added_by")
    if added_by is not None and added_by not in amendment_ids:
        c.add(ref, f"added_by names unknown amendment {added_by!r}")
    amended_by = _str_list(c, ref, "amended_by", entry.get("amended_by"))
    for a in amended_by:
        if a not in amendment_ids:
            c.add(ref, f"amended_by names unknown amendment {a!r}")
    applies_from = entry.get("applies_from")
    if applies_from is not None and not isinstance(applies_from, str):
        c.add(ref, "applies_from must name an application date id")
        applies_from = None
    deadline = entry.get("deadline_days")
    if deadline is not None and (not isinstance(deadline, int) or isinstance(deadline, bool) or deadline < 0):
        c.add(ref, "deadline_days must be a whole number of days")
        deadline = None

    return Requirement(
        ref_id=ref,
        title=title.strip() if isinstance(title, str) else "",
        kind=kind or "",
        parent=parent.strip() if isinstance(parent, str) else None,
        order=order,
        description=_text(entry.get("description")),
        guidance=_text(entry.get("guidance")),
        assessable=assessable,
        objective=_text(entry.get("objective")),
        documented_information=tuple(di),
        annex_c_objectives=objectives,
        annex_c_risk_sources=sources,
        roles=req_roles,
        risk_tiers=req_tiers,
        applies_from=applies_from,
        added_by=added_by,
        amended_by=amended_by,
        deadline_days=deadline,
        note=_text(entry.get("note")),
    )


def _parse_amendments(c: _Collector, raw: Any) -> list[Amendment]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        c.add("amendments", "must be a list")
        return []
    out, seen = [], set()
    for i, entry in enumerate(raw, start=1):
        where = f"amendment #{i}"
        if not isinstance(entry, dict):
            c.add(where, "must be a mapping")
            continue
        aid, title, status = _text(entry.get("id")), _text(entry.get("title")), _text(entry.get("status"))
        if not aid or not _ID.match(aid):
            c.add(where, "needs an id of lower-case letters, digits, '-' or '_'")
            continue
        if aid in seen:
            c.add(f"amendment {aid}", "duplicate amendment id")
        seen.add(aid)
        if not title:
            c.add(f"amendment {aid}", "missing title")
        if status not in AMENDMENT_STATUSES:
            c.add(f"amendment {aid}", f"status must be one of {list(AMENDMENT_STATUSES)}")
        extra = set(entry) - {"id", "title", "status", "reference", "status_note", "sources", "changes"}
        if extra:
            c.add(f"amendment {aid}", f"unknown keys {sorted(extra)}")
        out.append(
            Amendment(
                id=aid,
                title=title,
                status=status,
                reference=_text(entry.get("reference")),
                status_note=_text(entry.get("status_note")),
                sources=_str_list(c, f"amendment {aid}", "sources", entry.get("sources")),
                changes=_str_list(c, f"amendment {aid}", "changes", entry.get("changes")),
            )
        )
    return out


def _parse_dates(
    c: _Collector, raw: Any, amendment_ids: set[str], ref_ids: set[str]
) -> list[ApplicationDate]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        c.add("application_dates", "must be a list")
        return []
    out: list[ApplicationDate] = []
    seen: set[str] = set()
    for i, entry in enumerate(raw, start=1):
        where = f"application date #{i}"
        if not isinstance(entry, dict):
            c.add(where, "must be a mapping")
            continue
        did = _text(entry.get("id"))
        if not did or not _ID.match(did):
            c.add(where, "needs an id of lower-case letters, digits, '-' or '_'")
            continue
        where = f"application date {did}"
        if did in seen:
            c.add(where, "duplicate application date id")
        seen.add(did)
        extra = set(entry) - {"id", "date", "label", "basis", "amendment", "supersedes", "refs", "condition"}
        if extra:
            c.add(where, f"unknown keys {sorted(extra)}")
        when = _as_date(entry.get("date"))
        if when is None:
            c.add(where, f"date {entry.get('date')!r} is not an ISO date (YYYY-MM-DD)")
        if not _text(entry.get("label")):
            c.add(where, "missing label")
        amendment = entry.get("amendment")
        if amendment is not None and amendment not in amendment_ids:
            c.add(where, f"unknown amendment {amendment!r}")
        refs = _str_list(c, where, "refs", entry.get("refs"))
        for r in refs:
            if r not in ref_ids:
                c.add(where, f"refs names unknown requirement {r!r}")
        supersedes = entry.get("supersedes")
        if supersedes is not None and amendment is None:
            c.add(where, "only an amendment's date can supersede another date")
        out.append(
            ApplicationDate(
                id=did,
                date=when or dt.date.min,
                label=_text(entry.get("label")),
                basis=_text(entry.get("basis")),
                amendment=amendment,
                supersedes=supersedes,
                refs=refs,
                condition=_text(entry.get("condition")),
            )
        )
    ids = {d.id for d in out}
    for d in out:
        if d.supersedes is not None and d.supersedes not in ids:
            c.add(f"application date {d.id}", f"supersedes unknown date {d.supersedes!r}")
        if d.supersedes == d.id:
            c.add(f"application date {d.id}", "cannot supersede itself")
    return out


def _parse_annex_c(c: _Collector, raw: Any) -> list[AnnexCItem]:
    if raw is None:
        return []
    if not isinstance(raw, dict):
        c.add("annex_c", "must be a mapping with objectives and risk_sources")
        return []
    out: list[AnnexCItem] = []
    seen: set[str] = set()
    for key, kind in (("objectives", "objective"), ("risk_sources", "risk_source")):
        entries = raw.get(key) or []
        if not isinstance(entries, list):
            c.add("annex_c", f"{key} must be a list")
            continue
        for entry in entries:
            ref = _text(entry.get("ref_id")) if isinstance(entry, dict) else ""
            if not ref:
                c.add(f"annex_c {key}", "each entry needs a ref_id (quoted)")
                continue
            if ref in seen:
                c.add(ref, "duplicate Annex C ref_id")
            seen.add(ref)
            if not _text(entry.get("title")):
                c.add(ref, "missing title")
            out.append(AnnexCItem(ref, _text(entry.get("title")), kind, _text(entry.get("description"))))
    extra = set(raw) - {"objectives", "risk_sources"}
    if extra:
        c.add("annex_c", f"unknown keys {sorted(extra)}")
    return out


def _parse_relations(c: _Collector, raw: Any) -> tuple[Relation, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        c.add("relations", "must be a list")
        return ()
    out = []
    for entry in raw:
        if not isinstance(entry, dict) or not _text(entry.get("kind")) or not _text(entry.get("catalog")):
            c.add("relations", "each relation needs a kind and a catalog slug")
            continue
        out.append(Relation(_text(entry["kind"]), _text(entry["catalog"]), _text(entry.get("note"))))
    return tuple(out)


def validate_crosswalk(
    data: Any, *, source: str = "<crosswalk>", catalogs: Mapping[str, Catalog] | None = None
) -> Crosswalk:
    """Check a crosswalk document and return it as a :class:`Crosswalk`.

    Both catalogs are loaded (or taken from ``catalogs``) and every mapped or gap reference must exist
    in its catalog; relation kinds must be one of :data:`RELATION_KINDS`.
    """
    c = _Collector(source)
    if not isinstance(data, dict):
        raise CatalogError("a crosswalk file must hold a mapping at the top level", file=source)
    if data.get("schema", CROSSWALK_SCHEMA) != CROSSWALK_SCHEMA:
        c.add(None, f"schema must be {CROSSWALK_SCHEMA!r}, not {data.get('schema')!r}")
    for key in sorted(set(data) - _CROSSWALK_KEYS):
        c.add(None, f"unknown top-level key {key!r}")
    for key in ("slug", "name", "source", "target", "description", "provenance", "licence"):
        if not _text(data.get(key)):
            c.add(None, f"missing or empty {key!r}")
    if not isinstance(data.get("indicative"), bool):
        c.add(None, "indicative must be true or false (true for our own, non-authoritative mappings)")
    c.raise_if_any()

    sides: dict[str, Catalog | None] = {}
    for side in ("source", "target"):
        slug = data[side].strip()
        try:
            sides[side] = catalogs[slug] if catalogs is not None and slug in catalogs else load_catalog(slug)
        except KeyError:
            c.add(None, f"{side} catalog {slug!r} does not exist")
            sides[side] = None

    default_relation = data.get("default_relation")
    if default_relation is not None and default_relation not in RELATION_KINDS:
        c.add(None, f"unknown default_relation {default_relation!r}; use one of {sorted(RELATION_KINDS)}")
        default_relation = None

    def check(side: str, ref: str, where: str) -> None:
        cat = sides[side]
        if cat is not None and ref not in cat:
            c.add(where, f"{side} ref {ref!r} does not exist in {cat.slug}")

    mappings: list[CrosswalkMapping] = []
    seen: set[tuple[str, str]] = set()
    raw = data.get("mappings")
    if not isinstance(raw, list) or not raw:
        c.add(None, "mappings must be a non-empty list")
        raw = []
    for i, entry in enumerate(raw, start=1):
        where = f"mapping #{i}"
        if not isinstance(entry, dict):
            c.add(where, "must be a mapping")
            continue
        extra = set(entry) - _MAPPING_KEYS
        if extra:
            c.add(where, f"unknown keys {sorted(extra)}")
        src = entry.get("source")
        if not isinstance(src, str) or not src.strip():
            c.add(where, "missing source ref (quote numbers)")
            continue
        src = src.strip()
        where = f"mapping #{i} ({src})"
        targets = entry.get("targets", [])
        if "target" in entry:
            targets = [entry["target"], *(targets or [])]
        if (
            not isinstance(targets, list)
            or not targets
            or not all(isinstance(t, str) and t.strip() for t in targets)
        ):
            c.add(where, "needs target (a ref) or targets (a list of refs), quoted")
            continue
        relation = entry.get("relation", default_relation)
        if relation not in RELATION_KINDS:
            c.add(where, f"unknown relation kind {relation!r}; use one of {sorted(RELATION_KINDS)}")
            continue
        check("source", src, where)
        for t in targets:
            t = t.strip()
            check("target", t, where)
            if (src, t) in seen:
                c.add(where, f"{src} -> {t} is mapped twice")
            seen.add((src, t))
            mappings.append(CrosswalkMapping(src, t, relation, _text(entry.get("note"))))

    gaps: list[CrosswalkGap] = []
    raw_gaps = data.get("gaps") or []
    if not isinstance(raw_gaps, list):
        c.add("gaps", "must be a list")
        raw_gaps = []
    for i, entry in enumerate(raw_gaps, start=1):
        where = f"gap #{i}"
        if (
            not isinstance(entry, dict)
            or entry.get("side") not in ("source", "target")
            or not _text(entry.get("ref"))
        ):
            c.add(where, "needs side (source or target) and ref")
            continue
        check(entry["side"], entry["ref"].strip(), where)
        gaps.append(CrosswalkGap(entry["side"], entry["ref"].strip(), _text(entry.get("note"))))

    notes = _str_list(c, None, "notes", data.get("notes"))
    c.raise_if_any()
    return Crosswalk(
        slug=data["slug"].strip(),
        name=data["name"].strip(),
        source=data["source"].strip(),
        target=data["target"].strip(),
        indicative=data["indicative"],
        description=data["description"].strip(),
        provenance=data["provenance"].strip(),
        licence=data["licence"].strip(),
        mappings=tuple(mappings),
        gaps=tuple(gaps),
        notes=notes,
    )
