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

from textual import events
from textual.widget import Widget
from textual.widgets import Input


def pass_on(widget: Widget, event: events.Key) -> bool:
    """Send a key that reached `widget` after the focus left it to the widget focused now,
    behind the keys already passed on (they go the same way, in order)."""
    focused = widget.app.focused
    if focused is None or focused is widget:
        return False
    event.stop()
    event.prevent_default()
    focused.post_message(events.Key(event.key, event.character))
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
    """An `Input` whose bindings (Home, End, arrows, Enter, Tab…) act in typing order."""

    async def _on_key(self, event: events.Key) -> None:
        if pass_on(self, event):
            return
        if not event.is_printable and await run_binding_now(self, event):
            return
        await super()._on_key(event)
