"""The issue's flow: import into a store (a real SQLite file), read back, export the same files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from test_conll import IOB1
from test_label_studio import export
from test_rttm import FIXTURE as RTTM
from test_subtitles import VTT

from nblabel.formats import (
    read_conll,
    read_label_studio,
    read_rttm,
    read_vtt,
    to_label_studio,
    write_conll,
    write_rttm,
    write_vtt,
)
from nblabel.store import Store


def test_conll_rttm_vtt_and_label_studio_survive_the_store(tmp_path: Path) -> None:
    store = Store(tmp_path / "labels.db")
    (tmp_path / "eng.train").write_text(IOB1)
    texts, spans = read_conll(tmp_path / "eng.train", scheme="IOB1")
    (tmp_path / "x.rttm").write_text(RTTM)
    (tmp_path / "talk.vtt").write_text(VTT)
    store.upsert(spans)
    store.upsert(read_rttm(tmp_path / "x.rttm"))
    store.upsert(read_vtt(tmp_path / "talk.vtt"))
    tasks = export()
    store.upsert(read_label_studio(tasks))
    df = store.annotations()

    out = write_conll(df[df["annotator"] == "conll"], texts, tmp_path / "out.conll", scheme="IOB1")
    assert read_conll(out, scheme="IOB1")[1]["text"].tolist() == spans["text"].tolist()
    rttm = write_rttm(df[df["annotator"] == "rttm"], tmp_path / "out.rttm")
    assert sorted(rttm.read_text().splitlines()) == sorted(
        write_rttm(read_rttm(tmp_path / "x.rttm"), tmp_path / "direct.rttm")
        .read_text()
        .splitlines()
    )
    vtt = write_vtt(df[df["annotator"] == "vtt"], tmp_path / "out.vtt")
    assert (
        vtt.read_text()
        == write_vtt(read_vtt(tmp_path / "talk.vtt"), tmp_path / "direct.vtt").read_text()
    )
    data = {str(t["id"]): t["data"] for t in tasks}
    ls = df[df["item_id"].isin(data) & ~df["annotator"].isin(["conll", "rttm", "vtt"])]
    via_store = to_label_studio(ls, data=data)
    direct = to_label_studio(read_label_studio(tasks), data=data)
    assert normal(via_store) == normal(direct)


def normal(tasks: list[dict[str, Any]]) -> list[str]:
    """Tasks as text, in item order, each entry's results in one order (theirs is free)."""
    out = []
    for original in sorted(tasks, key=lambda t: t["meta"]["item_id"]):
        task = dict(original)
        for group in ("annotations", "predictions"):
            task[group] = sorted(
                json.dumps(
                    {**e, "result": sorted(json.dumps(r, sort_keys=True) for r in e["result"])},
                    sort_keys=True,
                )
                for e in task[group]
            )
        out.append(json.dumps(task, sort_keys=True))
    return out
