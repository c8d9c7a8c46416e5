"""The development authorization server: AuthKit's /oauth2 endpoints, played locally.

Mounted only when no AuthKit issuer is configured (development auth), so the whole
OAuth flow (discovery, dynamic registration, authorization code with PKCE, refresh)
works offline with unmodified clients. Production refuses this mode.
"""
