"""Synthetic DICOM files written with pydicom, for the unit and protocol tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np


def write_dicom(
    path: Path,
    stored: np.ndarray,
    *,
    slope: float = 1.0,
    intercept: float = -1024.0,
    window: tuple[float, float] | None = (40.0, 400.0),
    spacing: tuple[float, float] | None = (0.7, 0.75),
    modality: str = "CT",
    photometric: str = "MONOCHROME2",
    pixel_data: bool = True,
    transfer_syntax: str | None = None,
) -> Path:
    """A 16-bit DICOM file of ``stored`` values (2-D, or 3-D for a multi-frame file)."""
    from pydicom.dataset import Dataset, FileMetaDataset
    from pydicom.encaps import encapsulate
    from pydicom.uid import UID, CTImageStorage, ExplicitVRLittleEndian, generate_uid

    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = CTImageStorage
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = UID(transfer_syntax) if transfer_syntax else ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID = CTImageStorage
    ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    ds.Modality = modality
    ds.PatientName = "Synthetic^Phantom"
    if pixel_data:
        frames = stored.shape[0] if stored.ndim == 3 else 1
        ds.Rows, ds.Columns = stored.shape[-2:]
        ds.SamplesPerPixel = 1
        ds.PhotometricInterpretation = photometric
        ds.BitsAllocated = 16
        ds.BitsStored = 16
        ds.HighBit = 15
        ds.PixelRepresentation = 1 if stored.dtype.kind == "i" else 0
        if frames > 1:
            ds.NumberOfFrames = frames
        ds.RescaleSlope = f"{slope:g}"
        ds.RescaleIntercept = f"{intercept:g}"
        if window is not None:
            ds.WindowCenter = f"{window[0]:g}"
            ds.WindowWidth = f"{window[1]:g}"
        if spacing is not None:
            ds.PixelSpacing = [f"{spacing[0]:g}", f"{spacing[1]:g}"]
        data = stored.astype("<i2" if stored.dtype.kind == "i" else "<u2").tobytes()
        if transfer_syntax:
            ds.PixelData = encapsulate([b"\xff\xd8\xff\xf7 not really JPEG-LS \xff\xd9"])
        else:
            ds.PixelData = data
    ds.save_as(path, enforce_file_format=True)
    return path


def ct_slice(height: int = 48, width: int = 64, seed: int = 0) -> np.ndarray:
    """Stored CT values (uint16): air 0 around a body of ~1024 with a bright 'bone' disc."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:height, 0:width]
    body = ((yy - height / 2) / (height * 0.4)) ** 2 + ((xx - width / 2) / (width * 0.4)) ** 2 < 1
    bone = ((yy - height / 2) ** 2 + (xx - width / 3) ** 2) < (height / 8) ** 2
    values = np.where(body, 1024 + 40, 0) + np.where(bone, 1000, 0)
    return (values + rng.integers(0, 20, values.shape)).astype(np.uint16)
