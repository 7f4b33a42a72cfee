"""The annotation widgets. Each one shows one item at a time and writes every edit to a store."""

from .audio import AudioAnnotator
from .image import ImageAnnotator
from .records import RecordAnnotator
from .text import TextAnnotator

__all__ = ["AudioAnnotator", "ImageAnnotator", "RecordAnnotator", "TextAnnotator"]
