"""What a finished workshop is handed over as: the playbook (Markdown, JSON, DOCX, PDF), the deck, the
one-page summary and the weekly review's calendar invitation, all built from one block structure."""
