"""Small upserts take the row path (``schema.validate_rows``): same rules, values and errors.

Every case is written twice, on real stores: once through the row path and once
with the row path turned off (``_ROW_PATH_LIMIT = 0``, the DataFrame path of
``schema.validate``). The stored rows and history, or the error, must be the same.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from tests.conftest import BACKENDS, make_location

from nblabel import schema
from nblabel._store import write
from nblabel.schema import SchemaError
from nblabel.store import Store, StoreError

RLE = {"size": [4, 5], "counts": "0a0"}


def _row(ident: str) -> dict[str, Any]:
    return {"id": ident, "item_id": "a.jpg", "annotator": "ana", "kind": "label", "label": "cat"}


def _box(ident: str, **extra: Any) -> dict[str, Any]:
    base = {**_row(ident), "kind": "box", "x": 1, "y": 2.5, "width": 3.0, "height": 4}
    return {**base, "image_width": 640, "image_height": np.int64(480), **extra}


GOOD: list[Any] = [
    pytest.param([_row("a")], id="label"),
    pytest.param([_box("b", score=0.5, elapsed=1.25, source="model")], id="box"),
    pytest.param([_box("b", frame=3, track_id="t1", outside=False)], id="track"),
    pytest.param([{**_row("c"), "kind": "polygon", "points": [[0, 0], [4, 0], [4, 3]]}], id="poly"),
    pytest.param([{**_row("d"), "kind": "mask", "mask": RLE, "extra": {"k": [1, 2]}}], id="mask"),
    pytest.param([{**_row("e"), "kind": "span", "start": 0, "end": 3, "text": "caté"}], id="span"),
    pytest.param([{**_row("f"), "kind": "relation", "from_id": "a", "to_id": "c"}], id="rel"),
    pytest.param([{**_row("g"), "kind": "skip", "label": "skip", "text": None}], id="skip"),
    pytest.param([{**_row("h"), "score": float("nan"), "text": pd.NA}], id="missing"),
    pytest.param([{k: v for k, v in _row("i").items() if k != "id"}], id="no-id"),
    pytest.param([_row("j"), _row("j"), {**_row("k"), "label": "dog"}], id="twice"),
]
#: Values that need converting: the row path hands these to the DataFrame path.
CONVERTED: list[Any] = [
    pytest.param([{**_row("l"), "image_width": 640.0}], id="whole-float"),
    pytest.param([{**_row("m"), "score": "0.25"}], id="number-text"),
    pytest.param([{**_row("n"), "created_at": "2024-03-01T10:00:00Z"}], id="created"),
    pytest.param([_box("o", outside=1)], id="bool-int"),
    pytest.param([{**_row("p"), "label": 7}], id="label-int"),
]

BAD: list[Any] = [
    pytest.param([_row("a"), {**_row("b"), "label": ""}], id="empty-label"),
    pytest.param([{k: v for k, v in _row("a").items() if k != "label"}], id="no-label"),
    pytest.param([{**_row("a"), "annotator": None}], id="none-annotator"),
    pytest.param([_box("a", width=-1.0)], id="negative"),
    pytest.param([_box("a", x=math.inf)], id="infinite"),
    pytest.param([{**_row("a"), "kind": "box"}], id="box-without-x"),
    pytest.param([{**_row("a"), "kind": "span", "start": 5, "end": 2}], id="inverted"),
    pytest.param([{**_row("a"), "kind": "polygon", "points": [[0, 0]]}], id="points"),
    pytest.param([{**_row("a"), "kind": "mask", "mask": {"size": [1]}}], id="mask"),
    pytest.param([{**_row("a"), "kind": "shape"}], id="kind"),
    pytest.param([{**_row("a"), "source": "robot"}], id="source"),
    pytest.param([{**_row("a"), "image_width": 1.5}], id="fraction"),
    pytest.param([{**_row("a"), "label": ["x"]}], id="list-label"),
    pytest.param([{**_row("a"), "outside": "yes"}], id="bool-text"),
    pytest.param([{**_row("a"), "text": "a\x00b"}], id="nul"),
    pytest.param([_row("a"), {**_row("b"), "colour": "red"}], id="unknown-column"),
]


@pytest.fixture(params=BACKENDS)
def locations(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, str]:
    backend = str(request.param)
    (tmp_path / "rows").mkdir()
    (tmp_path / "frame").mkdir()
    return (
        make_location(backend, tmp_path / "rows", request),
        make_location(backend, tmp_path / "frame", request),
    )


def _both(
    locations: tuple[str, str], rows: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> tuple[Store, Store, Any, Any]:
    """Upsert ``rows`` through the row path and through the DataFrame path; results or errors."""
    by_rows, by_frame = Store(locations[0]), Store(locations[1])
    outcomes: list[Any] = []
    for store, limit in ((by_rows, write._ROW_PATH_LIMIT), (by_frame, 0)):
        monkeypatch.setattr(write, "_ROW_PATH_LIMIT", limit)
        try:
            outcomes.append(store.upsert([dict(r) for r in rows]))
        except (SchemaError, StoreError, TypeError) as exc:
            outcomes.append(exc)
    return by_rows, by_frame, outcomes[0], outcomes[1]


def _comparable(frame: pd.DataFrame, ids: dict[str, str]) -> pd.DataFrame:
    out = frame.drop(columns=["created_at", "updated_at", "recorded_at", "seq"], errors="ignore")
    out["id"] = out["id"].astype(object).map(lambda i: ids.get(i, i))
    return out


@pytest.mark.parametrize("rows", [*GOOD, *CONVERTED])
def test_the_row_path_stores_what_the_dataframe_path_stores(
    locations: tuple[str, str], rows: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    taken = write._RowBatch.of([dict(r) for r in rows]) is not None
    plain = any(rows is case.values[0] for case in GOOD)  # noqa: PD011 (a pytest.param)
    assert taken == plain  # plain values take the row path, the others the DataFrame path
    by_rows, by_frame, ids_rows, ids_frame = _both(locations, rows, monkeypatch)
    assert isinstance(ids_rows, list), ids_rows
    assert isinstance(ids_frame, list), ids_frame
    same = dict(zip(ids_rows, ids_frame, strict=True))  # made ids differ; map one onto the other
    pd.testing.assert_frame_equal(
        _comparable(by_rows.annotations(), same), _comparable(by_frame.annotations(), {})
    )
    pd.testing.assert_frame_equal(
        _comparable(by_rows.history(), same), _comparable(by_frame.history(), {})
    )


@pytest.mark.parametrize("rows", BAD)
def test_the_row_path_refuses_what_the_dataframe_path_refuses_in_the_same_words(
    locations: tuple[str, str], rows: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    by_rows, _, error_rows, error_frame = _both(locations, rows, monkeypatch)
    assert isinstance(error_frame, Exception), error_frame
    assert type(error_rows) is type(error_frame)
    assert str(error_rows) == str(error_frame)
    assert by_rows.annotations().empty


def test_validate_rows_takes_plain_values_and_hands_the_rest_back() -> None:
    def human(row: dict[str, Any]) -> dict[str, Any]:
        return {**row, "source": "human"}

    checked = schema.validate_rows([human(_box("a", outside=np.bool_(True)))])
    assert checked is not None
    assert checked[0]["x"] == 1.0
    assert isinstance(checked[0]["x"], float)
    assert checked[0]["image_height"] == 480
    assert checked[0]["outside"] is True
    assert math.isnan(checked[0]["score"])
    assert checked[0]["points"] is None
    assert schema.validate_rows([human({**_row("a"), "image_width": 2.0})]) is None
    with pytest.raises(SchemaError, match="column 'source': required column is missing"):
        schema.validate_rows([_row("a")])
    with pytest.raises(SchemaError, match="duplicate annotation id 'a'"):
        schema.validate_rows([human(_row("a")), human(_row("a"))])
    with pytest.raises(SchemaError, match=r"row 0, column 'kind': kind 'label' is not accepted"):
        schema.validate_rows([human(_row("a"))], kinds=["box"])
