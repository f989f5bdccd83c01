"""``python build.py deploy <slug> --to FOLDER``: a web server's document root on this machine."""

from __future__ import annotations

import json
import os
import pty
import resource
import subprocess
import sys
from pathlib import Path

from .conftest import REPO, deploy


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_first_deploy_copies_the_site_then_only_what_changed(site_copy, tmp_path):
    site, www = site_copy / "lindenhaven", tmp_path / "www" / "lindenhaven"
    first = deploy("lindenhaven", "--to", str(www), "--out", str(site_copy))
    assert first.returncode == 0, first.stderr
    files = tree(site)
    deployed = tree(www)
    assert deployed.pop(".panelsite-deploy.json")
    assert deployed == files
    assert f"Deployed lindenhaven to {www}: {len(files)} uploaded" in first.stdout
    for path in www.rglob("*"):  # readable by a web server running as another user
        assert path.stat().st_mode & 0o777 == (0o755 if path.is_dir() else 0o644), path

    again = deploy("lindenhaven", "--to", str(www), "--out", str(site_copy))
    assert again.returncode == 0, again.stderr
    assert f"lindenhaven at {www} is up to date ({len(files)} files unchanged)." in again.stdout

    inode = (www / "assets/js/plotly.min.js").stat().st_ino
    (site / "index.html").write_bytes((site / "index.html").read_bytes().replace(b"</main>", b"<p>Nieuw</p></main>"))
    (site / "nieuws" / "extra").mkdir()
    (site / "nieuws" / "extra" / "index.html").write_text("<!doctype html><title>x</title>", encoding="utf-8")
    (site / "resultaten" / "afval-2025" / "data.csv").unlink()
    third = deploy("lindenhaven", "--to", str(www), "--out", str(site_copy))
    assert third.returncode == 0, third.stderr
    assert "pages      2 to upload" in third.stdout and "1 new, 1 changed" in third.stdout
    assert "stale      1 to delete" in third.stdout
    assert "2 uploaded" in third.stdout and "1 deleted" in third.stdout
    deployed = tree(www)
    deployed.pop(".panelsite-deploy.json")
    assert deployed == tree(site)
    assert (www / "assets/js/plotly.min.js").stat().st_ino == inode  # unchanged: not written again
    record = json.loads((www / ".panelsite-deploy.json").read_text())
    assert record["site"] == "lindenhaven" and set(record["files"]) == set(tree(site))


def test_a_file_changed_at_the_destination_is_put_right(site_copy, tmp_path):
    www = tmp_path / "www"
    assert deploy("lindenhaven", "--to", str(www), "--out", str(site_copy)).returncode == 0
    (www / "contact" / "index.html").write_text("vandalised", encoding="utf-8")
    (www / "assets" / "css" / "site.css").unlink()
    fixed = deploy("lindenhaven", "--to", str(www), "--out", str(site_copy))
    assert fixed.returncode == 0, fixed.stderr
    assert "2 uploaded" in fixed.stdout
    assert (www / "contact/index.html").read_bytes() == (site_copy / "lindenhaven/contact/index.html").read_bytes()
    assert (www / "assets/css/site.css").is_file()


