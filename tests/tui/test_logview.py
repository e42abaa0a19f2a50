"""`LogView`, the line-API view of the logs pane, in a bare app."""

from __future__ import annotations

from textual.app import App, ComposeResult

from smtui.tui.logview import LogView, widest
from tests.tui.conftest import painted, until


class ViewApp(App[None]):
    def compose(self) -> ComposeResult:
        yield LogView(1_000, id="view")


class RowsApp(App[None]):
    """A view of `max_lines` whose rows are numbers, drawn as `row N`; `drawn` records each
    row drawn, in order."""

    def __init__(self, max_lines: int) -> None:
        super().__init__()
        self.max_lines = max_lines
        self.drawn: list[int] = []

    def render_row(self, row: int) -> str:
        self.drawn.append(row)
        return f"row {row}"

    def compose(self) -> ComposeResult:
        yield LogView(self.max_lines, render_row=self.render_row, id="view")


def shown(view: LogView) -> list[str]:
    rows = view.scrollable_content_region.height
    return [view.render_line(y).text.rstrip() for y in range(rows)]


async def test_the_newest_lines_kept_and_a_view_at_its_end_follows() -> None:
    app = ViewApp()
    async with app.run_test(size=(60, 12)) as pilot:
        view = app.query_one(LogView)
        for start in range(0, 3_000, 500):
            view.write_lines([f"line {i}" for i in range(start, start + 500)])
        await painted(pilot, view)
        assert view.line_count == 1_000 and view.lines[0] == "line 2000"
        assert shown(view)[-1] == "line 2999"


async def test_a_reader_scrolled_up_keeps_their_lines_while_old_ones_drop_off() -> None:
    app = ViewApp()
    async with app.run_test(size=(60, 12)) as pilot:
        view = app.query_one(LogView)
        view.write_lines([f"line {i}" for i in range(1_000)])
        await painted(pilot, view)
        view.scroll_to(y=500, animate=False, immediate=True)
        await painted(pilot, view)
        before = shown(view)
        assert before[0] == "line 500"
        view.write_lines([f"line {i}" for i in range(1_000, 1_200)])  # 200 drop off the top
        await painted(pilot, view)
        assert shown(view) == before


async def test_replace_tail_puts_late_lines_in_place_and_redraws_them() -> None:
    app = ViewApp()
    async with app.run_test(size=(60, 12)) as pilot:
        view = app.query_one(LogView)
        view.write_lines(["a", "b", "d"])
        await painted(pilot, view)
        assert shown(view)[:3] == ["a", "b", "d"]  # drawn, so cached
        view.replace_tail(2, ["c", "d", "e"])
        await painted(pilot, view)
        assert list(view.lines) == ["a", "b", "c", "d", "e"]
        assert shown(view)[:5] == ["a", "b", "c", "d", "e"]


async def test_rows_are_drawn_only_when_shown_or_read() -> None:
    """In a flood the rows that scroll past between frames, or drop off the top unread,
    are never drawn as text."""
    app = RowsApp(1_000)
    drawn = app.drawn
    async with app.run_test(size=(60, 12)) as pilot:
        view = app.query_one(LogView)
        for start in range(0, 5_000, 500):
            view.write_rows(list(range(start, start + 500)), width=len("row 4999"))
        await painted(pilot, view)
        rows = view.scrollable_content_region.height
        assert shown(view)[-1] == "row 4999"
        assert len(drawn) <= 3 * rows  # a frame or two of 5,000 rows, each drawn once
        assert min(drawn) >= 4_000  # none of those that dropped off the top
        assert view.virtual_size.width == len("row 4999")
        assert view.lines[0] == "row 4000" and view.line_count == 1_000  # drawn when read
        assert view.lines[-1] == "row 4999" and list(view.lines[1:3]) == ["row 4001", "row 4002"]
        view.write_lines(["a line"])  # lines and rows mix
        await painted(pilot, view)
        assert shown(view)[-2:] == ["row 4999", "a line"]


async def test_a_full_view_at_its_end_draws_each_new_line() -> None:
    """Once the view holds `max_lines`, following does not scroll it (its lines move up
    under it): the paint must redraw it all the same, or the screen stops at that line."""
    app = RowsApp(100)
    drawn = app.drawn
    async with app.run_test(size=(40, 8)) as pilot:
        view = app.query_one(LogView)
        view.write_rows(list(range(100)), width=7)
        await until(pilot, lambda: 99 in drawn, "the first screen")
        for row in range(100, 103):
            view.write_rows([row], width=7)
            await until(pilot, lambda: row in drawn, f"row {row} on screen")  # noqa: B023


