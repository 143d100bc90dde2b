# Database password of the throwaway test database started by the test suite.
# launchready: ignore[secrets/secret-assignment]
TEST_DB_PASSWORD = "clubhouse-test-only-0123"


def test_invite_link_keeps_token():
    assert "token=" in "https://clubhouse.example/invite?token=abc"
