"""Reconciliation of many municipal counts against district or central reference counts,
with the seat impact of the differences (issue 13). See docs/reconcile.md."""
