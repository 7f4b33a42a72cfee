"""VideoReader on real files made by PyAV: frame k is the k-th frame, after any seek."""

from __future__ import annotations

import io
import random
import threading
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image
from video_samples import (
    frame_image,
    make_audio_only,
    make_video,
    read_number,
    set_phone_rotation,
)

from nblabel.media import MediaError
from nblabel.video import VideoError, VideoReader

N = 90


@pytest.fixture(scope="module")
def videos(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("videos")
    vfr_ms = [0, 40, 80, 200, 210, 220, 500, 540, 580, 1000, 1001, 1033, 1500, 1540, 1580]
    return {
        # x264 defaults: B-frames, so decode order differs from presentation order
        "cfr": make_video(d / "cfr.mp4", N, gop=12),
        "long_gop": make_video(d / "long_gop.mp4", N),
        "webm": make_video(d / "cfr.webm", 40, codec="libvpx-vp9", gop=10),
        "vfr_mp4": make_video(d / "vfr.mp4", len(vfr_ms), pts_ms=vfr_ms),
        "vfr_webm": make_video(d / "vfr.webm", len(vfr_ms), codec="libvpx-vp9", pts_ms=vfr_ms),
        "mov": make_video(d / "clip.mov", 20, fps=30),
        # open GOPs: frames after a keyframe (in decoding order) that show before it
        "open_gop": make_video(
            d / "open_gop.mp4", 80, options={"x264-params": "open-gop=1:keyint=20:bframes=3"}
        ),
        # MPEG-TS seeks by a search on decoding timestamps and often lands after the frame
        "ts": make_video(d / "clip.ts", 80, gop=15),
        "mpeg2": make_video(d / "clip.mpg", 50, codec="mpeg2video", gop=12),
    }


VFR_MS = [0, 40, 80, 200, 210, 220, 500, 540, 580, 1000, 1001, 1033, 1500, 1540, 1580]


def shown(reader: VideoReader, k: int) -> int:
    return read_number(reader.rgb(k))


def test_constant_rate_info(videos: dict[str, Path]) -> None:
    with VideoReader(videos["cfr"]) as r:
        info = r.info
        assert (info.frames, info.width, info.height) == (N, 128, 96)
        assert info.fps == 25
        assert info.duration == pytest.approx(N / 25)
        assert not info.variable_frame_rate
        assert info.rotation == 0
        assert info.codec == "h264"
        assert info.pixel_format == "yuv420p"
        assert len(r) == N
        np.testing.assert_allclose(r.times, np.arange(N) / 25, atol=1e-9)
        assert r.item_id == "cfr.mp4"


@pytest.mark.parametrize("name", ["cfr", "long_gop", "webm", "mov", "open_gop", "ts", "mpeg2"])
def test_every_frame_in_order_then_backwards(videos: dict[str, Path], name: str) -> None:
    with VideoReader(videos[name]) as r:
        n = len(r)
        assert [shown(r, k) for k in range(n)] == list(range(n))
    with VideoReader(videos[name]) as r:
        assert [shown(r, k) for k in reversed(range(n))] == list(reversed(range(n)))
    with VideoReader(videos[name], keep_decoded=0) as r:  # every step back seeks
        assert [shown(r, k) for k in reversed(range(n))] == list(reversed(range(n)))


@pytest.mark.parametrize(
    "name", ["cfr", "long_gop", "webm", "vfr_mp4", "vfr_webm", "open_gop", "ts", "mpeg2"]
)
def test_random_seeks_return_the_frame_asked_for(videos: dict[str, Path], name: str) -> None:
    rng = random.Random(7)
    with VideoReader(videos[name], cache_size=1, keep_decoded=0) as r:
        n = len(r)
        asked = [rng.randrange(n) for _ in range(60)] + [n - 1, 0, n - 1, n // 2, n // 2 + 1]
        assert [shown(r, k) for k in asked] == asked
        # display images are the same frames (decoded from the JPEG the browser gets)
        for k in asked[:15]:
            shown_jpeg = np.asarray(Image.open(io.BytesIO(r.display(k, quality=95).data)))
            assert read_number(shown_jpeg) == k


def test_a_seek_skips_the_frames_nothing_refers_to_but_keeps_those_just_before(
    videos: dict[str, Path],
) -> None:
    """Decoding to frame 80 of a one-keyframe H.264 file: B-frames no frame refers to,
    shown well before 80, are not decoded; the 8 frames before it all are (stepping back)."""
    with VideoReader(videos["long_gop"], cache_size=1, keep_decoded=0) as r:
        r._seek(80)
        decoded = [i for i, _ in r._frames_to(80)]
        assert decoded[-1] == 80
        assert set(range(72, 81)) <= set(decoded)
        assert len(decoded) < 81 * 0.8  # x264's B-frames are skipped
        assert shown(r, 80) == 80
        # and decoding on from there skips nothing
        assert [i for i, _ in r._frames_to(85)] == [81, 82, 83, 84, 85]


@pytest.mark.parametrize("name", ["vfr_mp4", "vfr_webm"])
def test_variable_frame_rate_uses_timestamps(videos: dict[str, Path], name: str) -> None:
    with VideoReader(videos[name]) as r:
        assert r.info.variable_frame_rate
        assert r.info.frames == len(VFR_MS)
        np.testing.assert_allclose(r.times, np.asarray(VFR_MS) / 1000, atol=1e-3)
        assert r.info.fps == pytest.approx((len(VFR_MS) - 1) / 1.58, rel=1e-3)
        # frame k is the k-th frame even though time * fps would say otherwise
        assert shown(r, 9) == 9  # at 1.000 s; 1.0 * average fps would give frame 8
        assert r.frame_at(0.0) == 0
        assert r.frame_at(0.199) == 2
        assert r.frame_at(0.2) == 3
        assert r.frame_at(1.0005) == 9
        assert r.frame_at(99.0) == len(VFR_MS) - 1
        assert r.frame_at(-1.0) == 0
        assert [shown(r, k) for k in (14, 3, 10, 9, 0, 6)] == [14, 3, 10, 9, 0, 6]


def test_rotation_set_by_ffmpeg_display_matrix(tmp_path: Path) -> None:
    path = tmp_path / "portrait.mp4"
    out = av.open(str(path), "w")
    stream = out.add_stream("libx264", rate=25)
    stream.width, stream.height, stream.pix_fmt = 96, 128, "yuv420p"
    stream.options = {"crf": "12"}
    stream.set_display_rotation(180)
    for k in range(5):
        upright = frame_image(k, 96, 128)
        frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(upright[::-1, ::-1]), "rgb24")
        for p in stream.encode(frame):
            out.mux(p)
    for p in stream.encode():
        out.mux(p)
    out.close()
    with VideoReader(path) as r:
        assert r.info.rotation == 180
        assert (r.info.width, r.info.height) == (96, 128)
        assert [shown(r, k) for k in range(5)] == list(range(5))
        diff = np.abs(r.rgb(3).astype(int) - frame_image(3, 96, 128)).mean()
        assert diff < 4


def test_phone_portrait_video_is_shown_upright(tmp_path: Path) -> None:
    """Stored landscape with the iPhone matrix (turn clockwise): upright portrait frames."""
    path = make_video(tmp_path / "phone.mp4", 12, width=96, height=128, store_rotated=True)
    set_phone_rotation(path)
    with VideoReader(path) as r:
        assert r.info.rotation == 270  # a quarter turn clockwise
        assert (r.info.width, r.info.height) == (96, 128)
        assert any("rotated" in note for note in r.info.notes)
        for k in (0, 7, 3, 11):
            rgb = r.rgb(k)
            assert rgb.shape == (128, 96, 3)
            assert read_number(rgb) == k
            assert np.abs(rgb.astype(int) - frame_image(k, 96, 128)).mean() < 4
        d = r.display(5, max_side=64)
        assert (d.width, d.height, d.display_width, d.display_height) == (96, 128, 48, 64)
        small = np.asarray(Image.open(io.BytesIO(d.data)))
        assert small.shape == (64, 48, 3)


def test_display_image_sizes_cache_and_formats(videos: dict[str, Path]) -> None:
    with VideoReader(videos["cfr"], cache_size=8) as r:
        d = r.display(10, max_side=64)
        assert (d.frame, d.width, d.height, d.display_width, d.display_height) == (
            10,
            128,
            96,
            64,
            48,
        )
        assert d.mime == "image/jpeg"
        assert d.time == pytest.approx(0.4)
        assert Image.open(io.BytesIO(d.data)).size == (64, 48)
        assert r.display(10, max_side=64) is d  # from the cache
        assert r.cached(10, max_side=64)
        assert not r.cached(11, max_side=64)
        w = r.display(10, format="webp")
        assert w.mime == "image/webp"
        assert Image.open(io.BytesIO(w.data)).format == "WEBP"
        assert (w.display_width, w.display_height) == (128, 96)  # never enlarged
        assert read_number(np.asarray(Image.open(io.BytesIO(w.data)).convert("RGB"))) == 10


def test_prefetch_fills_the_cache_in_one_pass(videos: dict[str, Path]) -> None:
    with VideoReader(videos["cfr"], cache_size=40) as r:
        done = r.prefetch(range(-5, 30))
        assert done == 30
        assert all(r.cached(k) for k in range(30))
        assert r.prefetch(range(30)) == 0  # already there
        for k in range(30):
            assert read_number(np.asarray(Image.open(io.BytesIO(r.display(k).data)))) == k
        # more than the cache holds: the last ones are kept
        assert r.prefetch(range(30, N)) == 40
        assert r.cached(N - 1)
        assert not r.cached(0)


def test_reader_is_safe_to_share_between_threads(videos: dict[str, Path]) -> None:
    errors: list[str] = []
    with VideoReader(videos["long_gop"], cache_size=2) as r:

        def work(seed: int) -> None:
            rng = random.Random(seed)
            for _ in range(25):
                k = rng.randrange(len(r))
                if (got := shown(r, k)) != k:
                    errors.append(f"asked {k}, got {got}")

        threads = [threading.Thread(target=work, args=(s,)) for s in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert errors == []


def test_bytes_source(videos: dict[str, Path]) -> None:
    with VideoReader(videos["webm"].read_bytes(), item_id="clip") as r:
        assert r.item_id == "clip"
        assert shown(r, 33) == 33


def test_index_and_option_errors(videos: dict[str, Path]) -> None:
    with VideoReader(videos["cfr"], item_id="c1") as r:
        with pytest.raises(IndexError, match=r"item 'c1': frame 90 is out of range \(0 to 89\)"):
            r.rgb(N)
        with pytest.raises(IndexError, match="frame -1"):
            r.display(-1)
        with pytest.raises(TypeError, match="integer"):
            r.rgb(1.5)  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="format"):
            r.display(0, format="png")  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="quality"):
            r.display(0, quality=0)
        with pytest.raises(ValueError, match="finite"):
            r.frame_at(float("nan"))
    with pytest.raises(ValueError, match="cache_size"):
        VideoReader(videos["cfr"], cache_size=0)
    with pytest.raises(ValueError, match="keep_decoded"):
        VideoReader(videos["cfr"], keep_decoded=-1)
    with pytest.raises(TypeError, match="file path or the bytes"):
        VideoReader(np.zeros(3))  # type: ignore[arg-type]


