"""Cleaning extracted plan text: noise lines, broken lines, letter-spaced runs."""

from indexer.cleaning.joining import join_lines, join_pair
from indexer.cleaning.lines import Line, is_page_number, split_lines
from indexer.cleaning.spacing import fix_letter_spacing, has_letter_spacing

__all__ = [
    "Line",
    "fix_letter_spacing",
    "has_letter_spacing",
    "is_page_number",
    "join_lines",
    "join_pair",
    "split_lines",
]
