"""Formats: annotation frames in and out of the files other tools read and write.

Every ``read_*`` returns an annotation frame valid under
:func:`nblabel.schema.validate` (text formats return ``(texts, spans)``);
every ``to_*`` returns the format's object in memory and every ``write_*``
writes files atomically (a failed write leaves nothing half-written). Each
module's docstring says what its format carries and what it cannot
(the lossless rules). Errors are :class:`FormatError` naming the file, the line
or JSON path and the field, or the row of the frame.

Put an imported dataset into a store in one call::

    store.upsert(nblabel.formats.read_coco("instances_val2017.json"))
"""

from __future__ import annotations

from ._common import FormatError
from .coco import read_coco, to_coco, write_coco
from .conll import read_conll, write_conll
from .label_studio import (
    decode_brush,
    encode_brush,
    read_label_studio,
    to_label_studio,
    write_label_studio,
)
from .parquet import read_parquet, to_parquet
from .rttm import read_rttm, write_rttm
from .spacy import read_docbin, to_docbin, write_docbin
from .spans_jsonl import read_spans_jsonl, write_spans_jsonl
from .subtitles import read_srt, read_vtt, write_srt, write_vtt
from .voc import read_voc, write_voc
from .yolo import read_yolo, write_yolo

__all__ = [
    "FormatError",
    "decode_brush",
    "encode_brush",
    "read_coco",
    "read_conll",
    "read_docbin",
    "read_label_studio",
    "read_parquet",
    "read_rttm",
    "read_spans_jsonl",
    "read_srt",
    "read_voc",
    "read_vtt",
    "read_yolo",
    "to_coco",
    "to_docbin",
    "to_label_studio",
    "to_parquet",
    "write_coco",
    "write_conll",
    "write_docbin",
    "write_label_studio",
    "write_rttm",
    "write_spans_jsonl",
    "write_srt",
    "write_voc",
    "write_vtt",
    "write_yolo",
]