# ---------------------------------------------------------------------- bad files


def expect_error(source: object, match: str, item_id: str = "clip7") -> VideoError:
    with pytest.raises(VideoError, match=match) as info:
        VideoReader(source, item_id=item_id)  # type: ignore[arg-type]
    assert str(info.value).startswith(f"item {item_id!r} could not be loaded: ")
    assert isinstance(info.value, MediaError)
    return info.value


def test_missing_empty_and_unreadable_files(tmp_path: Path) -> None:
    expect_error(tmp_path / "nope.mp4", "file not found")
    expect_error(tmp_path, "is a folder")
    (tmp_path / "empty.mp4").write_bytes(b"")
    expect_error(tmp_path / "empty.mp4", r"empty \(0 bytes\)")
    expect_error(b"", r"empty \(0 bytes\)")
    (tmp_path / "junk.mp4").write_bytes(b"not a video at all " * 50)
    expect_error(tmp_path / "junk.mp4", "not a readable video file")
    Image.new("RGB", (8, 8)).save(tmp_path / "still.png")
    # a PNG opens in FFmpeg as a one-frame video: that is fine, and shown
    with VideoReader(tmp_path / "still.png") as r:
        assert r.info.frames == 1


def test_audio_only_file(tmp_path: Path) -> None:
    expect_error(make_audio_only(tmp_path / "speech.m4a"), r"no video stream \(audio only\)")


