"""Quality assurance of annotations: agreement, consensus, gold accuracy, bias.

Every function takes the annotation DataFrame (see :mod:`nblabel.schema`), from
a widget, a store or built by hand, and knows nothing of widgets. A frame with
just ``item_id``, ``annotator`` and ``label`` is enough for the label
functions; a missing ``kind`` column means every row is a whole-item label.
"""

from __future__ import annotations

from ._frame import AgreementWarning
from .coefficients import (
    cohen_kappa,
    fleiss_kappa,
    gwet_ac1,
    krippendorff_alpha,
    pairwise,
    per_label,
    percent_agreement,
    scott_pi,
)
from .consensus import GoldAccuracy, consensus, disagreements, gold_accuracy
from .flags import flags
from .keypoints import keypoint_agreement
from .plots import (
    LabelBias,
    label_bias,
    plot_agreement,
    plot_bias,
    plot_confusion,
    plot_label_distribution,
    plot_per_label,
)
from .progress import plot_progress, progress
from .relations import relation_agreement
from .report import QAReport, report
from .structured import box_agreement, mask_agreement, segment_agreement, span_agreement
from .tracks import track_agreement, track_frame_agreement

__all__ = [
    "AgreementWarning",
    "GoldAccuracy",
    "LabelBias",
    "QAReport",
    "box_agreement",
    "cohen_kappa",
    "consensus",
    "disagreements",
    "flags",
    "fleiss_kappa",
    "gold_accuracy",
    "gwet_ac1",
    "keypoint_agreement",
    "krippendorff_alpha",
    "label_bias",
    "mask_agreement",
    "pairwise",
    "per_label",
    "percent_agreement",
    "plot_agreement",
    "plot_bias",
    "plot_confusion",
    "plot_label_distribution",
    "plot_per_label",
    "plot_progress",
    "progress",
    "relation_agreement",
    "report",
    "scott_pi",
    "segment_agreement",
    "span_agreement",
    "track_agreement",
    "track_frame_agreement",
]
