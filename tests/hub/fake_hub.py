#!/usr/bin/python3
"""A local stand-in for huggingface.co, for the hub tests (stdlib only, no network).

It answers as the live Hub does (../shared/docs/hub-protocol.md): HEAD/GET on
/{repo}/resolve/{rev}/{path} with X-Repo-Commit / ETag / X-Linked-* headers, the 307 relative
redirect to /api/resolve-cache/... for regular files, a 302 to a "CDN" on a second port (another
origin) for LFS files, error codes (RepoNotFound, GatedRepo, RevisionNotFound, EntryNotFound), and
the JSON API (/api/models/{id}/revision/{rev}, /tree/{rev} paginated, /discussions, /commits/{rev}).

Layout under --root (written by the tests):
  repos/<org>--<name>/repo.json      {"id", "refs": {name: commit}, "gated", "private",
                                      "tokens": [accepted tokens], "renamed_to", "discussions",
                                      "parents": {commit: parent}, "tree_page_size", "lfs": [paths]}
  repos/<org>--<name>/commits/<commit>/<path...>   file contents
  faults.json   [{"method", "path_contains", "port": "main"|"cdn", "action", "times", ...}]
                actions: "status" (+"status"), "drop" (+"after_bytes"), "corrupt", "slow" (+"delay_s"),
                "ignore_range" (answer 200 with the whole file to a Range request),
                "body" (answer 200 with "body" repeated "repeat" times: a hostile mirror's JSON)
Written by the server:
  ports.json    {"port", "cdn_port"} once both listen
  requests.log  one JSON object per request: port, method, path, range, auth, status, bytes
"""
import argparse
import hashlib
import http.server
import json
import os
import re
import socketserver
import threading
import time
import urllib.parse

LFS_SUFFIXES = (".safetensors", ".bin", ".spm", ".model", ".gguf", ".pt")
LOCK = threading.Lock()
FAULT_COUNTS = {}


class Repo:
    def __init__(self, folder):
        self.folder = folder
        with open(os.path.join(folder, "repo.json")) as f:
            self.meta = json.load(f)

    def commit_for(self, rev):
        refs = self.meta.get("refs", {})
        if rev in refs:
            return refs[rev]
        if re.fullmatch(r"[0-9a-f]{40}", rev) and os.path.isdir(os.path.join(self.folder, "commits", rev)):
            return rev
        return None

    def file_path(self, commit, path):
        p = os.path.join(self.folder, "commits", commit, path)
        return p if os.path.isfile(p) else None

    def files(self, commit):
        base = os.path.join(self.folder, "commits", commit)
        out = []
        for dirpath, _, names in os.walk(base):
            for n in names:
                out.append(os.path.relpath(os.path.join(dirpath, n), base))
        return sorted(out)

    def is_lfs(self, path):
        return path.endswith(LFS_SUFFIXES) or path in self.meta.get("lfs", [])


def find_repo(root, repo_id):
    if not re.fullmatch(r"[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)?", repo_id) or ".." in repo_id:
        return None
    folder = os.path.join(root, "repos", repo_id.replace("/", "--"))
    return Repo(folder) if os.path.isfile(os.path.join(folder, "repo.json")) else None


