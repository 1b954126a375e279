"""The one-command demo: the registry, the Moodle simulator with its LTI platform, and the tool."""
