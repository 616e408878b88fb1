"""Validation at the edge: one URL converter for ids, one text cleaner, query parameters.

Hostile or heavy input is refused here with a French 400/404 instead of reaching the
database (PostgreSQL rejects NUL bytes and ids beyond its INTEGER keys; dates before year 1
overflow).
"""

from __future__ import annotations

import unicodedata
from datetime import date

from flask import Flask, request
from flask_babel import gettext as _
from werkzeug.routing import IntegerConverter, ValidationError

from motion.errors import InvalidInput, NotFound

MAX_ID = 2**31 - 1  # primary keys are INTEGER (PostgreSQL int4): larger ids cannot exist
MAX_PAGE = 100_000
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(9998, 12, 31)

# Control characters kept in texts: tabs and line breaks.
ALLOWED_CONTROLS = {"\t", "\n", "\r"}
# Characters that draw nothing although Unicode calls them letters or symbols.
INVISIBLE = {"\u115f", "\u1160", "\u3164", "\uffa0", "\u2800", "\u180e"}


class IdConverter(IntegerConverter):
    """``<int:...>`` in every route: ASCII digits, 1 to 2³¹-1, else the route does not match."""

    regex = r"[0-9]{1,10}"

    def __init__(self, map, *args, **kwargs) -> None:  # noqa: A002 (werkzeug's signature)
        kwargs.setdefault("min", 1)
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)

    def to_python(self, value: str) -> int:
        if len(value) > 1 and value.startswith("0"):
            raise ValidationError()
        return super().to_python(value)


def has_forbidden_characters(value: str) -> bool:
    """NUL and other control characters (except tab and line breaks), lone surrogates."""
    return any(
        (unicodedata.category(c) == "Cc" and c not in ALLOWED_CONTROLS)
        or unicodedata.category(c) == "Cs"
        for c in value
    )


def usable_key(value: str, max_length: int) -> bool:
    """Whether a slug or name from a URL could name a row (no NUL, not oversized)."""
    return 0 < len(value) <= max_length and not has_forbidden_characters(value)


def visible_length(value: str) -> int:
    """The number of characters that show: no spaces, zero-width or format characters."""
    return sum(
        1 for c in value
        if not c.isspace() and c not in INVISIBLE
        and unicodedata.category(c) not in {"Cc", "Cf", "Cs", "Co", "Cn", "Zs", "Zl", "Zp"}
    )


def clean_text(value: str | None, *, label: str, max_length: int | None = None,
               min_visible: int = 0, multiline: bool = True, field: str | None = None) -> str:
    """Clean one text from a form or an import, or explain in French why it is refused.

    Line endings become ``\\n`` (other whitespace collapses when ``multiline`` is false),
    surrounding spaces go; NUL and control characters are refused; ``min_visible`` counts
    the characters that show, so that a text of zero-width spaces is empty. ``field``
    names the form field an error is about.
    """
    value = value or ""
    if has_forbidden_characters(value.replace("\r\n", "\n")):
        raise InvalidInput(
            _("« %(label)s » contient des caractères de contrôle (par exemple un octet nul) : "
              "retirez-les et réessayez.", label=label), field=field
        )
    if multiline:
        lines = value.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        value = "\n".join(line.rstrip() for line in lines).strip()
    else:
        value = " ".join(value.split())
    if max_length is not None and len(value) > max_length:
        raise InvalidInput(
            _("« %(label)s » est trop long : %(n)d caractères au plus (vous en avez %(m)d).",
              label=label, n=max_length, m=len(value)), field=field
        )
    if visible_length(value) < min_visible:
        if min_visible == 1:
            raise InvalidInput(_("« %(label)s » est vide.", label=label), field=field)
        raise InvalidInput(
            _("« %(label)s » est trop court : %(n)d caractères visibles au moins.",
              label=label, n=min_visible), field=field
        )
    return value


# ---------------------------------------------------------------- query parameters


def parse_id(value: str | None, name: str) -> int | None:
    """An optional id from a query string or a form field; garbage is a French 400."""
    value = (value or "").strip()
    if not value:
        return None
    if not value.isascii() or not value.isdigit() or len(value) > 10 or int(value) > MAX_ID:
        raise InvalidInput(_("Paramètre « %(name)s » invalide : un identifiant est attendu.",
                             name=name))
    return int(value)


def arg_id(name: str) -> int | None:
    """An optional id in the query string (``?atelier=12``)."""
    return parse_id(request.args.get(name), name)


def form_id(name: str) -> int | None:
    """An optional id in the posted form (``parent_id``, ``session``)."""
    return parse_id(request.form.get(name), name)


def arg_page(name: str = "page") -> int:
    """The page number (1 when absent); a page that cannot exist is a 404."""
    value = request.args.get(name, "").strip()
    if not value:
        return 1
    if not value.isascii() or not value.isdigit() or len(value) > 6:
        raise NotFound(_("Cette page de résultats n’existe pas."))
    page = int(value)
    if not 1 <= page <= MAX_PAGE:
        raise NotFound(_("Cette page de résultats n’existe pas."))
    return page


def parse_day(
    value: str | None,
    invalid: str,
    *,
    out_of_range: str | None = None,
    field: str | None = None,
    required: bool = False,
) -> date | None:
    """``value`` as an ``AAAA-MM-JJ`` date between 1900 and 9998, None when blank (unless
    ``required``); else InvalidInput(``invalid``, or ``out_of_range`` for a real date outside
    those years), its ``%(value)s`` filled with what was typed.

    The messages come translated but not yet formatted: ``_("… « %(value)s » …")``.
    """
    value = (value or "").strip()
    if not value and not required:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        day = None
    if day is not None and FIRST_DAY <= day <= LAST_DAY:
        return day
    message = out_of_range if day is not None and out_of_range is not None else invalid
    raise InvalidInput(message % {"value": value[:40]}, field=field)


def arg_date(name: str) -> date | None:
    """An optional ``AAAA-MM-JJ`` date between 1900 and 9998."""
    return parse_day(request.args.get(name, ""), _(
        "Date invalide : « %(value)s » (format attendu : AAAA-MM-JJ, entre 1900 et 9998)."))


# ---------------------------------------------------------------- the request hook


def reject_control_characters() -> None:
    """Refuse a request whose path, query or form carries NUL or control characters.

    A path (slug) with one cannot name anything: 404; a query parameter or form field: 400.
    Texts then go through :func:`clean_text` in the services.
    """
    for value in (request.view_args or {}).values():
        if isinstance(value, str) and has_forbidden_characters(value):
            raise NotFound(_("La page demandée n’existe pas ou a été déplacée."))
    if request.method in ("POST", "PUT", "PATCH"):
        values = [*request.args.values(), *request.form.values()]
    else:
        values = list(request.args.values())
    keys = [*request.args.keys(), *(request.form.keys() if request.method != "GET" else [])]
    if any(has_forbidden_characters(v) for v in (*values, *keys)):
        raise InvalidInput(_("La demande contient des caractères de contrôle (par exemple un "
                             "octet nul) : retirez-les et réessayez."))


def init_app(app: Flask) -> None:
    """Install the id converter (before the blueprints) and the request check."""
    app.url_map.converters["int"] = IdConverter
    app.before_request(reject_control_characters)
