"""Benchmark of the store against the bare drivers, on SQLite and PostgreSQL.

Run: ``python benchmarks/bench_store.py [--write-rows 200000] [--read-rows 1000000]``.

For each backend, in one run on the same machine:

- bulk write: ``Store.upsert`` of N boxes (a DataFrame; validation, the rows
  and the history log included) beside the bare driver's ``executemany`` of
  the same values into the same (empty, indexed) table, rows only;
- read: ``Store.annotations()`` of the whole table (DataFrame in the schema's
  dtypes) beside ``pandas.read_sql("SELECT * FROM nblabel_annotations")``;
- the queries a widget opening on a million items makes: the item ids done by
  one annotator, their count, and the rows of a handful of items;
- one-row edits as a widget sends them (``Store.apply`` of one new label row and
  the delete of the old one): the row path (``schema.validate_rows``) beside the
  DataFrame path every upsert took before (``schema.validate``), alternating
  edit by edit on two stores of the same backend, and the checking alone.

PostgreSQL runs in a throwaway cluster (``nblabel._postgres``) with default
settings (fsync on). Targets (issue 10): writes >= 25% of the bare driver's
rows/s, reads <= 3x ``read_sql``.
"""

from __future__ import annotations

import argparse
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa

from nblabel import schema
from nblabel import store as store_module
from nblabel._postgres import TemporaryPostgres
from nblabel._store import write
from nblabel.store import Store


