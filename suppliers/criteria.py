"""Search criteria per kind, normalised so that equal searches share one cache entry.

Text is case- and whitespace-folded, dates become ISO strings, counts become ints, defaults are
filled in and keys are sorted; the cache key is a hash of that canonical form.
"""
import hashlib
import json
from datetime import date

from suppliers.errors import InvalidCriteria
from suppliers.types import KINDS

# kind -> {criterion: (type, default or None when required)}
SCHEMA = {
    "hotel": {"destination": ("text", None), "check_in": ("date", None), "check_out": ("date", None),
              "guests": ("int", 2), "rooms": ("int", 1)},
    "flight": {"origin": ("text", None), "destination": ("text", None), "date": ("date", None),
               "passengers": ("int", 1)},
    "activity": {"city": ("text", None), "date": ("date", None), "participants": ("int", 1)},
}


def normalise(kind: str, criteria: dict) -> dict:
    if kind not in KINDS:
        raise InvalidCriteria(f"Unknown kind of offer: {kind!r}.")
    schema = SCHEMA[kind]
    unknown = set(criteria) - set(schema)
    if unknown:
        raise InvalidCriteria(f"Unknown search criteria for {kind}: {', '.join(sorted(unknown))}.")
    out = {}
    for name, (typ, default) in schema.items():
        value = criteria.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            if default is None:
                raise InvalidCriteria(f"Please give the {name.replace('_', ' ')}.")
            value = default
        out[name] = _convert(name, typ, value)
    return dict(sorted(out.items()))


def _convert(name: str, typ: str, value):
    try:
        if typ == "text":
            return " ".join(str(value).split()).casefold()
        if typ == "date":
            return (value if isinstance(value, date) else date.fromisoformat(str(value).strip())).isoformat()
        return int(value)
    except (TypeError, ValueError):
        raise InvalidCriteria(f"The {name.replace('_', ' ')} {value!r} is not valid.") from None


def cache_key(kind: str, normalised: dict) -> str:
    canonical = json.dumps(normalised, sort_keys=True, separators=(",", ":"))
    return f"suppliers:offers:{kind}:{hashlib.sha256(canonical.encode()).hexdigest()[:32]}"
