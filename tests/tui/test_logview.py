"""`LogView`, the line-API view of the logs pane, in a bare app."""

from __future__ import annotations

from textual.app import App, ComposeResult

from smtui.tui.logview import LogView, widest


class ViewApp(App[None]):
    def compose(self) -> ComposeResult:
        yield LogView(1_000, id="view")


def shown(view: LogView) -> list[str]:
    rows = view.scrollable_content_region.height
    return [view.render_line(y).text.rstrip() for y in range(rows)]


async def test_the_newest_lines_kept_and_a_view_at_its_end_follows() -> None:
    app = ViewApp()
    async with app.run_test(size=(60, 12)) as pilot:
        view = app.query_one(LogView)
        for start in range(0, 3_000, 500):
            view.write_lines([f"line {i}" for i in range(start, start + 500)])
        await pilot.pause()
        assert view.line_count == 1_000 and view.lines[0] == "line 2000"
        assert shown(view)[-1] == "line 2999"


async def test_a_reader_scrolled_up_keeps_their_lines_while_old_ones_drop_off() -> None:
    app = ViewApp()
    async with app.run_test(size=(60, 12)) as pilot:
        view = app.query_one(LogView)
        view.write_lines([f"line {i}" for i in range(1_000)])
        await pilot.pause()
        view.scroll_to(y=500, animate=False, immediate=True)
        await pilot.pause()
        before = shown(view)
        assert before[0] == "line 500"
        view.write_lines([f"line {i}" for i in range(1_000, 1_200)])  # 200 drop off the top
        await pilot.pause()
        assert shown(view) == before


async def test_replace_tail_puts_late_lines_in_place_and_redraws_them() -> None:
    app = ViewApp()
    async with app.run_test(size=(60, 12)) as pilot:
        view = app.query_one(LogView)
        view.write_lines(["a", "b", "d"])
        await pilot.pause()
        assert shown(view)[:3] == ["a", "b", "d"]  # drawn, so cached
        view.replace_tail(2, ["c", "d", "e"])
        await pilot.pause()
        assert list(view.lines) == ["a", "b", "c", "d", "e"]
        assert shown(view)[:5] == ["a", "b", "c", "d", "e"]


def test_widest_counts_cells_and_tabs() -> None:
    assert widest([]) == 0
    assert widest(["abc", "a\tb"]) == 9
    assert widest(["abc", "日本語"]) == 6
