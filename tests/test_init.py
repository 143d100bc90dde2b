"""`launchready init` on real git repositories: what it writes, that it never clobbers,
that a second run changes nothing, and that the next run honours its baseline."""

from __future__ import annotations

from pathlib import Path

import yaml

from launchready_ci.adoption import survey
from tests.helpers import git, make_repo, run_cli

KEY = "sk_live_" + "51HqLyjWDarjtT1zdp7dcXYZ" + "0123abcdEFGH"  # live format, not a real key

APP = {
    "manage.py": "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'shop.settings')\n",
    "shop/settings.py": (
        "import os\nSECRET_KEY = os.environ['SECRET_KEY']\nPORT = os.environ.get('PORT', '8000')\n"
    ),
    "shop/migrations/0001_initial.py": (
        "from django.db import migrations, models\n\n"
        "class Migration(migrations.Migration):\n"
        "    operations = [migrations.AddField('order', 'note', models.TextField(null=False))]\n"
    ),
    "legacy/keys.py": f'OLD = "{KEY}"\n',
    ".env.example": "SECRET_KEY=\n",
    "Dockerfile": "FROM python:3.12\nCMD python manage.py runserver\n",
    ".github/workflows/deploy.yml": (
        "on: {push: {branches: [main]}}\n"
        "jobs:\n"
        "  deploy:\n"
        "    runs-on: ubuntu-latest\n"
        "    steps:\n"
        "      - uses: actions/checkout@v4\n"
        "      - run: flyctl deploy --remote-only\n"
        "        env: {FLY_API_TOKEN: '${{ secrets.FLY_API_TOKEN }}'}\n"
    ),
}


def _snapshot(repo: Path) -> dict[str, bytes]:
    return {
        p.relative_to(repo).as_posix(): p.read_bytes()
        for p in sorted(repo.rglob("*"))
        if p.is_file()
        and ".git/" not in p.relative_to(repo).as_posix() + "/"
        and not p.relative_to(repo).as_posix().startswith(".git/")
    }


def test_init_writes_config_inventory_and_baseline_and_the_next_run_is_quiet(
    tmp_path: Path,
) -> None:
    repo = make_repo(tmp_path / "shop", APP)
    out = run_cli("init", cwd=repo)
    assert out.returncode == 0, out.stdout + out.stderr
    config = yaml.safe_load((repo / "launchready.yml").read_text())
    assert config["baseline"] == ".launchready-baseline.json"
    assert {"secrets", "env", "migrations"} <= set(config)
    assert "Django" in (repo / "launchready.yml").read_text()
    inventory = yaml.safe_load((repo / "env-inventory.yml").read_text())["variables"]
    assert "SECRET_KEY" in inventory and inventory["PORT"] == {"provided": "platform"}
    assert (repo / ".launchready-baseline.json").is_file()
    assert "next:" in out.stdout and "  3. " in out.stdout

    run = run_cli("run", "--no-color", cwd=repo)
    assert run.returncode == 0, run.stdout
    assert "0 findings" in run.stdout and "by the baseline" in run.stdout

    # then a commit adds a live-format key: exactly one error, on its line
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "launchready init")
    (repo / "shop/billing.py").write_text(f'STRIPE = "{KEY[:-4]}WXYZ"\n')
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "billing")
    failing = run_cli("run", "--no-color", cwd=repo)
    assert failing.returncode == 1, failing.stdout
    errors = [line for line in failing.stdout.splitlines() if ": error " in line]
    assert errors == [errors[0]] and errors[0].startswith("shop/billing.py:1:")


def test_a_second_init_changes_nothing(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "shop", APP)
    assert run_cli("init", cwd=repo).returncode == 0
    before = _snapshot(repo)
    again = run_cli("init", cwd=repo)
    assert again.returncode == 0, again.stderr
    assert _snapshot(repo) == before
    assert (
        "kept launchready.yml" in again.stdout and "kept .launchready-baseline.json" in again.stdout
    )


def test_init_never_clobbers_existing_files_without_force(tmp_path: Path) -> None:
    mine = "# my own config\nversion: 1\nsecrets: {}\n"
    inventory = "version: 1\nvariables:\n  SECRET_KEY: {owner: '@me', purpose: sessions}\n"
    repo = make_repo(
        tmp_path / "shop", {**APP, "launchready.yml": mine, "env-inventory.yml": inventory}
    )
    out = run_cli("init", cwd=repo)
    assert out.returncode == 0, out.stderr
    assert (repo / "launchready.yml").read_text() == mine
    assert (repo / "env-inventory.yml").read_text() == inventory
    assert "has no `baseline:`" in out.stdout  # the config it kept does not name one
    forced = run_cli("init", "--force", cwd=repo)
    assert forced.returncode == 0, forced.stderr
    assert (repo / "launchready.yml").read_text() != mine


