"""`smtui demo`: a bundled example project trained on the local backend."""