@pytest.mark.parametrize(
    ("suffix", "codec"), [("webm", "libvpx-vp9"), ("mkv", "ffv1"), ("mp4", "libx264")]
)
def test_zero_length_video(tmp_path: Path, suffix: str, codec: str) -> None:
    path = make_video(tmp_path / f"zero.{suffix}", 0, codec=codec)
    assert path.stat().st_size > 0
    expect_error(path, r"zero-length")


def test_truncated_mp4(tmp_path: Path) -> None:
    # the index (moov) at the end: a cut file has none
    path = make_video(tmp_path / "t.mp4", 60)
    data = path.read_bytes()
    (tmp_path / "cut.mp4").write_bytes(data[: len(data) // 2])
    expect_error(tmp_path / "cut.mp4", "not a readable video file|truncated")
    (tmp_path / "cut90.mp4").write_bytes(data[: int(len(data) * 0.97)])
    expect_error(tmp_path / "cut90.mp4", "truncated|not a readable")
    # the index at the front (faststart): it lists frames that are no longer in the file
    fast = make_video(tmp_path / "fast.mp4", 60, container_options={"movflags": "faststart"})
    data = fast.read_bytes()
    assert data.index(b"moov") < data.index(b"mdat")
    (tmp_path / "fastcut.mp4").write_bytes(data[: len(data) // 2])
    expect_error(tmp_path / "fastcut.mp4", r"truncated")


def test_truncated_webm_opens_what_is_there_with_a_note(tmp_path: Path) -> None:
    path = make_video(tmp_path / "t.webm", 100, codec="libvpx-vp9")
    data = path.read_bytes()
    (tmp_path / "cut.webm").write_bytes(data[: len(data) // 2])
    with VideoReader(tmp_path / "cut.webm") as r:
        assert 10 < r.info.frames < 100
        assert any("may be truncated" in note for note in r.info.notes)
        last = r.info.frames - 2
        assert shown(r, last) == last


@pytest.mark.parametrize(
    ("codec", "pix_fmt", "suffix", "note"),
    [
        ("libx264", "yuv444p", "mp4", None),
        ("ffv1", "gray", "mkv", None),
        ("ffv1", "gray16le", "mkv", "16-bit"),
        ("ffv1", "yuv422p10le", "mkv", "10-bit"),
        ("ffv1", "bgra", "mkv", "alpha"),
        ("mjpeg", "yuvj422p", "avi", None),
        ("mpeg4", "yuv420p", "avi", None),
    ],
)
def test_odd_pixel_formats_are_shown(
    tmp_path: Path, codec: str, pix_fmt: str, suffix: str, note: str | None
) -> None:
    path = make_video(tmp_path / f"odd.{suffix}", 12, codec=codec, pix_fmt=pix_fmt)
    with VideoReader(path) as r:
        assert r.info.pixel_format == pix_fmt
        assert [shown(r, k) for k in (11, 2, 7)] == [11, 2, 7]
        assert r.rgb(4).dtype == np.uint8
        if note is not None:
            assert any(note in n for n in r.info.notes), r.info.notes


def test_missing_pyav_is_named(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import builtins

    real_import = builtins.__import__

    def no_av(name: str, *args: object, **kwargs: object) -> object:
        if name == "av":
            raise ImportError("No module named 'av'")
        return real_import(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(builtins, "__import__", no_av)
    with pytest.raises(ImportError, match=r"nblabel\[video\]"):
        VideoReader(tmp_path / "x.mp4")
