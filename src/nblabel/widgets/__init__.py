"""The annotation widgets. Each one shows one item at a time and writes every edit to a store."""

from .image import ImageAnnotator

__all__ = ["ImageAnnotator"]
