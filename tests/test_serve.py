"""ach serve's API, through Starlette's test client: the same numbers as the CLI, the same edits as
the editing layer, refusals that leave the file byte-identical, conflicts, and other pages kept out."""

from __future__ import annotations

import json
import re
import shutil
import socket
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

import ach
from ach import editing
from ach.cli import main
from ach.serve import address, create_app

from .browser import free_port
from .conftest import K1, ROOT

WARMUP = ROOT / "cases" / "warmup.yaml"


@pytest.fixture
def folder(tmp_path, monkeypatch):
    """A folder holding a copy of K-1 (and the warm-up case); the tests run from it, as `ach serve .`."""
    shutil.copy(K1, tmp_path / "k1.yaml")
    shutil.copy(WARMUP, tmp_path / "warmup.yaml")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def app(folder):
    return create_app(".", "k1.yaml", hosts=("testserver",))


@pytest.fixture
def client(app):
    return TestClient(app, headers={"X-ACH-Token": app.state.token})


def post(client, url, body=None):
    return client.post(url, content=json.dumps(body if body is not None else {}))


def cli_json(*args) -> dict:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def library_edit(folder: Path, name: str, fn) -> str:
    """What the editing layer makes of the same edit on a fresh copy of the original file."""
    copy = folder / "copy" / name
    copy.parent.mkdir(exist_ok=True)
    shutil.copy(K1 if name == "k1.yaml" else WARMUP, copy)
    fn(copy)
    return copy.read_text(encoding="utf-8")


# -- the contract -----------------------------------------------------------------------------


def test_get_analysis_is_the_json_of_ach_analyze_no_sample(client):
    served = client.get("/api/analysis").json()
    assert served == cli_json("analyze", "k1.yaml", "--json", "--no-sample")
    assert served["exact"]["posterior"]["KH"] == pytest.approx(0.41998605, abs=1e-8)  # the K-1 bottom line
    assert client.get("/api/analysis?case=warmup.yaml").json() == cli_json(
        "analyze", "warmup.yaml", "--json", "--no-sample"
    )


def test_intervals_are_the_exact_draws_of_ach_analyze(client):
    served = client.get("/api/analysis?case=warmup.yaml&intervals=1").json()
    assert served["bayes"] == cli_json("analyze", "warmup.yaml", "--json", "-q")["bayes"]


EDITS = [
    (
        {"op": "rate", "item": "E07", "hypothesis": "KH", "value": "likely", "why": "a new reason"},
        lambda p: editing.rate(p, "E07", "KH", "likely", why="a new reason"),
    ),
    (
        {"op": "rate", "item": "E07", "hypothesis": "ISIS", "value": "0.3"},
        lambda p: editing.rate(p, "E07", "ISIS", 0.3),
    ),
    ({"op": "set", "id": "us-gov", "reliability": "D"}, lambda p: editing.set_fields(p, "us-gov", reliability="D")),
    ({"op": "set", "id": "E02", "credibility": 2}, lambda p: editing.set_fields(p, "E02", credibility=2)),
    ({"op": "set", "analyst": "J. Smith"}, lambda p: editing.set_fields(p, None, analyst="J. Smith")),
    (
        {"op": "set", "priors": {"KH": 30, "ISIS": 25, "IAM": 25, "SUNNI": 10, "OTHER": 10}},
        lambda p: editing.set_priors(p, {"KH": 30, "ISIS": 25, "IAM": 25, "SUNNI": 10, "OTHER": 10}),
    ),
    (
        {"op": "add", "kind": "hypothesis", "id": "AQ", "title": "Al-Qaeda", "prior": 5, "default_rating": "N"},
        lambda p: editing.add_hypothesis(p, "AQ", "Al-Qaeda", prior=5, default_rating="N"),
    ),
    (
        {"op": "add", "kind": "source", "id": "afp", "reliability": "B", "title": "AFP"},
        lambda p: editing.add_source(p, "afp", "B", title="AFP"),
    ),
    (
        {"op": "add", "kind": "evidence", "text": "A new report.", "source": "nyt", "ratings": {"KH": "likely"}},
        lambda p: editing.add_evidence(p, "A new report.", {"KH": "likely"}, source="nyt"),
    ),
    (
        {
            "op": "add",
            "kind": "candidate",
            "text": "A confession.",
            "ratings": dict.fromkeys("KH IAM ISIS SUNNI OTHER".split(), "unlikely"),
        },
        lambda p: editing.add_candidate(
            p, "A confession.", dict.fromkeys("KH IAM ISIS SUNNI OTHER".split(), "unlikely")
        ),
    ),
    ({"op": "rm", "id": "E13"}, lambda p: editing.remove(p, "E13")),
    ({"op": "rm", "id": "OTHER"}, lambda p: editing.remove(p, "OTHER")),
]


