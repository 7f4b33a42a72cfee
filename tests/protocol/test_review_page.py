"""What a reviewer's page is sent: every annotator's rows, as strict JSON the page can parse."""

from __future__ import annotations

import json

from .test_team import _close_stores, labeled, location, widget  # noqa: F401 (fixtures)


def test_the_team_rows_are_strict_json_with_only_the_fields_that_are_set(labeled, drive):  # noqa: F811
    page = drive(widget(labeled, "rev", n=5, review=True))
    page.hello()
    message, _ = page.item_at(page.widget.position)
    team = message["team"]
    json.dumps(team, allow_nan=False)  # a NaN (an unset score, x...) would not parse in the page
    (span,) = [r for r in team["rows"]["ana"] if r["kind"] == "span"]
    assert (span["start"], span["end"], span["label"]) == (0, 8, "X")
    assert "x" not in span  # a box's field is not sent for a span
    (label,) = team["rows"]["bob"]
    assert "start" not in label
    assert "score" not in label  # unset for a person's row


def test_an_annotators_page_is_never_sent_the_team(labeled, drive):  # noqa: F811
    page = drive(widget(labeled, "cy", n=5))
    page.hello()
    page.items(count=3)
    assert all("team" not in m for m, _ in page.sent if m.get("type") == "item")
    assert page.widget.review is False
    assert drive(widget(labeled, "rev", n=5, review=True)).widget.review is True
