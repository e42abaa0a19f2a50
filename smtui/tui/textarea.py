"""`OrderedTextArea`: a `TextArea` that applies keys in the order they were typed
(`fields.py` says why). In a module of its own so that the first frame, whose fields are
all `Input`s, does not import Textual's `TextArea` (15 ms)."""

from __future__ import annotations

from textual import events
from textual.binding import Binding
from textual.widgets import TextArea

from smtui.tui.fields import pass_on, run_binding_now


class OrderedTextArea(TextArea):
    """A `TextArea` whose bindings (arrows, Home, End, ctrl+end…) act in typing order;
    ctrl+home and ctrl+end go to the start and the end of the text, as in an editor."""

    BINDINGS = [
        Binding("ctrl+home", "document_start", "Start", show=False),
        Binding("ctrl+end", "document_end", "End", show=False),
    ]

    def action_document_start(self) -> None:
        self.move_cursor((0, 0))

    def action_document_end(self) -> None:
        self.move_cursor(self.document.end)

    async def _on_key(self, event: events.Key) -> None:
        if pass_on(self, event):
            return
        if not self._inserts(event) and await run_binding_now(self, event):
            return
        await super()._on_key(event)

    def _inserts(self, event: events.Key) -> bool:
        """Whether the text area itself takes the key (a character, Enter, Tab to indent)."""
        if event.is_printable or event.key == "enter":
            return True
        return self.tab_behavior == "indent" and event.key in ("tab", "escape")
