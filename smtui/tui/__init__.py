"""The terminal UI. Imported only by `smtui tui` and `smtui demo`, never by the core."""
