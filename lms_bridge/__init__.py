"""lms-bridge: teachers' individual educational routes (ИОМ) inside the LMS."""

__version__ = "0.1.0"
