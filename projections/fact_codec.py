"""Facts to JSON and back: how the ``facts`` read model stores each fact's payload.

A fact is a frozen dataclass (``projections.rules.facts``, ``projections.report_facts``). Its
JSON is an object of its fields: enum members as their ``.value``, ``datetime`` and ``date`` in
ISO 8601, a ``Fraction`` as ``"numerator/denominator"``, tuples as lists, nested dataclasses as
objects. Decoding is driven by the dataclass's type hints, so ``decode(type(f), encode(f)) == f``
for every fact (property-tested). Floats never appear: facts hold none (house rule 3).

``encode`` also turns any answer of ``projections.queries`` into JSON (``as_json``), which is
what the CLI prints with ``--json``.
"""

from __future__ import annotations

import dataclasses
import inspect
import types
from collections.abc import Callable, Mapping
from datetime import date, datetime
from enum import Enum
from fractions import Fraction
from typing import Any, TypeVar, Union, get_args, get_origin, get_type_hints

import orjson

from projections.errors import ProjectionError

JSON = Any  # str | int | bool | None | list[JSON] | dict[str, JSON]
T = TypeVar("T")


class FactCodecError(ProjectionError, ValueError):
    """A value of a type the codec does not handle, or JSON that does not fit the fact's fields."""


_FIELDS: dict[type, tuple[str, ...] | None] = {}


def _field_names(cls: type) -> tuple[str, ...] | None:
    """The fields of a dataclass type, None for any other type."""
    if cls not in _FIELDS:
        is_dataclass = dataclasses.is_dataclass(cls) and isinstance(cls, type)
        _FIELDS[cls] = tuple(f.name for f in dataclasses.fields(cls)) if is_dataclass else None
    return _FIELDS[cls]


def encode(value: object) -> JSON:
    """``value`` (a dataclass, or anything a dataclass field holds) as JSON values."""
    cls = type(value)
    if value is None or cls is str or cls is int or cls is bool:
        return value
    names = _field_names(cls)
    if names is not None:
        return {name: encode(getattr(value, name)) for name in names}
    if cls is tuple or cls is list:
        return [encode(v) for v in value]  # type: ignore[attr-defined]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date):  # datetime included
        return value.isoformat()
    if isinstance(value, Fraction):
        return f"{value.numerator}/{value.denominator}"
    if isinstance(value, bool | int | str):
        return value
    if isinstance(value, tuple | list):
        return [encode(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): encode(v) for k, v in value.items()}
    raise FactCodecError(f"cannot encode {cls.__name__} {value!r} as JSON")


def dumps(value: object) -> str:
    """The canonical JSON text of ``value`` (sorted keys, no spaces): equal facts, equal text.

    The same text as ``json.dumps(encode(value), sort_keys=True, separators=(",", ":"),
    ensure_ascii=False)`` (differential-tested), written by orjson: the ``facts`` projection makes
    one or more per event, and the standard library's encoder of an encoded copy costs several
    times more. orjson writes str, int, bool, None, lists, tuples, str-keyed dicts and enum
    members itself; each dataclass, date and ``Fraction`` comes to ``_plain`` (as ``encode``
    would write it, one level at a time). orjson would write dataclasses and datetimes itself, a
    few times faster, but not this text: a dataclass's keys in field order (``OPT_SORT_KEYS``
    sorts only dicts), a UTC offset with seconds (``+00:00:30``) rounded to minutes, and a
    ``tzinfo`` that gives no offset as ``+00:00`` (tested)."""
    try:
        return orjson.dumps(value, default=_plain, option=_OPTIONS).decode("utf-8")
    except orjson.JSONEncodeError as exc:
        raise FactCodecError(f"cannot encode {type(value).__name__} as JSON: {exc}") from None


_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_DATETIME