@pytest.mark.parametrize(("body", "same"), EDITS, ids=[f"{b['op']}-{i}" for i, (b, _) in enumerate(EDITS)])
def test_every_op_writes_what_the_editing_layer_writes_and_answers_its_analysis(client, folder, body, same):
    answer = post(client, "/api/edit", body)
    assert answer.status_code == 200, answer.text
    written = (folder / "k1.yaml").read_text(encoding="utf-8")
    assert written == library_edit(folder, "k1.yaml", same)
    assert written != K1.read_text(encoding="utf-8")
    data = answer.json()
    expected = ach.analyze(ach.load("k1.yaml"), sample=False).to_dict()
    assert {k: v for k, v in data.items() if k != "edit"} == json.loads(json.dumps(expected))
    assert data["edit"]["written"] and data["edit"]["changes"]


def test_a_rerating_keeps_every_other_line_and_the_comment(client, folder):
    before = (folder / "k1.yaml").read_text(encoding="utf-8").splitlines()
    assert post(client, "/api/edit", {"op": "rate", "item": "E07", "hypothesis": "KH", "value": "likely"}).is_success
    after = (folder / "k1.yaml").read_text(encoding="utf-8").splitlines()
    changed = [i for i, (a, b) in enumerate(zip(before, after)) if a != b]
    assert len(before) == len(after) and len(changed) == 1
    line = after[changed[0]]
    assert "KH: likely" in line and line.split("#", 1)[1] == before[changed[0]].split("#", 1)[1]


SPARE_SOURCE = """\
  - id: spare-desk        # a source no item cites yet
    title: A spare desk
    reliability: B        # usually reliable
"""


def test_removing_a_source_takes_out_its_lines_only(client, folder):
    original = (folder / "k1.yaml").read_text(encoding="utf-8")
    at = original.index("  - id: defence-news\n")  # a source in the middle of the list
    with_spare = original[:at] + SPARE_SOURCE + original[at:]
    (folder / "k1.yaml").write_text(with_spare, encoding="utf-8")
    answer = post(client, "/api/edit", {"op": "rm", "id": "spare-desk", "kind": "source"})
    assert answer.status_code == 200, answer.text
    assert (folder / "k1.yaml").read_text(encoding="utf-8") == original  # every other line and comment as it was
    assert "spare-desk" not in [s["id"] for s in client.get("/api/case").json()["sources"]]
    assert answer.json()["exact"]["posterior"]["KH"] == pytest.approx(0.41998605, abs=1e-8)  # no item cited it


def test_removing_a_candidate_takes_out_its_lines_only(client, folder):
    before = (folder / "k1.yaml").read_text(encoding="utf-8").splitlines(keepends=True)
    start = before.index("  - id: C3\n")
    end = before.index("  - id: C4\n")
    assert any("#" in line for line in before[start:end])  # its ratings' comments go with it
    answer = post(client, "/api/edit", {"op": "rm", "id": "C3", "kind": "candidate"})
    assert answer.status_code == 200, answer.text
    after = (folder / "k1.yaml").read_text(encoding="utf-8")
    assert after == "".join(before[:start] + before[end:])
    ranked = [c["id"] for c in answer.json()["collection"]["candidates"]]
    assert "C3" not in ranked and sorted(ranked) == ["C1", "C2", "C4", "C5"]


# -- refusals: the file byte-identical ----------------------------------------------------------

