"""`ach new`, `ach add`, `ach rate`, `ach set`, `ach rm`, `ach diff`: editing case files (registered by ach.cli)."""
