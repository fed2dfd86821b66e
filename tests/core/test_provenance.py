"""Input provenance: file digests are remembered only while the file is unchanged."""

from __future__ import annotations

import hashlib
import os
import time

from analysis.core import provenance


def _counting(monkeypatch):
    calls = []
    real = provenance._hash_file

    def counted(path):
        calls.append(path)
        return real(path)

    monkeypatch.setattr(provenance, "_hash_file", counted)
    return calls


def test_digest_is_reused_until_the_file_changes(tmp_path, monkeypatch):
    monkeypatch.setattr(provenance, "SETTLED_NS", 50_000_000)
    calls = _counting(monkeypatch)
    path = tmp_path / "input.csv"
    path.write_bytes(b"a,b\n1,2\n")
    time.sleep(0.1)  # settled: older than SETTLED_NS
    first = provenance.sha256_of(path)
    assert first == hashlib.sha256(b"a,b\n1,2\n").hexdigest()
    assert provenance.sha256_of(path) == first and len(calls) == 1
    # Same size, new bytes, and the modification time put back: hashed again, new digest.
    stat = path.stat()
    path.write_bytes(b"a,b\n3,4\n")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert path.stat().st_size == stat.st_size and path.stat().st_mtime_ns == stat.st_mtime_ns
    assert provenance.sha256_of(path) == hashlib.sha256(b"a,b\n3,4\n").hexdigest()
    assert len(calls) == 2
    # A file replaced by another (a new inode) is hashed again too.
    other = tmp_path / "other.csv"
    other.write_bytes(b"a,b\n5,6\n")
    os.replace(other, path)
    assert provenance.sha256_of(path) == hashlib.sha256(b"a,b\n5,6\n").hexdigest()


def test_a_file_changed_moments_ago_is_hashed_every_time(tmp_path, monkeypatch):
    calls = _counting(monkeypatch)
    path = tmp_path / "input.csv"
    path.write_bytes(b"x")
    provenance.sha256_of(path)
    path.write_bytes(b"y")  # possibly within the same clock tick: same times
    assert provenance.sha256_of(path) == hashlib.sha256(b"y").hexdigest()
    assert len(calls) == 2


def test_record_input_notes_the_current_digest(tmp_path):
    path = tmp_path / "input.csv"
    path.write_bytes(b"one")
    provenance.reset()
    provenance.record_input(path)
    assert provenance.inputs_read() == {str(path.resolve()): hashlib.sha256(b"one").hexdigest()}
    provenance.reset()
    assert provenance.inputs_read() == {}