REFUSED = [
    ({"op": "rate", "item": "E07", "hypothesis": "KH", "value": "purple"}, 422, "rating 'purple'"),
    ({"op": "rate", "item": "E99", "hypothesis": "KH", "value": "likely"}, 422, "E99"),
    ({"op": "rate", "item": "E07", "hypothesis": "KH"}, 400, "'value' is missing"),
    ({"op": "rate", "item": "E07", "hypothesis": "KH", "value": "C", "colour": "red"}, 400, "'colour'"),
    ({"op": "paint"}, 400, "unknown op"),
    ({"op": "set", "id": "us-gov", "reliability": 7}, 422, "reliability"),
    ({"op": "set", "id": "us-gov"}, 400, "nothing to change"),
    ({"op": "add", "kind": "wish"}, 400, "add needs a kind"),
    ({"op": "add", "kind": "hypothesis", "id": "KH", "title": "again"}, 422, "KH"),
    ({"op": "rm", "id": "nope"}, 422, "nope"),
    ({"op": "rm", "id": "us-gov"}, 422, "us-gov"),
]


@pytest.mark.parametrize(("body", "status", "said"), REFUSED, ids=[str(i) for i in range(len(REFUSED))])
def test_a_refused_edit_says_where_and_leaves_the_file_byte_identical(client, folder, body, status, said):
    raw = (folder / "k1.yaml").read_bytes()
    answer = post(client, "/api/edit", body)
    assert answer.status_code == status, answer.text
    data = answer.json()
    assert said in data["error"] + json.dumps(data["problems"]) and isinstance(data["location"], dict)
    assert "Traceback" not in answer.text
    assert (folder / "k1.yaml").read_bytes() == raw


def test_a_bad_rating_is_located_at_its_line_and_field(client):
    data = post(client, "/api/edit", {"op": "rate", "item": "E07", "hypothesis": "KH", "value": "purple"}).json()
    line = K1.read_text(encoding="utf-8").splitlines()[data["location"]["line"] - 1]
    assert data["location"]["file"] == "k1.yaml" and "KH:" in line and "KH" in data["location"]["field"]


def test_a_body_that_is_not_a_json_object_is_refused(client, folder):
    raw = (folder / "k1.yaml").read_bytes()
    for content in (b"not json", b"[1, 2]", b'"rate"'):
        answer = client.post("/api/edit", content=content)
        assert answer.status_code == 400 and "JSON" in answer.json()["error"]
    assert (folder / "k1.yaml").read_bytes() == raw


bodies = st.dictionaries(
    st.sampled_from(["op", "item", "hypothesis", "value", "id", "kind", "why", "priors", "text", "ratings", "x"]),
    st.one_of(
        st.none(), st.integers(-3, 3), st.text(max_size=6), st.sampled_from(["rate", "set", "add", "rm", "E07", "KH"])
    ),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=bodies)
@example(body={"op": "rate", "item": "E07", "hypothesis": "KH", "value": None})
@example(body={"op": "set", "id": None, "priors": 3})
def test_no_body_makes_the_server_fail_and_a_refusal_changes_nothing(client, folder, body):
    raw = (folder / "k1.yaml").read_bytes()
    answer = post(client, "/api/edit", body)
    assert answer.status_code in (200, 400, 409, 422), answer.text
    if answer.status_code != 200:
        assert (folder / "k1.yaml").read_bytes() == raw and answer.json()["error"]
    else:
        (folder / "k1.yaml").write_bytes(K1.read_bytes())  # the next example starts from K-1 again


# -- conflicts, undo and redo ---------------------------------------------------------------------


def test_an_edit_from_a_page_that_has_not_seen_the_file_on_disk_is_refused(client, folder):
    seen = client.get("/api/version").json()["version"]
    theirs = (folder / "k1.yaml").read_text(encoding="utf-8").replace("analyst: ", "analyst: Someone else, ", 1)
    (folder / "k1.yaml").write_text(theirs, encoding="utf-8")  # an editor, a git pull
    answer = post(client, "/api/edit", {"op": "rate", "item": "E07", "hypothesis": "KH", "value": "C", "version": seen})
    assert answer.status_code == 409 and "changed on disk" in answer.json()["error"]
    assert (folder / "k1.yaml").read_text(encoding="utf-8") == theirs
    assert client.get("/api/version").json()["version"] != seen  # what the page polls to reload


