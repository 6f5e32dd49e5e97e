"""The safety core: plain Python, importable without Rasa (a test checks that importing it loads no `rasa`)."""
