"""Ports the web tool needs for its own state (platforms, launches, sessions): see ``LaunchStore``."""
