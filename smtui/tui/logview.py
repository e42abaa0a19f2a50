"""`LogView`: the lines of a log, drawn through Textual's line API.

The view keeps a list of one-line rows (the newest `max_lines`) and renders only the
rows on screen, each once. A row is a string, or anything its owner's `render_row` makes
one of when the row is first shown (`write_rows`): in a flood, the lines that scroll past
between two frames, or drop off the top before anyone scrolls to them, are never drawn as
text at all. A row's strip is cached under its number since the view opened, so
dropping old rows off the top costs nothing, and putting late lines in their place
(`replace_tail`) forgets only the strips of the rows it replaced. No private part of
Textual is touched.

Lines written land in the list at once; the view is painted at most `PAINT_RATE` times a
second, and `FLOOD_RATE` times while more than `FLOOD_LINES` arrive between two paints. In
a flood every frame scrolls the whole screen, so each repaint draws every row afresh: at
Textual's 60 frames a second that was a third of the time a million lines took, and a
reader gains nothing from a blur redrawn more often.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any, overload

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.reactive import var
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.timer import Timer

from smtui.tui.fields import KeysInOrder

Spans = Callable[[str], Sequence[tuple[int, int, Style]]]
"""What to colour in a line: (start, end, style), in order and not overlapping."""
PAINT_RATE = 30
"""Repaints a second, at most, while lines come in."""
FLOOD_RATE = 10
"""Repaints a second, at most, while they flood in (`FLOOD_LINES` or more a paint)."""
FLOOD_LINES = 1_000
"""Lines written between two paints that make a flood: dozens of screens a frame read as a
blur at any rate, and each paint draws every row afresh, so fewer leave the CPU to the
lines."""


def widest(lines: Sequence[str]) -> int:
    """The most terminal cells any of `lines` takes (tabs are drawn 8 wide)."""
    if not lines:
        return 0
    joined = "".join(lines)
    if "\t" in joined:
        lines = [line.expandtabs() for line in lines]
    if joined.isascii():  # the common case: a cell a character
        return max(map(len, lines))
    return max(map(cell_len, lines))


class LogView(KeysInOrder, ScrollView, can_focus=True):
    """Lines written at the end (`write_lines`), the oldest dropped past `max_lines`.

    Lines must be single lines with their control characters already made visible (the
    logs pane renders them so), and so must what `render_row` makes of a row; a
    `spans` function says what to colour in each row on screen."""

    DEFAULT_CSS = """
    LogView {
        background: $surface;
        color: $text;
        overflow: scroll;
        &:focus { background-tint: $foreground 5%; }
    }
    """

    auto_scroll: var[bool] = var(True)
    """Whether written lines scroll a view that is at its end along with them."""

    def __init__(
        self,
        max_lines: int,
        spans: Spans | None = None,
        *,
        render_row: Callable[[Any], str] = str,
        on_paint: Callable[[], object] | None = None,
        id: str | None = None,  # noqa: A002 (Textual's name)
    ) -> None:
        super().__init__(id=id)
        self.max_lines = max_lines
        self.spans = spans
        self.render_row = render_row
        """A row written by `write_rows` as its line, when the line is first wanted."""
        self.on_paint = on_paint
        """Called as each paint starts, so what the owner draws beside the view (a count
        of lines) changes in the same frame, not in one of its own."""
        self._lines: list[Any] = []
        """The rows held, oldest first, from `_head` on: strings, and rows not drawn yet."""
        self._head = 0
        """Rows dropped off the top still at the list's front: they go in one cut once there
        are `max_lines` of them, not a cut a write (each shifted every row kept)."""
        self._dropped = 0
        """Lines dropped off the top since the view was last cleared: a line's number since
        then (the cache's key) is its index plus this."""
        self._widest = 0
        self._strips: LRUCache[int, Strip] = LRUCache(1024)
        self._painted_at = 0.0
        self._paint_timer: Timer | None = None
        self._unpainted = 0
        """Lines written since the last paint."""
        self._flooding = False
        """Whether the last paint showed a flood's worth of lines."""
        self._follow = True
        """Whether the lines written since the last paint scroll a view at its end."""
        self._unpainted_drop = 0
        """Lines dropped off the top since the last paint (a reader scrolled up is moved
        back by as many, so the lines they read stay in place)."""
        self._height = 0
        """The height at the last resize: whether the view was at its end before one."""
        self._paint_style: tuple[Style, int] | None = None
        """The base style and the width, while a paint draws the rows."""

    @property
    def paint_pending(self) -> bool:
        """Whether lines were written that are not painted yet (tests wait on it)."""
        return self._paint_timer is not None

    @property
    def lines(self) -> Sequence[str]:
        """The lines held, oldest first (read-only; a row not drawn yet is drawn when read)."""
        return _Lines(self)

    @property
    def line_count(self) -> int:
        return len(self._lines) - self._head

    def last_line_shown(self) -> str | None:
        """The lowest line on screen (the newest while following), as shown."""
        rows = self.scrollable_content_region.height
        index = min(int(self.scroll_y) + rows, self.line_count) - 1
        return self.line(index) if index >= 0 else None

    def line(self, index: int) -> str:
        """The line of row `index`, drawn now if it was not yet."""
        at = self._head + index
        row = self._lines[at]
        if row.__class__ is not str:
            row = self._lines[at] = self.render_row(row)
        return row

    def clear(self) -> None:
        self._lines.clear()
        self._head = 0
        self._dropped = 0
        self._widest = 0
        self._unpainted_drop = 0
        if self._paint_timer is not None:
            self._paint_timer.stop()
            self._paint_timer = None
        self._painted_at = 0.0  # the lines written next are painted at once
        self._unpainted = 0
        self._flooding = False
        self._strips.clear()
        self.virtual_size = Size(0, 0)
        self.refresh()
        if self.on_paint is not None:  # a repaint too (and a paint it stopped was owed this)
            self.on_paint()

    def on_resize(self, event: events.Resize) -> None:
        """Shorter or taller (host lines came or went above it): a view at its end, when
        following, stays at its end; a reader scrolled up stays on their lines."""
        end_before = max(self.virtual_size.height - self._height, 0)
        self._height = event.size.height
        if self.auto_scroll and self.scroll_y >= end_before:
            self.scroll_end(animate=False, immediate=True, x_axis=False)

    def write_lines(self, lines: list[str], scroll_end: bool | None = None) -> None:
        """Add `lines` at the end. A view at its end scrolls with them when `scroll_end`
        (or, when None, `auto_scroll`) is on; a reader scrolled up keeps the lines they
        are reading in place while old ones drop off the top."""
        if lines:
            self._add(lines, widest(lines), scroll_end)

    def write_rows(self, rows: list[Any], width: int, scroll_end: bool | None = None) -> None:
        """Add `rows`, each drawn as one line (by `render_row`) only when first shown or
        read; `width` is the most cells any of those lines takes. As `write_lines`."""
        if rows:
            self._add(rows, width, scroll_end)

    def _add(self, rows: list[Any], width: int, scroll_end: bool | None) -> None:
        kept = self._lines
        kept.extend(rows)
        self._unpainted += len(rows)
        excess = len(kept) - self._head - self.max_lines
        if excess > 0:
            self._head += excess
            if self._head >= self.max_lines:
                del kept[: self._head]
                self._head = 0
            self._dropped += excess
            self._unpainted_drop += excess
        self._widest = max(self._widest, width)
        self._follow = self.auto_scroll if scroll_end is None else scroll_end
        if self._paint_timer is None:
            rate = FLOOD_RATE if self._flooding else PAINT_RATE
            wait = self._painted_at + 1 / rate - time.monotonic()
            if wait > 0:
                self._paint_timer = self.set_timer(wait, self._paint)
            else:
                self._paint()

    def _paint(self) -> None:
        """Show what was written since the last paint."""
        self._paint_timer = None
        if self.on_paint is not None:
            self.on_paint()
        self._painted_at = time.monotonic()
        self._flooding, self._unpainted = self._unpainted >= FLOOD_LINES, 0
        at_end = self.is_vertical_scroll_end  # of the lines painted before
        excess, self._unpainted_drop = self._unpainted_drop, 0
        self.virtual_size = Size(self._widest, self.line_count)
        if self._follow and at_end and not self.is_vertical_scrollbar_grabbed:
            self.scroll_end(animate=False, immediate=True, x_axis=False)
        elif excess > 0 and self.scroll_y > 0:
            self.scroll_to(y=max(self.scroll_y - excess, 0), animate=False, immediate=True)
        # Always: a full view at its end does not scroll (its lines move up under it).
        self.refresh()

    def replace_tail(self, keep: int, lines: list[str], scroll_end: bool | None = None) -> None:
        """Keep the first `keep` lines and write `lines` after them (late lines put in
        their place at the cost of the lines they displace, not of the whole view)."""
        keep = max(0, min(keep, self.line_count))
        for number in range(self._dropped + keep, self._dropped + self.line_count):
            self._strips.discard(number)
        del self._lines[self._head + keep :]
        self.write_lines(lines, scroll_end)
        self.refresh()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips.clear()

    def render_lines(self, crop: Region) -> list[Strip]:
        # The style and the width looked up once for all the rows of a paint: reading
        # `rich_style` walks the widget's ancestors, and a paint in a flood draws every row.
        self._paint_style = self.rich_style, self.size.width
        try:
            return super().render_lines(crop)
        finally:
            self._paint_style = None

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        style, width = self._paint_style or (self.rich_style, self.size.width)
        if index >= self.line_count:
            return Strip.blank(width, style)
        strip = self._strip(index, style)
        return strip.crop_extend(scroll_x, scroll_x + width, style)

    def _strip(self, index: int, style: Style) -> Strip:
        number = self._dropped + index
        strip = self._strips.get(number)
        if strip is None:
            line = self.line(index).expandtabs()
            segments, at = [], 0  # built here: a Rich Text rendered was most of a paint
            for start, end, extra in self.spans(line) if self.spans is not None else ():
                if start > at:
                    segments.append(Segment(line[at:start], style))
                segments.append(Segment(line[start:end], style + extra))
                at = end
            if at < len(line) or not segments:
                segments.append(Segment(line[at:], style))
            strip = Strip(segments, cell_len(line))
            self._strips[number] = strip
        return strip


class _Lines(Sequence[str]):
    """A view's rows as lines, each drawn as it is read."""

    def __init__(self, view: LogView) -> None:
        self._view = view

    def __len__(self) -> int:
        return self._view.line_count

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> list[str]: ...
    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            return [self._view.line(i) for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        return self._view.line(index)
