"""Documents for people: the launch-readiness audit and the handover document."""
