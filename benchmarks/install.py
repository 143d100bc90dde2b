"""Seconds from a fresh runner state to the first ``launchready`` result: pip against uv.

Each *cold* run starts in a new temporary directory: create a venv, install launchready-ci
from a snapshot of this repository (its dependencies come from the package index; the
action's script installs the hash-pinned lock in requirements/), then run
``launchready run --root <example> --fail-on never -q``. Each *warm* run reuses that venv
and only runs the command. Both installers are timed with an empty package cache
(``pip --no-cache-dir``, ``uv --no-cache``) and with a warm one (a cache directory owned by
the benchmark, filled by one untimed install first). When ``scripts/install-action.sh``
exists, the action's own install path is timed the same way: its plan step, then its
install step (there, warm = the plan and the install finding the venv, as after a cache
hit, + the run; "warm reuse" is that check alone). Two variants show what the pip path
could save: a venv ``--without-pip`` filled by the base pip, and uv with
``--compile-bytecode``.

    python benchmarks/install.py                 # 3 repetitions
    python benchmarks/install.py --reps 5 --only uv-cold-cache,uv-warm-cache

pip runs as on a hosted runner: PIP_* variables and pip config files are ignored
(``--pip-config machine`` keeps them). Stdlib only; every step has a timeout.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from _timing import run_timed, summarize

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DEFAULT_OUT = HERE / "results" / "install.json"
DEFAULT_EXAMPLE = REPO / "examples" / "membership-app"
INSTALL_SCRIPT = REPO / "scripts" / "install-action.sh"
SCENARIOS = {
    "pip-cold-cache": "python -m venv; venv pip install --no-cache-dir",
    "pip-warm-cache": "python -m venv; venv pip install, cache filled",
    "uv-cold-cache": "uv venv; uv pip install --no-cache",
    "uv-warm-cache": "uv venv; uv pip install, cache filled",
    "pip-nopip-cold-cache": "variant: venv --without-pip; base pip --python venv --no-cache-dir",
    "uv-bytecode-cold-cache": "variant: uv-cold-cache with --compile-bytecode",
    "script-pip-cold-cache": "scripts/install-action.sh, installer pip, empty cache",
    "script-pip-warm-cache": "scripts/install-action.sh, installer pip, cache filled",
    "script-uv-cold-cache": "scripts/install-action.sh, installer uv, empty cache",
    "script-uv-warm-cache": "scripts/install-action.sh, installer uv, cache filled",
}


@dataclass
class Step:
    name: str
    seconds: float
    returncode: int | None  # None: timed out or could not start
    tail: str = ""  # last lines of output when the step failed


@dataclass
class Run:
    scenario: str
    rep: int
    steps: list[Step] = field(default_factory=list)
    warm: list[list[Step]] = field(default_factory=list)  # each: [reinstall check,] run

    @property
    def cold_total_s(self) -> float:
        return sum(s.seconds for s in self.steps)

    @property
    def warm_totals_s(self) -> list[float]:
        return [sum(s.seconds for s in steps) for steps in self.warm]

    @property
    def installed(self) -> bool:
        setup = [s for s in self.steps if s.name != "first-run"]
        return bool(setup) and all(s.returncode == 0 for s in setup)

    @property
    def first_run_exit(self) -> int | None:
        return next((s.returncode for s in self.steps if s.name == "first-run"), None)

    @property
    def ok(self) -> bool:
        # --fail-on never: any exit but 0 means launchready gave no result
        warm_ok = all(s.returncode == 0 for steps in self.warm for s in steps)
        return self.installed and self.first_run_exit == 0 and warm_ok


def timed(name: str, argv: list[str], env: dict[str, str], timeout: float, cwd: Path) -> Step:
    """Wall time of one step (stdout and stderr together, as a terminal shows them)."""
    sample = run_timed(argv, timeout=timeout, cwd=cwd, env=env, merge_stderr=True)
    if sample.killed:
        return Step(
            name,
            sample.seconds,
            None,
            sample.stderr.splitlines()[0] if sample.stderr else f"killed after {timeout} s",
        )
    output = sample.stdout.decode("utf-8", "replace")
    tail = "" if sample.returncode == 0 else "\n".join(output.splitlines()[-8:])
    return Step(name, sample.seconds, sample.returncode, tail)


def base_interpreter() -> str:
    """The interpreter behind this one (outside any venv), as a runner's setup-python gives."""
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    bindir = Path(sys.base_prefix) / "bin"
    for candidate in (bindir / version, bindir / "python3"):
        if candidate.exists():
            return str(candidate)
    return sys.executable


