"""Spot regular expressions that can backtrack exponentially, to warn before a submit.

Metric regexes run on every log line, on SageMaker and in smtui. A quantified group whose
body can itself match the same text in more than one way (`(a+)+`, `(a|a)*`, `(.*)*`) makes a
backtracking engine try every split of a long line when the match fails: 2^n steps. smtui's
own tracker survives such a pattern (it runs under a time budget), but the pattern still
measures nothing, so the user is told at submit, when it is cheap to fix.

The check reads Python's own parse of the pattern, so it sees what the engine sees (the
parser factors `(a|a)` into `a(?:|)`, which is why an empty alternative counts as ambiguous).
It is a heuristic: it warns about the classic shapes and may miss exotic ones.
"""

from __future__ import annotations

import re
import re._parser as sre  # type: ignore[import-not-found]  # the engine's own parser
from collections.abc import Iterable
from typing import Any

_REPEATS = (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT)
_WIDE = 10
"""An inner repeat allowing more than this many rounds counts as unbounded."""


def metric_warnings(definitions: Iterable[tuple[str, str]], where: str) -> list[str]:
    """Warnings for (name, regex) metric definitions that can backtrack exponentially;
    `where` says where the definitions came from (a config file and line)."""
    warnings = []
    for name, regex in definitions:
        risk = nested_quantifier(regex)
        if risk:
            warnings.append(
                f"metric-definitions ({where}): metric '{name}' regex {regex!r} has {risk}; "
                "on a long line that does not match it can take seconds to minutes "
                "(smtui switches such a metric off; SageMaker may not)"
            )
    return warnings


def nested_quantifier(pattern: str) -> str | None:
    """A short description of the risky part of `pattern` (e.g. "(a+)+"), or None.

    A pattern that does not compile is not judged here (the config check reports it)."""
    try:
        parsed = sre.parse(pattern)
    except (re.error, RecursionError, OverflowError, ValueError):
        return None
    return _scan(list(parsed), inside_repeat=False)


def _scan(items: list[tuple[Any, Any]], inside_repeat: bool) -> str | None:
    for op, arg in items:
        if op in _REPEATS and op is not sre.POSSESSIVE_REPEAT:
            low, high, body = arg
            wide = high is sre.MAXREPEAT or high > _WIDE
            if inside_repeat and wide:
                return "a quantifier inside a quantified group, as in (a+)+ or (.*)*"
            found = _scan(list(body), inside_repeat or high is sre.MAXREPEAT or high > 1)
            if found:
                return found
        elif op is sre.BRANCH:
            alternatives = [list(alt) for alt in arg[1]]
            if inside_repeat and _overlap(alternatives):
                return "alternatives that match the same text inside a quantifier, as in (a|a)*"
            for alt in alternatives:
                if found := _scan(alt, inside_repeat):
                    return found
        elif op is sre.SUBPATTERN:
            if found := _scan(list(arg[-1]), inside_repeat):
                return found
        elif op in (sre.ASSERT, sre.ASSERT_NOT, sre.ATOMIC_GROUP):
            continue  # lookarounds and atomic groups do not backtrack into the outer repeat
    return None


def _overlap(alternatives: list[list[tuple[Any, Any]]]) -> bool:
    """Whether two alternatives can start the same way: an empty one, or the same literal."""
    firsts: set[int] = set()
    for alt in alternatives:
        if not alt:
            return True
        op, arg = alt[0]
        if op is sre.LITERAL:
            if arg in firsts:
                return True
            firsts.add(arg)
    return False
