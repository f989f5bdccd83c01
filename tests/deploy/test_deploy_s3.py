"""``deploy --to s3://bucket/prefix`` against a real S3-compatible server (moto's server mode)."""

from __future__ import annotations

import json
import os

from panelsite.deploy import plan

from .conftest import deploy, start_moto, stop


def objects(client, bucket: str, prefix: str) -> dict[str, dict]:
    found = {}
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents", ()):
            found[item["Key"][len(prefix):]] = item
    return found


def puts(requests, bucket: str, prefix: str) -> list[str]:
    start = f"/{bucket}/{prefix}"
    return [path[len(start):] for method, path in requests if method == "PUT" and path.startswith(start)]


def test_s3_deploy_sets_both_headers_on_every_object_and_sends_in_passes(site_copy, s3_server):
    bucket, site = s3_server.new_bucket(), site_copy / "lindenhaven"
    client = s3_server.client()
    s3_server.record()
    first = deploy("lindenhaven", "--to", f"s3://{bucket}/panels/lindenhaven", "--out", str(site_copy),
                   env=s3_server.env())
    assert first.returncode == 0, first.stderr
    files = {p.relative_to(site).as_posix(): p for p in site.rglob("*") if p.is_file()}
    stored = objects(client, bucket, "panels/lindenhaven/")
    assert set(stored) == set(files) | {plan.STATE_FILE}
    for path, local in files.items():
        answer = client.get_object(Bucket=bucket, Key=f"panels/lindenhaven/{path}")
        assert answer["Body"].read() == local.read_bytes(), path
        assert answer["ContentType"] == plan.content_type(path, local.read_bytes()[:1024]), path
        assert answer["CacheControl"] == plan.kind_of(path).cache_control, path
    head = client.head_object(Bucket=bucket, Key="panels/lindenhaven/assets/css/site.css")
    assert (head["ContentType"], head["CacheControl"]) == ("text/css; charset=utf-8",
                                                          "public, max-age=31536000, immutable")
    head = client.head_object(Bucket=bucket, Key="panels/lindenhaven/resultaten/afval-2025/data.csv")
    assert (head["ContentType"], head["CacheControl"]) == ("text/csv; charset=utf-8", "no-cache")

    # the order the server got them: a pass starts when the one before it is done, its record after it
    order = puts(s3_server.requests(), bucket, "panels/lindenhaven/")
    kinds = [plan.kind_of(p).name if p != plan.STATE_FILE else "record" for p in order]
    passes = [k for i, k in enumerate(kinds) if i == 0 or k != kinds[i - 1]]
    assert passes == ["assets", "record", "downloads", "record", "pages", "record", "indexes", "record"]

    s3_server.record()
    again = deploy("lindenhaven", "--to", f"s3://{bucket}/panels/lindenhaven", "--out", str(site_copy),
                   env=s3_server.env())
    assert again.returncode == 0 and "is up to date" in again.stdout
    assert [m for m, _ in s3_server.requests() if m not in ("GET", "HEAD")] == []  # read only


def test_s3_only_changes_go_up_and_stale_objects_go_last(site_copy, s3_server):
    bucket, site = s3_server.new_bucket(), site_copy / "lindenhaven"
    client = s3_server.client()
    to = ["--to", f"s3://{bucket}/lindenhaven", "--out", str(site_copy)]
    assert deploy("lindenhaven", *to, env=s3_server.env()).returncode == 0
    (site / "index.html").write_bytes((site / "index.html").read_bytes() + b"\n")
    (site / "resultaten" / "afval-2025" / "data.json").unlink()
    (site / "nieuws" / "index.html").unlink()
    # changed behind the deploy's back: its ETag no longer matches the record
    client.put_object(Bucket=bucket, Key="lindenhaven/contact/index.html", Body=b"vandalised")
    s3_server.record()
    second = deploy("lindenhaven", *to, env=s3_server.env())
    assert second.returncode == 0, second.stderr
    assert "2 uploaded" in second.stdout and "2 deleted" in second.stdout
    requests = [(m, p.removeprefix(f"/{bucket}/lindenhaven/")) for m, p in s3_server.requests() if m != "GET"]
    sent = [p for m, p in requests if m == "PUT" and p != plan.STATE_FILE]
    assert sorted(sent) == ["contact/index.html", "index.html"]
    deleted = [i for i, (m, _) in enumerate(requests) if m == "DELETE"]
    assert sorted(p for m, p in requests if m == "DELETE") == ["nieuws/index.html", "resultaten/afval-2025/data.json"]
    assert min(deleted) > max(i for i, (m, p) in enumerate(requests) if m == "PUT" and p != plan.STATE_FILE)
    assert requests[-1] == ("PUT", plan.STATE_FILE)  # the record of the finished deploy
    stored = objects(client, bucket, "lindenhaven/")
    assert set(stored) - {plan.STATE_FILE} == {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()}
    assert client.get_object(Bucket=bucket, Key="lindenhaven/contact/index.html")["Body"].read() == \
        (site / "contact" / "index.html").read_bytes()
    record = json.loads(client.get_object(Bucket=bucket, Key=f"lindenhaven/{plan.STATE_FILE}")["Body"].read())
    assert set(record["files"]) == set(stored) - {plan.STATE_FILE}


