"""Kept: publish customer-service commitments as a versioned MkDocs site."""

__version__ = "0.1.0"
