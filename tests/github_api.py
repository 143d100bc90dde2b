"""A fake of GitHub's REST API for the rollback, uptime and release tests: a local HTTP
server on 127.0.0.1 that answers the deployment, deployment-status, workflow-dispatch,
workflow-run, issue, issue-comment, release, release-asset and git-ref endpoints in their
documented shapes (API version 2022-11-28), and records every request it receives.

- Every request needs ``Authorization: Bearer <token>`` (or ``token <token>``), else 401
  ``Bad credentials``; another owner/repository, or any other path or method: 404.
- Lists are newest first and paginated (``per_page``, default 30, at most 100; ``page``),
  with a ``Link: <...>; rel="next"`` header while more remain.
- A ``success`` status turns the earlier non-transient, non-production deployments of the
  same environment ``inactive`` (unless ``auto_inactive`` is false), as GitHub does.
- ``fail_next`` makes the next requests answer an error (429, 502, 503, a 403 secondary
  rate limit), with ``Retry-After`` when asked, to exercise the client's retries.
- A dispatch appends a queued ``workflow_dispatch`` run, so a later list of runs shows it.
- Issues: list (``state`` open/closed/all, ``labels`` all of which an issue must carry,
  ``sort`` created/updated/comments, ``direction``, ``since``), create (``title`` required;
  unknown labels are created on the fly), get, update (``state``, ``state_reason``,
  ``title``, ``body``, ``labels``, ``assignees``; closing sets ``closed_at``, reopening
  clears it); comments on an issue: create (``body`` required) and list (oldest first,
  ``since``). Numbers start at 1; the author is the ``github-actions[bot]``.
- Timestamps come from a shared fake clock, one minute per new object, unless
  ``clock_override`` (a datetime, or a callable returning one) says what time it is.
- Releases: create (``tag_name`` required, one release per tag: 422 ``already_exists``),
  get by tag, list assets; assets are uploaded to the release's ``upload_url`` (here the
  same server) as raw bytes with ``?name=`` and a ``Content-Type`` (a name taken: 422).
- Git refs: get ``git/ref/tags/<name>``, create ``git/refs`` (``ref``, ``sha``; taken:
  422 ``Reference already exists``), update ``git/refs/tags/<name>`` (``sha``; ``force``
  must be true to move a tag; missing: 422 ``Reference does not exist``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import http
import json
import re
import threading
import time
import zlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, cast
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

DOCS = "https://docs.github.com/rest"
STATES = ("error", "failure", "inactive", "in_progress", "queued", "pending", "success")
STATE_REASONS = ("completed", "not_planned", "duplicate", "reopened")
ISSUE_SORTS = ("created", "updated", "comments")
LABEL_COLOR = "ededed"  # what GitHub gives a label created without a color
BOT = {"login": "github-actions[bot]", "id": 41898282, "type": "Bot"}
EPOCH = dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.UTC)
MAX_INPUTS = 25
SECONDARY = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."
)
_ROUTES = [
    ("GET", r"deployments", "_list_deployments"),
    ("POST", r"deployments", "_create_deployment"),
    ("GET", r"deployments/(\d+)", "_get_deployment"),
    ("GET", r"deployments/(\d+)/statuses", "_list_statuses"),
    ("POST", r"deployments/(\d+)/statuses", "_create_status"),
    ("POST", r"actions/workflows/([^/]+)/dispatches", "_dispatch"),
    ("GET", r"actions/workflows/([^/]+)/runs", "_list_runs"),
    ("GET", r"issues", "_list_issues"),
    ("POST", r"issues", "_create_issue"),
    ("GET", r"issues/(\d+)", "_get_issue"),
    ("PATCH", r"issues/(\d+)", "_update_issue"),
    ("GET", r"issues/(\d+)/comments", "_list_comments"),
    ("POST", r"issues/(\d+)/comments", "_create_comment"),
    ("POST", r"releases", "_create_release"),
    ("GET", r"releases/tags/([^/]+)", "_get_release_by_tag"),
    ("GET", r"releases/(\d+)/assets", "_list_assets"),
    ("POST", r"releases/(\d+)/assets", "_upload_asset"),
    ("GET", r"git/ref/(tags/.+)", "_get_ref"),
    ("POST", r"git/refs", "_create_ref"),
    ("PATCH", r"git/refs/(tags/.+)", "_update_ref"),
]

Reply = tuple[int, Any, dict[str, str]]  # status, JSON body (None: no body), extra headers


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str  # without the query string
    query: dict[str, str]
    headers: dict[str, str]  # names lowercased
    json: Any | None  # the parsed body, None without one (or when it was not JSON)


class ApiError(Exception):
    def __init__(self, status: int, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.body = {"message": message, **extra, "documentation_url": DOCS}


def _invalid(resource: str, name: str, code: str) -> ApiError:
    error = {"resource": resource, "field": name, "code": code}
    return ApiError(422, "Validation Failed", errors=[error])


def _sha(ref: str) -> str:
    """The ref itself when it is a commit SHA, else a fixed fake SHA for it."""
    if re.fullmatch(r"[0-9a-fA-F]{40}", ref):
        return ref.lower()
    return hashlib.sha1(ref.encode(), usedforsecurity=False).hexdigest()


def _timestamp(value: str) -> dt.datetime | None:
    """An ISO 8601 time (``Z`` or an offset; naive means UTC), None when it is not one."""
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value else default
    except ValueError:
        return default


class FakeGitHub:
    def __init__(self, url: str, token: str, owner: str, repo: str) -> None:
        self.url, self.token, self.owner, self.repo = url, token, owner, repo
        self.requests: list[Recorded] = []
        self.deployments: list[dict[str, Any]] = []  # oldest first
        self.statuses: dict[int, list[dict[str, Any]]] = {}  # deployment id -> oldest first
        self.runs: list[dict[str, Any]] = []  # oldest first
        self.dispatches: list[dict[str, Any]] = []  # {"workflow", "ref", "inputs"}
        self.issues: list[dict[str, Any]] = []  # oldest first
        self.comments: dict[int, list[dict[str, Any]]] = {}  # issue number -> oldest first
        self.labels: dict[str, dict[str, Any]] = {}  # lowercased name -> the repo's label
        self.releases: list[dict[str, Any]] = []  # oldest first
        self.assets: dict[int, list[tuple[dict[str, Any], bytes]]] = {}  # release id -> assets
        self.refs: dict[str, str] = {}  # "tags/v1" -> sha
        # What time it is for new objects (and closing); None: the shared fake clock.
        self.clock_override: dt.datetime | Callable[[], dt.datetime] | None = None
        self._failures: list[Reply] = []
        self._lock = threading.Lock()
        self._ticks = 0
        self._ids = {"deployment": 1000, "status": 50000, "run": 7000000}
        self._ids |= {"issue": 2000000000, "comment": 1500000000, "label": 6000000000}
        self._ids |= {"release": 180000000, "asset": 250000000}
        self._run_numbers: dict[str, int] = {}
        self._upload = b""

    @property
    def repo_url(self) -> str:
        return f"{self.url}/repos/{self.owner}/{self.repo}"

    # -- for the tests ------------------------------------------------------------------

    def add_deployment(
        self,
        sha: str,
        *,
        ref: str = "main",
        environment: str = "production",
        task: str = "deploy",
        payload: dict[str, Any] | None = None,
        states: Sequence[str] = ("success",),
        description: str | None = None,
    ) -> int:
        """A deployment with its statuses (oldest first); returns its id."""
        with self._lock:
            body: dict[str, Any] = {"ref": ref, "environment": environment, "task": task}
            body |= {"payload": payload or {}, "description": description}
            deployment = self._new_deployment(sha, body)
            for state in states:
                self._new_status(deployment, {"state": state})
            return int(deployment["id"])

    def add_workflow_run(
        self,
        workflow: str,
        *,
        display_title: str,
        head_sha: str = "abc",
        event: str = "workflow_dispatch",
        status: str = "completed",
        conclusion: str | None = "success",
    ) -> int:
        with self._lock:
            run = self._new_run(workflow, display_title, head_sha, "main", event, status)
            run["conclusion"] = conclusion
            return int(run["id"])

    def add_issue(
        self,
        title: str,
        *,
        body: str | None = None,
        labels: Sequence[str] = (),
        state: str = "open",
        state_reason: str | None = None,
    ) -> int:
        """An issue (closed as ``state_reason``, default completed, when ``state`` says so);
        returns its number."""
        with self._lock:
            issue = self._new_issue({"title": title, "body": body, "labels": list(labels)})
            if state == "closed":
                self._set_state(issue, "closed", state_reason, self._now())
            return int(issue["number"])

    def open_issues(self, label: str | None = None) -> list[dict[str, Any]]:
        """The open issues (oldest first), only those with ``label`` when given."""
        wanted = [] if label is None else [label]
        return [i for i in self.issues if i["state"] == "open" and _labelled(i, wanted)]

    def fail_next(
        self,
        status: int,
        count: int = 1,
        *,
        retry_after: str | None = None,
        body: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        """The next ``count`` requests, whatever they ask, answer ``status``."""
        extra = dict(headers or {})
        if retry_after is not None:
            extra["Retry-After"] = retry_after
        message = SECONDARY if status in (403, 429) else http.HTTPStatus(status).phrase
        answer = body if body is not None else {"message": message, "documentation_url": DOCS}
        with self._lock:
            self._failures.extend([(status, answer, extra)] * count)

    def state_of(self, deployment_id: int) -> str | None:
        """The latest status of a deployment (None without one)."""
        statuses = self.statuses.get(deployment_id) or [{}]
        return cast("str | None", statuses[-1].get("state"))

    def sent(self, method: str, suffix: str = "") -> list[Recorded]:
        """The requests recorded with this method and a path ending in ``suffix``."""
        return [r for r in self.requests if r.method == method and r.path.endswith(suffix)]

    # -- the server's side --------------------------------------------------------------

    def handle(self, method: str, target: str, headers: dict[str, str], raw: bytes) -> Reply:
        """One request: recorded, then answered (status, JSON body or None, extra headers)."""
        parts = urlsplit(target)
        path, query = parts.path, dict(parse_qsl(parts.query, keep_blank_values=True))
        upload = method == "POST" and re.search(r"/releases/\d+/assets$", path) is not None
        try:
            body, parsed = (json.loads(raw) if raw.strip() and not upload else None), True
        except ValueError:
            body, parsed = None, False
        if upload:  # an asset is raw bytes: the handler gets them with the query
            query = {**query, "_content_type": headers.get("content-type", "")}
            self._upload = raw
        with self._lock:
            self.requests.append(Recorded(method, path, query, headers, body))
            if self._failures:
                return self._failures.pop(0)
            try:
                scheme, _, value = headers.get("authorization", "").partition(" ")
                if scheme.lower() not in ("bearer", "token") or value.strip() != self.token:
                    raise ApiError(401, "Bad credentials")
                found = re.fullmatch(r"/repos/([^/]+/[^/]+)/(.+)", path)
                if found is None or found[1].lower() != f"{self.owner}/{self.repo}".lower():
                    raise ApiError(404, "Not Found")
                if not parsed or not isinstance(body, dict | None):
                    raise ApiError(400, "Problems parsing JSON")
                for verb, pattern, name in _ROUTES:
                    hit = re.fullmatch(pattern, unquote(found[2]))
                    if hit and verb == method:
                        handler = getattr(self, name)
                        return cast(Reply, handler(path, query, body or {}, *hit.groups()))
                raise ApiError(404, "Not Found")
            except ApiError as exc:
                return exc.status, exc.body, {}

    def _now(self) -> str:
        self._ticks += 1
        moment = EPOCH + dt.timedelta(minutes=self._ticks)
        override = self.clock_override
        if override is not None:
            moment = override() if callable(override) else override
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=dt.UTC)
        return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    def _next_id(self, kind: str) -> int:
        self._ids[kind] += 1
        return self._ids[kind]

    def _page(
        self, path: str, query: dict[str, str], items: list[Any]
    ) -> tuple[list[Any], dict[str, str]]:
        per_page = min(max(_int(query.get("per_page"), 30), 1), 100)
        page = max(_int(query.get("page"), 1), 1)
        last = max(1, -(-len(items) // per_page))

        def link(number: int, rel: str) -> str:
            return f'<{self.url}{path}?{urlencode({**query, "page": number})}>; rel="{rel}"'

        links = [link(page - 1, "prev")] if page > 1 else []
        if page < last:
            links += [link(page + 1, "next"), link(last, "last")]
        if page > 1:
            links.append(link(1, "first"))
        chosen = items[(page - 1) * per_page : page * per_page]
        return chosen, ({"Link": ", ".join(links)} if links else {})

    def _deployment(self, number: str) -> dict[str, Any]:
        for deployment in self.deployments:
            if deployment["id"] == int(number):
                return deployment
        raise ApiError(404, "Not Found")

    def _new_deployment(self, sha: str, body: dict[str, Any]) -> dict[str, Any]:
        number, now = self._next_id("deployment"), self._now()
        environment = body.get("environment") or "production"
        url = f"{self.repo_url}/deployments/{number}"
        production = body.get("production_environment", environment == "production")
        # fmt: off
        deployment = {
            "url": url, "id": number, "node_id": f"DE_kwDOFake{number}", "sha": sha,
            "ref": body["ref"], "task": body.get("task") or "deploy",
            "payload": body.get("payload", {}), "original_environment": environment,
            "environment": environment, "description": body.get("description"),
            "creator": dict(BOT), "created_at": now, "updated_at": now,
            "statuses_url": f"{url}/statuses", "repository_url": self.repo_url,
            "transient_environment": bool(body.get("transient_environment", False)),
            "production_environment": bool(production),
        }
        # fmt: on
        self.deployments.append(deployment)
        self.statuses[number] = []
        return deployment

    def _new_status(self, deployment: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
        number, now = self._next_id("status"), self._now()
        log_url = body.get("log_url") or body.get("target_url") or ""
        environment = body.get("environment") or deployment["environment"]
        # fmt: off
        status = {
            "url": f"{deployment['url']}/statuses/{number}", "id": number,
            "node_id": f"DES_kwDOFake{number}", "state": body["state"], "creator": dict(BOT),
            "description": body.get("description") or "", "environment": environment,
            "target_url": log_url, "log_url": log_url,
            "environment_url": body.get("environment_url") or "",
            "created_at": now, "updated_at": now,
            "deployment_url": deployment["url"], "repository_url": self.repo_url,
        }
        # fmt: on
        self.statuses[deployment["id"]].append(status)
        deployment["environment"], deployment["updated_at"] = environment, now
        if body["state"] == "success" and body.get("auto_inactive", True) is not False:
            for other in self.deployments:  # the documented auto-inactive rule
                same = other["environment"] == environment and other["id"] < deployment["id"]
                lasting = not (other["transient_environment"] or other["production_environment"])
                if same and lasting and self.state_of(other["id"]) != "inactive":
                    self._new_status(other, {"state": "inactive"})
        return status

    def _workflow(self, workflow: str) -> str:
        """The workflow's file name, from its file name or its numeric id."""
        for run in self.runs:
            if workflow.isdigit() and run["workflow_id"] == int(workflow):
                return str(run["path"]).rsplit("/", 1)[-1]
        return workflow

    def _new_run(
        self, workflow: str, title: str, head_sha: str, branch: str, event: str, status: str
    ) -> dict[str, Any]:
        number, now = self._next_id("run"), self._now()
        self._run_numbers[workflow] = self._run_numbers.get(workflow, 0) + 1
        # fmt: off
        run = {
            "id": number, "name": workflow, "display_title": title, "head_sha": head_sha,
            "head_branch": branch, "path": f".github/workflows/{workflow}", "event": event,
            "status": status, "conclusion": None,
            "workflow_id": zlib.crc32(workflow.encode()) % 10**8,
            "run_number": self._run_numbers[workflow], "run_attempt": 1,
            "created_at": now, "updated_at": now,
            "url": f"{self.repo_url}/actions/runs/{number}",
            "html_url": f"https://github.com/{self.owner}/{self.repo}/actions/runs/{number}",
        }
        # fmt: on
        self.runs.append(run)
        return run

    def _issue(self, number: str) -> dict[str, Any]:
        for issue in self.issues:
            if issue["number"] == int(number):
                return issue
        raise ApiError(404, "Not Found")

    def _label(self, name: str) -> dict[str, Any]:
        """The repository's label of this name (any case), created when it is new."""
        label = self.labels.get(name.lower())
        if label is None:
            number = self._next_id("label")
            # fmt: off
            label = {
                "id": number, "node_id": f"LA_kwDOFake{number}",
                "url": f"{self.repo_url}/labels/{name}", "name": name,
                "description": None, "color": LABEL_COLOR, "default": False,
            }
            # fmt: on
            self.labels[name.lower()] = label
        return dict(label)

    def _labels(self, value: Any) -> list[dict[str, Any]]:
        """A request's ``labels`` (names, or objects with a name) as the issue's labels."""
        valid = isinstance(value, list) and all(
            isinstance(v, str) or (isinstance(v, dict) and isinstance(v.get("name"), str))
            for v in value
        )
        if not valid:
            raise _invalid("Issue", "labels", "invalid")
        names: dict[str, str] = {}  # lowercased -> the first spelling, in order
        for name in (v if isinstance(v, str) else v["name"] for v in value):
            if name.strip():
                names.setdefault(name.lower(), name)
        return [self._label(name) for name in names.values()]

    @staticmethod
    def _assignees(value: Any) -> list[dict[str, Any]]:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise _invalid("Issue", "assignees", "invalid")
        return [{"login": login, "type": "User"} for login in dict.fromkeys(value)]

    @staticmethod
    def _title(value: Any) -> str:
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        if not isinstance(value, str) or not value.strip():
            raise _invalid("Issue", "title", "missing_field")
        return value

    def _new_issue(self, body: dict[str, Any]) -> dict[str, Any]:
        title = self._title(body.get("title"))
        text = body.get("body")
        if text is not None and not isinstance(text, str):
            raise _invalid("Issue", "body", "invalid")
        assignees = self._assignees(body.get("assignees") or [])
        labels = self._labels(body.get("labels") or [])  # last: it creates new labels
        number, now = len(self.issues) + 1, self._now()
        url = f"{self.repo_url}/issues/{number}"
        # fmt: off
        issue = {
            "id": self._next_id("issue"), "node_id": f"I_kwDOFake{number}", "url": url,
            "repository_url": self.repo_url, "labels_url": f"{url}/labels{{/name}}",
            "comments_url": f"{url}/comments", "events_url": f"{url}/events",
            "html_url": f"https://github.com/{self.owner}/{self.repo}/issues/{number}",
            "number": number, "state": "open", "state_reason": None, "title": title,
            "body": text, "user": dict(BOT), "labels": labels,
            "assignee": assignees[0] if assignees else None, "assignees": assignees,
            "milestone": None, "locked": False, "comments": 0,
            "created_at": now, "updated_at": now, "closed_at": None, "closed_by": None,
            "author_association": "NONE",
        }
        # fmt: on
        self.issues.append(issue)
        self.comments[number] = []
        return issue

    @staticmethod
    def _set_state(issue: dict[str, Any], state: str, reason: str | None, now: str) -> None:
        """Close or reopen; the reason counts only when the state changes, as documented."""
        if state == issue["state"]:
            return
        issue["state"], issue["updated_at"] = state, now
        if state == "closed":
            issue["state_reason"] = reason if reason not in (None, "reopened") else "completed"
            issue["closed_at"], issue["closed_by"] = now, dict(BOT)
        else:
            issue["state_reason"], issue["closed_at"], issue["closed_by"] = "reopened", None, None

    def _since(self, query: dict[str, str]) -> dt.datetime | None:
        if not query.get("since"):
            return None
        since = _timestamp(query["since"])
        if since is None:
            raise _invalid("Issue", "since", "invalid")
        return since

    # -- the endpoints ------------------------------------------------------------------

    def _list_deployments(self, path: str, query: dict[str, str], body: Any) -> Reply:
        found = self.deployments[::-1]
        for key in ("environment", "sha", "ref", "task"):
            if query.get(key):
                found = [d for d in found if d[key] == query[key]]
        items, links = self._page(path, query, found)
        return 200, items, links

    def _get_deployment(self, path: str, query: dict[str, str], body: Any, number: str) -> Reply:
        return 200, self._deployment(number), {}

    def _create_deployment(self, path: str, query: dict[str, str], body: Any) -> Reply:
        ref = body.get("ref")
        if not isinstance(ref, str) or not ref:
            raise _invalid("Deployment", "ref", "missing_field")
        if not isinstance(body.get("payload", {}), dict | str):
            raise _invalid("Deployment", "payload", "invalid")
        return 201, self._new_deployment(_sha(ref), {"description": "", **body}), {}

    def _list_statuses(self, path: str, query: dict[str, str], body: Any, number: str) -> Reply:
        deployment = self._deployment(number)
        items, links = self._page(path, query, self.statuses[deployment["id"]][::-1])
        return 200, items, links

    def _create_status(self, path: str, query: dict[str, str], body: Any, number: str) -> Reply:
        deployment = self._deployment(number)
        if body.get("state") not in STATES:
            raise _invalid("DeploymentStatus", "state", "invalid")
        return 201, self._new_status(deployment, body), {}

    def _dispatch(self, path: str, query: dict[str, str], body: Any, workflow: str) -> Reply:
        ref, inputs = body.get("ref"), body.get("inputs") or {}
        if not isinstance(ref, str) or not ref:
            raise _invalid("WorkflowDispatch", "ref", "missing_field")
        strings = isinstance(inputs, dict) and all(isinstance(v, str) for v in inputs.values())
        if not strings or len(inputs) > MAX_INPUTS:
            raise _invalid("WorkflowDispatch", "inputs", "invalid")
        name = self._workflow(workflow)
        self.dispatches.append({"workflow": name, "ref": ref, "inputs": dict(inputs)})
        title = f"rollback of {inputs['rollback-of']}" if "rollback-of" in inputs else name
        run = self._new_run(name, title, _sha(ref), ref, "workflow_dispatch", "queued")
        if body.get("return_run_details") is True:
            details = {"workflow_run_id": run["id"], "run_url": run["url"]}
            return 200, {**details, "html_url": run["html_url"]}, {}
        return 204, None, {}

    def _list_runs(self, path: str, query: dict[str, str], body: Any, workflow: str) -> Reply:
        where = f".github/workflows/{self._workflow(workflow)}"
        wanted = {"event": ["event"], "branch": ["head_branch"], "head_sha": ["head_sha"]}
        wanted["status"] = ["status", "conclusion"]  # either matches, as documented
        found = [run for run in self.runs[::-1] if run["path"] == where]
        for key, names in wanted.items():
            if query.get(key):
                found = [run for run in found if query[key] in [run[n] for n in names]]
        items, links = self._page(path, query, found)
        return 200, {"total_count": len(found), "workflow_runs": items}, links

    def _list_issues(self, path: str, query: dict[str, str], body: Any) -> Reply:
        state = query.get("state") or "open"
        sort, direction = query.get("sort") or "created", query.get("direction") or "desc"
        if state not in ("open", "closed", "all"):
            raise _invalid("Issue", "state", "invalid")
        if sort not in ISSUE_SORTS:
            raise _invalid("Issue", "sort", "invalid")
        if direction not in ("asc", "desc"):
            raise _invalid("Issue", "direction", "invalid")
        wanted = [n.strip() for n in (query.get("labels") or "").split(",") if n.strip()]
        since = self._since(query)
        found = [
            issue
            for issue in self.issues
            if state in ("all", issue["state"])
            and _labelled(issue, wanted)
            and (since is None or cast(dt.datetime, _timestamp(issue["updated_at"])) >= since)
        ]
        key = {"created": "created_at", "updated": "updated_at", "comments": "comments"}[sort]
        found.sort(key=lambda issue: (issue[key], issue["number"]), reverse=direction == "desc")
        items, links = self._page(path, query, found)
        return 200, items, links

    def _create_issue(self, path: str, query: dict[str, str], body: Any) -> Reply:
        return 201, self._new_issue(body), {}

    def _get_issue(self, path: str, query: dict[str, str], body: Any, number: str) -> Reply:
        return 200, self._issue(number), {}

    def _update_issue(self, path: str, query: dict[str, str], body: Any, number: str) -> Reply:
        issue = self._issue(number)
        state, reason = body.get("state"), body.get("state_reason")
        if state is not None and state not in ("open", "closed"):
            raise _invalid("Issue", "state", "invalid")
        if reason is not None and reason not in STATE_REASONS:
            raise _invalid("Issue", "state_reason", "invalid")
        changes: dict[str, Any] = {}  # everything checked before anything changes
        if "title" in body:
            changes["title"] = self._title(body["title"])
        if "body" in body:
            if body["body"] is not None and not isinstance(body["body"], str):
                raise _invalid("Issue", "body", "invalid")
            changes["body"] = body["body"]
        if "assignees" in body:
            assignees = self._assignees(body["assignees"] or [])
            changes |= {"assignees": assignees, "assignee": (assignees or [None])[0]}
        if "labels" in body:
            changes["labels"] = self._labels(body["labels"] or [])
        now = self._now()
        if any(issue[name] != value for name, value in changes.items()):
            issue.update(changes)
            issue["updated_at"] = now
        if state is not None:
            self._set_state(issue, state, reason, now)
        return 200, issue, {}

    def _list_comments(self, path: str, query: dict[str, str], body: Any, number: str) -> Reply:
        issue, since = self._issue(number), self._since(query)
        found = [
            comment
            for comment in self.comments[issue["number"]]
            if since is None or cast(dt.datetime, _timestamp(comment["updated_at"])) >= since
        ]
        items, links = self._page(path, query, found)
        return 200, items, links

    def _create_comment(self, path: str, query: dict[str, str], body: Any, number: str) -> Reply:
        issue, text = self._issue(number), body.get("body")
        if not isinstance(text, str) or not text.strip():
            raise _invalid("IssueComment", "body", "missing_field")
        comment_id, now = self._next_id("comment"), self._now()
        # fmt: off
        comment = {
            "id": comment_id, "node_id": f"IC_kwDOFake{comment_id}",
            "url": f"{self.repo_url}/issues/comments/{comment_id}",
            "html_url": f"{issue['html_url']}#issuecomment-{comment_id}", "body": text,
            "user": dict(BOT), "created_at": now, "updated_at": now,
            "issue_url": issue["url"], "author_association": "NONE",
        }
        # fmt: on
        self.comments[issue["number"]].append(comment)
        issue["comments"] += 1
        issue["updated_at"] = now
        return 201, comment, {}

    # -- releases and refs ------------------------------------------------------------

    def _release(self, number: str) -> dict[str, Any]:
        for release in self.releases:
            if release["id"] == int(number):
                return release
        raise ApiError(404, "Not Found")

    def _create_release(self, path: str, query: dict[str, str], body: Any) -> Reply:
        tag = body.get("tag_name")
        if not isinstance(tag, str) or not tag:
            raise _invalid("Release", "tag_name", "missing_field")
        if any(r["tag_name"] == tag for r in self.releases):
            raise _invalid("Release", "tag_name", "already_exists")
        number, now = self._next_id("release"), self._now()
        url = f"{self.repo_url}/releases/{number}"
        html = f"https://github.com/{self.owner}/{self.repo}/releases/tag/{tag}"
        # fmt: off
        release = {
            "url": url, "id": number, "node_id": f"RE_kwDOFake{number}", "tag_name": tag,
            "target_commitish": body.get("target_commitish") or "main",
            "name": body.get("name") or tag, "body": body.get("body") or "",
            "draft": bool(body.get("draft", False)),
            "prerelease": bool(body.get("prerelease", False)),
            "make_latest": body.get("make_latest", "true"), "author": dict(BOT),
            "created_at": now, "published_at": now, "html_url": html,
            "assets_url": f"{url}/assets", "upload_url": f"{url}/assets{{?name,label}}",
            "assets": [],
        }
        # fmt: on
        self.releases.append(release)
        self.assets[number] = []
        return 201, release, {}

    def _get_release_by_tag(self, path: str, query: dict[str, str], body: Any, tag: str) -> Reply:
        for release in self.releases:
            if release["tag_name"] == tag:
                return 200, release, {}
        raise ApiError(404, "Not Found")

    def _list_assets(self, path: str, query: dict[str, str], body: Any, number: str) -> Reply:
        release = self._release(number)
        items, links = self._page(path, query, [a for a, _ in self.assets[release["id"]]])
        return 200, items, links

    def _upload_asset(self, path: str, query: dict[str, str], body: Any, number: str) -> Reply:
        release, name = self._release(number), query.get("name", "")
        if not name:
            raise _invalid("ReleaseAsset", "name", "missing_field")
        if not query.get("_content_type"):
            raise ApiError(422, "Content-Type header required")
        if any(a["name"] == name for a, _ in self.assets[release["id"]]):
            raise _invalid("ReleaseAsset", "name", "already_exists")
        data, number_id = self._upload, self._next_id("asset")
        # fmt: off
        asset = {
            "url": f"{self.repo_url}/releases/assets/{number_id}", "id": number_id,
            "name": name, "label": query.get("label") or "", "state": "uploaded",
            "content_type": query["_content_type"], "size": len(data),
            "browser_download_url": f"{release['html_url']}/{name}".replace("/tag/", "/download/"),
            "uploader": dict(BOT), "created_at": self._now(),
        }
        # fmt: on
        self.assets[release["id"]].append((asset, data))
        release["assets"].append(asset)
        return 201, asset, {}

    def _ref(self, name: str) -> dict[str, Any]:
        sha = self.refs[name]
        return {
            "ref": f"refs/{name}",
            "node_id": f"REF_kwDOFake{name}",
            "url": f"{self.repo_url}/git/refs/{name}",
            "object": {"sha": sha, "type": "commit", "url": f"{self.repo_url}/git/commits/{sha}"},
        }

    def _get_ref(self, path: str, query: dict[str, str], body: Any, name: str) -> Reply:
        if name not in self.refs:
            raise ApiError(404, "Not Found")
        return 200, self._ref(name), {}

    def _create_ref(self, path: str, query: dict[str, str], body: Any) -> Reply:
        ref, sha = body.get("ref"), body.get("sha")
        if not isinstance(ref, str) or not ref.startswith("refs/") or ref.count("/") < 2:
            raise ApiError(422, "ref must be fully qualified, like refs/tags/v1")
        if not isinstance(sha, str) or not re.fullmatch(r"[0-9a-f]{40}", sha):
            raise _invalid("Reference", "sha", "invalid")
        name = ref.removeprefix("refs/")
        if name in self.refs:
            raise ApiError(422, "Reference already exists")
        self.refs[name] = sha
        return 201, self._ref(name), {}

    def _update_ref(self, path: str, query: dict[str, str], body: Any, name: str) -> Reply:
        sha = body.get("sha")
        if name not in self.refs:
            raise ApiError(422, "Reference does not exist")
        if not isinstance(sha, str) or not re.fullmatch(r"[0-9a-f]{40}", sha):
            raise _invalid("Reference", "sha", "invalid")
        if sha != self.refs[name] and name.startswith("tags/") and body.get("force") is not True:
            raise ApiError(422, "Update is not a fast forward")
        self.refs[name] = sha
        return 200, self._ref(name), {}


