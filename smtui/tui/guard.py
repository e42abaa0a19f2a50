"""Read-only mode in the TUI: the keys that would change the account, greyed out.

A screen's or pane's `check_action` asks `allowed`: in read-only mode these actions show
dimmed in the footer and do nothing; the help and the palette say so. The backend refuses
the calls beneath them too (`services/readonly.py`), so a path that forgets to ask sends
nothing either.
"""

from __future__ import annotations

from textual.dom import DOMNode

MUTATING = frozenset({"submit", "stop_job", "resubmit", "sync", "toggle_watch", "warm_pool"})
"""The actions that change the account: stop, submit, resubmit, a warm pool's keep-alive,
and the data sync (watch mode syncs on every change)."""


def readonly(node: DOMNode) -> bool:
    """Whether the app `node` is in runs read-only."""
    backend = getattr(node.app, "backend", None)
    return bool(getattr(backend, "readonly", False))


def allowed(node: DOMNode, action: str) -> bool | None:
    """`check_action`'s answer for `action`: True, or None (shown dimmed, does nothing)
    for a mutating action in read-only mode."""
    if action in MUTATING and readonly(node):
        return None
    return True
