"""Themes: shipped files, user files, broken files named, the choice remembered."""

from __future__ import annotations

from pathlib import Path

import pytest

from smtui.services.local import local_backend
from smtui.services.settings import config_dir
from smtui.tui.app import SmtuiApp
from smtui.tui.colours import status_colour
from smtui.tui.themes import load_themes, remembered_theme
from tests.tui.conftest import matches, until


def test_the_shipped_themes_load() -> None:
    loaded = load_themes()
    assert {"smtui-dark", "smtui-light", "smtui-high-contrast"} <= set(loaded.themes)
    assert loaded.warnings == []
    assert loaded.themes["smtui-light"].dark is False


def test_user_themes_load_and_broken_ones_are_named(tmp_path: Path) -> None:
    folder = tmp_path / "themes"
    folder.mkdir()
    (folder / "mine.yaml").write_text("name: mine\nprimary: '#ff00ff'\ndark: true\n")
    (folder / "typo.yaml").write_text("name: typo\nprimary: '#ff00ff'\nbackgrund: '#000'\n")
    (folder / "colour.yaml").write_text("name: colour\nprimary: not-a-colour\n")
    (folder / "syntax.yaml").write_text("name: [unclosed\n")
    loaded = load_themes(folder)
    assert "mine" in loaded.themes and "typo" not in loaded.themes
    text = "\n".join(loaded.warnings)
    assert "typo.yaml: unknown key 'backgrund'" in text
    assert "colour.yaml" in text and "syntax.yaml: not readable as YAML" in text


async def test_switching_themes_recolours_and_is_remembered(tmp_path: Path) -> None:
    app = SmtuiApp(local_backend(tmp_path / "home"))
    async with app.run_test(size=(100, 30)) as pilot:
        assert app.theme == "smtui-dark"
        dark = status_colour(app, "Failed")
        app.theme = "smtui-light"  # what the palette's theme picker does
        await pilot.pause()
        assert status_colour(app, "Failed") != dark
    assert remembered_theme() == "smtui-light"
    again = SmtuiApp(local_backend(tmp_path / "home"))
    assert again.theme == "smtui-light"
    chosen = SmtuiApp(local_backend(tmp_path / "home"), theme="smtui-high-contrast")
    assert chosen.theme == "smtui-high-contrast"


async def test_the_palette_offers_the_shipped_themes(tmp_path: Path) -> None:
    app = SmtuiApp(local_backend(tmp_path / "home"))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+p", *"theme")
        await until(pilot, lambda: any("theme" in m.lower() for m in matches(app)), "the command")
        await pilot.press("enter")
        await until(pilot, lambda: "smtui-high-contrast" in matches(app), "the theme picker")
        assert {"smtui-dark", "smtui-light"} <= set(matches(app))


async def test_a_broken_user_theme_is_shown_not_fatal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    themes = config_dir() / "themes"
    themes.mkdir(parents=True)
    (themes / "bad.yaml").write_text("name: bad\n")
    app = SmtuiApp(local_backend(tmp_path / "home"))
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: len(app._notifications) > 0, "the warning")
        assert "bad.yaml: 'primary' must be given as text" in list(app._notifications)[0].message