def _labelled(issue: dict[str, Any], names: Sequence[str]) -> bool:
    """Whether the issue carries every one of these labels (names compared in any case)."""
    carried = {str(label["name"]).lower() for label in issue["labels"]}
    return all(name.lower() in carried for name in names)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fake: FakeGitHub

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that hung up: nothing to report


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        headers = {name.lower(): value for name, value in self.headers.items()}
        fake = cast(_Server, self.server).fake
        status, body, extra = fake.handle(self.command, self.path, headers, raw)
        data = b"" if status == 204 or body is None else json.dumps(body, indent=2).encode()
        sent = {"Content-Length": str(len(data)), "X-GitHub-Api-Version-Selected": "2022-11-28"}
        sent |= {"X-RateLimit-Limit": "5000", "X-RateLimit-Remaining": "4999"}
        sent |= {"X-RateLimit-Reset": str(int(time.time()) + 3600), "X-RateLimit-Used": "1"}
        if data:
            sent["Content-Type"] = "application/json; charset=utf-8"
        self.send_response(status)
        for name, value in {**sent, **extra}.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

    def log_message(self, format: str, *args: Any) -> None:
        pass  # no stderr noise in the test output


@contextmanager
def github_api(
    *, token: str = "ghs_test_token_0123456789", owner: str = "acme", repo: str = "clubhouse"
) -> Iterator[FakeGitHub]:
    """The fake on a free loopback port; ``fake.url`` is the base (GITHUB_API_URL)."""
    server = _Server(("127.0.0.1", 0), _Handler)
    fake = FakeGitHub(f"http://127.0.0.1:{server.server_address[1]}", token, owner, repo)
    server.fake = fake
    serve = {"poll_interval": 0.05}  # quick to stop
    thread = threading.Thread(target=server.serve_forever, kwargs=serve, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