def git_sha1(data):
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "FakeHub/1.0"

    def log_message(self, *args):
        pass

    # --- plumbing -------------------------------------------------------------------------------
    @property
    def root(self):
        return self.server.root

    def fault(self):
        try:
            with open(os.path.join(self.root, "faults.json")) as f:
                rules = json.load(f)
        except (OSError, ValueError):
            return None
        for i, rule in enumerate(rules):
            if rule.get("method", self.command) != self.command:
                continue
            if rule.get("port", self.server.role) != self.server.role:
                continue
            if rule.get("path_contains", "") not in self.path:
                continue
            key = rule.get("id", json.dumps(rule, sort_keys=True))
            with LOCK:
                used = FAULT_COUNTS.get(key, 0)
                if used >= rule.get("times", 1 << 30):
                    continue
                FAULT_COUNTS[key] = used + 1
            return rule
        return None

    def record(self, status, sent):
        entry = {"port": self.server.role, "method": self.command, "path": self.path,
                 "range": self.headers.get("Range"), "auth": self.headers.get("Authorization"),
                 "status": status, "bytes": sent}
        with LOCK, open(os.path.join(self.root, "requests.log"), "a") as f:
            f.write(json.dumps(entry) + "\n")

    def reply(self, status, headers=None, body=b"", fault=None):
        """Sends a response; `body` is what a GET gets. Applies body faults. Logs the request."""
        headers = dict(headers or {})
        total = len(body)
        start = 0
        rng = self.headers.get("Range")
        ignore_range = fault is not None and fault["action"] == "ignore_range"
        if status == 200 and rng and body and headers.get("Accept-Ranges") == "bytes" and not ignore_range:
            m = re.fullmatch(r"bytes=(\d+)-", rng)
            if m:
                start = int(m.group(1))
                if start >= total:
                    self.record(416, 0)
                    self.send_response(416)
                    self.send_header("Content-Range", "bytes */%d" % total)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                status = 206
                headers["Content-Range"] = "bytes %d-%d/%d" % (start, total - 1, total)
                body = body[start:]
        if fault and fault["action"] == "corrupt" and body:
            body = bytes([body[0] ^ 0xFF]) + body[1:]
        send = b"" if self.command == "HEAD" else body
        if fault and fault["action"] == "drop":
            send = send[:max(0, min(len(send), fault.get("after_bytes", len(send) // 2)))]
            self.close_connection = True
        # Logged before the client can see the answer, so a test reading the log right after a
        # call finds every request that call made.
        self.record(status, len(send))
        self.send_response(status)
        headers.setdefault("Content-Length", str(len(body)))
        for k, v in headers.items():
            self.send_header(k, v)
        self.end_headers()
        delay = fault.get("delay_s", 0) if fault and fault["action"] == "slow" else 0
        step = 16384 if delay else max(1, len(send))
        for off in range(0, len(send), step):
            self.wfile.write(send[off:off + step])
            self.wfile.flush()
            if delay:
                time.sleep(delay)

    def error(self, status, code=None, message=None, extra=None):
        headers = dict(extra or {})
        if code:
            headers["X-Error-Code"] = code
        if message:
            headers["X-Error-Message"] = message
        headers["Content-Type"] = "application/json"
        headers["X-Request-Id"] = "Root=1-fake"
        self.reply(status, headers, json.dumps({"error": message or "error"}).encode())

    def json_reply(self, obj, extra=None):
        headers = {"Content-Type": "application/json"}
        headers.update(extra or {})
        self.reply(200, headers, json.dumps(obj).encode())

    def token(self):
        auth = self.headers.get("Authorization") or ""
        return auth[len("Bearer "):] if auth.startswith("Bearer ") else None

    def check_access(self, repo, repo_id):
        """None when allowed, else sends the live Hub's error and returns False."""
        tok = self.token()
        if repo.meta.get("gated") and tok not in repo.meta.get("tokens", []):
            if tok is None:
                self.error(401, "GatedRepo", "Access to model %s is restricted. You must have access to it and "
                           "be authenticated to access it. Please log in." % repo_id)
            else:
                self.error(403, "GatedRepo", "Access to model %s is restricted and you are not in the authorized "
                           "list. Visit https://huggingface.co/%s to ask for access." % (repo_id, repo_id))
            return False
        if repo.meta.get("private") and tok not in repo.meta.get("tokens", []):
            self.repo_not_found()
            return False
        return True

    def repo_not_found(self):
        if self.token() is None:
            self.error(401, "RepoNotFound", "Invalid username or password.")
        else:
            self.error(404, "RepoNotFound", "Repository not found")

    # --- routes ---------------------------------------------------------------------------------
    def do_HEAD(self):
        self.route()

    def do_GET(self):
        self.route()

    def route(self):
        fault = self.fault()
        if fault and fault["action"] == "status":
            self.error(fault.get("status", 500), None, fault.get("message", "injected failure"))
            return
        if fault and fault["action"] == "body":
            body = fault["body"].encode() * fault.get("repeat", 1)
            try:
                self.reply(200, {"Content-Type": "application/json"}, body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client stops reading a body past its limit
            return
        url = urllib.parse.urlsplit(self.path)
        path = url.path
        if self.server.role == "cdn":
            return self.serve_cdn(path, fault)
        if path.startswith("/api/resolve-cache/models/"):
            return self.serve_resolve_cache(path[len("/api/resolve-cache/models/"):], fault)
        if path.startswith("/api/models/"):
            return self.serve_api(path[len("/api/models/"):], urllib.parse.parse_qs(url.query))
        # datasets/ and spaces/ prefixes share the models' namespace here: enough to check URLs.
        m = re.fullmatch(r"/(?:datasets/|spaces/)?(.+?)/resolve/([^/]+)/(.+)", path)
        if m:
            return self.serve_resolve(m.group(1), urllib.parse.unquote(m.group(2)),
                                      urllib.parse.unquote(m.group(3)), fault)
        self.error(404, None, "Not Found")

    def serve_resolve(self, repo_id, rev, file, fault):
        repo = find_repo(self.root, repo_id)
        if repo is None:
            return self.repo_not_found()
        if repo.meta.get("renamed_to"):  # the Hub redirects a moved repo with a relative 307
            loc = self.path.replace("/" + repo_id + "/", "/" + repo.meta["renamed_to"] + "/", 1)
            return self.reply(307, {"Location": loc})
        if not self.check_access(repo, repo_id):
            return
        commit = repo.commit_for(rev)
        if commit is None:
            return self.error(404, "RevisionNotFound", "Invalid rev id: %s" % rev)
        fp = repo.file_path(commit, file)
        if fp is None:
            return self.error(404, "EntryNotFound", "Entry not found", {"X-Repo-Commit": commit})
        data = open(fp, "rb").read()
        if repo.is_lfs(file):
            sha = hashlib.sha256(data).hexdigest()
            text = b"Found. Redirecting to the CDN"
            loc = "http://127.0.0.1:%d/lfs/%s?X-Amz-Signature=fake" % (self.server.cdn_port, sha)
            return self.reply(302, {"Location": loc, "X-Repo-Commit": commit, "X-Linked-Etag": '"%s"' % sha,
                                    "X-Linked-Size": str(len(data)), "ETag": '"not-the-sha256"'}, text)
        loc = "/api/resolve-cache/models/%s/%s/%s?etag=%%22%s%%22" % (repo_id, commit, urllib.parse.quote(file),
                                                                       git_sha1(data))
        self.reply(307, {"Location": loc, "X-Repo-Commit": commit}, b"Temporary Redirect")

    def serve_resolve_cache(self, rest, fault):
        m = re.fullmatch(r"(.+?)/([0-9a-f]{40})/(.+)", rest)
        repo = find_repo(self.root, m.group(1)) if m else None
        if repo is None:
            return self.repo_not_found()
        if not self.check_access(repo, m.group(1)):
            return
        fp = repo.file_path(m.group(2), urllib.parse.unquote(m.group(3)))
        if fp is None:
            return self.error(404, "EntryNotFound", "Entry not found", {"X-Repo-Commit": m.group(2)})
        data = open(fp, "rb").read()
        self.reply(200, {"X-Repo-Commit": m.group(2), "ETag": '"%s"' % git_sha1(data), "Accept-Ranges": "bytes"},
                   data, fault)

    def serve_cdn(self, path, fault):
        m = re.fullmatch(r"/lfs/([0-9a-f]{64})", path)
        if m:
            for name in os.listdir(os.path.join(self.root, "repos")):
                repo = Repo(os.path.join(self.root, "repos", name))
                for commit in os.listdir(os.path.join(repo.folder, "commits")):
                    for f in repo.files(commit):
                        data = open(repo.file_path(commit, f), "rb").read()
                        if repo.is_lfs(f) and hashlib.sha256(data).hexdigest() == m.group(1):
                            return self.reply(200, {"Accept-Ranges": "bytes", "ETag": '"cdn"'}, data, fault)
        self.error(404, None, "NoSuchKey")

    def serve_api(self, rest, query):
        m = re.fullmatch(r"(.+?)/(revision|tree|commits)/([^/]+)", rest)
        kind, rev = (m.group(2), urllib.parse.unquote(m.group(3))) if m else (None, None)
        repo_id = m.group(1) if m else rest
        if not m and rest.endswith("/discussions"):
            kind, repo_id = "discussions", rest[:-len("/discussions")]
        repo = find_repo(self.root, repo_id)
        if repo is None:
            return self.repo_not_found()
        if repo.meta.get("renamed_to"):
            return self.reply(307, {"Location": self.path.replace(repo_id, repo.meta["renamed_to"], 1)})
        if kind == "discussions":
            items = repo.meta.get("discussions", [])
            return self.json_reply({"discussions": items, "count": len(items), "start": 0})
        if not self.check_access(repo, repo_id):
            return
        commit = repo.commit_for(rev or "main")
        if commit is None:
            return self.error(404, "RevisionNotFound", "Invalid rev id: %s" % rev)
        if kind == "revision":
            return self.json_reply({"id": repo_id, "sha": commit, "private": bool(repo.meta.get("private")),
                                    "gated": repo.meta.get("gated", False),
                                    "siblings": [{"rfilename": f} for f in repo.files(commit)]})
        if kind == "commits":
            chain, c = [], commit
            while c:
                chain.append({"id": c, "title": "commit"})
                c = repo.meta.get("parents", {}).get(c)
            return self.json_reply(chain)
        entries = [{"type": "file", "oid": "0" * 40, "size": 0, "path": f} for f in repo.files(commit)]
        entries += [{"type": "file", "oid": "0" * 40, "size": 0, "path": p} for p in repo.meta.get("extra_tree_paths", [])]
        size = repo.meta.get("tree_page_size", 1000)
        cursor = int(query.get("cursor", ["0"])[0])
        page = entries[cursor:cursor + size]
        extra = {}
        if cursor + size < len(entries):
            nxt = "http://127.0.0.1:%d%s?recursive=true&expand=false&cursor=%d" % (
                self.server.server_address[1], urllib.parse.urlsplit(self.path).path, cursor + size)
            extra["Link"] = '<%s>; rel="next"' % nxt
        self.json_reply(page, extra)


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", required=True)
    args = ap.parse_args()
    main_srv = Server(("127.0.0.1", 0), Handler)
    cdn_srv = Server(("127.0.0.1", 0), Handler)
    for srv, role in ((main_srv, "main"), (cdn_srv, "cdn")):
        srv.root, srv.role, srv.cdn_port = args.root, role, cdn_srv.server_address[1]
    threading.Thread(target=cdn_srv.serve_forever, daemon=True).start()
    tmp = os.path.join(args.root, "ports.json.tmp")
    with open(tmp, "w") as f:
        json.dump({"port": main_srv.server_address[1], "cdn_port": cdn_srv.server_address[1]}, f)
    os.rename(tmp, os.path.join(args.root, "ports.json"))
    main_srv.serve_forever()


if __name__ == "__main__":
    main()