def find_uv(explicit: str | None) -> str | None:
    if explicit:
        return explicit
    for candidate in (Path(sys.executable).parent / "uv", REPO / ".venv/bin/uv"):
        if candidate.exists():
            return str(candidate)
    return shutil.which("uv")


def clean_env(pip_config: str, extra: dict[str, str] | None = None) -> dict[str, str]:
    """This environment without installer settings that a hosted runner would not have."""
    drop = ("UV_", "VIRTUAL_ENV", "PYTHONDONTWRITEBYTECODE")  # runners write .pyc files
    env = {k: v for k, v in os.environ.items() if not k.startswith(drop)}
    if pip_config == "runner":
        env = {k: v for k, v in env.items() if not k.startswith("PIP_")}
        env["PIP_CONFIG_FILE"] = os.devnull  # pip then reads no config file at all
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env.update(extra or {})
    return env


Installer = Callable[[Path, Path | None], tuple[list[Step], Path]]


@dataclass
class Scenario:
    name: str
    install: Installer
    cache: Path | None  # None: cold package cache
    reinstall_when_warm: bool = False  # the action's script runs again on a warm runner too


@dataclass
class Bench:
    python: str
    uv: str | None
    example: Path
    timeout: float
    pip_config: str
    work: Path  # scratch root; caches live here too
    source: Path  # snapshot of the repo: what gets installed

    def launch_argv(self, exe: Path) -> list[str]:
        return [str(exe), "run", "--root", str(self.example), "--fail-on", "never", "-q"]

    def pip_install(self, tmp: Path, cache: Path | None) -> tuple[list[Step], Path]:
        """`python -m venv` (with ensurepip), then the venv's own pip: what the action does."""
        env = clean_env(self.pip_config)
        venv = tmp / "venv"
        cache_args = ["--no-cache-dir"] if cache is None else ["--cache-dir", str(cache)]
        steps = [timed("venv", [self.python, "-m", "venv", str(venv)], env, self.timeout, tmp)]
        if steps[-1].returncode == 0:
            argv = [
                str(venv / "bin/python"),
                "-m",
                "pip",
                "install",
                "-q",
                *cache_args,
                str(self.source),
            ]
            steps.append(timed("install", argv, env, self.timeout, tmp))
        return steps, venv / "bin/launchready"

    def pip_nopip_install(self, tmp: Path, cache: Path | None) -> tuple[list[Step], Path]:
        """A variant: `venv --without-pip`, then the base pip with `--python` (pip >= 22.3)."""
        env = clean_env(self.pip_config)
        venv = tmp / "venv"
        cache_args = ["--no-cache-dir"] if cache is None else ["--cache-dir", str(cache)]
        argv = [self.python, "-m", "venv", "--without-pip", str(venv)]
        steps = [timed("venv", argv, env, self.timeout, tmp)]
        if steps[-1].returncode == 0:
            target = ["--python", str(venv / "bin/python")]
            argv = [
                self.python,
                "-m",
                "pip",
                *target,
                "install",
                "-q",
                *cache_args,
                str(self.source),
            ]
            steps.append(timed("install", argv, env, self.timeout, tmp))
        return steps, venv / "bin/launchready"

    def uv_install(
        self, tmp: Path, cache: Path | None, *, compile_bytecode: bool = False
    ) -> tuple[list[Step], Path]:
        assert self.uv is not None
        env = clean_env(self.pip_config)
        venv = tmp / "venv"
        cache_args = ["--no-cache"] if cache is None else ["--cache-dir", str(cache)]
        argv = [self.uv, "venv", "-q", *cache_args, "--python", self.python, str(venv)]
        steps = [timed("venv", argv, env, self.timeout, tmp)]
        if steps[-1].returncode == 0:
            python = str(venv / "bin/python")
            argv = [self.uv, "pip", "install", "-q", *cache_args, "--python", python]
            argv += ["--compile-bytecode"] if compile_bytecode else []
            argv.append(str(self.source))
            steps.append(timed("install", argv, env, self.timeout, tmp))
        return steps, venv / "bin/launchready"

    def script_installer(self, installer: str) -> Installer:
        def install(tmp: Path, cache: Path | None) -> tuple[list[Step], Path]:
            return self.script_install(tmp, cache, installer)

        return install

    def script_install(
        self, tmp: Path, cache: Path | None, installer: str
    ) -> tuple[list[Step], Path]:
        """scripts/install-action.sh under a simulated runner; RUNNER_TEMP lives in ``tmp``."""
        runner_temp = tmp / "runner-temp"
        runner_temp.mkdir(exist_ok=True)
        output, gh_path = tmp / "github_output", tmp / "github_path"
        caches = cache or (tmp / "empty-cache")  # new and empty for every cold run
        path = os.environ.get("PATH", "")
        if installer == "uv" and self.uv:  # uv alone on PATH, not the venv it may sit in
            shim = self.work / "uv-only"
            shim.mkdir(exist_ok=True)
            if not (shim / "uv").exists():
                (shim / "uv").symlink_to(self.uv)
            path = f"{shim}{os.pathsep}{path}"
        extra = {
            "PATH": path,
            "LR_PYTHON": self.python,
            "LAUNCHREADY_INSTALLER": installer,
            "GITHUB_ACTIONS": "true",
            "GITHUB_ACTION_PATH": str(self.source),
            "GITHUB_OUTPUT": str(output),
            "GITHUB_PATH": str(gh_path),
            "RUNNER_TEMP": str(runner_temp),
            "RUNNER_OS": "Linux",
            "PIP_CACHE_DIR": str(caches / "pip"),
            "UV_CACHE_DIR": str(caches / "uv"),
        }
        env = clean_env(self.pip_config, extra)
        script = str(self.source / INSTALL_SCRIPT.relative_to(REPO))
        # The action's two steps: the plan (which venv, which cache key), then the install,
        # which finds the plan's venv warm (LR_VENV) or installs the lock into it.
        output.write_text("", encoding="utf-8")
        steps = [timed("plan", ["bash", script, "--plan"], env, self.timeout, tmp)]
        env["LR_VENV"] = outputs(output).get("venv", "")
        steps.append(timed("install", ["bash", script], env, self.timeout, tmp))
        exe = Path(outputs(output).get("launchready") or tmp / "launchready-not-published")
        return steps, exe

    def cold(self, scenario: Scenario, rep: int, warm: int) -> Run:
        run = Run(scenario.name, rep)
        tmp = Path(tempfile.mkdtemp(prefix=f"{scenario.name}-", dir=self.work))
        try:
            steps, exe = scenario.install(tmp, scenario.cache)
            run.steps.extend(steps)
            if not run.installed:
                return run
            env = clean_env(self.pip_config)
            run.steps.append(timed("first-run", self.launch_argv(exe), env, self.timeout, tmp))
            for _ in range(warm):
                again: list[Step] = []
                if scenario.reinstall_when_warm:
                    again, exe = scenario.install(tmp, scenario.cache)
                    again = [Step("reuse-check", s.seconds, s.returncode, s.tail) for s in again]
                again.append(timed("run", self.launch_argv(exe), env, self.timeout, tmp))
                run.warm.append(again)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        return run


