"""The client's access to their file: invitations (one-time links), the client portal, the office's Team section,
the access letter and the printable overview."""
