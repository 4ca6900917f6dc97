"""JSON from files a stranger may have written: bounded in size and nesting before parsing.

Python's json module recurses once per ``[`` or ``{``: 100,000 of them in a file raise
RecursionError (or worse, exhaust the C stack) instead of a refusal. Every document this
program reads from outside (envelopes and what they hold, FORM.json, history files a site
reads back) has a known, small depth, so a cheap scan that counts brackets outside strings
refuses anything deeper before ``json.loads`` sees it.
"""

import json
import re
from typing import Any

_STRINGS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')  # a JSON string, escapes included
_BRACKETS = re.compile(r"[\[\]{}]")


class JSONRefused(ValueError):
    """The document is over a bound or not JSON; ``str()`` says which, in English."""


def loads(data: bytes | str, *, max_bytes: int, max_depth: int, unique_keys: bool = True) -> Any:
    """Parse ``data`` after checking its size and nesting.

    Args:
        max_bytes: the largest document accepted (counted in UTF-8 bytes).
        max_depth: the deepest nesting of arrays and objects accepted (``{}`` is 1).
        unique_keys: refuse an object that names a key twice (two readers could disagree
            on which value counts).

    Raises:
        JSONRefused: too large, too deep, a repeated key, or not JSON (bad UTF-8 included).
    """
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else bytes(data)
    if len(raw) > max_bytes:
        raise JSONRefused(f"larger than {max_bytes} bytes")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise JSONRefused(f"not UTF-8: {exc}") from exc
    if depth(text) > max_depth:
        raise JSONRefused(f"nested deeper than {max_depth}")
    try:
        return json.loads(text, object_pairs_hook=_unique if unique_keys else None)
    except ValueError as exc:  # JSONDecodeError, and a repeated key
        raise JSONRefused(str(exc)) from exc


def depth(text: str) -> int:
    """The deepest nesting of ``[``/``{`` in ``text``, brackets inside strings not counted."""
    deepest = level = 0
    for bracket in _BRACKETS.findall(_STRINGS.sub("", text)):  # C-speed; few brackets remain
        if bracket in "[{":
            level += 1
            deepest = max(deepest, level)
        else:
            level -= 1
    return deepest


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        raise ValueError("a key is repeated")
    return out