def outputs(path: Path) -> dict[str, str]:
    """A GITHUB_OUTPUT file (name=value and name<<DELIMITER blocks); the last value wins."""
    values: dict[str, str] = {}
    lines = iter(path.read_text(encoding="utf-8").splitlines() if path.exists() else [])
    for line in lines:
        name, sep, delimiter = line.partition("<<")
        if sep and "=" not in name:
            body = []
            for inner in lines:
                if inner == delimiter:
                    break
                body.append(inner)
            values[name] = "\n".join(body)
        elif "=" in line:
            key, _, value = line.partition("=")
            values[key] = value
    return values


def tree_bytes(root: Path) -> int:
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file() and not p.is_symlink())


def tiny_example(root: Path) -> Path:
    repo = root / "example"
    repo.mkdir()
    (repo / "app.py").write_text('print("hello")\n', encoding="utf-8")
    return repo


def snapshot(root: Path) -> Path:
    """Copy what a build needs, so that edits made while the benchmark runs change nothing."""
    dest = root / "source"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(REPO / "launchready_ci", dest / "launchready_ci", ignore=ignore)
    if INSTALL_SCRIPT.exists():
        shutil.copytree(INSTALL_SCRIPT.parent, dest / INSTALL_SCRIPT.parent.name, ignore=ignore)
    if (REPO / "requirements").is_dir():  # the locks the script installs
        shutil.copytree(REPO / "requirements", dest / "requirements")
    for name in ("pyproject.toml", "README.md", "CHANGELOG.md", "LICENSE"):
        if (REPO / name).exists():
            shutil.copy2(REPO / name, dest / name)
    return dest


