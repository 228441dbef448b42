"""Signing in and out: the password step, two factors (TOTP and recovery codes), throttling,
log out everywhere and password reset. Views in `views.py`, the flow in `services.py`."""
