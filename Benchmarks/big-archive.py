#!/usr/bin/env python3
"""Makes a valid session archive with many events, for the reader benchmarks (Benchmarks/readers.sh).

Copies BASE.ctk to OUT.ctk and spreads N extra events evenly over the session, between its own
events: `stt.partial` rows (with the turn of the event before them) and `llm.token` rows without a
turn, with canonical JSON data, in time order, before `session.end`, seq renumbered 0, 1, 2, ...
`crosstalk verify` passes on the result; `report` shows the same turns as BASE (metrics ignore
partials and turn-less tokens) with a different event count and hash; an exact `replay` diverges
at the first added event, which is what it must report.

Usage: Benchmarks/big-archive.py BASE.ctk OUT.ctk N
"""
import shutil
import sqlite3
import sys


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__.strip().splitlines()[-1])
    base, out, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    shutil.copyfile(base, out)
    db = sqlite3.connect(out)
    db.execute("PRAGMA journal_mode=OFF")
    db.execute("PRAGMA synchronous=OFF")
    real = db.execute("SELECT t_us, kind, turn, data FROM events ORDER BY seq").fetchall()
    if not real:
        sys.exit(f"{base}: no events to spread new ones between")
    # New events go before session.end (which must stay last), from 0 to the last event before it.
    tail = [real.pop()] if real[-1][1] == "session.end" else []
    span_us = real[-1][0] if real else tail[0][0]

    def rows():
        seq, i, turn = 0, 0, None
        for t_us, kind, event_turn, data in real:
            while i < count and i * span_us // count < t_us:
                yield added(seq, i, i * span_us // count, turn)
                seq, i = seq + 1, i + 1
            yield (seq, t_us, kind, event_turn, data)
            seq += 1
            if event_turn is not None:
                turn = event_turn
        while i < count:
            yield added(seq, i, min(span_us, i * span_us // count), turn)
            seq, i = seq + 1, i + 1
        for t_us, kind, event_turn, data in tail:
            yield (seq, t_us, kind, event_turn, data)
            seq += 1

    def added(seq, i, t_us, turn):
        if i % 2 == 0:
            return (seq, t_us, "stt.partial", turn, '{"audio_end_us":%d,"text":"word %d"}' % (t_us, i))
        return (seq, t_us, "llm.token", None, '{"text":" tok%d"}' % i)

    db.execute("DROP INDEX events_t")
    db.execute("DELETE FROM events")
    db.executemany("INSERT INTO events (seq, t_us, kind, turn, data) VALUES (?, ?, ?, ?, ?)", rows())
    db.execute("CREATE INDEX events_t ON events(t_us)")
    db.commit()
    db.execute("PRAGMA journal_mode=DELETE")
    db.close()


if __name__ == "__main__":
    main()
