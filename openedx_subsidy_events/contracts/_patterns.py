"""JSON Schema ``pattern`` expressions (ECMA-262) compiled with Python's :mod:`re`, keeping their ECMA meaning."""

from __future__ import annotations

import functools
import re

__all__ = ["compile_pattern"]

# ECMA-262's \s: its WhiteSpace and LineTerminator characters (Python's Unicode \s lacks U+FEFF,
# and its ASCII \s lacks the Unicode spaces).
_ECMA_SPACE = r"\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
_ECMA_OUTSIDE = {
    "$": r"\Z",
    ".": r"[^\n\r\u2028\u2029]",
    "\\s": f"[{_ECMA_SPACE}]",
    "\\S": f"[^{_ECMA_SPACE}]",
}
# Inside a class: \s by its members; characters Python may one day read as set operators, escaped.
_ECMA_INSIDE = {"\\s": _ECMA_SPACE, "[": r"\[", "&": r"\&", "~": r"\~", "|": r"\|"}


@functools.lru_cache(maxsize=256)
def compile_pattern(pattern: str) -> re.Pattern[str]:
    r"""A JSON Schema ``pattern`` (ECMA-262, unanchored) compiled with Python's :mod:`re`.

    Where the two disagree, the ECMA meaning is kept: ``$`` is the end of the input (Python's
    ``$`` also matches before a final newline, so ``^[a-z]+$`` would accept ``"abc\n"``); ``.``
    matches no line terminator (``\r``, U+2028 and U+2029 included); ``\d``, ``\w`` and ``\b``
    are ASCII (compiled with :data:`re.ASCII`); ``\s`` is ECMA's set of spaces; ``[]`` matches
    nothing and ``[^]`` any character. Inside a character class ``$`` and ``.`` are literal in
    both. :class:`re.error` if the pattern is not a regular expression, uses ``\S`` inside a
    class (which has no translation), or uses Python-only syntax that ECMA reads otherwise or rejects
    (``\A``, ``\Z``, ``\N{...}``, ``\U...``, ``\a``, ``(?P<name>)``, inline flags, comments, atomic
    groups, conditionals, possessive quantifiers, ``{,n}``).
    """
    parts: list[str] = []
    index, in_class = 0, False
    ranges_from = ranging = False  # in a class: the last atom may start a range; the next atom ends one
    while index < len(pattern):
        char = pattern[index]
        token = pattern[index : index + 2] if char == "\\" else char
        if in_class:
            if token == "\\S":
                raise re.error("\\S inside a character class is not supported", pattern, index)
            if token in _PYTHON_ESCAPES:
                raise re.error(f"{token!r} is Python's syntax, not JSON Schema's (ECMA-262)", pattern, index)
            if token == "-" and ranges_from and not pattern.startswith("]", index + 1):
                parts.append(token)  # the range operator
                ranges_from, ranging = False, True
            else:
                # A '-' that is a class member is escaped: Python warns of a future set difference at '--'.
                parts.append(r"\-" if token == "-" else _ECMA_INSIDE.get(token, token))
                ranges_from, ranging = not ranging, False
            in_class = token != "]"
        elif pattern.startswith("[]", index):
            token = "[]"
            parts.append("(?!)")  # ECMA: the empty class matches nothing
        elif pattern.startswith("[^]", index):
            token = "[^]"
            parts.append(r"[\s\S]")  # ECMA: its complement matches everything
        elif char == "[":
            token = "[^" if pattern.startswith("^", index + 1) else "["
            parts.append(token)
            in_class, ranges_from, ranging = True, False, False
        else:
            _refuse_python_only(pattern, index, token)
            parts.append(_ECMA_OUTSIDE.get(token, token))
        index += len(token)
    return re.compile("".join(parts), re.ASCII)


_PYTHON_ONLY = re.compile(
    r"""\\[AZ]                # Python's anchors (ECMA has none: \A is 'A', \Z is 'Z')
    | \(\?P                  # (?P<name>...) and (?P=name)
    | \(\?[aiLmsux-]+[:)]    # inline flags
    | \(\?\#                  # comments
    | \(\?>                  # atomic groups
    | \(\?\(                  # conditionals
    | \{,                     # {,n}: a quantifier in Python, literal text in ECMA
    """,
    re.VERBOSE,
)


# Escapes Python reads and ECMA-262 reads as the letter itself: anchors, named and long Unicode
# characters, the bell.
_PYTHON_ESCAPES = frozenset({"\\A", "\\Z", "\\N", "\\U", "\\a"})
_QUANTIFIER_END = re.compile(r"(?:[*+?]|\{\d+(?:,\d*)?\})\Z")


def _refuse_python_only(pattern: str, index: int, token: str) -> None:
    """``re.error`` for syntax Python reads one way and ECMA-262 another (or not at all)."""
    if token in _PYTHON_ESCAPES:
        raise re.error(f"{token!r} is Python's syntax, not JSON Schema's (ECMA-262)", pattern, index)
    if token.startswith("\\"):
        return
    if token == "+" and _ends_with_quantifier(pattern[:index]):
        raise re.error("a possessive quantifier is Python's syntax, not JSON Schema's (ECMA-262)", pattern, index)
    found = _PYTHON_ONLY.match(pattern, index)
    if found is not None:
        raise re.error(f"{found.group().strip()!r} is Python's syntax, not JSON Schema's (ECMA-262)", pattern, index)


def _ends_with_quantifier(text: str) -> bool:
    """Whether ``text`` ends with a quantifier (``*``, ``+``, ``?``, ``{n,m}``), not an escaped character."""
    found = _QUANTIFIER_END.search(text)
    if found is None:
        return False
    before = text[: found.start()]
    return (len(before) - len(before.rstrip("\\"))) % 2 == 0
