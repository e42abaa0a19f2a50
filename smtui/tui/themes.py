"""Themes are data: YAML files shipped in `smtui/themes/` and dropped by users into
`~/.config/smtui/themes/`, turned into Textual `Theme`s; the chosen one is remembered.

A user's file with the name of a shipped theme replaces it. A broken file is skipped with a
warning naming the file and the key, never a crash.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from importlib import resources
from pathlib import Path

import yaml
from textual.theme import Theme

from smtui.services.settings import config_dir, load_settings, remember

DEFAULT_THEME = "smtui-dark"
_KEYS = {f.name for f in fields(Theme)}


@dataclass
class LoadedThemes:
    themes: dict[str, Theme] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def theme_from_file(path: Path) -> Theme:
    """One theme file; `ValueError` naming the file and key when it cannot be used."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ValueError(f"{path}: not readable as YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ValueError(f"{path}: a theme is a mapping with at least name and primary")
    for key in data:
        if key not in _KEYS:
            raise ValueError(f"{path}: unknown key '{key}'; known: {', '.join(sorted(_KEYS))}")
    for key in ("name", "primary"):
        if not isinstance(data.get(key), str):
            raise ValueError(f"{path}: '{key}' must be given as text")
    variables = data.get("variables", {})
    if not isinstance(variables, dict):
        raise ValueError(f"{path}: 'variables' must be a mapping of name to colour")
    data["variables"] = {str(k): str(v) for k, v in variables.items()}
    try:
        theme = Theme(**data)
        theme.to_color_system()  # parses every colour now, not when the theme is chosen
    except Exception as exc:  # Textual raises a few kinds for a bad colour
        raise ValueError(f"{path}: {exc}") from None
    return theme


def load_themes(user_folder: Path | None = None) -> LoadedThemes:
    """The shipped themes, then the user's (which may replace them by name)."""
    loaded = LoadedThemes()
    shipped = resources.files("smtui") / "themes"
    with resources.as_file(shipped) as folder:
        paths = sorted(folder.glob("*.yaml"))
        user = user_folder if user_folder is not None else config_dir() / "themes"
        if user.is_dir():
            paths += sorted([*user.glob("*.yaml"), *user.glob("*.yml")])
        for path in paths:
            try:
                theme = theme_from_file(path)
            except ValueError as exc:
                loaded.warnings.append(f"theme skipped: {exc}")
                continue
            loaded.themes[theme.name] = theme
    return loaded


def remembered_theme() -> str | None:
    """The theme chosen last time, if any."""
    value = load_settings().get("theme")
    return value if isinstance(value, str) else None


def remember_theme(name: str) -> None:
    """Keep `name` for the next start."""
    remember("theme", name)
