"""``data fetch`` against a local HTTP server on 127.0.0.1 (never the internet)."""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import shutil
import socket
import threading

import pytest

from analysis.benchmarking import fetch


@pytest.fixture()
def server(tmp_path, shared_public):
    root = tmp_path / "site"
    root.mkdir()
    shutil.copy(shared_public / "council_tax" / "ctr_2223.xlsx", root / "ctr_2223.xlsx")
    shutil.copy(
        shared_public / "comparators" / "nearest_neighbours.json", root / "nearest_neighbours.json"
    )
    (root / "fake.xlsx").write_text("<!DOCTYPE html><html><body>Sorry, moved</body></html>")
    (root / "notzip.xlsx").write_bytes(b"this is not a workbook at all")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *a, **k: None
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def args(urls, dest, listing=False):
    parser = argparse.ArgumentParser()
    fetch.add_arguments(parser)
    return parser.parse_args([*urls, "--dest", str(dest)] + (["--list"] if listing else []))


def test_download_log_and_cache(server, tmp_path, shared_public, capsys):
    dest = tmp_path / "public"
    urls = [f"{server}/ctr_2223.xlsx", f"{server}/nearest_neighbours.json"]
    assert fetch.run(args(urls, dest)) == 0
    log = json.loads((dest / "DATA_LOG.json").read_text())
    entry = {e["file"]: e for e in log}["ctr_2223.xlsx"]
    assert entry["url"] == urls[0]
    assert entry["sha256"] == fetch.sha256_file(shared_public / "council_tax" / "ctr_2223.xlsx")
    assert entry["size"] == (shared_public / "council_tax" / "ctr_2223.xlsx").stat().st_size
    assert set(entry) == {"url", "file", "sha256", "size", "downloaded_at"}
    capsys.readouterr()
    # Second run: known checksum and file present -> not downloaded again.
    assert fetch.run(args(urls, dest)) == 0
    assert capsys.readouterr().out.count("cached:") == 2
    # A damaged local copy is downloaded again.
    (dest / "ctr_2223.xlsx").write_bytes(b"PK\x03\x04broken")
    assert fetch.run(args(urls[:1], dest)) == 0
    assert "downloaded: ctr_2223.xlsx" in capsys.readouterr().out


def test_404(server, tmp_path, capsys):
    assert fetch.run(args([f"{server}/missing.xlsx"], tmp_path)) == 1
    err = capsys.readouterr().err
    assert "missing.xlsx" in err and "HTTP 404" in err
    assert not (tmp_path / "missing.xlsx").exists()


@pytest.mark.parametrize(
    "name, message", [("fake.xlsx", "web page (HTML)"), ("notzip.xlsx", "no zip signature")]
)
def test_wrong_content_refused(server, tmp_path, capsys, name, message):
    assert fetch.run(args([f"{server}/{name}"], tmp_path)) == 1
    err = capsys.readouterr().err
    assert f"{server}/{name}" in err and message in err
    assert not (tmp_path / name).exists()


def test_offline_closed_port(tmp_path, capsys):
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens here now: connection refused
    url = f"http://127.0.0.1:{port}/RS_2016-17_data_by_LA.xlsx"
    assert fetch.run(args([url], tmp_path)) == 1
    err = capsys.readouterr().err
    assert url in err and "appear to be offline" in err


def test_list_and_names(capsys, tmp_path):
    assert fetch.run(args([], tmp_path, listing=True)) == 0
    out = capsys.readouterr().out
    assert "Revenue Outturn Summary" in out and "https://" in out
    assert fetch.file_name("https://x/file?uri=/a/b/pop.xlsx") == "pop.xlsx"
    assert fetch.file_name("https://x/a/RS_2016-17.xlsx") == "RS_2016-17.xlsx"