def test_s3_refusal_half_way_keeps_a_whole_site(site_copy, tmp_path):
    """A deploy key that may write assets but not pages: the store refuses the first page (AccessDenied)."""
    import boto3

    # moto checks IAM policies after the first 7 requests, which set the scene
    proc, server = start_moto(tmp_path, INITIAL_NO_AUTH_ACTION_COUNT="7")
    try:
        setup = dict(endpoint_url=server.url, region_name="eu-west-1", aws_access_key_id="setup",
                     aws_secret_access_key="setup")
        boto3.client("s3", **setup).create_bucket(Bucket="panels", CreateBucketConfiguration={
            "LocationConstraint": "eu-west-1"})
        iam = boto3.client("iam", **setup)
        keys = {}
        for user, resources in [("admin", ["arn:aws:s3:::panels", "arn:aws:s3:::panels/*"]),
                                ("assets-only", ["arn:aws:s3:::panels/lindenhaven/assets/*",
                                                 f"arn:aws:s3:::panels/lindenhaven/{plan.STATE_FILE}"])]:
            iam.create_user(UserName=user)
            keys[user] = iam.create_access_key(UserName=user)["AccessKey"]
            statements = [{"Effect": "Allow", "Action": ["s3:ListBucket"], "Resource": "arn:aws:s3:::panels"},
                          {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
                           "Resource": resources}]
            if user == "admin":
                iam.put_user_policy(UserName=user, PolicyName="all", PolicyDocument=json.dumps(
                    {"Version": "2012-10-17", "Statement": statements}))
        iam.put_user_policy(UserName="assets-only", PolicyName="assets", PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": statements}))

        def env(user):
            return {**server.env(), "AWS_ACCESS_KEY_ID": keys[user]["AccessKeyId"],
                    "AWS_SECRET_ACCESS_KEY": keys[user]["SecretAccessKey"]}

        site = site_copy / "lindenhaven"
        to = ["--to", "s3://panels/lindenhaven", "--out", str(site_copy)]
        assert deploy("lindenhaven", *to, env=env("admin")).returncode == 0
        old_home = (site / "index.html").read_bytes()
        (site / "assets/css/site.css").write_bytes((site / "assets/css/site.css").read_bytes() + b"\n.nieuw{}\n")
        (site / "index.html").write_bytes(old_home + b"\n")
        (site / "nieuws" / "index.html").unlink()

        failed = deploy("lindenhaven", *to, env=env("assets-only"))
        assert failed.returncode == 1, failed.stdout + failed.stderr
        assert "cannot upload to s3://panels/lindenhaven/: access denied" in failed.stderr
        assert "(while uploading pages: 0 of 1 sent)" in failed.stderr
        assert "Nothing was deleted. Run the deploy again to finish it." in failed.stderr
        admin = boto3.client("s3", endpoint_url=server.url, region_name="eu-west-1",
                             aws_access_key_id=keys["admin"]["AccessKeyId"],
                             aws_secret_access_key=keys["admin"]["SecretAccessKey"])
        read = lambda key: admin.get_object(Bucket="panels", Key=f"lindenhaven/{key}")["Body"].read()  # noqa: E731
        assert read("assets/css/site.css") == (site / "assets/css/site.css").read_bytes()
        assert read("index.html") == old_home and read("nieuws/index.html")

        finished = deploy("lindenhaven", *to, env=env("admin"))
        assert finished.returncode == 0, finished.stderr
        assert "1 uploaded" in finished.stdout and "1 deleted" in finished.stdout  # the stylesheet is not sent again
        assert read("index.html") == old_home + b"\n"
    finally:
        stop(proc)


def test_s3_errors_name_the_bucket_the_endpoint_and_the_settings(site_copy, s3_server, tmp_path):
    to = ["--out", str(site_copy)]
    missing = deploy("lindenhaven", "--to", "s3://no-such-bucket/x", *to, env=s3_server.env())
    assert missing.returncode == 1
    assert f"bucket no-such-bucket does not exist at {s3_server.url}" in missing.stderr
    assert "The destination was not changed." in missing.stderr
    bare = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    nothing = tmp_path / "none"
    no_keys = {"AWS_ENDPOINT_URL": s3_server.url, "AWS_CONFIG_FILE": str(nothing),
               "AWS_SHARED_CREDENTIALS_FILE": str(nothing), "AWS_EC2_METADATA_DISABLED": "true"}
    import subprocess
    import sys

    from .conftest import REPO

    proc = subprocess.run([sys.executable, "build.py", "deploy", "lindenhaven", "--to", "s3://panels/x", *to],
                          cwd=REPO, capture_output=True, text=True, env={**bare, **no_keys}, timeout=120)
    assert proc.returncode == 1
    assert "no S3 credentials (set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE)" in proc.stderr