def test_init_from_a_subfolder_sets_up_the_repository(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "shop", APP)
    out = run_cli("init", cwd=repo / "shop")
    assert out.returncode == 0, out.stderr
    assert (repo / "launchready.yml").is_file() and not (repo / "shop/launchready.yml").exists()


def test_survey_tells_tools_and_folders_apart() -> None:
    files = [
        "prisma/migrations/20240101_init/migration.sql",
        "supabase/migrations/0001_x.sql",
        "app/migrations/0001_initial.py",
        "db/migrate/20240101_create_users.rb",
        "next.config.mjs",
        "app.json",
        "docker-compose.yml",
        "node_modules/x/migrations/0001.sql",
    ]
    texts = {"app.json": '{"expo": {"name": "club"}}'}
    found = survey(files, texts.get)
    assert [t for t, _, _ in found.migrations] == [
        "Django",
        "Rails",
        "Prisma Migrate",
        "Supabase CLI",
    ]
    assert "Next.js" in found.frameworks and found.mobile == "Expo"
    assert found.compose_files == ("docker-compose.yml",)


def test_rails_migrations_are_named_but_get_no_section_the_check_would_skip() -> None:
    """The migrations check reads SQL, Django and Alembic: a Rails app's db/migrate is
    mentioned, and no `migrations:` section promises a lint that would be skipped."""
    from launchready_ci.adoption import render_config

    rails = survey(["db/migrate/20240101_create_users.rb", "config/application.rb"], {}.get)
    text = render_config(rails, inventory=None)
    assert "\nmigrations:" not in text
    assert "Rails in db/migrate (1 file)" in text and "does not lint them" in text
    both = survey(["db/migrate/20240101_a.rb", "db/migrations/0001_a.sql"], {}.get)
    text = render_config(both, inventory=None)
    assert "\nmigrations: {}" in text and "Not linted: Rails in db/migrate" in text


def test_diesel_and_flyway_histories_are_found_and_linted_by_default(tmp_path: Path) -> None:
    """lemmy keeps diesel's migrations/<name>/up.sql; Flyway keeps db/migration/V1__x.sql.
    Both get a `migrations:` section, and the check finds them on its default paths."""
    from launchready_ci.adoption import render_config

    files = [
        "migrations/2019-02-26-002946_create_user/up.sql",
        "migrations/2019-02-26-002946_create_user/down.sql",
        "migrations/2019-02-27-170003_create_community/up.sql",
        "src/main/resources/db/migration/V1__members.sql",
        "src/main/resources/db/migration/V2__plans.sql",
    ]
    found = survey(files, {}.get)
    assert sorted(found.migrations) == [
        ("Flyway", "src/main/resources/db/migration", 2),
        ("diesel", "migrations", 2),
    ]
    assert "\nmigrations: {}" in render_config(found, inventory=None)
    root = make_repo(
        tmp_path / "r",
        {
            "migrations/2019-02-26-002946_create_user/up.sql": "CREATE TABLE u (id int);\n",
            "src/main/resources/db/migration/V1__members.sql": "CREATE TABLE m (id int);\n",
        },
    )
    result = run_cli("migrations", "check", "--root", str(root))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 SQL migrations" in result.stdout + result.stderr


def test_javascript_migrations_are_named_and_get_no_section() -> None:
    """outline keeps 301 sequelize-cli migrations (server/migrations/<ts>-name.js): JavaScript
    builds their SQL at run time, so init names them and promises no lint."""
    from launchready_ci.adoption import render_config

    found = survey(["server/migrations/20160619080644-initial.js"], {}.get)
    text = render_config(found, inventory=None)
    assert "\nmigrations:" not in text
    assert "JavaScript in server/migrations (1 file)" in text and "does not lint them" in text


def test_pop_templates_get_a_placeholders_hint() -> None:
    """supabase/auth's migrations name their schema {{ index .Options "Namespace" }}: init
    says the dry run needs its value, and the hint is valid once filled in."""
    from launchready_ci.adoption import render_config

    sql = 'CREATE TABLE {{ index .Options "Namespace" }}.users (id uuid);\n'
    found = survey(["migrations/00_init.up.sql"], {"migrations/00_init.up.sql": sql}.get)
    assert found.placeholders == ("Namespace",)
    text = render_config(found, inventory=None)
    assert "placeholders: { Namespace: <value> }" in text and "\nmigrations: {}" in text
    plain = survey(["migrations/0001_a.up.sql"], {"migrations/0001_a.up.sql": "SELECT 1;"}.get)
    assert "placeholders" not in render_config(plain, inventory=None)
