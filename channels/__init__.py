"""Input channels for the clinic assistant: REST and socket.io for the website, text for the phone tree."""
