"""The annotation widgets. Each one shows one item at a time and writes every edit to a store."""

from .audio import AudioAnnotator
from .image import ImageAnnotator
from .text import TextAnnotator
from .video import VideoAnnotator

__all__ = ["AudioAnnotator", "ImageAnnotator", "TextAnnotator", "VideoAnnotator"]
