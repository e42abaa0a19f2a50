"""The submit form's advanced section: the request surface most jobs leave alone.

Retries, pending time, the warm pool, the VPC, KMS keys, network isolation, encryption
between hosts and TensorBoard, folded under one title so the form stays usable at 80×24.
It opens by itself when the config already sets any of them. Its fields are part of the
form's `Draft` (`AdvancedFields.values()`), checked with everything else on each keystroke.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Grid
from textual.widgets import Checkbox, Collapsible, Input, Label

from smtui.core.draft import Draft
from smtui.tui.fields import OrderedInput

TITLE = "Advanced: retries, keep-alive, VPC, KMS, isolation, TensorBoard"

_TEXTS = (
    ("retry_attempts", "Retry attempts", "submit-retry", "integer"),
    ("max_pending", "Max pending (s)", "submit-max-pending", "integer"),
    ("keep_alive", "Keep-alive (s)", "submit-keep-alive", "integer"),
    ("subnets", "Subnets", "submit-subnets", "text"),
    ("security_groups", "Security groups", "submit-security-groups", "text"),
    ("volume_kms_key", "Volume KMS key", "submit-volume-kms", "text"),
    ("output_kms_key", "Output KMS key", "submit-output-kms", "text"),
)
"""Draft field, label, widget id, input type."""
_FLAGS = (
    ("tensorboard", "TensorBoard", "submit-tensorboard", "output to S3"),
    ("network_isolation", "Network", "submit-isolation", "isolated"),
    ("inter_container_encryption", "Between hosts", "submit-encryption", "encrypted"),
)
"""Draft field, label, widget id, checkbox text."""


class AdvancedFields(Grid):
    """The advanced fields of a `Draft`, laid out as the form's other fields are."""

    def __init__(self, draft: Draft) -> None:
        super().__init__(id="submit-advanced-fields")
        self.draft = draft

    def compose(self) -> ComposeResult:
        for attr, label, widget_id, kind in _TEXTS:
            yield Label(label)
            yield OrderedInput(
                str(getattr(self.draft, attr)),
                id=widget_id,
                type="integer" if kind == "integer" else "text",
                placeholder="none",
            )
        for attr, label, widget_id, text in _FLAGS:
            yield Label(label)
            yield Checkbox(
                text, bool(getattr(self.draft, attr)), id=widget_id, classes="submit-flag"
            )

    def values(self) -> dict[str, str | bool]:
        """The fields as typed now, by `Draft` field."""
        out: dict[str, str | bool] = {}
        for attr, _, widget_id, _ in _TEXTS:
            out[attr] = self.query_one(f"#{widget_id}", Input).value
        for attr, _, widget_id, _ in _FLAGS:
            out[attr] = self.query_one(f"#{widget_id}", Checkbox).value
        return out


def advanced_section(draft: Draft) -> Collapsible:
    """The fields under their title: collapsed unless the draft already sets one."""
    return Collapsible(
        AdvancedFields(draft), title=TITLE, collapsed=not draft.advanced, id="submit-advanced"
    )
