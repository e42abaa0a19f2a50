"""Services: the backends (aws, local) behind every pane and command. No Textual here."""