def test_undo_and_redo_put_back_the_exact_bytes(client, folder):
    original = (folder / "k1.yaml").read_bytes()
    post(client, "/api/edit", {"op": "rate", "item": "E07", "hypothesis": "KH", "value": "likely"})
    edited = (folder / "k1.yaml").read_bytes()
    post(client, "/api/edit", {"op": "set", "id": "us-gov", "reliability": "B"})
    assert post(client, "/api/undo").is_success and (folder / "k1.yaml").read_bytes() == edited
    undone = post(client, "/api/undo").json()
    assert (folder / "k1.yaml").read_bytes() == original
    assert undone["exact"]["posterior"] == client.get("/api/analysis").json()["exact"]["posterior"]
    assert post(client, "/api/undo").status_code == 422  # nothing left to undo
    assert post(client, "/api/redo").is_success and (folder / "k1.yaml").read_bytes() == edited
    assert post(client, "/api/redo").json()["edit"]["redo"] == 0


def test_undo_never_overwrites_a_change_made_meanwhile(client, folder):
    post(client, "/api/edit", {"op": "rate", "item": "E07", "hypothesis": "KH", "value": "likely"})
    theirs = (folder / "k1.yaml").read_text(encoding="utf-8") + "\n# their comment\n"
    (folder / "k1.yaml").write_text(theirs, encoding="utf-8")
    assert post(client, "/api/undo").status_code == 409
    assert (folder / "k1.yaml").read_text(encoding="utf-8") == theirs
    assert client.get("/api/version").json()["undo"] == 1  # still there to try again


# -- what-if and preview ---------------------------------------------------------------------------


def test_whatif_edits_change_the_numbers_not_the_file_until_kept(client, folder):
    raw = (folder / "k1.yaml").read_bytes()
    assert post(client, "/api/whatif/start").is_success
    body = {"op": "rate", "item": "E07", "hypothesis": "KH", "value": "likely", "whatif": True}
    tried = post(client, "/api/edit", body).json()
    assert (folder / "k1.yaml").read_bytes() == raw
    expected = ach.whatif(ach.load("k1.yaml"), set={"E07.KH": "likely"})
    assert tried["exact"]["posterior"] == pytest.approx(
        dict(zip(expected.after.case.hypothesis_ids, expected.after.posterior))
    )
    assert tried["whatif"]["before"] == pytest.approx(
        dict(zip(expected.before.case.hypothesis_ids, expected.before.posterior))
    )
    post(client, "/api/edit", {**body, "hypothesis": "ISIS", "value": "C"})
    assert post(client, "/api/undo").is_success  # undoes the second what-if edit only
    assert (folder / "k1.yaml").read_bytes() == raw
    kept = post(client, "/api/whatif/keep").json()
    assert (folder / "k1.yaml").read_text(encoding="utf-8") == library_edit(
        folder, "k1.yaml", lambda p: editing.rate(p, "E07", "KH", "likely")
    )
    assert kept["exact"]["posterior"] == pytest.approx(tried["exact"]["posterior"])
    assert post(client, "/api/undo").is_success and (folder / "k1.yaml").read_bytes() == raw


def test_dropping_a_whatif_leaves_the_file_as_it_was(client, folder):
    raw = (folder / "k1.yaml").read_bytes()
    post(client, "/api/whatif/start")
    post(client, "/api/edit", {"op": "rm", "id": "E02", "whatif": True})
    assert post(client, "/api/whatif/drop").is_success and (folder / "k1.yaml").read_bytes() == raw
    assert "whatif" not in client.get("/api/analysis").json()


PREVIEWED = [
    {"op": "rate", "item": "E07", "hypothesis": "KH", "value": "likely"},
    {"op": "set", "id": "us-gov", "reliability": "E"},
    {"op": "set", "id": "E02", "credibility": "low"},
    {"op": "set", "id": "KH", "prior": 20},
]


@pytest.mark.parametrize("body", PREVIEWED, ids=[b["op"] + "-" + str(i) for i, b in enumerate(PREVIEWED)])
def test_the_preview_shows_the_posterior_the_edit_then_gives(client, body):
    preview = post(client, "/api/preview", body).json()["preview"]
    edited = post(client, "/api/edit", body).json()
    assert preview["posterior"] == pytest.approx(edited["exact"]["posterior"], abs=1e-12)
    assert preview["leading"] == edited["leading"] and preview["terms"] == edited["exact"]["terms"]


