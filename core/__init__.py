"""The base every layer stands on: settings, the error family with its codes, the texts in every language
(``i18n`` and ``messages/``), the chat-model factory and its streaming client, bounded file reads, and the
SQL store with its migrations."""
