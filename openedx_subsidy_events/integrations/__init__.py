"""Bridges to Open edX's own libraries; each module is imported only by code that asks for it."""