def test_an_edit_it_cannot_preview_answers_none(client):
    assert post(client, "/api/preview", {"op": "rm", "id": "E02"}).json() == {"preview": None}
    assert post(
        client, "/api/preview", {"op": "rate", "item": "E07", "hypothesis": "KH", "value": "purple"}
    ).json() == {"preview": None}


# -- what the page reads ---------------------------------------------------------------------------


def test_the_case_view_has_the_values_as_written_and_the_why_of_each_cell(client):
    view = client.get("/api/case").json()
    e07 = next(e for e in view["evidence"] if e["id"] == "E07")
    assert e07["ratings"]["KH"] == 0.4 and e07["credibility"] == 2
    assert e07["why"]["KH"].startswith("KH is supplied by Iran")
    e01 = next(e for e in view["evidence"] if e["id"] == "E01")
    assert e01["ratings"]["KH"] == "likely"
    assert next(s for s in view["sources"] if s["id"] == "us-gov")["reliability"] == "C"
    assert {"CC", "NA", "likely"} <= set(view["rating_words"])


def test_a_citation_link_is_offered_only_for_http_https_and_mailto(client, folder):
    text = (folder / "k1.yaml").read_text(encoding="utf-8")
    first = text.index("report: 000_2390cfa6678715c5.txt")
    indent = text.rfind("\n", 0, first)
    pad = " " * (first - indent - 1)
    text = text[:first] + f"url: 'javascript:alert(1)'\n{pad}" + text[first:]
    (folder / "k1.yaml").write_text(text, encoding="utf-8")
    cited = [e["citation"] for e in client.get("/api/case").json()["evidence"] if e["citation"]]
    hostile = [c for c in cited if c["url"] == "javascript:alert(1)"]
    assert hostile and all(c["link"] == "" for c in hostile)


# -- other pages kept out, and paths never trusted ---------------------------------------------------


def test_a_request_without_the_token_or_from_another_origin_changes_nothing(app, folder):
    raw = (folder / "k1.yaml").read_bytes()
    body = json.dumps({"op": "rate", "item": "E07", "hypothesis": "KH", "value": "C"})
    bare = TestClient(app)
    assert bare.post("/api/edit", content=body).status_code == 403
    assert bare.post("/api/edit", content=body, headers={"X-ACH-Token": "guess"}).status_code == 403
    evil = {"X-ACH-Token": app.state.token, "Origin": "http://evil.example"}
    assert bare.post("/api/edit", content=body, headers=evil).status_code == 403
    assert bare.post("/api/undo", content="{}", headers={"Origin": "http://testserver"}).status_code == 403
    assert (folder / "k1.yaml").read_bytes() == raw
    same = {"X-ACH-Token": app.state.token, "Origin": "http://testserver"}
    assert bare.post("/api/edit", content=body, headers=same).status_code == 200


def test_another_host_name_is_refused_even_for_reading(app):
    rebound = TestClient(app, base_url="http://attacker.example")
    assert rebound.get("/api/analysis").status_code == 403
    assert rebound.get("/").status_code == 403


def test_another_port_is_another_server_in_the_host_and_in_the_origin(app, folder):
    raw = (folder / "k1.yaml").read_bytes()
    body = json.dumps({"op": "rate", "item": "E07", "hypothesis": "KH", "value": "C"})
    client = TestClient(app)  # http://testserver, port 80
    token = {"X-ACH-Token": app.state.token}
    for origin in ("http://testserver:3000", "https://testserver", "http://testserver:80/x", "null", "testserver"):
        assert client.post("/api/edit", content=body, headers={**token, "Origin": origin}).status_code == 403, origin
    for host in ("testserver:3000", "testserver:8765", "testserver:", "testserver:x"):
        assert client.get("/api/analysis", headers={"Host": host}).status_code == 403, host
        assert client.post("/api/edit", content=body, headers={**token, "Host": host}).status_code == 403, host
    assert (folder / "k1.yaml").read_bytes() == raw
    assert client.get("/api/version", headers={"Host": "testserver:80"}).status_code == 200
    same = {**token, "Origin": "http://testserver:80"}
    assert client.post("/api/edit", content=body, headers=same).status_code == 200


