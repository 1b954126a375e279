"""The LTI 1.3 tool: OIDC login initiation, launch (id_token checks), tool JWKS, role mapping."""