def machine(uv: str | None, python: str) -> dict[str, object]:
    def out(argv: list[str]) -> str:
        try:
            return subprocess.run(
                argv, capture_output=True, text=True, timeout=30, check=False
            ).stdout.strip()
        except (OSError, subprocess.TimeoutExpired):
            return ""

    return {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "python": out([python, "-c", "import platform; print(platform.python_version())"]),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "loadavg_1_5_15": os.getloadavg(),  # other work on the machine adds noise
        "pip": out([python, "-m", "pip", "--version"]).split(" from ")[0],
        "uv": out([uv, "--version"]) if uv else None,
        "git": {
            "commit": out(["git", "-C", str(REPO), "rev-parse", "HEAD"]),
            "dirty": bool(out(["git", "-C", str(REPO), "status", "--porcelain"])),
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog=f"scenarios: {', '.join(SCENARIOS)}",
    )
    parser.add_argument("--reps", type=int, default=3, help="cold runs per scenario (3)")
    parser.add_argument("--warm-runs", type=int, default=3, help="warm runs per cold run (3)")
    parser.add_argument("--example", type=Path, default=DEFAULT_EXAMPLE, help="repo to check")
    parser.add_argument("--python", help="interpreter for the venvs (the base of this one)")
    parser.add_argument("--uv", help="uv binary (default: beside python, in .venv, on PATH)")
    parser.add_argument("--only", default="", help="comma-separated scenarios to run")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per step (600)")
    parser.add_argument(
        "--budget", type=float, default=3600.0, help="no new repetition after this many s (3600)"
    )
    parser.add_argument(
        "--pip-config",
        choices=["runner", "machine"],
        default="runner",
        help="runner: ignore PIP_* and pip config files, as on a hosted runner (default)",
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="JSON results file")
    args = parser.parse_args(argv)
    if args.reps < 1:
        parser.error("--reps must be at least 1")
    wanted = [s.strip() for s in args.only.split(",") if s.strip()] or list(SCENARIOS)
    unknown = sorted(set(wanted) - set(SCENARIOS))
    if unknown:
        parser.error(f"unknown scenarios: {', '.join(unknown)}")

    work = Path(tempfile.mkdtemp(prefix="launchready-install-bench-"))
    try:
        return bench(args, wanted, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def bench(args: argparse.Namespace, wanted: list[str], work: Path) -> int:
    python = args.python or base_interpreter()
    uv = find_uv(args.uv)
    example = args.example if args.example.is_dir() else tiny_example(work)
    source = snapshot(work)
    b = Bench(python, uv, example.resolve(), args.timeout, args.pip_config, work, source)

    def cache(name: str) -> Path | None:
        return work / f"cache-{name}" if name.endswith("warm-cache") else None

    available: dict[str, Scenario] = {}
    skipped: dict[str, str] = {}
    for name in wanted:
        if name.startswith("script-"):
            if not INSTALL_SCRIPT.exists():
                skipped[name] = f"{INSTALL_SCRIPT.relative_to(REPO)} does not exist"
                continue
            installer = name.split("-")[1]
            install = b.script_installer(installer)
            available[name] = Scenario(name, install, cache(name), reinstall_when_warm=True)
        else:
            installer = name.split("-")[0]
            install = {"pip": b.pip_install, "uv": b.uv_install}[installer]
            if name.startswith("pip-nopip"):
                install = b.pip_nopip_install
            elif name.startswith("uv-bytecode"):
                install = functools.partial(b.uv_install, compile_bytecode=True)
            available[name] = Scenario(name, install, cache(name))
        if installer == "uv" and uv is None:
            skipped[name] = "no uv binary found (pass --uv)"
            del available[name]

    started = time.monotonic()
    primed: dict[str, list[Step]] = {}  # one untimed install fills each warm cache
    cache_bytes: dict[str, int] = {}
    for sc in available.values():
        if sc.cache is not None:
            print(f"filling the cache for {sc.name} ...", flush=True)
            primed[sc.name] = b.cold(sc, 0, 0).steps
            cache_bytes[sc.name] = tree_bytes(sc.cache) if sc.cache.exists() else 0
            if cache_bytes[sc.name] < 256 * 1024:
                # pip keeps no download the index did not mark cacheable: then warm = cold
                print(f"  warning: the cache holds only {cache_bytes[sc.name]} bytes")

    runs: list[Run] = []
    for rep in range(1, args.reps + 1):
        if time.monotonic() - started > args.budget:
            print(f"budget of {args.budget:.0f} s spent: stopping after {rep - 1} repetitions")
            break
        for sc in available.values():  # interleaved, so that drift hits every scenario alike
            run = b.cold(sc, rep, args.warm_runs)
            runs.append(run)
            status = "ok" if run.ok else f"FAILED (launchready exit {run.first_run_exit})"
            parts = ", ".join(f"{s.name} {s.seconds:.2f}" for s in run.steps)
            print(f"rep {rep} {sc.name:<22}{run.cold_total_s:7.2f} s  ({parts})  {status}")
            tails = {s.tail for s in run.steps + [w for ws in run.warm for w in ws] if s.tail}
            for tail in tails:
                print("    " + tail.replace("\n", "\n    "))
            sys.stdout.flush()

    summary: dict[str, dict[str, object]] = {}
    for name in available:
        mine = [r for r in runs if r.scenario == name]
        done = [r for r in mine if r.installed and r.first_run_exit is not None]
        step_names = dict.fromkeys(s.name for r in done for s in r.steps)
        summary[name] = {
            "what": SCENARIOS[name],
            "cold_total_s": summarize([r.cold_total_s for r in done]),
            "steps_s": {
                step: summarize([s.seconds for r in done for s in r.steps if s.name == step])
                for step in step_names
            },
            "warm_total_s": summarize([t for r in done for t in r.warm_totals_s]),
            "warm_reuse_s": summarize(
                [
                    sum(s.seconds for s in ws if s.name == "reuse-check")
                    for r in done
                    for ws in r.warm
                ]
            ),
            "launchready_exit_codes": sorted({r.first_run_exit for r in done} - {None}),
            "ok_runs": sum(r.ok for r in mine),
            "runs": len(mine),
        }

    report = {
        "benchmark": "install",
        "machine": machine(uv, python),
        "config": {
            "reps": args.reps,
            "warm_runs": args.warm_runs,
            "python": python,
            "uv": uv,
            "example": str(example),
            "example_is_fallback": not args.example.is_dir(),
            "pip_config": args.pip_config,
            "command": b.launch_argv(Path("launchready"))[1:],
        },
        "labels": {
            "cold_total_s": "fresh temp dir: create venv + install from the repo dir + first run",
            "warm_total_s": "venv already there: the run (script: its reuse check + the run)",
            "warm_reuse_s": "script only: plan + install finding the venv warm (a cache hit)",
            "cold-cache": "pip --no-cache-dir, uv --no-cache, script with empty cache dirs",
            "warm-cache": "a cache dir of the benchmark's own, filled by one untimed install",
        },
        "skipped": skipped,
        "summary": summary,
        "priming": {k: [asdict(s) for s in v] for k, v in primed.items()},
        "cache_bytes_after_priming": cache_bytes,
        "runs": [asdict(r) | {"cold_total_s": r.cold_total_s, "ok": r.ok} for r in runs],
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")

    def cell(d: object) -> str:
        return f"{d['median']:.2f} ({d['min']:.2f})" if isinstance(d, dict) else "-"

    print(f"\nseconds, median (min); {args.reps} cold runs, {args.warm_runs} warm runs after each")
    head = f"{'scenario':<24}{'cold total':>15}{'install':>15}{'first run':>15}{'warm':>15}"
    print(f"{head}{'warm reuse':>15}  ok")
    for name, s in summary.items():
        steps = s["steps_s"]
        assert isinstance(steps, dict)
        reuse = cell(s["warm_reuse_s"]) if name.startswith("script-") else "-"
        print(
            f"{name:<24}{cell(s['cold_total_s']):>15}{cell(steps.get('install')):>15}"
            f"{cell(steps.get('first-run')):>15}{cell(s['warm_total_s']):>15}{reuse:>15}"
            f"  {s['ok_runs']}/{s['runs']}"
        )
    for name, why in skipped.items():
        print(f"{name:<24} skipped: {why}")
    for name, size in cache_bytes.items():
        print(f"{name:<24} cache after priming: {size / 2**20:.1f} MiB")
    print(f"\nwrote {args.out}")
    if not all(r.ok for r in runs):
        print("some runs failed: a time whose launchready run did not exit 0 is no result time")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