def test_on_a_given_port_both_loopback_names_are_the_server_and_other_ports_are_not(folder):
    app = create_app(folder, "k1.yaml", port=8765)  # the names ach serve answers to by default
    token = {"X-ACH-Token": app.state.token}
    body = json.dumps({"op": "set", "analyst": "J. Smith"})
    for base in ("http://127.0.0.1:8765", "http://localhost:8765", "http://[::1]:8765"):
        client = TestClient(app, base_url=base)
        assert client.get("/api/version").status_code == 200, base
        for origin in ("http://127.0.0.1:8765", "http://localhost:8765"):
            assert client.post("/api/edit", content=body, headers={**token, "Origin": origin}).status_code == 200
        assert (
            client.post("/api/edit", content=body, headers={**token, "Origin": "http://localhost:3000"}).status_code
            == 403
        )
    # A request that arrives on another port (the server reached through a port it does not serve) is refused.
    assert TestClient(app, base_url="http://localhost:3000").get("/api/version").status_code == 403
    assert TestClient(app, base_url="http://evil.example:8765").get("/").status_code == 403


def test_the_page_carries_the_token_and_a_strict_content_policy(app):
    page = TestClient(app).get("/")
    assert app.state.token in page.text and "script-src 'self'" in page.headers["content-security-policy"]
    assert TestClient(app).get("/static/workbench.js").status_code == 200
    assert TestClient(app).get("/static/..%2Fapp.py").status_code == 404


@pytest.mark.parametrize(
    "name", ["../k1.yaml", "/etc/passwd", "copy/../k1.yaml", "k1.yml", "outside.yaml", "nested/deep.yaml"]
)
def test_only_case_files_the_folder_lists_can_be_named(client, folder, tmp_path_factory, name):
    outside = tmp_path_factory.mktemp("elsewhere") / "outside.yaml"
    shutil.copy(K1, outside)
    (folder / "outside.yaml").symlink_to(outside)  # a link out of the folder is not one of its files
    answer = client.get(f"/api/analysis?case={name}")
    assert answer.status_code == 404 and "no case file" in answer.json()["error"]
    assert post(client, "/api/edit", {"case": name, "op": "rm", "id": "E02"}).status_code == 404
    assert outside.read_bytes() == K1.read_bytes()


def test_cases_lists_the_folder(client):
    assert client.get("/api/cases").json()["cases"] == ["k1.yaml", "warmup.yaml"]


