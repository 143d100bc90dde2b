"""A small client of GitHub's REST API (httpx): the few calls a rollback makes, with the
retries GitHub asks clients to make.

429 and 5xx answers, and a 403 that says it is a rate limit (``Retry-After``, or
``X-RateLimit-Remaining: 0``), are retried after the wait the response names (capped),
else with exponential backoff; after the last attempt the call fails loudly with
GitHub's own message. The token goes in the Authorization header and nowhere else: no
message built here contains it.
"""

from __future__ import annotations

import email.utils
import re
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import httpx

from launchready_ci.errors import CheckError

__all__ = ["API_VERSION", "GitHubAPI", "GitHubAPIError"]

API_VERSION = "2022-11-28"
MAX_WAIT = 60.0
_NEXT = re.compile(r'<([^>]+)>;\s*rel="next"')
_HINTS = {
    401: "the token is missing, expired or revoked",
    403: "the token lacks a permission: the job needs `permissions: deployments: write` "
    "(deployment) or `actions: write` (workflow)",
    404: "check the repository, the workflow file name and that the token can see them",
    422: "GitHub refused the values sent (a ref that does not exist, a workflow without "
    "`workflow_dispatch`, or an input it does not declare)",
}


class GitHubAPIError(CheckError):
    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class GitHubAPI:
    def __init__(
        self,
        *,
        token: str,
        repository: str,
        base_url: str = "https://api.github.com",
        attempts: int = 5,
        sleep: Callable[[float], None] = time.sleep,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if "/" not in repository:
            raise CheckError(f"not a repository (OWNER/NAME): {repository!r}")
        self.repository = repository
        self.attempts = attempts
        self.sleep = sleep
        self.waits: list[float] = []  # every pause taken, for the report
        #: Called with a line for each retry ("GET /x: 503, waited 2 s, attempt 2 of 5").
        self.on_retry: Callable[[str], None] | None = None
        self._client = httpx.Client(
            base_url=base_url.rstrip("/"),
            headers={
                "Authorization": f"Bearer {token}",
                "Accept": "application/vnd.github+json",
                "X-GitHub-Api-Version": API_VERSION,
                "User-Agent": "launchready-ci",
            },
            timeout=30.0,
            transport=transport,
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> GitHubAPI:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def repo_path(self, path: str) -> str:
        return f"/repos/{self.repository}/{path.lstrip('/')}"

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, str | int] | None = None,
    ) -> httpx.Response:
        """One call, retried on 429, 5xx and rate-limit 403s; raises GitHubAPIError."""
        what = f"{method} {path}"
        for attempt in range(1, self.attempts + 1):
            try:
                response = self._client.request(method, path, json=json, params=params)
            except httpx.HTTPError as exc:
                if attempt == self.attempts:
                    raise GitHubAPIError(
                        f"GitHub API {what}: {type(exc).__name__} after {attempt} attempts", 0
                    ) from None
                self._retry(what, type(exc).__name__, self._pause(None, attempt), attempt)
                continue
            if response.status_code < 400:
                return response
            if _retryable(response) and attempt < self.attempts:
                wait = self._pause(response, attempt)
                self._retry(what, str(response.status_code), wait, attempt)
                continue
            raise self._error(what, response, attempt)
        raise AssertionError("unreachable")

    def paginate(
        self, path: str, params: Mapping[str, str | int] | None = None, *, key: str | None = None
    ) -> Iterator[Any]:
        """Every item of a list endpoint, following ``Link: rel="next"``."""
        url: str | None = path
        query: Mapping[str, str | int] | None = {"per_page": 100, **(params or {})}
        while url is not None:
            response = self.request("GET", url, params=query)
            body = response.json()
            yield from (body[key] if key else body)
            found = _NEXT.search(response.headers.get("link", ""))
            url, query = (found.group(1), None) if found else (None, None)

    def _retry(self, what: str, why: str, wait: float, attempt: int) -> None:
        if self.on_retry is not None:
            self.on_retry(
                f"{what}: {why}, waited {wait:g} s, then attempt {attempt + 1} of {self.attempts}"
            )

    def _pause(self, response: httpx.Response | None, attempt: int) -> float:
        wait = _retry_after(response) if response is not None else None
        if wait is None and response is not None and response.status_code in (403, 429):
            wait = MAX_WAIT  # a rate limit that names no time: GitHub asks for a minute
        if wait is None:
            wait = float(2 ** (attempt - 1))
        wait = min(max(wait, 0.0), MAX_WAIT)
        self.waits.append(wait)
        self.sleep(wait)
        return wait

    def _error(self, what: str, response: httpx.Response, attempts: int) -> GitHubAPIError:
        try:
            message = str(response.json().get("message", ""))
        except (ValueError, AttributeError):
            message = ""
        text = f"GitHub API {what}: {response.status_code}"
        if message:
            text += f" {message!r}"
        if attempts > 1:
            text += f" after {attempts} attempts"
        hint = _HINTS.get(response.status_code)
        if hint:
            text += f" ({hint})"
        return GitHubAPIError(text, response.status_code)


def _retryable(response: httpx.Response) -> bool:
    if response.status_code == 429 or response.status_code >= 500:
        return True
    return response.status_code == 403 and _rate_limited(response)


def _rate_limited(response: httpx.Response) -> bool:
    """A 403 that is a rate limit: GitHub says so in a header or, for a secondary limit
    without headers, only in the message."""
    if "retry-after" in response.headers or response.headers.get("x-ratelimit-remaining") == "0":
        return True
    return "rate limit" in response.text.lower()


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    if value is not None:
        value = value.strip()
        if value.isdigit():
            return float(value)
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        return when.timestamp() - time.time()
    reset = response.headers.get("x-ratelimit-reset")
    if response.headers.get("x-ratelimit-remaining") == "0" and reset and reset.isdigit():
        return float(reset) - time.time()
    return None
