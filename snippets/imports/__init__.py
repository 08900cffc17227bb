"""Spreadsheet imports and exports of configuration (django-import-export)."""