async def test_the_view_holds_exactly_the_newest_lines_through_drops_and_late_lines() -> None:
    """Rows dropped off the top are cut from the list in batches; what the view holds and
    draws is the newest `max_lines` all the same, late lines put in place included."""
    app = ViewApp()
    async with app.run_test(size=(60, 12)) as pilot:
        view = app.query_one(LogView)
        model: list[str] = []
        for start in range(0, 2_700, 90):
            lines = [f"line {i}" for i in range(start, start + 90)]
            view.write_lines(lines)
            model = (model + lines)[-1_000:]
            if start % 900 == 0:
                view.replace_tail(view.line_count - 3, ["late", *model[-3:]])
                model = (model[:-3] + ["late", *model[-3:]])[-1_000:]
            assert view.line_count == len(model) and view.lines[0] == model[0]
        await painted(pilot, view)
        assert list(view.lines) == model
        assert shown(view)[-3:] == model[-3:]


async def test_on_paint_is_called_as_each_paint_starts_and_on_clear() -> None:
    """The logs pane sets its header's line count there, so both change in one frame; a
    clear stops a paint that was owed, so it counts as one."""
    calls: list[int] = []

    class CountApp(App[None]):
        def compose(self) -> ComposeResult:
            yield LogView(100, on_paint=lambda: calls.append(view.line_count), id="view")

    app = CountApp()
    async with app.run_test(size=(40, 8)) as pilot:
        view = app.query_one(LogView)
        view.write_lines(["a", "b"])  # the first paint is at once
        assert calls == [2]
        view.write_lines(["c"])  # within a frame of it: owed, on a timer
        assert view.paint_pending and calls == [2]
        await painted(pilot, view)
        assert calls == [2, 3]
        view.write_lines(["d"])
        view.write_lines(["e"])  # owed, whether "d" was painted at once or not
        assert view.paint_pending
        view.clear()  # stops the paint owed, and is a paint itself
        assert not view.paint_pending and calls[-1] == 0


def test_the_host_prefix_is_coloured_after_the_time_too() -> None:
    from rich.style import Style

    from smtui.tui.logs import HostColours

    colours = HostColours(["red", "green"])
    assert colours("[algo-2] step 1") == [(0, 8, Style.parse("bold green"))]
    timed = "2026-11-24T09:00:00.000+00:00 [algo-3] step 1"
    assert colours(timed) == [(30, 38, Style.parse("bold red"))]
    assert colours("step 1 [algo-2]") == []  # only a prefix: a message may say anything


def test_widest_counts_cells_and_tabs() -> None:
    assert widest([]) == 0
    assert widest(["abc", "a\tb"]) == 9
    assert widest(["abc", "日本語"]) == 6


async def test_a_flood_of_writes_is_painted_a_few_times_not_once_a_write() -> None:
    app = ViewApp()
    async with app.run_test(size=(60, 12)) as pilot:
        view = app.query_one(LogView)
        sizes: list[int] = []
        view.watch(view, "virtual_size", lambda size: sizes.append(size.height), init=False)
        for start in range(0, 1_000, 10):  # 100 writes within one frame
            view.write_lines([f"line {i}" for i in range(start, start + 10)])
        assert view.paint_pending
        await painted(pilot, view)
        assert sizes == [10, 1_000]  # the first write at once, the other 99 in one paint
        assert shown(view)[-1] == "line 999"


async def test_cleared_the_next_write_paints_at_once() -> None:
    app = ViewApp()
    async with app.run_test(size=(60, 12)) as pilot:
        view = app.query_one(LogView)
        view.write_lines(["a"])
        view.write_lines(["b"])
        assert view.paint_pending
        view.clear()
        view.write_lines(["c"])
        assert not view.paint_pending and view.virtual_size.height == 1
        await pilot.pause()
        assert shown(view)[0] == "c"


class ShrinkApp(App[None]):
    """A view under a bar that comes and goes, as the host lines do over the logs."""

    def compose(self) -> ComposeResult:
        from textual.widgets import Static

        yield Static("host lines\n" * 3, id="bar")
        yield LogView(1_000, id="view")

    def on_mount(self) -> None:
        self.query_one("#bar").display = False


async def test_a_following_view_stays_at_its_end_when_it_shrinks_and_a_reader_stays_put() -> None:
    app = ShrinkApp()
    async with app.run_test(size=(60, 12)) as pilot:
        view, bar = app.query_one(LogView), app.query_one("#bar")
        view.write_lines([f"line {i}" for i in range(100)])
        await painted(pilot, view)
        assert shown(view)[-1] == "line 99"
        bar.display = True  # three rows fewer for the view
        await pilot.pause()
        await pilot.pause()
        assert shown(view)[-1] == "line 99"
        bar.display = False
        view.scroll_to(y=10, animate=False, immediate=True)
        await pilot.pause()
        bar.display = True
        await pilot.pause()
        assert shown(view)[0] == "line 10"  # scrolled up: the lines read stay
