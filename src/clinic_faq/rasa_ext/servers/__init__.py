"""How the servers start: the Rasa server (patches applied, HTTP API only with auth) and the action server."""
