"""Presenting results: every user-facing text and its translations, web maps, exports, the officials' report."""
