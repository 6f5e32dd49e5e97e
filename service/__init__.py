"""How the servers are started: the action server with its access checks, and the Rasa server's flags."""
