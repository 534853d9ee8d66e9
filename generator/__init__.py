"""Kept: publish customer-service commitments as a versioned MkDocs site."""

__version__ = "0.1.0"  # the one place the version is written (pyproject.toml reads it)
DISTRIBUTION = "kept-promises"  # the name it installs as (pyproject.toml); the command is `kept`
