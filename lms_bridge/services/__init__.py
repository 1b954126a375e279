"""Use cases as plain functions over the ports."""