def boxes(n: int, *, seed: int = 0, items: int | None = None) -> pd.DataFrame:
    """``n`` box annotations by 3 annotators over ``items`` images."""
    rng = np.random.default_rng(seed)
    items = items or max(n // 2, 1)
    return pd.DataFrame(
        {
            "id": store_module._new_ids(n),
            "item_id": np.array([f"img{i:07d}.jpg" for i in range(items)], dtype=object)[
                rng.integers(0, items, n)
            ],
            "annotator": np.array(["ana", "ben", "cy"], dtype=object)[rng.integers(0, 3, n)],
            "kind": "box",
            "label": np.array(["cat", "dog", "bird", "car"], dtype=object)[rng.integers(0, 4, n)],
            "x": rng.random(n) * 600,
            "y": rng.random(n) * 400,
            "width": rng.random(n) * 50,
            "height": rng.random(n) * 50,
            "image_width": 640,
            "image_height": 480,
        }
    )


def timed(f: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = f()
    return time.perf_counter() - start, result


def bare_values(frame: pd.DataFrame, stamp: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    """The same values a store writes, as plain tuples (what a bare driver is handed)."""
    cols = [*frame.columns, "source", "created_at", "updated_at", "deleted", "version"]
    n = len(frame)
    data = [frame[c].tolist() for c in frame.columns]
    data += [["human"] * n, [stamp] * n, [stamp] * n, [False] * n, [1] * n]
    return cols, list(zip(*data, strict=True))


def fresh_table(location: str) -> None:
    """Create the store's tables (and indexes) and nothing else."""
    Store(location).close()
    s = Store(location)
    s._connect()
    s.close()


def one_row_edits(rows_store: Store, frame_store: Store, n: int, report: list[Any]) -> None:
    """``n`` label changes on each store: the row path on one, the DataFrame path on the other."""
    backend = "sqlite" if rows_store.is_sqlite else "postgresql"
    limit = write._ROW_PATH_LIMIT
    times: dict[int, list[float]] = {limit: [], 0: []}
    last: dict[int, str] = {}
    for i in range(n):
        for store, path in ((rows_store, limit), (frame_store, 0)):
            write._ROW_PATH_LIMIT = path
            row = {"id": store_module.new_id(), "item_id": f"img{i % 50}.jpg", "annotator": "ana",
                   "kind": "label", "label": ("cat", "dog")[i % 2], "elapsed": 1.5}  # fmt: skip
            old = [last[path]] if path in last else []
            t, _ = timed(
                lambda store=store, row=row, old=old: store.apply(upsert=[row], delete=old)
            )
            times[path].append(t)
            last[path] = row["id"]
    write._ROW_PATH_LIMIT = limit
    ours, theirs = sum(times[limit]), sum(times[0])
    print(f"  [{backend}] one-row edit, median: row path {np.median(times[limit]) * 1e3:.2f} ms, "
          f"DataFrame path {np.median(times[0]) * 1e3:.2f} ms")  # fmt: skip
    report.append((backend, f"{n} one-row edits (apply)", ours, "DataFrame path", theirs,
                   "time ratio", ours / theirs))  # fmt: skip


def one_row_checks(n: int, report: list[Any]) -> None:
    """The checking of one row alone: validate_rows beside a DataFrame and validate."""
    row = {"id": store_module.new_id(), "item_id": "img0.jpg", "annotator": "ana", "kind": "box",
           "label": "cat", "source": "human", "x": 1.0, "y": 2.0, "width": 3.0, "height": 4.0,
           "image_width": 640, "image_height": 480, "elapsed": 1.5}  # fmt: skip
    schema.validate_rows([row])
    schema.validate(pd.DataFrame.from_records([row]))
    t_rows, _ = timed(lambda: [schema.validate_rows([row]) for _ in range(n)])
    t_frame, _ = timed(
        lambda: [schema.validate(pd.DataFrame.from_records([row])) for _ in range(n)]
    )
    print(f"  one box checked: validate_rows {t_rows / n * 1e3:.3f} ms, "
          f"DataFrame + validate {t_frame / n * 1e3:.3f} ms")  # fmt: skip
    report.append(("-", f"{n} one-row checks (validate_rows)", t_rows, "DataFrame + validate",
                   t_frame, "time ratio", t_rows / t_frame))  # fmt: skip


def bench_sqlite(
    folder: Path, write_rows: int, read_rows: int, edits: int, report: list[Any]
) -> None:
    frame = boxes(write_rows)
    # bare driver: executemany of the same values into the same empty table, one transaction
    path = folder / "bare.db"
    fresh_table(str(path))
    cols, values = bare_values(frame, "2026-01-01 00:00:00.000000")
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=FULL")
    con.execute("PRAGMA cache_size=-65536")  # the store's own setting: a like-for-like baseline
    quoted = ", ".join(f'"{c}"' for c in cols)
    sql = f"INSERT INTO nblabel_annotations ({quoted}) VALUES ({', '.join('?' * len(cols))})"

    def bare() -> None:
        con.execute("BEGIN")
        con.executemany(sql, values)
        con.execute("COMMIT")

    t_bare, _ = timed(bare)
    con.close()
    store = Store(folder / "store.db")
    store.annotations()  # create the tables first: the timing is the write alone
    t_ours, _ = timed(lambda: store.upsert(frame))
    report.append(("sqlite", f"write {write_rows:,} boxes", t_ours, "sqlite3.executemany", t_bare,
                   "rows/s share", t_bare / t_ours))  # fmt: skip
    store.close()
    one_row_edits(Store(folder / "edits-rows.db"), Store(folder / "edits-frame.db"), edits, report)
    read(Store(folder / "read.db"), read_rows, "sqlite:///" + str(folder / "read.db"), report)


def bench_postgres(write_rows: int, read_rows: int, edits: int, report: list[Any]) -> None:
    import psycopg

    with TemporaryPostgres() as server:
        frame = boxes(write_rows)
        url = server.create_database("bare")
        fresh_table(url)
        cols, values = bare_values(frame, "2026-01-01 00:00:00+00")
        quoted = ", ".join(f'"{c}"' for c in cols)
        sql = f"INSERT INTO nblabel_annotations ({quoted}) VALUES ({', '.join(['%s'] * len(cols))})"
        dsn = f"host=127.0.0.1 port={server.port} user=postgres dbname=bare"
        with psycopg.connect(dsn) as conn:
            t_bare, _ = timed(lambda: (conn.cursor().executemany(sql, values), conn.commit()))
        copy_url = server.create_database("copy")
        fresh_table(copy_url)
        with psycopg.connect(dsn.replace("bare", "copy")) as conn:

            def copy() -> None:
                with (
                    conn.cursor() as cur,
                    cur.copy(f"COPY nblabel_annotations ({quoted}) FROM STDIN") as cp,
                ):
                    for row in values:
                        cp.write_row(row)
                conn.commit()

            t_copy, _ = timed(copy)
        store = Store(server.create_database("ours"))
        store.annotations()
        t_ours, _ = timed(lambda: store.upsert(frame))
        report.append(("postgresql", f"write {write_rows:,} boxes", t_ours,
                       "psycopg executemany", t_bare, "rows/s share", t_bare / t_ours))  # fmt: skip
        report.append(("postgresql", f"write {write_rows:,} boxes", t_ours, "psycopg COPY",
                       t_copy, "rows/s share", t_copy / t_ours))  # fmt: skip
        store.close()
        pair = (
            Store(server.create_database("edits_rows")),
            Store(server.create_database("edits_df")),
        )
        one_row_edits(*pair, edits, report)
        url = server.create_database("read")
        read(Store(url), read_rows, url, report)


def read(store: Store, n: int, url: str, report: list[Any]) -> None:
    backend = "sqlite" if url.startswith("sqlite") else "postgresql"
    chunk = 200_000
    t_fill = 0.0
    for start in range(0, n, chunk):
        part = boxes(min(chunk, n - start), seed=start, items=n // 2)
        t, _ = timed(lambda part=part: store.upsert(part))
        t_fill += t
    print(f"  [{backend}] filled {n:,} rows in {t_fill:.1f} s ({n / t_fill:,.0f} rows/s)")
    engine = sa.create_engine(url)
    t_pandas, theirs = timed(lambda: pd.read_sql("SELECT * FROM nblabel_annotations", engine))
    t_ours, ours = timed(store.annotations)
    assert len(ours) == len(theirs) == n
    report.append((backend, f"read {n:,} rows", t_ours, "pandas.read_sql", t_pandas,
                   "time ratio", t_ours / t_pandas))  # fmt: skip
    items = [f"img{i:07d}.jpg" for i in range(5)]
    t_few, few = timed(lambda: store.annotations(item_ids=items, annotator="ana"))
    t_done, done = timed(lambda: store.item_ids_done(annotator="ana", kinds=["box"]))
    t_count, count = timed(lambda: store.count_done(annotator="ana", kinds=["box"]))
    assert count == len(done)
    mark = ours["updated_at"].max()
    t_since, _ = timed(lambda: store.annotations(since=mark + pd.Timedelta(microseconds=1)))
    for task, t in (
        (f"annotations(item_ids=5 ids) -> {len(few)} rows", t_few),
        (f"item_ids_done(annotator) -> {len(done):,} ids", t_done),
        (f"count_done(annotator) -> {count:,}", t_count),
        ("annotations(since=latest) -> 0 rows", t_since),
    ):
        report.append((backend, task, t, "", float("nan"), "", float("nan")))
    engine.dispose()
    store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write-rows", type=int, default=200_000)
    parser.add_argument("--read-rows", type=int, default=1_000_000)
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--edits", type=int, default=300, help="one-row edits per path")
    args = parser.parse_args()
    report: list[Any] = []
    one_row_checks(2000, report)
    with TemporaryDirectory() as tmp:
        print("SQLite ...", flush=True)
        bench_sqlite(Path(tmp), args.write_rows, args.read_rows, args.edits, report)
    if not args.skip_postgres:
        print("PostgreSQL ...", flush=True)
        bench_postgres(args.write_rows, args.read_rows, args.edits, report)
    print()
    header = (
        f"{'backend':<11} {'task':<46} {'nblabel s':>9}  {'baseline':<22} {'base s':>7}  "
        f"{'ratio':<22}"
    )
    print(header)
    print("-" * len(header))
    for backend, task, ours, other, theirs, what, ratio in report:
        base = " " * 7 if np.isnan(theirs) else f"{theirs:>7.2f}"
        shown = f"{what} {ratio:.0%}" if what == "rows/s share" else (
            f"{what} {ratio:.2f}x" if what else ""
        )  # fmt: skip
        print(f"{backend:<11} {task:<46} {ours:>9.3f}  {other:<22} {base}  {shown:<22}")


if __name__ == "__main__":
    main()
