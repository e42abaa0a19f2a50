"""Text fields that apply keys in the order they were typed.

Over SSH several keys arrive in one read: `Home X`, or `Down End Enter x = 1`. Textual
inserts a printable key in the focused field at once, but runs a key's binding (Home, End,
Down, Tab) only after the key event has bubbled from the field up to the App, one message
queue per level. The next key's character is already in the field by then, so `Home X` in a
field whose text is selected gives `X`, and the resubmit dialog's `Down End Enter x=1`
gives `x=1batch_size=64`, which then passes validation and gets submitted.

Worse, the App hands every key of the read to the field focused when it reads them, so
after `Tab` the next characters still go to the field the user just left.

These fields run a key's binding when the key reaches them, before the next key is read,
and pass on a key that reaches them after the focus has moved (to the widget that has it
now), so what lands in each field is what the user typed there, in the order they typed it.
`OrderedTextArea`, the same for a `TextArea`, is in `textarea.py`.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual import events
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Input


def pass_on(widget: Widget, event: events.Key) -> bool:
    """Send a key that reached `widget` after the focus left it to the widget focused now
    (or, when a dialog has opened over `widget`'s screen, to the dialog), behind the keys
    already passed on (they go the same way, in order)."""
    app = widget.app
    target: Widget | None
    if widget.screen is not app.screen:
        target = app.screen.focused or app.screen  # its focus may not be set yet
    else:
        target = app.focused
        if target is None or target is widget:
            return False
    event.stop()
    event.prevent_default()
    target.post_message(events.Key(event.key, event.character))
    return True


async def run_binding_now(widget: Widget, event: events.Key) -> bool:
    """Run the binding `event` would reach by bubbling (the focused widget's, its
    ancestors', the screen's, the App's), here and now. False when no binding takes it."""
    active = widget.screen.active_bindings.get(event.key)
    if active is None or not active.enabled or active.binding.priority:
        return False  # priority bindings ran before the key reached the widget
    if not await widget.app.run_action(active.binding.action, active.node):
        return False
    event.stop()
    event.prevent_default()
    return True


class OrderedInput(Input):
    """An `Input` whose bindings (Home, End, arrows, Enter, Tab…) act in typing order.

    A line that closes on Enter or Esc (a filter, a search, the command line) gives
    `done`: it runs as the key arrives, so the keys typed after it (`/run-1⏎x`) reach the
    widget the focus goes back to, not this one. Input's own Enter posts a message, read
    only after them."""

    def __init__(self, *args: Any, done: Callable[[str], object] | None = None,
                 **kwargs: Any) -> None:  # fmt: skip
        super().__init__(*args, **kwargs)
        self.done = done
        """Called with `enter` or `escape` (awaited when it returns an awaitable)."""

    async def _on_key(self, event: events.Key) -> None:
        if pass_on(self, event):
            return
        if event.key == "escape" and self.done is not None:
            event.stop()
            event.prevent_default()
            await self._done("escape")
            return
        if not event.is_printable and await run_binding_now(self, event):
            return
        await super()._on_key(event)

    async def action_submit(self) -> None:
        if self.done is None:
            await super().action_submit()
        else:
            await self._done("enter")

    async def _done(self, key: str) -> None:
        assert self.done is not None
        outcome = self.done(key)
        if inspect.isawaitable(outcome):
            await outcome


if TYPE_CHECKING:
    _Mixin = Widget
else:
    _Mixin = object  # not a DOMNode: Textual follows a class's first DOMNode base for its
    # CSS and component classes, which must stay the widget's (DataTable, Tree)


class KeysInOrder(_Mixin):
    """Mixed in first, for a widget that holds the focus on a view (the job table, the log
    view, the S3 tree, the config list): a key's binding runs when the key reaches it, and
    a key that reaches it after the focus has moved goes on to the widget that has it now.

    So `:region eu-west-1` or `/run-1` typed in one read open the line or the filter and
    type into it, where otherwise the keys after `:` (read while the table had the focus)
    would run the table's bindings: `r` resubmits."""

    async def _on_key(self, event: events.Key) -> None:
        if pass_on(self, event):
            return
        if await run_binding_now(self, event):
            return
        await super()._on_key(event)


def focus_now(widget: Widget) -> None:
    """Give `widget` the focus before the next key is handled: `Widget.focus` waits for
    the app's next turn, by when the keys read with this one went to the widget before."""
    widget.screen.set_focus(widget)


def after_typed(screen: Screen[Any], act: Callable[[], object]) -> None:
    """Run `act` once the keys read before the one that asked for it are in their fields.

    A priority binding (the forms' ctrl+s) runs as the App reads its key, while the keys
    read with it still wait in the focused field's queue: `2` then ctrl+s in one read
    would submit the count from before the `2`. So `act` waits behind them in that queue,
    and again behind any the field passed on to the widget focused since. If those keys
    closed the screen (esc), or opened another over it, `act` is dropped, as the key
    would have been."""
    target: Widget = screen.focused or screen

    def then() -> None:
        if not screen.is_attached or screen.app.screen is not screen:
            return
        now = screen.focused or screen
        if now is not target:
            after_typed(screen, act)  # keys went on with the focus: wait behind them there
        else:
            act()

    target.call_later(then)
