"""`ach import` and `ach export`: spreadsheets and legacy ACH files (registered by ach.cli)."""
