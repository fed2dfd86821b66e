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
from analysis.core.cli_options import add_fetch_arguments


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
    add_fetch_arguments(parser)
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


# --- Publications found through the GOV.UK content API (recorded responses, replayed) ---------

RS15 = "revenue_outturn_summary/RS_2015-16_data_by_LA_-_Revision.xlsx"
RS16 = "revenue_outturn_summary/RS_2016-17_data_by_LA.xlsx"

REGISTRY = """
rs:
  title: Revenue Outturn Summary (RS)
  path: government/statistics/rs-{year}-to-{next}-final-outturn
  match: '^RS_.*\\.(xls|xlsx|ods)$'
  years: [2010, 2022]
comparators:
  title: Nearest-neighbour list
  path: government/publications/nearest-neighbours
  match: 'neighbour.*\\.json$'
  years: []
"""


@pytest.fixture()
def content_api(tmp_path, shared_public):
    """A local GOV.UK: /api/content/<path> replays recorded publication JSON whose attachments
    point at /media/<file>; ``state['truncate']`` names a file served cut short."""
    root = tmp_path / "gov"
    (root / "media").mkdir(parents=True)
    shutil.copy(shared_public / RS15, root / "media" / "RS_2015-16_data_by_LA_-_Revision.xlsx")
    shutil.copy(shared_public / RS16, root / "media" / "RS_2016-17_data_by_LA.xlsx")
    shutil.copy(
        shared_public / "comparators" / "nearest_neighbours.json",
        root / "media" / "nearest_neighbours.json",
    )
    state = {"truncate": None}

    class Handler(http.server.SimpleHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's name)
            name = self.path.rsplit("/", 1)[-1]
            if state["truncate"] == name:
                body = (root / "media" / name).read_bytes()
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body[:5000])  # then the connection closes: IncompleteRead
                self.wfile.flush()
                self.close_connection = True
                return
            super().do_GET()

        def log_message(self, *args, **kwargs):
            pass

    handler = functools.partial(Handler, directory=str(root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    base = f"http://127.0.0.1:{httpd.server_address[1]}"

    def record(path, files):
        item = {
            "base_path": f"/{path}",
            "document_type": "official_statistics",
            "details": {
                "attachments": [
                    {"url": f"{base}/media/{f}", "filename": f, "title": f"Data: {f}"}
                    for f in files
                ]
                + [{"url": "/media/release.pdf", "filename": "release.pdf", "title": "Release"}]
            },
        }
        target = root / "api" / "content" / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(item))

    record(
        "government/statistics/rs-2015-to-2016-final-outturn",
        ["RS_2015-16_data_by_LA_-_Revision.xlsx"],
    )
    record("government/statistics/rs-2016-to-2017-final-outturn", ["RS_2016-17_data_by_LA.xlsx"])
    record("government/publications/nearest-neighbours", ["nearest_neighbours.json"])
    registry = tmp_path / "publications.yaml"
    registry.write_text(REGISTRY)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield base, registry, state
    httpd.shutdown()
    httpd.server_close()


def api_args(base, registry, dest, years, kinds=None):
    extra = ["--kinds", kinds] if kinds else []
    parser = argparse.ArgumentParser()
    add_fetch_arguments(parser)
    return parser.parse_args(
        ["--years", years, "--api", base, "--registry", str(registry), "--dest", str(dest), *extra]
    )


def test_years_resolved_through_the_content_api(content_api, tmp_path, shared_public, capsys):
    base, registry, _state = content_api
    dest = tmp_path / "public"
    assert fetch.run(api_args(base, registry, dest, "2015-16:2016-17")) == 0
    log = {e["file"]: e for e in json.loads((dest / "DATA_LOG.json").read_text())}
    # Both RS years and the comparator list; the PDF beside them does not match and is skipped.
    assert set(log) == {
        "RS_2015-16_data_by_LA_-_Revision.xlsx",
        "RS_2016-17_data_by_LA.xlsx",
        "nearest_neighbours.json",
    }
    rs16 = log["RS_2016-17_data_by_LA.xlsx"]
    assert rs16["publication"] == "/government/statistics/rs-2016-to-2017-final-outturn"
    assert rs16["year"] == 2016 and rs16["kind"] == "rs"
    assert rs16["sha256"] == fetch.sha256_file(shared_public / RS16)
    assert not list(dest.glob("*.part"))


def test_truncated_download_is_reported_and_the_rest_fetched(content_api, tmp_path, capsys):
    base, registry, state = content_api
    dest = tmp_path / "public"
    state["truncate"] = "RS_2016-17_data_by_LA.xlsx"
    assert fetch.run(api_args(base, registry, dest, "2015-16:2016-17")) == 1
    err = capsys.readouterr().err
    assert "RS_2016-17_data_by_LA.xlsx" in err and "cut short" in err
    # The other files were still fetched; nothing half-written is left behind.
    assert (dest / "RS_2015-16_data_by_LA_-_Revision.xlsx").is_file()
    assert (dest / "nearest_neighbours.json").is_file()
    assert not (dest / "RS_2016-17_data_by_LA.xlsx").exists()
    assert not list(dest.glob("*.part"))
    # Resume: the next run keeps what it has (checksums in the log) and fetches the rest.
    state["truncate"] = None
    assert fetch.run(api_args(base, registry, dest, "2015-16:2016-17")) == 0
    out = capsys.readouterr().out
    assert "cached: RS_2015-16_data_by_LA_-_Revision.xlsx" in out
    assert "downloaded: RS_2016-17_data_by_LA.xlsx" in out


def test_unpublished_year_named_and_others_fetched(content_api, tmp_path, capsys):
    base, registry, _state = content_api
    dest = tmp_path / "public"
    assert fetch.run(api_args(base, registry, dest, "2016-17,2017-18", kinds="rs")) == 1
    err = capsys.readouterr().err
    assert "Revenue Outturn Summary (RS) 2017-18" in err and "HTTP 404" in err
    assert (dest / "RS_2016-17_data_by_LA.xlsx").is_file()


def test_content_api_offline_and_bad_years(tmp_path, capsys):
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    registry = tmp_path / "publications.yaml"
    registry.write_text(REGISTRY)
    assert fetch.run(api_args(f"http://127.0.0.1:{port}", registry, tmp_path, "2016-17")) == 1
    assert "appear to be offline" in capsys.readouterr().err
    assert fetch.run(api_args("http://127.0.0.1:1", registry, tmp_path, "twenty")) == 1
    assert "--years 'twenty'" in capsys.readouterr().err


def test_packaged_registry_names_every_publication():
    from analysis.benchmarking.publications import load_registry, parse_years

    registry = load_registry()
    assert {"rs", "ctr", "taxbase", "comparators"} <= set(registry)
    assert parse_years("2010-11:2012-13") == [2010, 2011, 2012]
    assert parse_years("2016/17, 2022-23") == [2016, 2022]
