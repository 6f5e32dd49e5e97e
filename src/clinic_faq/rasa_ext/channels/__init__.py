"""Input channels (credentials.yml): REST, socket.io for the website widget, SMS for the phone tree, the staff page."""