def _plain(value: object) -> JSON:
    """``value`` one level down, as ``encode`` writes it: by a function made once per dataclass
    type (and the ISO 8601 of a ``datetime`` or ``date``), the rest by ``_plain_other``."""
    plain = _PLAIN.get(type(value))
    if plain is None:
        names = _field_names(type(value))
        if names is None:
            return _plain_other(value)
        plain = _PLAIN[type(value)] = _fields_plain(type(value), names)
    return plain(value)


def _plain_other(value: object) -> JSON:
    if isinstance(value, date):  # datetime included
        return value.isoformat()
    if isinstance(value, Fraction):
        return f"{value.numerator}/{value.denominator}"
    if isinstance(value, Mapping):
        return {str(k): v for k, v in value.items()}
    raise TypeError(f"cannot encode {type(value).__name__} {value!r} as JSON")


# Exactly these types: a subclass may write itself otherwise (``_plain_other`` asks it).
_PLAIN: dict[type, Callable[[Any], JSON]] = {datetime: datetime.isoformat, date: date.isoformat}


def _fields_plain(cls: type, names: tuple[str, ...]) -> Callable[[Any], JSON]:
    """The fields of a ``cls`` instance by name. Mostly the instance's own ``__dict__`` as it is
    (orjson only reads it): a fact's text costs a third less than with a new dict per dataclass.
    Its values are the fields' when its keys are exactly the field names and the class reads
    attributes the usual way (instances have a ``__dict__``; no ``__getattribute__``; no data
    descriptor, such as a slot or a property, named as a field); otherwise (another attribute set
    on the instance, say) a new dict of them."""

    def by_name(value: Any) -> JSON:
        return {name: getattr(value, name) for name in names}

    reads = getattr(cls, "__getattribute__")  # noqa: B009 (mypy would type it as bound)
    if cls.__dictoffset__ == 0 or reads is not object.__getattribute__ or any(
            _is_data_descriptor(inspect.getattr_static(cls, name, None)) for name in names):
        return by_name
    keys = frozenset(names)

    def own(value: Any) -> JSON:
        attributes = value.__dict__
        return attributes if attributes.keys() == keys else by_name(value)

    return own


def _is_data_descriptor(attribute: object) -> bool:
    return hasattr(type(attribute), "__set__") or hasattr(type(attribute), "__delete__")


as_json = encode