def test_a_bug_answers_json_not_a_traceback(client, app, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(app.state.workbench, "analysis", broken)
    answer = client.get("/api/analysis")
    assert answer.status_code == 500 and "a bug" in answer.json()["error"] and "boom" not in answer.text


def test_a_broken_file_gets_located_problems(client, folder):
    (folder / "k1.yaml").write_text("question: Who?\nhypotheses: 3\n", encoding="utf-8")
    data = client.get("/api/analysis").json()
    assert data["location"]["file"] == "k1.yaml" and data["problems"]


# -- new cases and reports ---------------------------------------------------------------------------


def test_a_new_case_is_made_in_the_folder_and_never_over_another(client, folder):
    body = {
        "name": "mine.yaml",
        "question": "Who?",
        "hypotheses": [{"id": "A", "title": "A"}, {"id": "B", "title": "B"}],
    }
    assert post(client, "/api/new", body).is_success and (folder / "mine.yaml").exists()
    raw = (folder / "k1.yaml").read_bytes()
    assert post(client, "/api/new", {**body, "name": "k1.yaml"}).status_code == 422
    assert post(client, "/api/new", {**body, "name": "../escape.yaml"}).status_code == 400
    assert (folder / "k1.yaml").read_bytes() == raw and not (folder.parent / "escape.yaml").exists()
    assert "mine.yaml" in client.get("/api/cases").json()["cases"]


def files_in(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_the_report_is_written_in_the_served_folder_as_ach_report_writes_it_there(
    folder, tmp_path_factory, monkeypatch
):
    app = create_app(folder, "k1.yaml", hosts=("testserver",))
    client = TestClient(app, headers={"X-ACH-Token": app.state.token})
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    monkeypatch.chdir(elsewhere)  # the server's working directory is not the folder it serves
    before = files_in(folder)
    data = post(client, "/api/report", {"case": "warmup.yaml"}).json()
    assert data["html"] == "reports/warmup/report.html" and data["markdown"] == "reports/warmup/report.md"
    assert data["bottom_line"].startswith("As of 2024-04-02") and data["url"] == "/report/warmup/report.html"
    assert list(elsewhere.iterdir()) == []
    after = files_in(folder)
    new = sorted(after.keys() - before.keys())
    assert new == sorted(["reports/warmup/report.html", "reports/warmup/report.md", *data["figures"].values()])
    assert all(after[name] == raw for name, raw in before.items())  # the case files untouched
    monkeypatch.chdir(folder)  # ach report run from the folder writes the same report
    assert CliRunner().invoke(main, ["report", "warmup.yaml", "-q", "-o", "by-cli"]).exit_code == 0
    for written in ("report.html", "report.md"):
        assert after[f"reports/warmup/{written}"] == (folder / "by-cli" / written).read_bytes()


def test_the_written_report_is_served_read_only_without_script(client, folder):
    data = post(client, "/api/report", {"case": "warmup.yaml"}).json()
    page = client.get(data["url"])
    assert page.status_code == 200 and page.text == (folder / data["html"]).read_text(encoding="utf-8")
    policy = page.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script-src" not in policy
    figure = next(iter(data["figures"].values()))
    assert (
        client.get("/report/warmup/" + figure.removeprefix("reports/warmup/")).content == (folder / figure).read_bytes()
    )
    assert client.post(data["url"]).status_code == 405
    assert client.get("/report/warmup/..%2F..%2Fk1.yaml").status_code == 404
    assert client.get("/report/elsewhere/report.html").status_code == 404


def test_a_reports_folder_that_leads_out_of_the_served_folder_is_not_written(client, folder, tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside")
    (folder / "reports").symlink_to(outside, target_is_directory=True)
    answer = post(client, "/api/report", {"case": "warmup.yaml"})
    assert answer.status_code == 422 and "leads out of the folder" in answer.json()["error"]
    assert list(outside.iterdir()) == []


def test_messages_name_the_case_file_from_the_served_folder(tmp_path, monkeypatch):
    served = tmp_path / "served"
    (served / "team").mkdir(parents=True)
    shutil.copy(K1, served / "team" / "k1.yaml")
    monkeypatch.chdir(tmp_path)
    app = create_app(served, "team/k1.yaml", hosts=("testserver",))
    client = TestClient(app, headers={"X-ACH-Token": app.state.token})
    monkeypatch.chdir(served)
    analysis = client.get("/api/analysis").json()
    assert analysis == cli_json("analyze", "team/k1.yaml", "--json", "--no-sample")  # as run in the folder
    assert analysis["case"]["path"] == "team/k1.yaml" and str(tmp_path) not in json.dumps(analysis)
    refused = post(client, "/api/edit", {"op": "rate", "item": "E07", "hypothesis": "KH", "value": "purple"})
    data = refused.json()
    assert data["location"]["file"] == "team/k1.yaml" and {p["file"] for p in data["problems"]} == {"team/k1.yaml"}
    assert str(tmp_path) not in refused.text
    seen = client.get("/api/version").json()["version"]
    (served / "team" / "k1.yaml").write_text(K1.read_text(encoding="utf-8") + "\n# theirs\n", encoding="utf-8")
    stale = post(client, "/api/edit", {"op": "set", "analyst": "X", "version": seen})
    assert stale.status_code == 409 and stale.json()["location"]["file"] == "team/k1.yaml"
    (served / "team" / "k1.yaml").write_text("question: Who?\nhypotheses: 3\n", encoding="utf-8")
    broken = client.get("/api/analysis")
    assert broken.json()["location"]["file"] == "team/k1.yaml" and str(tmp_path) not in broken.text


# -- the command ----------------------------------------------------------------------------------


def test_ach_serve_refuses_a_missing_path_and_a_busy_port(tmp_path):
    missing = CliRunner().invoke(main, ["serve", str(tmp_path / "nope.yaml"), "--no-browser"])
    assert missing.exit_code == 2 and "does not exist" in missing.output
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = CliRunner().invoke(main, ["serve", str(K1), "--no-browser", "--port", str(port)])
    assert result.exit_code == 1 and "cannot listen" in result.output and "--port" in result.output


def start(monkeypatch, *args):
    """`ach serve ARGS --no-browser` up to where the server would run: (the command's result, what uvicorn got)."""
    import uvicorn

    started = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: started.update(app=app, **options))
    return CliRunner().invoke(main, ["serve", *args, "--no-browser"]), started


def answers(app, base_url: str) -> bool:
    return TestClient(app, base_url=base_url).get("/api/version").status_code == 200


def test_ach_serve_on_every_interface_warns_and_answers_to_the_addresses_it_prints(monkeypatch, folder):
    port = free_port()
    result, started = start(monkeypatch, "k1.yaml", "--host", "0.0.0.0", "--port", str(port))
    assert result.exit_code == 0, result.output
    assert "warning: listening on 0.0.0.0: anyone who can reach this machine" in result.stderr
    assert "--host 127.0.0.1" in result.stderr and started["host"] == "0.0.0.0" and started["port"] == port
    printed = re.findall(r"http://\S+/", result.stdout)
    hostname = socket.gethostname().lower()
    assert printed[0] == f"http://127.0.0.1:{port}/" and f"http://{hostname}:{port}/" in printed
    assert "from other machines" in result.stdout
    app = started["app"]
    for url in printed:  # a colleague's browser, typing what the terminal says
        assert answers(app, url.rstrip("/")), url
    assert answers(app, f"http://localhost:{port}")
    assert not answers(app, f"http://{hostname}:{port + 1}")
    assert not answers(app, f"http://attacker.example:{port}")


def test_ach_serve_on_loopback_says_nothing_of_other_machines(monkeypatch, folder):
    port = free_port()
    result, started = start(monkeypatch, "k1.yaml", "--port", str(port))
    assert result.exit_code == 0, result.output
    assert "warning" not in result.stderr and "other machines" not in result.stdout
    assert re.findall(r"http://\S+/", result.stdout) == [f"http://127.0.0.1:{port}/"]
    assert answers(started["app"], f"http://localhost:{port}")
    assert not answers(started["app"], f"http://{socket.gethostname().lower()}:{port}")


def test_a_server_bound_to_one_network_address_answers_to_that_address_and_its_port():
    assert address.names_for("10.1.2.3") == ("10.1.2.3",)
    assert address.names_for("FE80::1") == ("[fe80::1]",)
    assert address.urls("10.1.2.3", 9000) == ("http://10.1.2.3:9000/", [])
    assert address.urls("::1", 9000) == ("http://[::1]:9000/", [])
    app = create_app(K1.parent, "k1.yaml", hosts=address.names_for("10.1.2.3"), port=9000)
    assert answers(app, "http://10.1.2.3:9000")
    assert not answers(app, "http://10.1.2.3:9001") and not answers(app, "http://attacker.example:9000")


def test_ach_serve_on_a_network_address_warns_and_prints_it(monkeypatch, folder):
    def bindable(name):
        try:
            with socket.socket() as s:
                s.bind((name, 0))
            return True
        except OSError:
            return False

    mine = [n for n in address.machine_names() if n[0].isdigit() and bindable(n)]  # an IPv4 address of this machine
    if not mine:
        pytest.skip("this machine has no IPv4 address besides loopback")
    port = free_port()
    result, started = start(monkeypatch, "k1.yaml", "--host", mine[0], "--port", str(port))
    assert result.exit_code == 0, result.output
    assert f"warning: listening on {mine[0]}" in result.stderr
    assert re.findall(r"http://\S+/", result.stdout) == [f"http://{mine[0]}:{port}/"]
    assert answers(started["app"], f"http://{mine[0]}:{port}")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("localhost:8765", ("localhost", 8765)),
        ("LOCALHOST", ("localhost", 80)),
        ("[::1]:8765", ("[::1]", 8765)),
        ("[::1]", ("[::1]", 80)),
        ("::1", None),
        ("[::1]x", None),
        ("localhost:", None),
        ("localhost:0", None),
        ("localhost:65536", None),
        ("", None),
    ],
)
def test_a_host_is_read_as_name_and_port(value, expected):
    assert address.authority(value) == expected