def test_dry_run_lists_what_would_change_and_changes_nothing(site_copy, tmp_path):
    www = tmp_path / "www"
    assert deploy("lindenhaven", "--to", str(www), "--out", str(site_copy)).returncode == 0
    (site_copy / "lindenhaven" / "robots.txt").write_text("User-agent: *\nAllow: /\n", encoding="utf-8")
    (www / "oud.html").write_text("stale", encoding="utf-8")
    before = tree(www)
    dry = deploy("lindenhaven", "--to", str(www), "--out", str(site_copy), "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "upload robots.txt  [text/plain; charset=utf-8; Cache-Control: no-cache]" in dry.stdout
    assert "delete oud.html" in dry.stdout
    assert "Dry run: nothing was uploaded or deleted." in dry.stdout
    assert tree(www) == before


def test_a_folder_that_no_deploy_made_is_not_emptied_without_take_over(site_copy, tmp_path):
    www = tmp_path / "www"
    www.mkdir()
    (www / "belangrijk.txt").write_text("not the site's", encoding="utf-8")
    refused = deploy("lindenhaven", "--to", str(www), "--out", str(site_copy))
    assert refused.returncode == 2
    assert "holds 1 file the site does not have (belangrijk.txt)" in refused.stderr
    assert "--take-over" in refused.stderr
    assert tree(www) == {"belangrijk.txt": b"not the site's"}
    taken = deploy("lindenhaven", "--to", str(www), "--out", str(site_copy), "--take-over")
    assert taken.returncode == 0, taken.stderr
    assert not (www / "belangrijk.txt").exists() and (www / "index.html").is_file()


def test_a_deploy_that_fails_half_way_leaves_a_whole_site_and_says_so(site_copy, tmp_path):
    site, www = site_copy / "lindenhaven", tmp_path / "www"
    assert deploy("lindenhaven", "--to", str(www), "--out", str(site_copy)).returncode == 0
    old_home = (www / "index.html").read_bytes()
    # The next build: a new stylesheet, a changed home page, a page removed and a big new page. The
    # destination takes no file over 200 kB (a quota, as the kernel enforces it: RLIMIT_FSIZE): the
    # stylesheet goes, the big page does not.
    (site / "assets/css/site.css").write_bytes((site / "assets/css/site.css").read_bytes() + b"\n.nieuw{}\n")
    (site / "index.html").write_bytes(old_home.replace(b"</main>", b'<p><a href="groot/">Nieuw</a></p></main>'))
    (site / "nieuws" / "index.html").unlink()
    (site / "groot").mkdir()
    (site / "groot" / "index.html").write_bytes(b"<!doctype html><title>groot</title><p>" + b"x" * 300_000)
    limit = 200_000
    failed = deploy("lindenhaven", "--to", str(www), "--out", str(site_copy),
                    preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit)))
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "cannot write" in failed.stderr and "groot/index.html: File too large" in failed.stderr
    assert "while uploading pages: 0 of 2 sent" in failed.stderr
    assert "The assets and downloads went up first" not in failed.stderr  # no downloads changed
    assert "Nothing was deleted. Run the deploy again to finish it." in failed.stderr
    assert "nothing was written" not in failed.stderr
    # the stylesheet went first; the home page is the previous one, which links only to what is there;
    # the page it linked to (stale now) is still there
    assert (www / "assets/css/site.css").read_bytes() == (site / "assets/css/site.css").read_bytes()
    assert (www / "index.html").read_bytes() == old_home
    assert (www / "nieuws/index.html").is_file()
    assert not (www / "groot" / "index.html").exists()
    assert not list(www.rglob("*.deploy")), "a half-written file was left behind"
    # without the limit the same command finishes the job, sending only what is not there yet
    finished = deploy("lindenhaven", "--to", str(www), "--out", str(site_copy))
    assert finished.returncode == 0, finished.stderr
    assert "2 uploaded" in finished.stdout and "1 deleted" in finished.stdout
    deployed = tree(www)
    deployed.pop(".panelsite-deploy.json")
    assert deployed == tree(site)


def test_several_sites_need_slug_in_the_destination(site_copy, tmp_path):
    import shutil

    shutil.copytree(site_copy / "lindenhaven", site_copy / "eikendaal")
    one = deploy("lindenhaven", "eikendaal", "--to", str(tmp_path / "www"), "--out", str(site_copy))
    assert one.returncode == 2 and "expected {slug} in it" in one.stderr
    both = deploy("lindenhaven", "eikendaal", "--to", str(tmp_path / "www" / "{slug}"), "--out", str(site_copy))
    assert both.returncode == 0, both.stderr
    assert (tmp_path / "www/lindenhaven/index.html").is_file() and (tmp_path / "www/eikendaal/index.html").is_file()


def test_bad_destinations_and_missing_sites_are_input_errors(site_copy, tmp_path):
    cases = {
        ("lindenhaven", "s3://Bad_Bucket/x"): '"Bad_Bucket" is not a bucket name',
        ("lindenhaven", "web1:"): "names no folder on web1",
        ("lindenhaven", "ftp://host/x"): "unknown kind of destination",
        ("lindenhaven", str(site_copy)): "is the built site or holds it",
        ("lindenhavn", str(tmp_path / "www")): 'no built site of lindenhavn here (did you mean "lindenhaven"?)',
    }
    for (slug, dest), message in cases.items():
        proc = deploy(slug, "--to", dest, "--out", str(site_copy))
        assert proc.returncode == 2, (dest, proc.stdout, proc.stderr)
        assert message in proc.stderr, (dest, proc.stderr)
    assert not (tmp_path / "www").exists()


def test_progress_bar_on_a_terminal(site_copy, tmp_path):
    # a real pseudo-terminal: the bar is drawn only where someone watches
    pid, fd = pty.fork()
    if pid == 0:
        os.chdir(REPO)
        os.execv(sys.executable, [sys.executable, "build.py", "deploy", "lindenhaven", "--to", str(tmp_path / "www"),
                                  "--out", str(site_copy)])
    output = b""
    while True:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
    _, status = os.waitpid(pid, 0)
    text = output.decode()
    assert os.waitstatus_to_exitcode(status) == 0, text
    files = len(tree(site_copy / "lindenhaven"))
    assert f"[{'#' * 24}] {files}/{files}" in text
    assert "\r[" in text and "assets: " not in text  # the bar replaces the per-pass lines


def test_the_deploy_command_is_in_the_help():
    proc = subprocess.run([sys.executable, "build.py", "deploy", "--help"], cwd=REPO, capture_output=True, text=True)
    assert proc.returncode == 0 and "--to DEST" in proc.stdout and "--dry-run" in proc.stdout
