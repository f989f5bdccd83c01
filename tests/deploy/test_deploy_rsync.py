"""``deploy --to rsync://…`` against a real rsync daemon, and ``host:path`` (rsync over SSH) with
the two real rsyncs talking over a stand-in for ssh."""

from __future__ import annotations

import uuid

from panelsite.deploy import plan

from .conftest import deploy


def tree(folder) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_rsync_daemon_gets_the_site_in_passes_and_only_changes_after(site_copy, rsync_daemon):
    site = site_copy / "lindenhaven"
    where = f"{uuid.uuid4().hex[:8]}/lindenhaven"  # does not exist yet: the first upload makes it
    to = ["--to", f"{rsync_daemon.url}/{where}", "--out", str(site_copy)]
    mark = len(rsync_daemon.log_lines())
    first = deploy("lindenhaven", *to)
    assert first.returncode == 0, first.stderr
    remote = rsync_daemon.root / where
    got = tree(remote)
    assert got.pop(plan.STATE_FILE)
    assert got == tree(site)
    for path in remote.rglob("*"):
        assert path.stat().st_mode & 0o777 == (0o755 if path.is_dir() else 0o644), path
    received = [p for op, p in rsync_daemon.transfers(mark) if op == "recv" and not p.endswith("/")]
    kinds = [plan.kind_of(p).name if p != plan.STATE_FILE else "record" for p in received]
    passes = [k for i, k in enumerate(kinds) if i == 0 or k != kinds[i - 1]]
    assert passes == ["assets", "record", "downloads", "record", "pages", "record", "indexes", "record"]

    mark = len(rsync_daemon.log_lines())
    again = deploy("lindenhaven", *to)
    assert again.returncode == 0 and "is up to date" in again.stdout
    assert [t for t in rsync_daemon.transfers(mark) if t[0] in ("recv", "del.")] == []

    (site / "index.html").write_bytes((site / "index.html").read_bytes() + b"\n")
    (site / "resultaten" / "afval-2025" / "data.csv").unlink()
    (site / "nieuws" / "index.html").unlink()
    (site / "nieuws").rmdir()
    mark = len(rsync_daemon.log_lines())
    third = deploy("lindenhaven", *to)
    assert third.returncode == 0, third.stderr
    assert "1 uploaded" in third.stdout and "2 deleted" in third.stdout
    ops = [(op, p) for op, p in rsync_daemon.transfers(mark) if op in ("recv", "del.")]
    assert ("recv", "index.html") in ops
    first_delete = next(i for i, (op, _) in enumerate(ops) if op == "del.")
    assert all(op == "del." or p == plan.STATE_FILE for op, p in ops[first_delete:])
    got = tree(remote)
    got.pop(plan.STATE_FILE)
    assert got == tree(site)
    assert not (remote / "nieuws").exists()  # the folder the stale page leaves empty goes too


def test_a_daemon_that_refuses_a_page_leaves_a_whole_site(site_copy, rsync_daemon):
    site = site_copy / "lindenhaven"
    where = f"{uuid.uuid4().hex[:8]}/lindenhaven"
    assert deploy("lindenhaven", "--to", f"{rsync_daemon.url}/{where}", "--out", str(site_copy)).returncode == 0
    remote = rsync_daemon.root / where
    old_home = (remote / "index.html").read_bytes()
    (site / "assets/js/charts.js").write_bytes((site / "assets/js/charts.js").read_bytes() + b"\n// nieuw\n")
    (site / "index.html").write_bytes(old_home.replace(b"</main>", b'<a href="kapot/">x</a></main>'))
    (site / "kapot").mkdir()
    (site / "kapot" / "index.html").write_text("<!doctype html><title>kapot</title>", encoding="utf-8")
    (site / "contact" / "index.html").unlink()
    refusing = rsync_daemon.url.rsplit("/", 1)[0] + "/refusing"  # the same folder, a module that takes no kapot/
    failed = deploy("lindenhaven", "--to", f"{refusing}/{where}", "--out", str(site_copy))
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert 'daemon refused to receive directory "kapot"' in failed.stderr
    assert "while uploading pages" in failed.stderr and "Nothing was deleted." in failed.stderr
    assert (remote / "assets/js/charts.js").read_bytes() == (site / "assets/js/charts.js").read_bytes()
    assert (remote / "contact" / "index.html").is_file()
    assert not (remote / "kapot").exists()


def test_rsync_over_ssh_in_both_spellings(site_copy, fake_ssh, tmp_path):
    site = site_copy / "lindenhaven"
    env = {"RSYNC_RSH": str(fake_ssh)}
    scp_like = deploy("lindenhaven", "--to", f"deploy@web1.example.nl:{tmp_path}/srv/lindenhaven", "--out",
                      str(site_copy), env=env)
    assert scp_like.returncode == 0, scp_like.stderr
    got = tree(tmp_path / "srv" / "lindenhaven")
    assert got.pop(plan.STATE_FILE) and got == tree(site)
    url = deploy("lindenhaven", "--to", f"ssh://deploy@web2.example.nl:2222{tmp_path}/srv2/lindenhaven", "--out",
                 str(site_copy), env=env)
    assert url.returncode == 0, url.stderr
    assert (tmp_path / "srv2" / "lindenhaven" / "index.html").is_file()
    hosts = set((fake_ssh.parent / "hosts").read_text().split())
    assert hosts == {"web1.example.nl", "web2.example.nl"}
    again = deploy("lindenhaven", "--to", f"deploy@web1.example.nl:{tmp_path}/srv/lindenhaven", "--out",
                   str(site_copy), env=env)
    assert again.returncode == 0 and "is up to date" in again.stdout
