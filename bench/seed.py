#!/usr/bin/env python3
"""Creates the `posts` collection and seeds it with deterministic records through POST /api/batch.

Usage: seed.py BASE_URL SUPERUSER_EMAIL:PASSWORD COUNT IDS_FILE SAMPLE_FILE TOKENS_FILE
Signs in as the superuser (POST /api/admin/auth/login) for the schema change and the batches.
Writes every created id (one a line) to IDS_FILE and the exact body of GET /api/posts/{first id}
to SAMPLE_FILE (the ceiling serves a body of that size). For workload (e) it also creates USERS users,
the `owned` collection (listRule `author = @request.auth.id`) with COUNT records spread over them, and
writes one access token per user to TOKENS_FILE. Prints one JSON line with the timings.
"""
import json
import sys
import time
import urllib.request

BATCH = 100
COLLECTION = {
    "name": "posts",
    "fields": [
        {"name": "title", "type": "text", "required": True, "max": 200},
        {"name": "body", "type": "text"},
        # Indexed because a real owner rule (author = @request.auth.id) would filter on it.
        {"name": "author", "type": "text", "indexed": True},
        {"name": "views", "type": "number", "integer": True, "min": 0, "default": 0},
        {"name": "published", "type": "bool", "default": False},
    ],
    "listRule": "", "viewRule": "", "createRule": "", "updateRule": None, "deleteRule": None,
}
USERS = 20
USER_PASSWORD = "bench user password"
OWNED = dict(COLLECTION, name="owned", listRule="author = @request.auth.id", viewRule="author = @request.auth.id", createRule=None)
BODY = ("A deterministic benchmark post. Lorem ipsum dolor sit amet, consectetur adipiscing elit, "
        "sed do eiusmod tempor incididunt ut labore et dolore magna aliqua.")


def record(n):
    return {"title": f"Post {n}", "body": BODY, "author": f"user-{n % 100:02d}",
            "views": (n * 7) % 1000, "published": n % 2 == 0}


def call(base, key, method, path, payload=None):
    data = json.dumps(payload).encode() if payload is not None else None
    req = urllib.request.Request(base + path, data=data, method=method)
    req.add_header("Content-Type", "application/json")
    if key:
        req.add_header("Authorization", "Bearer " + key)
    with urllib.request.urlopen(req, timeout=120) as resp:
        return resp.read()


def main():
    base, credentials, count, ids_file, sample_file = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
    email, password = credentials.split(":", 1)
    login = json.loads(call(base, None, "POST", "/api/admin/auth/login", {"email": email, "password": password}))
    key = login["data"]["accessToken"]
    call(base, key, "POST", "/api/collections", COLLECTION)
    ids = []
    started = time.monotonic()
    for start in range(0, count, BATCH):
        requests = [{"method": "POST", "url": "/api/posts", "body": record(n)}
                    for n in range(start, min(start + BATCH, count))]
        answer = json.loads(call(base, key, "POST", "/api/batch", {"requests": requests}))
        ids.extend(item["body"]["id"] for item in answer["data"])
    seconds = time.monotonic() - started
    tokens = seed_owned(base, key, count)
    with open(sys.argv[6], "w", encoding="utf-8") as f:
        f.write("\n".join(tokens) + "\n")
    with open(ids_file, "w", encoding="utf-8") as f:
        f.write("\n".join(ids) + "\n")
    sample = call(base, None, "GET", f"/api/posts/{ids[len(ids) // 2]}")
    with open(sample_file, "wb") as f:
        f.write(sample)
    print(json.dumps({"records": len(ids), "seconds": round(seconds, 2),
                      "records_per_s": round(len(ids) / seconds), "sample_bytes": len(sample)}))


def seed_owned(base, key, count):
    """Users, their access tokens, and `owned` records whose author is a user id (workload (e))."""
    call(base, key, "POST", "/api/collections", OWNED)
    users = []
    for u in range(USERS):
        email = f"bench-user-{u:02d}@example.com"
        created = json.loads(call(base, key, "POST", "/api/users", {"email": email, "password": USER_PASSWORD}))
        users.append((created["data"]["id"], email))
    for start in range(0, count, BATCH):
        requests = [{"method": "POST", "url": "/api/owned", "body": dict(record(n), author=users[n % USERS][0])}
                    for n in range(start, min(start + BATCH, count))]
        call(base, key, "POST", "/api/batch", {"requests": requests})
    tokens = []
    for _, email in users:
        login = json.loads(call(base, None, "POST", "/api/auth/login", {"email": email, "password": USER_PASSWORD}))
        tokens.append(login["data"]["accessToken"])
    return tokens


if __name__ == "__main__":
    main()