class _MisfitError(Exception):
    """JSON that does not fit, and where: the path is built on the way out."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.path: list[str] = []


def decode(kind: type[T], data: JSON) -> T:
    """The ``kind`` dataclass ``data`` encodes. Raises ``FactCodecError`` naming the field."""
    try:
        result: T = _decoder(kind)(data)
    except _MisfitError as misfit:
        where = kind.__name__ + "".join(p if p.startswith("[") else f".{p}" for p in misfit.path)
        raise FactCodecError(f"{where}: {misfit.reason}") from None
    return result


Decoder = Callable[[JSON], Any]


_DECODERS: dict[Any, Decoder] = {}


def _decoder(tp: Any) -> Decoder:
    """A function decoding JSON into ``tp``, built once per type from its type hints."""
    found = _DECODERS.get(tp)
    if found is None:
        found = _DECODERS[tp] = _build_decoder(tp)
    return found


def _build_decoder(tp: Any) -> Decoder:
    origin = get_origin(tp)
    if origin in (Union, types.UnionType):
        options = [a for a in get_args(tp) if a is not type(None)]
        if len(options) != 1:
            raise FactCodecError(f"cannot decode the union {tp}")
        inner, optional = _decoder(options[0]), len(options) < len(get_args(tp))
        return lambda data: None if data is None and optional else inner(data)
    if origin is tuple:
        return _tuple_decoder(get_args(tp))
    if origin is dict:
        key, value = (_decoder(a) for a in get_args(tp))
        return lambda data: {key(k): _at(value, v, str(k))
                             for k, v in _expect(data, dict, "an object").items()}
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        return _dataclass_decoder(tp)
    return _scalar_decoder(tp)


# Decoders run without tracking where they are (a read model holds hundreds of thousands of facts);
# when one fails, the part that failed is decoded again, part by part, to say where (``_at``).


def _at(decoder: Decoder, data: JSON, step: str) -> Any:
    try:
        return decoder(data)
    except _MisfitError as misfit:
        misfit.path.insert(0, step)
        raise


def _expect(data: JSON, kind: type, expected: str) -> Any:
    if not isinstance(data, kind):
        raise _MisfitError(f"expected {expected}, got {data!r}")
    return data


def _tuple_decoder(args: tuple[Any, ...]) -> Decoder:
    if len(args) == 2 and args[1] is Ellipsis:
        item = _decoder(args[0])

        def items_of(data: JSON) -> tuple[Any, ...]:
            if type(data) is not list:
                raise _MisfitError(f"expected a list, got {data!r}")
            try:
                return tuple([item(v) for v in data])
            except _MisfitError:
                return tuple(_at(item, v, f"[{i}]") for i, v in enumerate(data))

        return items_of
    items = [_decoder(a) for a in args]

    def fixed(data: JSON) -> tuple[Any, ...]:
        if not isinstance(data, list) or len(data) != len(items):
            raise _MisfitError(f"expected a list of {len(items)} items, got {data!r}")
        return tuple(_at(d, v, f"[{i}]") for i, (d, v) in enumerate(zip(items, data, strict=True)))

    return fixed


def _dataclass_decoder(kind: type) -> Decoder:
    hints = get_type_hints(kind)
    fields = {f.name: _decoder(hints[f.name]) for f in dataclasses.fields(kind) if f.init}

    def decode_fields(data: JSON) -> Any:
        if type(data) is not dict:
            raise _MisfitError(f"expected an object, got {data!r}")
        try:
            values = {name: fields[name](value) for name, value in data.items()}
        except KeyError:
            unknown = [name for name in data if name not in fields]
            if unknown:
                raise _MisfitError(f"unknown fields {', '.join(sorted(unknown))}") from None
            values = {name: _at(fields[name], value, name) for name, value in data.items()}
        except _MisfitError:
            values = {name: _at(fields[name], value, name) for name, value in data.items()}
        try:
            return kind(**values)
        except TypeError as exc:
            raise _MisfitError(str(exc)) from None

    return decode_fields


def _scalar_decoder(tp: Any) -> Decoder:
    if tp is type(None):
        return lambda data: None if data is None else _expect(data, type(None), "null")
    if isinstance(tp, type) and issubclass(tp, Enum):
        members = {m.value: m for m in tp}

        def member(data: JSON) -> Any:
            try:
                return members[data]
            except (KeyError, TypeError):
                raise _MisfitError(f"{data!r} is not a {tp.__name__}") from None

        return member
    if tp is datetime or tp is date:
        def instant(data: JSON) -> Any:
            try:
                return tp.fromisoformat(_expect(data, str, "an ISO 8601 string"))
            except ValueError:
                raise _MisfitError(f"{data!r} is not ISO 8601") from None

        return instant
    if tp is Fraction:
        def fraction(data: JSON) -> Fraction:
            numerator, _, denominator = _expect(data, str, "'numerator/denominator'").partition("/")
            try:
                return Fraction(int(numerator), int(denominator))
            except (ValueError, ZeroDivisionError):
                raise _MisfitError(f"{data!r} is not 'numerator/denominator'") from None

        return fraction
    if tp is bool:
        return lambda data: data if data is True or data is False else _expect(data, bool, "true or false")
    if tp is int:
        return lambda data: data if type(data) is int else _expect(None, int, f"an integer, not {data!r}")
    if tp is str:
        return lambda data: data if type(data) is str else _expect(data, str, "a string")
    raise FactCodecError(f"cannot decode {tp!r}")


__all__ = ["FactCodecError", "as_json", "decode", "dumps", "encode"]
