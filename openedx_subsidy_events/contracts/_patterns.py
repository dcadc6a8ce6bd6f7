r"""JSON Schema ``pattern`` expressions (ECMA-262), keeping their ECMA meaning, matched in linear time.

A pattern is translated once into the syntax Python's :mod:`re` and RE2 share (with the ECMA
meaning of ``$``, ``.``, ``\s``, ``[]`` kept), then:

* matched with RE2 (:func:`pattern_matcher`), whose automaton takes time linear in the input
  whatever the pattern: a contract from another team cannot stall a producer's CI with a
  catastrophically backtracking pattern such as ``^(a+)+$``;
* compiled with :mod:`re` (:func:`compile_pattern`) for Hypothesis to generate matching strings.

What RE2 cannot match in linear time (lookarounds, backreferences) is refused when the contract is
loaded, as Python-only syntax is.
"""

from __future__ import annotations

import functools
import re
from typing import Any

import re2

__all__ = ["compile_pattern", "pattern_matcher"]

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
    """A JSON Schema ``pattern`` compiled with Python's :mod:`re` (see :func:`translate`), for generating strings."""
    return re.compile(translate(pattern), re.ASCII)


_RE2_OPTIONS = re2.Options()
_RE2_OPTIONS.log_errors = False  # RE2 would print its parse errors on stderr; ours are ContractErrors
_RE2_ESCAPES = re.compile(r"\\(\\|u([0-9A-Fa-f]{4})|Z)")


def _re2_syntax(translated: str) -> str:
    r"""The few spellings RE2 reads otherwise: ``\uXXXX`` is ``\x{XXXX}``, the end of input is ``\z``."""

    def spell(found: re.Match[str]) -> str:
        if found.group(1) == "\\":
            return found.group()
        if found.group(2) is not None:
            return "\\x{" + found.group(2) + "}"
        return "\\z"

    return _RE2_ESCAPES.sub(spell, translated)


@functools.lru_cache(maxsize=256)
def pattern_matcher(pattern: str) -> Any:
    """A JSON Schema ``pattern`` compiled with RE2: ``.search(text)`` in time linear in ``text``.

    :class:`re.error` for what :func:`translate` refuses, and for lookarounds and backreferences,
    which no linear-time engine can match.
    """
    translated = translate(pattern)
    try:
        return re2.compile(_re2_syntax(translated), _RE2_OPTIONS)
    except re2.error as error:
        detail = error.args[0].decode(errors="replace") if error.args and isinstance(error.args[0], bytes) else ""
        raise re.error(
            f"cannot be matched in linear time ({detail or error}): lookarounds and backreferences are not "
            "supported in contract patterns",
            pattern,
            0,
        ) from None


@functools.lru_cache(maxsize=256)
def translate(pattern: str) -> str:
    r"""A JSON Schema ``pattern`` (ECMA-262, unanchored) in the syntax Python's :mod:`re` reads, with ECMA's meaning.

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
            parts.append(r"[^\s\S]")  # ECMA: the empty class matches nothing
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
    translated = "".join(parts)
    re.compile(translated, re.ASCII)  # re.error for what is not a regular expression at all
    return translated


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
