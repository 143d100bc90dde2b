"""Uptime monitoring from a scheduled workflow: probes, a bounded history kept on a git
branch, a static status page, and incidents as GitHub issues."""
