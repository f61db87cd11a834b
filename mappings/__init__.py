"""The built-in mapping files (``*.toml``) and the list-name alias table, as package data.

Read through :mod:`telnorm.parsers.resources`; this file only makes the folder a package.
"""
