"""Deploy workflow review: what the launch bar asks of a GitHub Actions deploy, and zizmor's
security audits of every workflow."""
