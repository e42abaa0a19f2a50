"""The instance picker: the catalogue as a table, filtered as you type, GPU-only on a key."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Checkbox, DataTable, Input

from smtui.core.formats import money
from smtui.core.instances import InstanceType, load_catalogue
from smtui.core.prices import PriceBook, shipped_book
from smtui.tui.fields import OrderedInput

COLUMNS = ("type", "accelerator", "count", "acc. memory", "$/h", "$/h × N", "vCPU", "RAM")
"""Prices before vCPU and RAM: at 80 columns what a GPU user picks by is all in view."""


def matches(instance: InstanceType, text: str, gpu_only: bool) -> bool:
    """Whether the row stays under the filter: every word in the name or accelerator."""
    if gpu_only and not instance.has_gpu:
        return False
    haystack = f"{instance.name} {instance.family} {instance.accelerator or ''}".lower()
    return all(word in haystack for word in text.lower().split())


class InstancePicker(Vertical):
    """Posts `InstancePicker.Picked` when a row is chosen with enter."""

    BINDINGS = [Binding("ctrl+g", "toggle_gpu", "GPU only")]

    class Picked(Message):
        def __init__(self, name: str) -> None:
            super().__init__()
            self.name = name

    count: reactive[int] = reactive(1)
    """Instances the job will run on: the last column prices them together."""

    def __init__(self, chosen: str, prices: PriceBook | None = None) -> None:
        super().__init__(id="picker")
        self.chosen = chosen
        self.prices = prices or shipped_book()
        """The prices shown: the region's when read (`reprice`), else the shipped table."""

    def reprice(self, prices: PriceBook) -> None:
        """Show `prices` (the region's, once read)."""
        self.prices = prices
        if self.is_mounted:
            self._fill()

    def compose(self) -> ComposeResult:
        with Horizontal(classes="picker-filters"):
            yield OrderedInput(placeholder="filter: g5, a100, h100, trn…", id="picker-filter")
            yield Checkbox("GPU only (ctrl+g)", id="picker-gpu")
        table: DataTable[str | Text] = DataTable(id="picker-table", cursor_type="row")
        for column in COLUMNS:
            table.add_column(column, key=column)
        yield table

    def on_mount(self) -> None:
        self._fill()

    @property
    def table(self) -> DataTable[str | Text]:
        return self.query_one("#picker-table", DataTable)

    def _fill(self) -> None:
        text = self.query_one("#picker-filter", Input).value
        gpu_only = self.query_one("#picker-gpu", Checkbox).value
        table = self.table
        table.clear()
        for instance in load_catalogue().instances:
            if not matches(instance, text, gpu_only):
                continue
            accelerator = instance.accelerator or "-"
            memory = f"{instance.accelerator_memory_gib} GiB" if instance.accelerator_count else "-"
            name = Text(instance.name, style="bold" if instance.name == self.chosen else "")
            table.add_row(
                name,
                accelerator,
                str(instance.accelerator_count or "-"),
                memory,
                money(self.prices.price(instance.name)),
                money(self.prices.rate([(instance.name, self.count)])),
                str(instance.vcpu),
                f"{instance.memory_gib} GiB",
                key=instance.name,
            )
        if self.chosen in table.rows:
            table.move_cursor(row=table.get_row_index(self.chosen), scroll=True)

    def watch_count(self) -> None:
        if self.is_mounted:
            self._fill()

    @on(Input.Changed, "#picker-filter")
    @on(Checkbox.Changed, "#picker-gpu")
    def _filter_changed(self) -> None:
        self._fill()

    @on(Input.Submitted, "#picker-filter")
    def _to_table(self) -> None:
        self.table.focus()

    def action_toggle_gpu(self) -> None:
        box = self.query_one("#picker-gpu", Checkbox)
        box.value = not box.value

    @on(DataTable.RowSelected, "#picker-table")
    def _picked(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value is not None:
            self.chosen = event.row_key.value
            self._fill()
            self.post_message(self.Picked(self.chosen))
